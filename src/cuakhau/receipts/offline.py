"""Offline receipt verification for gate devices without a network.

The server periodically exports a bundle: the published JWK Set plus the revoked key ids,
the revoked receipt numbers and the receipts already used at exit (as runs of consecutive
numbers, ``UsedReceipts``), at ``generated_at``. A
gate device copies the bundle and runs the same ``signing.verify`` the server uses, so
offline and online answers agree except for revocations and uses after the bundle was
generated; the CLI says how old that knowledge is ("revocation data from 3 h ago") so the
officer knows how fresh the answer is.

Usage::

    python -m cuakhau.receipts.offline BUNDLE.json TOKEN [--gate CODE]

Exit status is 0 for a valid receipt and 1 for anything else. No Django, no server: it
speaks English. Where Django is installed, ``cuakhau verify_receipt BUNDLE TOKEN [--gate CODE]
[--language vi|en|zh-hans]`` gives the same answer in the officer's language (Vietnamese by
default), with the same exit status.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cuakhau.receipts.signing import public_jwks, verify, write_json_atomic

BUNDLE_FORMAT = "cuakhau-receipt-verification-bundle"
# Version 2 added the used receipts (a list of numbers); version 3 carries them as runs. Both
# are still read; a version 1 bundle is read too, and said to lack them.
BUNDLE_VERSION = 3
_READABLE_VERSIONS = (1, 2, 3)
# The bundle is public by design (keys and revocations are published anyway), so gate
# software running as another user may read it.
_BUNDLE_MODE = 0o644


class BundleError(ValueError):
    """The bundle file is missing, unreadable or not a receipt verification bundle."""


@dataclass(frozen=True)
class Bundle:
    jwks: dict[str, Any]
    revoked_kids: frozenset[str]
    revoked_receipts: frozenset[str]
    generated_at: datetime
    # None: a version 1 bundle, which did not carry them.
    used_receipts: UsedReceipts | None = None


class UsedReceipts(Collection[str]):
    """Receipt numbers kept as runs of consecutive sequence numbers per gate and year.

    Receipts are numbered without gaps per gate and year (``HNG-2026-000123``) and trucks leave
    about in the order they paid, so the used ones form long runs: the 78,000 receipts used in
    the 90-day demo are 589 runs, and the offline page carrying them 54 KB instead of 1.7 MB
    (``bench/pages_bench.py --page offline``). A list of every number would grow by a
    megabyte every few months at a busy gate, and a device on the gate's poor network
    downloads the page whole. A number not of that shape (none is issued
    so) is kept as it is, in ``others``.
    """

    def __init__(
        self,
        runs: Mapping[str, Iterable[Sequence[int]]] | None = None,
        others: Iterable[str] = (),
    ):
        self._starts: dict[str, list[int]] = {}
        self._ends: dict[str, list[int]] = {}
        for prefix, pairs in (runs or {}).items():
            if not isinstance(prefix, str) or not prefix:
                raise TypeError("a run's gate and year must be text")
            merged = _merged(_run(pair) for pair in pairs)
            if merged:
                self._starts[prefix] = [first for first, _last in merged]
                self._ends[prefix] = [last for _first, last in merged]
        self._others = frozenset(_strings(others, "used_receipts"))

    @classmethod
    def of_numbers(cls, numbers: Iterable[str]) -> UsedReceipts:
        if isinstance(numbers, str | bytes):
            raise TypeError("used_receipts must be a collection of strings, not a string")
        runs: dict[str, list[list[int]]] = {}
        others = []
        for number in numbers:
            if not isinstance(number, str):
                raise TypeError("used_receipts must contain only strings")
            split = _split(number)
            if split is None:
                others.append(number)
                continue
            prefix, sequence = split
            pairs = runs.setdefault(prefix, [])
            # Numbers given in order (as ``receipts.services`` reads them) extend the run in
            # hand, and the merge has only the runs to sort; in any other order it sorts more.
            if pairs and pairs[-1][1] + 1 == sequence:
                pairs[-1][1] = sequence
            else:
                pairs.append([sequence, sequence])
        return cls(runs, others)

    def runs(self) -> dict[str, list[list[int]]]:
        """As the bundle carries them: ``{"HNG-2026": [[1, 1200], [1202, 5000]], ...}``."""
        return {
            prefix: [[first, last] for first, last in zip(starts, self._ends[prefix], strict=True)]
            for prefix, starts in sorted(self._starts.items())
        }

    def others(self) -> list[str]:
        return sorted(self._others)

    def __contains__(self, number: object) -> bool:
        if not isinstance(number, str):
            return False
        if number in self._others:
            return True
        split = _split(number)
        if split is None or split[0] not in self._starts:
            return False
        prefix, sequence = split
        at = bisect.bisect_right(self._starts[prefix], sequence) - 1
        return at >= 0 and sequence <= self._ends[prefix][at]

    def __iter__(self) -> Iterator[str]:
        for prefix, starts in sorted(self._starts.items()):
            for first, last in zip(starts, self._ends[prefix], strict=True):
                for sequence in range(first, last + 1):
                    yield f"{prefix}-{sequence:06d}"
        yield from sorted(self._others)

    def __len__(self) -> int:
        counted = sum(
            last - first + 1
            for prefix, starts in self._starts.items()
            for first, last in zip(starts, self._ends[prefix], strict=True)
        )
        return counted + len(self._others)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UsedReceipts):
            return NotImplemented
        return (self.runs(), self.others()) == (other.runs(), other.others())

    __hash__ = None  # type: ignore[assignment]


def _merged(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The runs in order, those that overlap or touch made one."""
    merged: list[list[int]] = []
    for first, last in sorted(pairs):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return merged


def _run(pair: Sequence[int]) -> tuple[int, int]:
    if isinstance(pair, str | bytes) or len(pair) != 2:
        raise TypeError("a run of receipt numbers is [first, last]")
    first, last = pair
    for value in (first, last):
        # bool is an int in Python, never a sequence number.
        if type(value) is not int:
            raise TypeError("a run's numbers must be whole numbers")
    if not 0 <= first <= last:
        raise ValueError(f"a run must go up from 0 or more: [{first}, {last}]")
    return first, last


def _split(number: str) -> tuple[str, int] | None:
    """``("HNG-2026", 123)`` for ``HNG-2026-000123``, None for a number of any other shape
    (other scripts' digits, no zero padding or too much: never issued, never folded in)."""
    prefix, dash, digits = number.rpartition("-")
    # As ``f"{sequence:06d}"`` writes it: six digits or more, no leading zero beyond six.
    if (
        prefix
        and dash
        and len(digits) >= 6
        and digits.isascii()
        and digits.isdigit()
        and (len(digits) == 6 or digits[0] != "0")
    ):
        return prefix, int(digits)
    return None


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        # A naive time on a device in another timezone would misstate the bundle's age.
        raise ValueError("generated_at must be timezone-aware")
    return value.astimezone(UTC)


def _strings(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str | bytes):
        raise TypeError(f"{name} must be a collection of strings, not a string")
    items = list(values)
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must contain only strings")
    return sorted(set(items))


def write_bundle(
    path: Path,
    jwks: Mapping[str, Any],
    revoked_kids: Iterable[str],
    revoked_receipts: Iterable[str],
    generated_at: datetime | str,
    *,
    used_receipts: UsedReceipts | Iterable[str],
) -> None:
    """Write a verification bundle; only public key members ever reach the file.

    ``used_receipts`` is required: a bundle without it would pass a receipt already used at
    another gate, which is exactly what the offline page refuses.
    """
    if not isinstance(used_receipts, UsedReceipts):
        used_receipts = UsedReceipts.of_numbers(used_receipts)
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "generated_at": _as_utc(generated_at).isoformat().replace("+00:00", "Z"),
        "jwks": public_jwks(jwks),
        "revoked_kids": _strings(revoked_kids, "revoked_kids"),
        "revoked_receipts": _strings(revoked_receipts, "revoked_receipts"),
        "used_receipt_runs": used_receipts.runs(),
        "used_receipts": used_receipts.others(),
    }
    write_json_atomic(Path(path), data, _BUNDLE_MODE)


def load_bundle(path: Path) -> Bundle:
    """Read and check a bundle written by ``write_bundle``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"cannot read bundle {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{path} is not a cuakhau receipt verification bundle")
    version = data.get("version")
    if version not in _READABLE_VERSIONS:
        raise BundleError(
            f"{path} has bundle version {version!r}; expected one of {_READABLE_VERSIONS}"
        )
    try:
        return Bundle(
            jwks=public_jwks(data["jwks"]),
            revoked_kids=frozenset(_strings(data["revoked_kids"], "revoked_kids")),
            revoked_receipts=frozenset(_strings(data["revoked_receipts"], "revoked_receipts")),
            generated_at=_as_utc(data["generated_at"]),
            used_receipts=_used_receipts(data, version),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{path} is not a valid bundle: {exc}") from None


def _used_receipts(data: Mapping[str, Any], version: int) -> UsedReceipts | None:
    if version == 1:
        return None
    if version == 2:
        return UsedReceipts.of_numbers(data["used_receipts"])
    runs = data["used_receipt_runs"]
    if not isinstance(runs, Mapping):
        raise TypeError("used_receipt_runs must map a gate and year to runs of numbers")
    return UsedReceipts(runs, data["used_receipts"])


def age_text(generated_at: datetime, now: datetime | None = None) -> str:
    """How old knowledge made at ``generated_at`` is, in words: "3 h ago", "2 days ago"."""
    now = now or datetime.now(UTC)
    seconds = (now - generated_at).total_seconds()
    if seconds < -60:
        return "a moment in the future (check this device's clock)"
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} h ago"
    return f"{round(hours / 24)} days ago"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cuakhau.receipts.offline",
        description="Verify a cuakhau e-receipt against an offline bundle.",
    )
    parser.add_argument("bundle", type=Path, help="bundle JSON file exported by the server")
    parser.add_argument("token", help="the receipt token (compact JWS); '-' reads stdin")
    parser.add_argument("--gate", help="gate code this device guards")
    args = parser.parse_args(argv)

    try:
        bundle = load_bundle(args.bundle)
    except BundleError as exc:
        print(f"error: {exc}")
        return 1
    token = sys.stdin.read() if args.token == "-" else args.token
    result = verify(
        token.strip(),
        bundle.jwks,
        revoked_kids=bundle.revoked_kids,
        revoked_receipts=bundle.revoked_receipts,
        expected_gate=(args.gate or "").strip() or None,
        used_receipts=bundle.used_receipts or (),
    )

    print(f"status: {result.status}")
    for reason in result.reasons:
        print(f"- {reason}")
    if result.claims is not None:
        print(f"claims: {json.dumps(result.claims, sort_keys=True, ensure_ascii=False)}")
    made = bundle.generated_at.isoformat().replace("+00:00", "Z")
    print(
        f"revocation and use data from {age_text(bundle.generated_at)} (bundle generated at "
        f"{made}); this device does not know of later revocations, nor of later uses"
    )
    if bundle.used_receipts is None:
        print("this bundle (version 1) has no list of used receipts: a used receipt passes here")
    return 0 if result.is_valid else 1


if __name__ == "__main__":
    sys.exit(main())
