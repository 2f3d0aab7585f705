"""Where the portal outbox publishes to: a backend takes events in sequence order and returns
the sequence numbers it has safely kept. A connector to the provincial or national
public-service portal is one more class with the same ``publish``; the setting
``DESK_OUTBOX_BACKEND`` (a dotted path) chooses it.

The file backend shipped here appends JSON Lines under the data dir, for a connector that
reads files (or for an operator to inspect and replay)."""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("cuakhau.desk.outbox")

DEFAULT_BACKEND = "cuakhau.desk.outbox_backends.FileBackend"
FILE_NAME = "events.jsonl"


class OutboxBackend(Protocol):
    def publish(self, events: Sequence[dict]) -> list[int]:
        """Keep ``events`` (payloads, ascending ``sequence``); return the sequence numbers kept.

        Must be idempotent: an event given again (the publisher crashed before marking it) is
        acknowledged without being kept twice. May raise: nothing is then marked published."""
        ...


def get_backend() -> OutboxBackend:
    path = getattr(settings, "DESK_OUTBOX_BACKEND", DEFAULT_BACKEND)
    return import_string(path)()


def outbox_dir() -> Path:
    return Path(getattr(settings, "DESK_OUTBOX_DIR", settings.DATA_DIR / "desk-outbox"))


def encode(event: dict) -> bytes:
    """One line: UTF-8 JSON (Vietnamese as is, not \\u escapes), keys sorted, no spaces."""
    text = json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


class FileBackend:
    """Appends each event as one line of ``<DESK_OUTBOX_DIR>/events.jsonl``.

    Idempotent by sequence: the publisher sends events in ascending, gap-free order, so the
    last line's sequence says what the file holds; an event at or below it is acknowledged
    without writing. An exclusive ``flock`` keeps two publishers (the worker and the command)
    from interleaving, and the data is fsync'ed before anything is acknowledged."""

    def __init__(self, directory: Path | str | None = None):
        self.directory = Path(directory) if directory else outbox_dir()
        self.path = self.directory / FILE_NAME

    def publish(self, events: Sequence[dict]) -> list[int]:
        if not events:
            return []
        created = not self.path.exists()
        self.directory.mkdir(parents=True, exist_ok=True)
        acknowledged: list[int] = []
        with open(self.path, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
            last = self._last_sequence(handle)
            lines = []
            for event in events:
                sequence = int(event["sequence"])
                if sequence > last:
                    if last and sequence != last + 1:
                        logger.warning("desk outbox: file jumps from %d to %d", last, sequence)
                    lines.append(encode(event))
                    last = sequence
                acknowledged.append(sequence)
            if lines:
                handle.seek(0, os.SEEK_END)
                handle.write(b"".join(lines))
                handle.flush()
                os.fsync(handle.fileno())
        if created:
            self._sync_directory()
        return acknowledged

    def _last_sequence(self, handle) -> int:
        """The last complete line's sequence (0 for an empty file). A torn last line — a crash
        in the middle of a write, before it was acknowledged — is cut off first."""
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        if size == 0:
            return 0
        block = 4096
        position = size
        tail = b""
        while position > 0:
            step = min(block, position)
            position -= step
            handle.seek(position)
            tail = handle.read(step) + tail
            # Enough once the tail holds the whole last complete line (a newline before it).
            if tail.count(b"\n") >= 2 or (position == 0 and b"\n" in tail):
                break
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            keep = position + cut + 1 if cut >= 0 else 0
            logger.warning("desk outbox: cutting a torn last line at byte %d", keep)
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())
            tail = tail[: cut + 1] if cut >= 0 else b""
            if not tail and keep:
                return self._last_sequence(handle)
        lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
        if not lines[-1]:
            return 0
        return int(json.loads(lines[-1])["sequence"])

    def _sync_directory(self) -> None:
        # A new file's directory entry is durable only once the directory is synced.
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def read(self) -> list[dict]:
        """Every event in the file, in order (for tests, an operator, a replay)."""
        if not self.path.exists():
            return []
        with open(self.path, "rb") as handle:
            return [json.loads(line) for line in handle if line.strip()]
