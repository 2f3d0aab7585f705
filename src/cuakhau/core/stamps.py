"""Values a process keeps under a row's stamp, and the stamps themselves.

A row whose content is read on the hot path but changes rarely (the price history of a
subheading, what a token's owner may do) carries a stamp drawn again at every change. A process
keeps what it worked out from the row under that stamp, and its statement asks for the row's
content only when the stamp in the row is not the one kept (SQL ``CASE`` on ``known``): an
unchanged row costs an indexed lookup, a changed one is read at the very next request.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

# A stamp no row has: stamps are drawn from 0 to 2**62 - 1.
NONE_KEPT = -1


def new_stamp() -> int:
    # Random, not counted: a row deleted and made again never meets its old stamp.
    return secrets.randbits(62)


class KeptByStamp:
    """Per key, one value and the stamp it was worked out under; at most ``limit`` keys (the
    least recently used go first), none trusted past ``max_age`` seconds when given."""

    def __init__(self, limit: int, max_age: float | None = None):
        self.limit, self.max_age = limit, max_age
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def known(self, key) -> int:
        """The stamp under which a value is kept for ``key``, or ``NONE_KEPT``."""
        with self._lock:
            found = self._kept.get(key)
        if found is None or (
            self.max_age is not None and time.monotonic() - found[1] > self.max_age
        ):
            return NONE_KEPT
        return found[0]

    def get(self, key, stamp: int):
        """The value kept for ``key`` under ``stamp``, else None (dropped, or another stamp)."""
        with self._lock:
            found = self._kept.get(key)
            if found is None or found[0] != stamp:
                return None
            self._kept.move_to_end(key)
            return found[2]

    def put(self, key, stamp: int, value) -> None:
        with self._lock:
            self._kept[key] = (stamp, time.monotonic(), value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
