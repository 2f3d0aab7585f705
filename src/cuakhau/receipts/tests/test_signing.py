import base64
import hashlib
import hmac
import json
import stat
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from jwcrypto import jwk, jws

from cuakhau.receipts import offline
from cuakhau.receipts.signing import (
    TYP,
    KeyStore,
    KeyStoreError,
    sign_claims,
    verify,
)

CLAIMS = {
    "rcp": "HN1-2025-000123",
    "trp": "TRP-7F3K2",
    "gte": "HN1",
    "amt": 250000,
    "cur": "VND",
    "iat": 1735689600,
    "plates": ["29C-123.45", "29R-006.78"],
    "items": [{"code": "phi-ha-tang", "name": "Phí hạ tầng cửa khẩu", "amt": 250000}],
}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def segments(token: str) -> tuple[dict, dict, bytes]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), unb64(signature)


def all_files_text(directory: Path) -> str:
    return "".join(p.read_text() for p in directory.iterdir() if p.is_file())


@pytest.fixture
def store(tmp_path):
    return KeyStore(tmp_path / "keys")


@pytest.fixture
def token(store):
    return sign_claims(store, CLAIMS, "HN1")


def test_sign_then_verify_round_trips_claims(store, token):
    result = verify(token, store.jwks(), expected_gate="HN1")
    assert result.status == "valid", result.reasons
    assert result.is_valid
    assert result.claims == CLAIMS
    assert result.kid == store.active_key("HN1").kid


def test_header_and_payload_encoding(store, token):
    header, payload, signature = segments(token)
    assert header == {"alg": "EdDSA", "kid": store.active_key("*").kid, "typ": TYP}
    raw_payload = unb64(token.split(".")[1])
    assert raw_payload == json.dumps(
        CLAIMS, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert len(signature) == 64


def test_kid_is_rfc7638_thumbprint_recomputable_by_anyone(store, token):
    (published,) = store.jwks()["keys"]
    # RFC 7638 section 3.2: required members only, sorted, no whitespace.
    canonical = json.dumps(
        {"crv": published["crv"], "kty": published["kty"], "x": published["x"]},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert published["kid"] == b64(hashlib.sha256(canonical.encode()).digest())
    assert segments(token)[0]["kid"] == published["kid"]


def test_verifies_with_joserfc_independently(store, token):
    from joserfc import jws as joserfc_jws
    from joserfc.errors import SecurityWarning
    from joserfc.jwk import KeySet

    key_set = KeySet.import_key_set(store.jwks())
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as deprecated by RFC 9864; we emit it deliberately.
        warnings.simplefilter("ignore", SecurityWarning)
        obj = joserfc_jws.deserialize_compact(token, key_set, algorithms=["EdDSA"])
    assert obj.headers()["kid"] == segments(token)[0]["kid"]
    assert json.loads(obj.payload) == CLAIMS


def test_verifies_with_raw_cryptography(store, token):
    encoded_header, encoded_payload, encoded_signature = token.split(".")
    (published,) = store.jwks()["keys"]
    public_key = Ed25519PublicKey.from_public_bytes(unb64(published["x"]))
    # Raises InvalidSignature on failure.
    public_key.verify(unb64(encoded_signature), f"{encoded_header}.{encoded_payload}".encode())


def test_tampered_payload_is_forged(store, token):
    header, _, signature = token.split(".")
    claims = {**CLAIMS, "amt": 1000}
    payload = b64(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
    result = verify(f"{header}.{payload}.{signature}", store.jwks())
    assert result.status == "forged"
    assert result.claims is None
    assert result.reasons == [f"signature does not match key {result.kid}"]


def test_token_from_key_not_in_jwks_is_unknown_key(store, tmp_path):
    store.generate()
    other = KeyStore(tmp_path / "other")
    result = verify(sign_claims(other, CLAIMS, "HN1"), store.jwks())
    assert result.status == "unknown_key"
    assert "not in the published key set" in result.reasons[0]


def test_alg_none_is_rejected(store, token):
    header, payload, _ = segments(token)
    forged_header = b64(json.dumps({**header, "alg": "none"}).encode())
    encoded_payload = token.split(".")[1]
    result = verify(f"{forged_header}.{encoded_payload}.", store.jwks())
    assert result.status == "forged"
    assert "'none' is not accepted" in result.reasons[0]


def test_hs256_with_public_key_as_secret_is_rejected(store, token):
    header, _, _ = segments(token)
    (published,) = store.jwks()["keys"]
    forged_header = b64(json.dumps({**header, "alg": "HS256"}).encode())
    encoded_payload = token.split(".")[1]
    signing_input = f"{forged_header}.{encoded_payload}".encode()
    mac = hmac.new(unb64(published["x"]), signing_input, hashlib.sha256).digest()
    result = verify(f"{forged_header}.{encoded_payload}.{b64(mac)}", store.jwks())
    assert result.status == "forged"
    assert "'HS256' is not accepted" in result.reasons[0]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "not-a-token",
        "a.b.c.d.e",
        "!!!.###.$$$",
        None,
    ],
)
def test_garbage_is_malformed(store, bad):
    store.generate()
    result = verify(bad, store.jwks())
    assert result.status == "malformed"
    assert result.reasons


def test_non_canonical_signature_encoding_is_malformed(store, token):
    header, payload, signature = token.split(".")
    # The last base64url character carries 4 padding bits; flipping one keeps the bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    twin = signature[:-1] + alphabet[last ^ 1]
    assert unb64(twin) == unb64(signature)
    assert verify(f"{header}.{payload}.{twin}", store.jwks()).status == "malformed"


def test_unexpected_header_parameter_is_malformed(store, token):
    header, _, _ = segments(token)
    forged_header = b64(json.dumps({**header, "jku": "https://evil.example/jwks"}).encode())
    _, payload, signature = token.split(".")
    result = verify(f"{forged_header}.{payload}.{signature}", store.jwks())
    assert result.status == "malformed"
    assert "jku" in result.reasons[0]


def test_rotation_keeps_old_receipts_valid(store):
    token_a = sign_claims(store, CLAIMS, "HN1")
    kid_a = segments(token_a)[0]["kid"]
    kid_b = store.generate("*")
    assert kid_b != kid_a
    token_b = sign_claims(store, {**CLAIMS, "rcp": "HN1-2025-000124"}, "HN1")
    assert segments(token_b)[0]["kid"] == kid_b
    jwks = store.jwks()
    assert {k["kid"] for k in jwks["keys"]} == {kid_a, kid_b}
    assert verify(token_a, jwks).status == "valid"
    assert verify(token_b, jwks).status == "valid"
    assert store.active_key("HN1").kid == kid_b


def test_gate_specific_key_and_fallback(store):
    kid_all = store.generate()
    kid_hn1 = store.generate("HN1")
    assert store.active_key("HN1").kid == kid_hn1
    assert store.active_key("LS2").kid == kid_all
    # A gate key does not retire the "*" key.
    assert {k["kid"] for k in store.jwks()["keys"]} == {kid_all, kid_hn1}


def test_first_run_generates_a_star_key(store):
    assert store.jwks() == {"keys": []}
    key = store.active_key("HN1")
    assert key.gate == "*"
    assert store.active_key("HN1").kid == key.kid
    assert [k["kid"] for k in store.jwks()["keys"]] == [key.kid]


def test_retire_keeps_key_published(store):
    token = sign_claims(store, CLAIMS, "HN1")
    kid = segments(token)[0]["kid"]
    store.retire(kid)
    assert verify(token, store.jwks()).status == "valid"
    # With no active key left, the next signature gets a fresh "*" key.
    assert store.active_key("HN1").kid != kid


def test_compromised_key_is_revoked(store):
    token_a = sign_claims(store, CLAIMS, "HN1")
    kid_a = segments(token_a)[0]["kid"]
    kid_b = store.generate()
    store.mark_compromised(kid_a, "laptop stolen at gate HN1")

    jwks = store.jwks()
    assert kid_a not in {k["kid"] for k in jwks["keys"]}
    assert store.revoked_kids() == [kid_a]
    result = verify(token_a, jwks, revoked_kids=store.revoked_kids())
    assert result.status == "revoked"
    assert kid_a in result.reasons[0]
    assert result.claims is None
    # A verifier that has the key set but not the revocation list still refuses it.
    assert verify(token_a, jwks).status == "unknown_key"
    assert store.active_key("HN1").kid == kid_b
    # The private half has no legitimate use left.
    assert '"d"' not in (store.directory / f"{kid_a}.json").read_text()


def test_what_verifications_check_against_follows_the_key_files(store):
    """``published()`` (the key set and the revoked kids a verification uses) is read once
    while no key file changes, and follows a change made by another process at once."""
    token = sign_claims(store, CLAIMS, "HN1")
    kid = segments(token)[0]["kid"]
    first = store.published()
    assert first == (store.jwks(), ())
    assert store.published()[0] is first[0]  # nothing changed: not built again
    assert verify(token, first[0], revoked_kids=first[1]).status == "valid"

    KeyStore(store.directory).mark_compromised(kid, "laptop stolen at gate HN1")
    jwks, revoked = store.published()
    assert revoked == (kid,) and kid not in {k["kid"] for k in jwks["keys"]}
    assert verify(token, jwks, revoked_kids=revoked).status == "revoked"


def test_compromised_key_cannot_be_retired_or_uncompromised(store):
    kid = store.generate()
    with pytest.raises(ValueError):
        store.mark_compromised(kid, " ")
    store.mark_compromised(kid, "leaked")
    with pytest.raises(KeyStoreError):
        store.retire(kid)
    with pytest.raises(KeyError):
        store.retire("no-such-kid")


def test_revoked_receipt(store, token):
    result = verify(token, store.jwks(), revoked_receipts={CLAIMS["rcp"]})
    assert result.status == "revoked"
    assert result.reasons == [f"receipt {CLAIMS['rcp']} has been revoked"]
    assert result.claims == CLAIMS


def test_used_receipt(store, token):
    result = verify(token, store.jwks(), used_receipts=[CLAIMS["rcp"]])
    assert result.status == "already_used"
    assert result.reasons == [f"receipt {CLAIMS['rcp']} has already been used"]


def test_wrong_gate(store, token):
    result = verify(token, store.jwks(), expected_gate="LS2")
    assert result.status == "wrong_gate"
    assert result.reasons == [f"receipt {CLAIMS['rcp']} was issued for gate HN1, not gate LS2"]


def test_check_order_after_signature(store, token):
    rcp = CLAIMS["rcp"]
    result = verify(
        token, store.jwks(), revoked_receipts=[rcp], used_receipts=[rcp], expected_gate="LS2"
    )
    assert result.status == "revoked"
    assert len(result.reasons) == 3
    result = verify(token, store.jwks(), used_receipts=[rcp], expected_gate="LS2")
    assert result.status == "wrong_gate"


def test_revoked_receipt_on_forged_token_is_forged(store, token):
    header, _, signature = token.split(".")
    payload = b64(json.dumps({**CLAIMS, "amt": 1}).encode())
    result = verify(
        f"{header}.{payload}.{signature}", store.jwks(), revoked_receipts=[CLAIMS["rcp"]]
    )
    assert result.status == "forged"


def test_single_string_is_not_accepted_as_a_collection(store, token):
    with pytest.raises(TypeError):
        verify(token, store.jwks(), used_receipts=CLAIMS["rcp"] + "9")


def test_signing_rejects_inconsistent_claims(store):
    with pytest.raises(ValueError):
        sign_claims(store, {**CLAIMS, "gte": "LS2"}, "HN1")
    with pytest.raises(ValueError):
        sign_claims(store, {k: v for k, v in CLAIMS.items() if k != "rcp"}, "HN1")


def test_jwks_has_no_private_material(store):
    store.generate()
    store.generate("HN1")
    jwks = store.jwks()
    for key in jwks["keys"]:
        assert "d" not in key
        assert key["kty"] == "OKP"
        assert key["crv"] == "Ed25519"
        assert key["use"] == "sig"
        assert key["alg"] == "EdDSA"
        # A gate's own key names its gate; the key of every gate names none.
        scope = {"gte"} if key.get("gte") == "HN1" else set()
        assert set(key) == {"kty", "crv", "x", "kid", "use", "alg"} | scope
    assert '"d"' not in json.dumps(jwks)
    assert sorted(key.get("gte", "*") for key in jwks["keys"]) == ["*", "HN1"]


def test_file_and_directory_modes(store):
    kid = store.generate()
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    key_file = store.directory / f"{kid}.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    store.retire(kid)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # No temp files left behind by the atomic writes.
    # (As a set: a kid is base64url and may begin with "-", which sorts before ".lock".)
    assert {p.name for p in store.directory.iterdir()} == {".lock", f"{kid}.json"}
    record = json.loads(key_file.read_text())
    assert record["status"] == "retired"
    assert record["created_at"].endswith("Z")
    # A retired key never signs again: its private part is not kept on disk.
    assert "d" not in record["jwk"]


def test_tampered_key_file_is_refused(store):
    kid = store.generate()
    other = jwk.JWK.generate(kty="OKP", crv="Ed25519").export_private(as_dict=True)
    path = store.directory / f"{kid}.json"
    record = json.loads(path.read_text())
    record["jwk"]["x"] = other["x"]
    path.write_text(json.dumps(record))
    with pytest.raises(KeyStoreError):
        store.jwks()


def env_key() -> tuple[str, str]:
    key = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    return key.export_private(), key.thumbprint()


def test_from_env(tmp_path, monkeypatch):
    secret, kid = env_key()
    monkeypatch.setenv("CUAKHAU_SIGNING_KEY", secret)
    store = KeyStore.from_env(tmp_path / "keys")
    token = sign_claims(store, CLAIMS, "HN1")
    assert segments(token)[0]["kid"] == kid
    assert verify(token, store.jwks()).status == "valid"
    assert [k["kid"] for k in store.jwks()["keys"]] == [kid]
    # Public part is recorded so the key stays published after the secret is rotated;
    # the private part never touches the disk.
    assert '"d"' not in all_files_text(store.directory)
    with pytest.raises(KeyStoreError):
        store.generate("*")
    # Gate keys still live on disk.
    kid_hn1 = store.generate("HN1")
    assert store.active_key("HN1").kid == kid_hn1
    assert store.active_key("LS2").kid == kid


def test_from_env_unset_is_a_plain_store(tmp_path):
    store = KeyStore.from_env(tmp_path / "keys", environ={})
    assert store.active_key("HN1").gate == "*"
    assert '"d"' in all_files_text(store.directory)


def test_from_env_rotation_keeps_old_key_published(tmp_path):
    secret_1, kid_1 = env_key()
    secret_2, kid_2 = env_key()
    directory = tmp_path / "keys"
    token_1 = sign_claims(
        KeyStore.from_env(directory, environ={"SECRET": secret_1}, env_var="SECRET"),
        CLAIMS,
        "HN1",
    )
    store = KeyStore.from_env(directory, environ={"SECRET": secret_2}, env_var="SECRET")
    assert store.active_key("HN1").kid == kid_2
    assert {k["kid"] for k in store.jwks()["keys"]} == {kid_1, kid_2}
    assert verify(token_1, store.jwks()).status == "valid"
    store.mark_compromised(kid_2, "secret leaked in CI logs")
    with pytest.raises(KeyStoreError):
        store.active_key("HN1")


def test_from_env_rejects_bad_keys_without_echoing_them(tmp_path):
    secret, _ = env_key()
    public_only = json.dumps({k: v for k, v in json.loads(secret).items() if k != "d"})
    mismatched = json.loads(secret)
    mismatched["x"] = json.loads(env_key()[0])["x"]
    for value in ["not json", public_only, json.dumps(mismatched)]:
        with pytest.raises(KeyStoreError) as excinfo:
            KeyStore.from_env(tmp_path / "keys", environ={"K": value}, env_var="K")
        assert json.loads(secret)["d"] not in str(excinfo.value)


@pytest.fixture
def bundle(store, token, tmp_path):
    # Depends on token so that the store has its key before the bundle is exported.
    path = tmp_path / "bundle.json"
    offline.write_bundle(
        path,
        store.jwks(),
        store.revoked_kids(),
        ["HN1-2025-000999"],
        datetime(2025, 1, 1, 8, 0, tzinfo=UTC),
        used_receipts=[],
    )
    return path


def test_bundle_has_no_private_material(store, tmp_path):
    store.generate()
    path = tmp_path / "bundle.json"
    # Even if handed private JWKs by mistake, the bundle keeps only public members.
    private = {"keys": [json.loads(p.read_text())["jwk"] for p in store.directory.glob("*.json")]}
    offline.write_bundle(path, private, [], [], datetime.now(UTC), used_receipts=[])
    assert '"d"' not in path.read_text()
    loaded = offline.load_bundle(path)
    assert all("d" not in k for k in loaded.jwks["keys"])


def test_bundle_round_trip(store, token, bundle):
    loaded = offline.load_bundle(bundle)
    assert loaded.jwks == store.jwks()
    assert loaded.revoked_receipts == {"HN1-2025-000999"}
    assert loaded.generated_at == datetime(2025, 1, 1, 8, 0, tzinfo=UTC)


def test_offline_cli_valid(token, bundle, capsys):
    assert offline.main([str(bundle), token, "--gate", "HN1"]) == 0
    out = capsys.readouterr().out
    assert "status: valid" in out
    assert "2025-01-01T08:00:00Z" in out


def test_offline_cli_tampered(token, bundle, capsys):
    header, _, signature = token.split(".")
    payload = b64(json.dumps({**CLAIMS, "amt": 1}, separators=(",", ":")).encode())
    assert offline.main([str(bundle), f"{header}.{payload}.{signature}"]) == 1
    out = capsys.readouterr().out
    assert "status: forged" in out
    assert "signature does not match key" in out


def test_offline_cli_wrong_gate_and_revoked(store, bundle, capsys):
    token = sign_claims(store, {**CLAIMS, "rcp": "HN1-2025-000999"}, "HN1")
    assert offline.main([str(bundle), token, "--gate", "HN1"]) == 1
    assert "status: revoked" in capsys.readouterr().out
    assert offline.main([str(bundle), sign_claims(store, CLAIMS, "HN1"), "--gate", "LS2"]) == 1
    assert "status: wrong_gate" in capsys.readouterr().out


def test_offline_cli_bad_bundle(tmp_path, token, capsys):
    path = tmp_path / "bundle.json"
    path.write_text("{}")
    assert offline.main([str(path), token]) == 1
    assert "not a cuakhau receipt verification bundle" in capsys.readouterr().out


def test_offline_runs_as_module_without_django(token, bundle):
    # The gate device has no Django; importing it would also need settings.
    code = (
        "import runpy, sys\n"
        "sys.argv = ['offline', sys.argv[1], sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('cuakhau.receipts.offline', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert 'django' not in sys.modules, 'django was imported'\n"
        "    raise\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(bundle), token],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "status: valid" in proc.stdout


def test_a_gate_key_signs_its_own_gate_only_for_every_verifier(store, tmp_path):
    store.generate()
    kid_hn1 = store.generate("HN1")
    own = sign_claims(store, CLAIMS, "HN1")
    assert verify(own, store.jwks(), expected_gate="hn1").status == "valid"
    # Whoever took HN1's key signs a receipt of another gate (``sign_claims`` never would): it
    # verified everywhere offline, a gate's leak good for every gate.
    key = jwk.JWK(**json.loads((store.directory / f"{kid_hn1}.json").read_text())["jwk"])
    forged = {}
    for name, claims in {
        "another gate": {**CLAIMS, "rcp": "LS2-2025-000001", "gte": "LS2"},
        "no gate": {k: v for k, v in CLAIMS.items() if k != "gte"},
    }.items():
        header = json.dumps({"alg": "EdDSA", "kid": kid_hn1, "typ": TYP})
        signed = jws.JWS(json.dumps(claims).encode())
        signed.add_signature(key, alg="EdDSA", protected=header)
        forged[name] = signed.serialize(compact=True)
    for name, token in forged.items():
        result = verify(token, store.jwks())
        assert result.status == "forged", name
        (reason,) = result.reasons
        assert reason.code == "key_other_gate" and reason.params["key_gate"] == "HN1", name
        assert result.claims is None, name
    # The offline verifier reads the same published key set.
    bundle = tmp_path / "bundle.json"
    offline.write_bundle(bundle, store.jwks(), [], [], datetime.now(UTC), used_receipts=[])
    assert offline.main([str(bundle), forged["another gate"]]) == 1
    assert offline.main([str(bundle), own]) == 0
