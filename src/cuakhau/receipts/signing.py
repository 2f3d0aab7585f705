"""Signing keys and signed e-receipts for border-gate fees.

A receipt is a JWS in compact serialization (RFC 7515) signed with EdDSA over Ed25519
(RFC 8037), so it fits in a QR code and any JOSE library can check it. Every key is
named by its RFC 7638 JWK thumbprint: the ``kid`` in a receipt header is derived from
the public key itself, so a third party can recompute it and no registry of names is
needed.

The public half of every key that may still have valid receipts (active and retired
keys) is published as a JWK Set; the Django app will serve ``KeyStore.jwks()`` at
``/.well-known/jwks.json`` and ``KeyStore.revoked_kids()`` as a revocation list.
``verify`` needs nothing but those published documents (plus lists of revoked and used
receipt numbers), which is why the same function also runs on gate devices without a
network (see ``cuakhau.receipts.offline``).

RFC 9864 deprecates the polymorphic ``EdDSA`` name in favour of ``Ed25519``. We still
emit ``EdDSA`` because most deployed verifiers do not know the new name yet; the key
type is pinned to Ed25519 on both sides, so the ambiguity RFC 9864 fixes does not arise.

Nothing here imports Django: settings (key directory, environment variable) are passed
in by the caller.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import functools
import json
import os
import tempfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwcrypto import jwk, jws

from cuakhau.core.jsontext import read_json

ALG = "EdDSA"
CRV = "Ed25519"
TYP = "cuakhau-receipt+jwt"
ALL_GATES = "*"
DEFAULT_ENV_VAR = "CUAKHAU_SIGNING_KEY"

ACTIVE = "active"
RETIRED = "retired"
COMPROMISED = "compromised"
KEY_STATUSES = (ACTIVE, RETIRED, COMPROMISED)
# Not stored: an active key whose ``signs_from`` is still ahead is shown as pending.
PENDING = "pending"

VALID = "valid"
FORGED = "forged"
REVOKED = "revoked"
ALREADY_USED = "already_used"
WRONG_GATE = "wrong_gate"
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"

# Whitelist rather than "drop d": an OKP private key has no other private member today,
# but a whitelist cannot leak a member that a future key format adds. ``gte``: the one gate
# whose receipts a gate's own key signs (absent: a key of every gate), so that a verifier
# anywhere refuses what that key signed for another gate.
PUBLIC_JWK_MEMBERS = ("kty", "crv", "x", "kid", "use", "alg", "gte")

# The verifier never takes keys or key locations from the token (jwk, jku, x5u, ...),
# and crit/b64 would change how other verifiers read it, so anything else is refused.
_ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})
_ED25519_SIGNATURE_BYTES = 64
_ED25519_KEY_BYTES = 32
_KEY_FILE_MODE = 0o600
_DIR_MODE = 0o700


class KeyStoreError(Exception):
    """The key directory or the configured key is unusable."""


def canonical_json(value: Any) -> bytes:
    """Sorted keys and no whitespace, so equal claims always give equal payload bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def write_json_atomic(path: Path, data: Any, mode: int) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # mkstemp already uses 0o600, but be explicit: the mode is part of the contract.
            os.fchmod(fh.fileno(), mode)
            json.dump(data, fh, indent=2, sort_keys=True, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # Without this the rename itself can be lost on power failure.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def public_jwk(key: Mapping[str, Any]) -> dict[str, Any]:
    """The publishable members of a JWK."""
    return {name: key[name] for name in PUBLIC_JWK_MEMBERS if name in key}


def public_jwks(key_set: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a JWK Set that holds only publishable members."""
    keys = key_set.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, Mapping) for k in keys):
        raise ValueError("a JWK Set must be an object with a list of keys")
    return {"keys": [public_jwk(k) for k in keys]}


def _b64decode(value: str) -> bytes:
    if not value or any(c in value for c in "=+/ \t\r\n"):
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    # Only the canonical spelling is accepted, so a token has exactly one string form
    # and a flipped padding bit cannot produce a "different" token that still verifies.
    if _b64encode(raw) != value:
        raise ValueError("not canonical base64url")
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _utcnow() -> datetime:
    # One clock for the whole module, so tests can move time forward past a publish delay.
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    # Microseconds so that "newest active key" is well defined even for keys made in
    # the same second (e.g. two workers racing on first start).
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _now() -> str:
    return _stamp(_utcnow())


def _parse_stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _check_ed25519_jwk(data: Any, *, private: bool) -> None:
    if not isinstance(data, Mapping):
        raise KeyStoreError("key is not a JSON object")
    if data.get("kty") != "OKP" or data.get("crv") != CRV:
        raise KeyStoreError("key is not an OKP Ed25519 key")
    try:
        x = _b64decode(data.get("x", ""))
        d = _b64decode(data["d"]) if "d" in data else None
    except (ValueError, TypeError, binascii.Error):
        raise KeyStoreError("key has an invalid x or d member") from None
    if len(x) != _ED25519_KEY_BYTES:
        raise KeyStoreError("key has an invalid x member")
    if d is None:
        if private:
            raise KeyStoreError("key has no private part (d)")
        return
    if len(d) != _ED25519_KEY_BYTES:
        raise KeyStoreError("key has an invalid d member")
    # A d that does not belong to x would sign receipts nobody can verify against the
    # published key: catch it at load time, not at the gate.
    derived = Ed25519PrivateKey.from_private_bytes(d).public_key().public_bytes_raw()
    if derived != x:
        raise KeyStoreError("key's public part (x) does not match its private part (d)")


def _thumbprint(data: Mapping[str, Any]) -> str:
    return jwk.JWK(kty="OKP", crv=data["crv"], x=data["x"]).thumbprint()


@dataclass(frozen=True)
class SigningKey:
    """A private key that may sign receipts right now."""

    kid: str
    gate: str
    jwk: jwk.JWK = field(repr=False)


@dataclass(frozen=True)
class KeyInfo:
    """What ``KeyStore.key_infos()`` tells about one key: never its private part."""

    kid: str
    gate: str
    status: str  # active (signs now), pending (published, signs later), retired, compromised
    created_at: str
    signs_from: str | None
    retired_at: str | None
    compromised_at: str | None
    compromise_reason: str | None
    source: str
    has_private_part: bool


@dataclass(frozen=True)
class _KeyRecord:
    kid: str
    gate: str
    status: str
    created_at: str
    jwk: dict[str, Any] = field(repr=False)
    retired_at: str | None = None
    compromised_at: str | None = None
    compromise_reason: str | None = None
    # "env": the private part lives in a secret manager; only the public part is on disk.
    source: str = "file"
    # Publish first, sign later: a rotated key is in the JWK Set from ``created_at`` but signs
    # only from here, once every verifier's cached copy of the key set can know it.
    # None (keys made before this field existed, the first key) means from ``created_at``.
    signs_from: str | None = None

    @property
    def can_sign(self) -> bool:
        return self.status == ACTIVE and "d" in self.jwk

    def signs_at(self, now: datetime) -> bool:
        return self.can_sign and (self.signs_from is None or _parse_stamp(self.signs_from) <= now)

    def status_at(self, now: datetime) -> str:
        if self.status == ACTIVE and self.signs_from and _parse_stamp(self.signs_from) > now:
            return PENDING
        return self.status

    def public(self) -> dict[str, Any]:
        scope = {} if self.gate == ALL_GATES else {"gte": self.gate}
        return {**public_jwk(self.jwk), "kid": self.kid, "use": "sig", "alg": ALG, **scope}

    @classmethod
    def from_json(cls, data: Any, where: str) -> _KeyRecord:
        if not isinstance(data, dict):
            raise KeyStoreError(f"{where}: not a JSON object")
        try:
            record = cls(**data)
        except TypeError as exc:
            raise KeyStoreError(f"{where}: unexpected or missing fields ({exc})") from None
        if record.status not in KEY_STATUSES:
            raise KeyStoreError(f"{where}: unknown status {record.status!r}")
        if not isinstance(record.gate, str) or not record.gate:
            raise KeyStoreError(f"{where}: gate must be a non-empty string")
        if not isinstance(record.created_at, str):
            raise KeyStoreError(f"{where}: created_at must be an ISO 8601 string")
        if record.signs_from is not None:
            try:
                _parse_stamp(record.signs_from)
            except (TypeError, AttributeError, ValueError):
                raise KeyStoreError(f"{where}: signs_from must be an ISO 8601 string") from None
        try:
            _check_ed25519_jwk(record.jwk, private=False)
        except KeyStoreError as exc:
            raise KeyStoreError(f"{where}: {exc}") from None
        if _thumbprint(record.jwk) != record.kid:
            raise KeyStoreError(f"{where}: kid is not the RFC 7638 thumbprint of the key")
        return record


class KeyStore:
    """Ed25519 signing keys kept as one JSON file per key in a private directory.

    Keys are scoped to a gate code or to ``"*"`` (every gate). Each scope signs with one
    key at a time. A new key is published at once but signs only after ``publish_delay``
    (the time verifiers may cache the published key set): until then the previous key
    signs, and when the new one takes over the previous one is retired. A retired key loses
    its private part and stays published, so receipts it signed keep verifying. Compromised
    keys leave the published key set and go to the revocation list instead.
    """

    def __init__(self, directory: Path, publish_delay: timedelta | float = 0) -> None:
        self.directory = Path(directory)
        if not isinstance(publish_delay, timedelta):
            publish_delay = timedelta(seconds=publish_delay)
        if publish_delay < timedelta(0):
            raise ValueError("publish_delay cannot be negative")
        self.publish_delay = publish_delay
        self._env_kid: str | None = None
        self._env_jwk: dict[str, Any] | None = None
        self._env_var: str | None = None

    @classmethod
    def from_env(
        cls,
        directory: Path,
        env_var: str = DEFAULT_ENV_VAR,
        environ: Mapping[str, str] | None = None,
        publish_delay: timedelta | float = 0,
    ) -> KeyStore:
        """A store whose ``"*"`` signing key comes from ``env_var`` if that is set.

        The private key is never written to disk, but its public part is recorded in the
        directory: after the secret is rotated the old key must stay published, or every
        receipt it signed would turn into "unknown key".
        """
        store = cls(directory, publish_delay)
        raw = (os.environ if environ is None else environ).get(env_var, "").strip()
        if not raw:
            return store
        # Error messages below never include the value: it is a private key.
        try:
            data = json.loads(raw)
        except ValueError:
            raise KeyStoreError(f"${env_var} does not hold a JSON Web Key") from None
        try:
            _check_ed25519_jwk(data, private=True)
        except KeyStoreError as exc:
            raise KeyStoreError(f"${env_var}: {exc}") from None
        kid = _thumbprint(data)
        if "kid" in data and data["kid"] != kid:
            raise KeyStoreError(
                f"${env_var}: kid {data['kid']!r} is not the RFC 7638 thumbprint {kid!r}"
            )
        store._env_kid = kid
        store._env_jwk = {name: data[name] for name in ("kty", "crv", "x", "d")}
        store._env_var = env_var
        store._record_env_key()
        return store

    # -- public API -----------------------------------------------------------------

    @property
    def env_kid(self) -> str | None:
        """The kid of the ``"*"`` key read from the environment, if there is one."""
        return self._env_kid

    def generate(self, gate: str = ALL_GATES, *, at_once: bool = False) -> str:
        """Create a key for ``gate``: published now, signing once ``publish_delay`` has passed.

        Until then the scope's previous key keeps signing; a scope that has no key able to
        sign (nor a ``"*"`` key to fall back on) gets one that signs at once. ``at_once``
        skips the wait: after a compromise, nothing else may sign.
        """
        _check_gate(gate)
        if gate == ALL_GATES and self._env_kid is not None:
            raise KeyStoreError(
                f"the '*' key comes from ${self._env_var}; rotate it in the secret manager"
            )
        with self._lock():
            records = self._load()
            now = _utcnow()
            if at_once or self._find_active(records, gate, now) is None:
                return self._generate_locked(gate, now)
            return self._generate_locked(gate, now + self.publish_delay)

    def active_key(self, gate: str) -> SigningKey:
        """The key to sign receipts for ``gate``: its own key, else the ``"*"`` key.

        On the first run of an installation there is no key at all, so a ``"*"`` key is
        generated. A key whose successor has started signing is retired here.
        """
        _check_gate(gate)
        now = _utcnow()
        records = self._load()
        found = self._find_active(records, gate, now)
        if found is not None and not self._superseded(records, now):
            return found
        with self._lock():
            # Another process may have changed the keys while we waited for the lock.
            records = self._retire_superseded(self._load(), now)
            found = self._find_active(records, gate, now)
            if found is not None:
                return found
            # Only pending keys left (the signing key was retired or compromised during a
            # rotation): the newest of them signs early rather than making yet another key.
            pending = self._newest(
                [r for r in records.values() if r.gate in (gate, ALL_GATES) and r.can_sign]
            )
            if pending is not None:
                return SigningKey(kid=pending.kid, gate=pending.gate, jwk=jwk.JWK(**pending.jwk))
            kid = self._generate_locked(ALL_GATES, now)
            record = self._load()[kid]
        return SigningKey(kid=kid, gate=ALL_GATES, jwk=jwk.JWK(**record.jwk))

    def retire(self, kid: str) -> None:
        """Stop signing with ``kid``; it stays published so its receipts still verify.

        The private part is deleted: a retired key never signs again, and a key that is not
        on disk cannot leak.
        """
        with self._lock():
            record = self._get(kid)
            if record.status == COMPROMISED:
                raise KeyStoreError(f"key {kid} is compromised and cannot be retired")
            if record.status == RETIRED and "d" not in record.jwk:
                return
            self._write(self._retired(record, record.retired_at or _now()))

    def key_infos(self) -> list[KeyInfo]:
        """Every key with its status now, signing keys first, then newest first."""
        now = _utcnow()
        with self._lock():
            records = self._retire_superseded(self._load(), now)
        order = {ACTIVE: 0, PENDING: 1, RETIRED: 2, COMPROMISED: 3}
        infos = [
            KeyInfo(
                kid=r.kid,
                gate=r.gate,
                status=r.status_at(now),
                created_at=r.created_at,
                signs_from=r.signs_from,
                retired_at=r.retired_at,
                compromised_at=r.compromised_at,
                compromise_reason=r.compromise_reason,
                source=r.source,
                has_private_part="d" in r.jwk,
            )
            for r in records.values()
        ]
        infos.sort(key=lambda k: k.created_at, reverse=True)
        infos.sort(key=lambda k: order[k.status])
        return infos

    def mark_compromised(self, kid: str, reason: str) -> None:
        """Withdraw ``kid`` from the key set and revoke every receipt it signed."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("a reason is required to mark a key compromised")
        with self._lock():
            record = self._get(kid)
            if record.status == COMPROMISED:
                return
            # Nothing may sign with it again, so the private part has no remaining use.
            self._write(
                replace(
                    record,
                    status=COMPROMISED,
                    compromised_at=_now(),
                    compromise_reason=reason.strip(),
                    jwk=public_jwk(record.jwk),
                )
            )

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set: active and retired keys, newest first, no private parts."""
        return _jwks_of(self._load())

    def revoked_kids(self) -> list[str]:
        """Kids of compromised keys, for the published revocation list."""
        return _revoked_kids_of(self._load())

    def published(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        """``jwks()`` and ``revoked_kids()`` from one look at the key files, built again only
        when a file changed: what every receipt verification checks against (a gate verifies
        many a second; the keys change a few times a year). Read them, do not change them."""
        reading = self._reading()
        cached = getattr(self, "_published", None)
        if cached is not None and reading[0] is not None and cached[0] is reading:
            return cached[1], cached[2]
        published = (_jwks_of(reading[1]), tuple(_revoked_kids_of(reading[1])))
        self._published = (reading, *published)
        return published

    # -- internals ------------------------------------------------------------------

    def _generate_locked(self, gate: str, signs_from: datetime) -> str:
        key = jwk.JWK.generate(kty="OKP", crv=CRV)
        data = key.export_private(as_dict=True)
        created_at = _now()
        record = _KeyRecord(
            kid=key.thumbprint(),
            gate=gate,
            status=ACTIVE,
            created_at=created_at,
            jwk={name: data[name] for name in ("kty", "crv", "x", "d")},
            signs_from=max(created_at, _stamp(signs_from)),
        )
        # The new key is only written here; the one it replaces is retired once the new
        # one signs (``_retire_superseded``), so there is never a moment with no signer.
        self._write(record)
        self._retire_superseded(self._load(), _utcnow())
        return record.kid

    @staticmethod
    def _newest(records: Collection[_KeyRecord]) -> _KeyRecord | None:
        return max(records, key=lambda r: (r.created_at, r.kid), default=None)

    @staticmethod
    def _retired(record: _KeyRecord, at: str) -> _KeyRecord:
        return replace(record, status=RETIRED, retired_at=at, jwk=public_jwk(record.jwk))

    def _superseded(self, records: dict[str, _KeyRecord], now: datetime) -> list[_KeyRecord]:
        """Keys to retire now: older signers of a scope whose newer key signs, and retired
        keys that still hold a private part."""
        found = [r for r in records.values() if r.status == RETIRED and "d" in r.jwk]
        for scope in {r.gate for r in records.values()}:
            signers = [r for r in records.values() if r.gate == scope and r.signs_at(now)]
            newest = self._newest(signers)
            found += [r for r in signers if r is not newest and r.source == "file"]
        return found

    def _retire_superseded(
        self, records: dict[str, _KeyRecord], now: datetime
    ) -> dict[str, _KeyRecord]:
        """Retire what ``_superseded`` finds (the caller holds the lock); the records after."""
        changed = dict(records)
        for record in self._superseded(records, now):
            retired = self._retired(record, record.retired_at or _stamp(now))
            self._write(retired)
            changed[record.kid] = retired
        return changed

    def _find_active(
        self, records: dict[str, _KeyRecord], gate: str, now: datetime | None = None
    ) -> SigningKey | None:
        now = now or _utcnow()
        scopes = [gate] if gate == ALL_GATES else [gate, ALL_GATES]
        for scope in scopes:
            if scope == ALL_GATES and self._env_kid is not None:
                return self._env_signing_key(records)
            best = self._newest(
                [r for r in records.values() if r.gate == scope and r.signs_at(now)]
            )
            if best is not None:
                return SigningKey(kid=best.kid, gate=best.gate, jwk=jwk.JWK(**best.jwk))
        return None

    def _env_signing_key(self, records: dict[str, _KeyRecord]) -> SigningKey:
        assert self._env_kid is not None and self._env_jwk is not None
        record = records.get(self._env_kid)
        # Only compromise stops an env key: during a rolling deploy the old workers still
        # hold the previous secret, whose record the new workers have just retired, and
        # a retired key is still published, so its receipts stay verifiable.
        if record is not None and record.status == COMPROMISED:
            raise KeyStoreError(
                f"the key in ${self._env_var} ({self._env_kid}) is compromised; "
                "put a new key in the secret manager"
            )
        return SigningKey(kid=self._env_kid, gate=ALL_GATES, jwk=jwk.JWK(**self._env_jwk))

    def _record_env_key(self) -> None:
        assert self._env_kid is not None and self._env_jwk is not None
        with self._lock():
            records = self._load()
            if self._env_kid not in records:
                self._write(
                    _KeyRecord(
                        kid=self._env_kid,
                        gate=ALL_GATES,
                        status=ACTIVE,
                        created_at=_now(),
                        jwk=public_jwk(self._env_jwk),
                        source="env",
                    )
                )
            # A different env key than last time means the secret was rotated.
            for other in records.values():
                if other.source == "env" and other.status == ACTIVE and other.kid != self._env_kid:
                    self._write(replace(other, status=RETIRED, retired_at=_now()))

    def _get(self, kid: str) -> _KeyRecord:
        try:
            return self._load()[kid]
        except KeyError:
            raise KeyError(f"no key {kid!r} in {self.directory}") from None

    def _path(self, kid: str) -> Path:
        return self.directory / f"{kid}.json"

    def _files(self) -> tuple | None:
        """What the key files are now, cheaply: name, inode, change time and size of each.

        Every write replaces a file by renaming a new one over it (a new inode), so a key
        written by another process, even within the same clock tick, changes this.
        """
        try:
            entries = list(os.scandir(self.directory))
        except (FileNotFoundError, NotADirectoryError):
            return None
        found = []
        for entry in entries:
            if entry.name.startswith(".") or not entry.name.endswith(".json"):
                continue
            stat = entry.stat(follow_symlinks=True)
            found.append((entry.name, stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(found))

    def _load(self) -> dict[str, _KeyRecord]:
        return dict(self._reading()[1])

    def _reading(self) -> tuple[tuple | None, dict[str, _KeyRecord]]:
        """The key files as they are and every key record, read from disk only when a key
        file changed since the last read: a gate verifies receipts many times a second and
        the keys change a few times a year. The same tuple while nothing changed."""
        files = self._files()
        if files is None:
            return None, {}
        cached = getattr(self, "_loaded", None)
        if cached is not None and cached[0] == files:
            return cached
        self._loaded = (files, self._read_records())
        return self._loaded

    def _read_records(self) -> dict[str, _KeyRecord]:
        if not self.directory.is_dir():
            return {}
        records: dict[str, _KeyRecord] = {}
        for path in sorted(self.directory.glob("*.json")):
            if path.name.startswith("."):
                continue
            # A key file that cannot be read must stop everything: skipping it would
            # silently unpublish a key and break every receipt it signed.
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise KeyStoreError(f"{path}: cannot read key file ({exc})") from None
            record = _KeyRecord.from_json(data, str(path))
            if path.stem != record.kid:
                raise KeyStoreError(f"{path}: file name does not match kid {record.kid}")
            records[record.kid] = record
        return records

    def _write(self, record: _KeyRecord) -> None:
        self._ensure_directory()
        write_json_atomic(self._path(record.kid), asdict(record), _KEY_FILE_MODE)

    def _ensure_directory(self) -> None:
        self.directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask and ignored for an existing directory.
        if self.directory.stat().st_mode & 0o777 != _DIR_MODE:
            os.chmod(self.directory, _DIR_MODE)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        # Several gunicorn workers share one directory; without the lock two of them
        # could each generate the first key or each retire the other's new key.
        self._ensure_directory()
        fd = os.open(self.directory / ".lock", os.O_RDWR | os.O_CREAT, _KEY_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _check_gate(gate: Any) -> None:
    if not isinstance(gate, str) or not gate.strip():
        raise ValueError("gate must be a gate code or '*'")


def sign_claims(store: KeyStore, claims: Mapping[str, Any], gate: str) -> str:
    """Sign ``claims`` with the active key for ``gate`` and return a compact JWS."""
    rcp = claims.get("rcp")
    if not isinstance(rcp, str) or not rcp:
        # verify() identifies receipts by rcp; a receipt without one could not be
        # revoked or marked used.
        raise ValueError("claims must include the receipt number (rcp) as a string")
    if "gte" in claims and claims["gte"] != gate:
        raise ValueError(f"claims are for gate {claims['gte']!r} but signing for {gate!r}")
    key = store.active_key(gate)
    header = canonical_json({"alg": ALG, "kid": key.kid, "typ": TYP}).decode("utf-8")
    token = jws.JWS(canonical_json(dict(claims)))
    token.add_signature(key.jwk, alg=ALG, protected=header)
    return token.serialize(compact=True)


class Reason(str):
    """One reason of a verification: an English sentence for logs and the command line, that
    also says what it is (``code``, one of ``REASON_CODES``) and about what (``params``: the
    receipt number, gate codes, a count...), so that a page writes its own sentence in its
    reader's language instead (``receipts.services.reason_text``) and never shows this one.
    """

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, text: str, **params: Any) -> Reason:
        reason = super().__new__(cls, text)
        reason.code = code
        reason.params = params
        return reason

    def __getnewargs__(self) -> tuple[str, str]:
        # Copied and pickled with its code (``__new__`` requires it); params are its state.
        return (self.code, str(self))


# What a reason may be about. The token cannot be read at all:
NOT_TEXT = "not_text"
PART_COUNT = "part_count"  # n: how many dot-separated parts it has
NOT_BASE64 = "not_base64"  # part: header, payload or signature
NOT_JSON = "not_json"  # part: header or payload
NOT_OBJECT = "not_object"  # part: header or payload
# It reads, but is no receipt of this system:
NO_ALG = "no_alg"
BAD_ALG = "bad_alg"  # alg (forged)
HEADER_PARAMS = "header_params"  # names
NOT_RECEIPT_TYPE = "not_receipt_type"  # typ (anything, None when absent)
NO_KID = "no_kid"
NO_NUMBER = "no_number"
SIGNATURE_LENGTH = "signature_length"  # n: bytes
# Its key (kid):
KEY_REVOKED = "key_revoked"
KEY_UNPUBLISHED = "key_unpublished"
KEY_TWICE = "key_twice"
KEY_UNUSABLE = "key_unusable"  # the published key is not an Ed25519 signing key
KEY_OTHER_GATE = "key_other_gate"  # kid, gate (the claims' gte), key_gate: a gate's key, another's
SIGNATURE_MISMATCH = "signature_mismatch"
# The signature is good (number: the receipt number):
RECEIPT_REVOKED = "receipt_revoked"
WRONG_GATE_REASON = "wrong_gate"  # gate (the claims' gte, None if absent), expected
RECEIPT_USED = "receipt_used"
SIGNATURE_OK = "signature_ok"  # kid
REASON_CODES = (
    NOT_TEXT,
    PART_COUNT,
    NOT_BASE64,
    NOT_JSON,
    NOT_OBJECT,
    NO_ALG,
    BAD_ALG,
    HEADER_PARAMS,
    NOT_RECEIPT_TYPE,
    NO_KID,
    NO_NUMBER,
    SIGNATURE_LENGTH,
    KEY_REVOKED,
    KEY_UNPUBLISHED,
    KEY_TWICE,
    KEY_UNUSABLE,
    KEY_OTHER_GATE,
    SIGNATURE_MISMATCH,
    RECEIPT_REVOKED,
    WRONG_GATE_REASON,
    RECEIPT_USED,
    SIGNATURE_OK,
)


@dataclass
class VerificationResult:
    status: str
    # ``Reason``s from ``verify``; ``receipts.services.verify_receipt`` gives the reader's
    # sentences instead (plain strings).
    reasons: list[str] = field(default_factory=list)
    claims: dict[str, Any] | None = None
    kid: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == VALID


class _Rejected(Exception):
    def __init__(self, status: str, reason: Reason) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _decode_json_object(raw: bytes, what: str) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for name, value in pairs:
            # Parsers disagree on which duplicate wins, so a duplicate could make this
            # verifier and another one read different claims from the same signature.
            if name in obj:
                raise ValueError(f"duplicate member {name!r}")
            obj[name] = value
        return obj

    try:
        value = read_json(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _Rejected(
            MALFORMED, Reason(NOT_JSON, f"the {what} is not valid JSON ({exc})", part=what)
        ) from None
    if not isinstance(value, dict):
        raise _Rejected(
            MALFORMED, Reason(NOT_OBJECT, f"the {what} is not a JSON object", part=what)
        )
    return value


def _parse(token: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(token, str):
        raise _Rejected(MALFORMED, Reason(NOT_TEXT, "the token is not a string"))
    parts = token.split(".")
    if len(parts) != 3:
        raise _Rejected(
            MALFORMED,
            Reason(
                PART_COUNT,
                f"the token has {len(parts)} dot-separated parts; a compact JWS has exactly 3",
                n=len(parts),
            ),
        )
    encoded_header, encoded_payload, encoded_signature = parts
    header_bytes = _decode_part(encoded_header, "header")
    header = _decode_json_object(header_bytes, "header")

    alg = header.get("alg")
    if not isinstance(alg, str):
        raise _Rejected(MALFORMED, Reason(NO_ALG, "the header has no algorithm (alg)"))
    if alg != ALG:
        # The header is attacker-controlled; honouring its alg is how "none" and
        # HS256-with-the-public-key forgeries work.
        raise _Rejected(
            FORGED,
            Reason(
                BAD_ALG,
                f"the header algorithm {alg!r} is not accepted; receipts are signed with EdDSA",
                alg=alg,
            ),
        )
    unexpected = sorted(set(header) - _ALLOWED_HEADER)
    if unexpected:
        raise _Rejected(
            MALFORMED,
            Reason(
                HEADER_PARAMS,
                f"the header has unexpected parameters: {', '.join(unexpected)}",
                names=unexpected,
            ),
        )
    if header.get("typ") != TYP:
        raise _Rejected(
            MALFORMED,
            Reason(
                NOT_RECEIPT_TYPE,
                f"the token type is {header.get('typ')!r}, not a cuakhau receipt ({TYP})",
                typ=header.get("typ"),
            ),
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _Rejected(MALFORMED, Reason(NO_KID, "the header does not name its signing key (kid)"))

    payload_bytes = _decode_part(encoded_payload, "payload")
    claims = _decode_json_object(payload_bytes, "payload")
    rcp = claims.get("rcp")
    if not isinstance(rcp, str) or not rcp:
        raise _Rejected(MALFORMED, Reason(NO_NUMBER, "the payload has no receipt number (rcp)"))

    signature = _decode_part(encoded_signature, "signature")
    if len(signature) != _ED25519_SIGNATURE_BYTES:
        raise _Rejected(
            MALFORMED,
            Reason(
                SIGNATURE_LENGTH,
                f"the signature is {len(signature)} bytes; an Ed25519 signature is 64",
                n=len(signature),
            ),
        )
    return header, claims


def _decode_part(encoded: str, part: str) -> bytes:
    try:
        return _b64decode(encoded)
    except (ValueError, binascii.Error):
        raise _Rejected(
            MALFORMED, Reason(NOT_BASE64, f"the {part} is not valid base64url", part=part)
        ) from None


def _jwks_of(records: Mapping[str, _KeyRecord]) -> dict[str, Any]:
    active = sorted(
        (r for r in records.values() if r.status in (ACTIVE, RETIRED)),
        key=lambda r: (r.created_at, r.kid),
        reverse=True,
    )
    return {"keys": [r.public() for r in active]}


def _revoked_kids_of(records: Mapping[str, _KeyRecord]) -> list[str]:
    return sorted(r.kid for r in records.values() if r.status == COMPROMISED)


def _find_key(key_set: Mapping[str, Any], kid: str) -> tuple[Ed25519PublicKey, Mapping[str, Any]]:
    keys = key_set.get("keys") if isinstance(key_set, Mapping) else None
    if not isinstance(keys, list):
        raise ValueError("jwks must be a JWK Set: an object with a list of keys")
    matches = [k for k in keys if isinstance(k, Mapping) and k.get("kid") == kid]
    if not matches:
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(KEY_UNPUBLISHED, f"key {kid} is not in the published key set", kid=kid),
        )
    if len(matches) > 1:
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(
                KEY_TWICE, f"key {kid} appears more than once in the published key set", kid=kid
            ),
        )
    data = matches[0]
    if data.get("kty") != "OKP" or data.get("crv") != CRV:
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(KEY_UNUSABLE, f"published key {kid} is not an Ed25519 key", kid=kid),
        )
    if data.get("alg", ALG) != ALG or data.get("use", "sig") != "sig":
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(KEY_UNUSABLE, f"published key {kid} is not an EdDSA signing key", kid=kid),
        )
    x = data.get("x")
    public = _public_key(x) if isinstance(x, str) else None
    if public is None:
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(KEY_UNUSABLE, f"published key {kid} is not a valid public key", kid=kid),
        )
    if not isinstance(data.get("gte", ""), str):
        raise _Rejected(
            UNKNOWN_KEY,
            Reason(KEY_UNUSABLE, f"published key {kid} names no gate it signs for", kid=kid),
        )
    return public, data


@functools.lru_cache(maxsize=256)
def _public_key(x: str) -> Ed25519PublicKey | None:
    """The verifying key of a published ``x``, parsed once per process (a key is immutable)."""
    try:
        return Ed25519PublicKey.from_public_bytes(_b64decode(x))
    except (ValueError, binascii.Error):
        return None


def _reject_str(name: str, value: Any) -> None:
    # "R-1" in "R-12" is True for a string: a caller passing one receipt number instead
    # of a collection would get substring matches.
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be a collection of receipt numbers or kids, not a string")


def verify(
    token: str,
    jwks: Mapping[str, Any],
    *,
    revoked_kids: Collection[str] = (),
    revoked_receipts: Collection[str] = (),
    expected_gate: str | None = None,
    used_receipts: Collection[str] = (),
) -> VerificationResult:
    """Check a receipt against published keys and revocation data only.

    The status is the first failing check in this order: malformed, unknown or revoked
    key, signature, revoked receipt, wrong gate, already used. Once the signature is
    good, ``reasons`` lists every later check that failed, so an officer sees e.g. both
    "revoked" and "wrong gate" at once.
    """
    _reject_str("revoked_kids", revoked_kids)
    _reject_str("revoked_receipts", revoked_receipts)
    _reject_str("used_receipts", used_receipts)
    kid: str | None = None
    try:
        header, claims = _parse(token)
        kid = header["kid"]
        if kid in revoked_kids:
            raise _Rejected(
                REVOKED,
                Reason(
                    KEY_REVOKED,
                    f"key {kid} has been revoked as compromised; receipts signed with it "
                    "cannot be trusted",
                    kid=kid,
                ),
            )
        public_key, published = _find_key(jwks, kid)
        # RFC 7515 section 5.2 with the header already checked by ``_parse`` (EdDSA only, no
        # "crit" or "b64"): the signature is over the token's first two parts as sent.
        signing_input, _dot, encoded_signature = token.rpartition(".")
        try:
            public_key.verify(_b64decode(encoded_signature), signing_input.encode("ascii"))
        except InvalidSignature:
            raise _Rejected(
                FORGED,
                Reason(SIGNATURE_MISMATCH, f"signature does not match key {kid}", kid=kid),
            ) from None
        # A gate's own key signs that gate's receipts only (``sign_claims`` refuses others): one
        # naming another gate was made by whoever took that key, not by the authority.
        key_gate = published.get("gte")
        if key_gate is not None and str(claims.get("gte")).lower() != key_gate.lower():
            raise _Rejected(
                FORGED,
                Reason(
                    KEY_OTHER_GATE,
                    f"key {kid} signs receipts of gate {key_gate} only, not of "
                    f"gate {claims.get('gte')}",
                    kid=kid,
                    gate=claims.get("gte"),
                    key_gate=key_gate,
                ),
            )
    except _Rejected as rejected:
        return VerificationResult(status=rejected.status, reasons=[rejected.reason], kid=kid)

    rcp = claims["rcp"]
    failures: list[tuple[str, Reason]] = []
    if rcp in revoked_receipts:
        failures.append(
            (REVOKED, Reason(RECEIPT_REVOKED, f"receipt {rcp} has been revoked", number=rcp))
        )
    # A gate's code in either case: people write "HNG", a receipt names "hng".
    if expected_gate is not None and str(claims.get("gte")).lower() != expected_gate.lower():
        gate = claims.get("gte")
        issued_for = f"gate {gate}" if gate is not None else "no gate"
        failures.append(
            (
                WRONG_GATE,
                Reason(
                    WRONG_GATE_REASON,
                    f"receipt {rcp} was issued for {issued_for}, not gate {expected_gate}",
                    number=rcp,
                    gate=gate,
                    expected=expected_gate,
                ),
            )
        )
    if rcp in used_receipts:
        failures.append(
            (ALREADY_USED, Reason(RECEIPT_USED, f"receipt {rcp} has already been used", number=rcp))
        )
    if failures:
        return VerificationResult(
            status=failures[0][0], reasons=[r for _, r in failures], claims=claims, kid=kid
        )
    return VerificationResult(
        status=VALID,
        reasons=[Reason(SIGNATURE_OK, f"signature matches published key {kid}", kid=kid)],
        claims=claims,
        kid=kid,
    )
