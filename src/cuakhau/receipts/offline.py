"""Offline receipt verification for gate devices without a network.

The server periodically exports a bundle: the published JWK Set plus the revoked key ids,
the revoked receipt numbers and the receipts already used at exit, at ``generated_at``. A
gate device copies the bundle and runs the same ``signing.verify`` the server uses, so
offline and online answers agree except for revocations and uses after the bundle was
generated; the CLI says how old that knowledge is ("revocation data from 3 h ago") so the
officer knows how fresh the answer is.

Usage::

    python -m cuakhau.receipts.offline BUNDLE.json TOKEN [--gate CODE]

Exit status is 0 for a valid receipt and 1 for anything else. No Django, no server.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cuakhau.receipts.signing import public_jwks, verify, write_json_atomic

BUNDLE_FORMAT = "cuakhau-receipt-verification-bundle"
# Version 2 added the used receipts; a version 1 bundle is still read, and said to lack them.
BUNDLE_VERSION = 2
_READABLE_VERSIONS = (1, 2)
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
    used_receipts: frozenset[str] | None = None


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
    used_receipts: Iterable[str],
) -> None:
    """Write a verification bundle; only public key members ever reach the file.

    ``used_receipts`` is required: a bundle without it would pass a receipt already used at
    another gate, which is exactly what the offline page refuses.
    """
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "generated_at": _as_utc(generated_at).isoformat().replace("+00:00", "Z"),
        "jwks": public_jwks(jwks),
        "revoked_kids": _strings(revoked_kids, "revoked_kids"),
        "revoked_receipts": _strings(revoked_receipts, "revoked_receipts"),
        "used_receipts": _strings(used_receipts, "used_receipts"),
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
            used_receipts=(
                frozenset(_strings(data["used_receipts"], "used_receipts"))
                if version >= 2
                else None
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"{path} is not a valid bundle: {exc}") from None


def age_text(generated_at: datetime, now: datetime | None = None) -> str:
    """How old knowledge made at ``generated_at`` is, in words: "3 h ago", "2 days ago"."""
    now = now or datetime.now(UTC)
    seconds = (now - generated_at).total_seconds()
    if seconds < -60:
        return "from the future: check this device's clock"
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
        expected_gate=args.gate,
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
