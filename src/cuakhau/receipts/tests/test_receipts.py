"""E-receipts in the platform: numbering, JWKS, independent verification, rotation, use, revocation."""

import io
import json
import warnings

import pytest
from django.db import transaction
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.notify.models import Message
from cuakhau.payments import services as payments
from cuakhau.receipts import services, signing
from cuakhau.receipts.models import Receipt
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def paid_trip(user, **overrides):
    trip = trips.save_and_submit(user, None, declaration(**overrides))
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    return trip, services.valid_receipt_of(trip)


def test_numbers_form_a_gapless_series_per_gate_and_year(enterprise, mlt, hng):
    _t1, r1 = paid_trip(enterprise)
    _t2, r2 = paid_trip(enterprise, cargo_lines=[cassava_line()])
    _t3, r3 = paid_trip(enterprise, gate="hng", cargo_lines=[cassava_line(container_numbers=[])])
    assert (r1.sequence, r2.sequence, r3.sequence) == (1, 2, 1)
    assert r3.number.startswith("HNG-")
    # A receipt whose transaction fails gives its number back.
    trip = trips.save_and_submit(
        enterprise,
        None,
        declaration(cargo_lines=[cassava_line(container_numbers=[], customs_declaration="")]),
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        services.issue_receipt(trip, trip.assessments.get())
        raise RuntimeError("printer on fire")
    assert services.issue_receipt(trip, trip.assessments.get()).sequence == 3


def test_the_receipt_verifies_with_an_independent_jose_library_from_the_published_jwks(enterprise):
    from joserfc import jws
    from joserfc.jwk import KeySet

    _trip, receipt = paid_trip(enterprise)
    jwks = Client().get("/.well-known/jwks.json").json()
    assert all("d" not in key for key in jwks["keys"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc marks "EdDSA" deprecated in favour of "Ed25519"
        obj = jws.deserialize_compact(
            receipt.token, KeySet.import_key_set(jwks), algorithms=["EdDSA"]
        )
    claims = json.loads(obj.payload)
    assert claims["rcp"] == receipt.number
    assert claims["amt"] == receipt.amount_vnd == 800_000
    assert claims["trp"] == receipt.trip.reference
    assert obj.protected["kid"] == receipt.kid


def test_online_verification_says_valid_forged_wrong_gate(enterprise, mlt):
    _trip, receipt = paid_trip(enterprise)
    assert services.verify_receipt(receipt.token, "mlt")[0].status == "valid"
    header, payload, sig = receipt.token.split(".")
    tampered = ".".join(
        [header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], sig]
    )
    assert services.verify_receipt(tampered)[0].status in ("forged", "malformed")
    assert services.verify_receipt(receipt.token, "hng")[0].status == "wrong_gate"
    assert services.verify_receipt("not a receipt")[0].status == "malformed"


def test_key_rotation_publishes_first_and_signs_after_the_cache_time(
    enterprise, settings, monkeypatch
):
    from datetime import timedelta

    settings.JWKS_CACHE_SECONDS = 300
    store = services.key_store()
    # The gate's own key signs first, whichever test made the session's keys before this one.
    store.generate("mlt", at_once=True)
    _t1, old = paid_trip(enterprise)
    new_kid = store.generate("mlt")
    jwks = Client().get("/.well-known/jwks.json")
    # Published at once, and cached by verifiers no longer than the key waits.
    assert {old.kid, new_kid} <= {k["kid"] for k in jwks.json()["keys"]}
    assert jwks["Cache-Control"] == "public, max-age=300"
    # Until every cached key set can know the new key, the previous key signs.
    _t2, meanwhile = paid_trip(enterprise, cargo_lines=[cassava_line()])
    assert meanwhile.kid == old.kid
    later = signing._utcnow() + timedelta(seconds=301)
    monkeypatch.setattr(signing, "_utcnow", lambda: later)
    _t3, new = paid_trip(enterprise, gate="mlt", cargo_lines=[cassava_line(container_numbers=[])])
    assert new.kid == new_kid != old.kid
    # The previous key is retired: still published, its private part gone from the disk.
    old_file = json.loads((store.directory / f"{old.kid}.json").read_text())
    assert old_file["status"] == "retired" and "d" not in old_file["jwk"]
    assert old.kid in {k["kid"] for k in store.jwks()["keys"]}
    assert services.verify_receipt(old.token)[0].status == "valid"
    assert services.verify_receipt(new.token)[0].status == "valid"


def test_signing_keys_list_says_which_key_signs(enterprise, settings, capsys):
    from django.core.management import call_command

    settings.JWKS_CACHE_SECONDS = 300
    _trip, receipt = paid_trip(enterprise)
    call_command("signing_keys", "rotate", "--gate", "mlt")
    pending = capsys.readouterr().out.splitlines()[0]
    call_command("signing_keys", "list")
    lines = capsys.readouterr().out.splitlines()
    status = {line.split()[1]: line.split()[0] for line in lines}
    assert status[receipt.kid] == "active" and status[pending] == "pending"
    assert "signs from" in next(line for line in lines if pending in line)


def test_a_key_rotated_for_a_gate_in_capitals_signs_that_gates_receipts(enterprise, settings):
    from django.core.management import CommandError, call_command

    settings.JWKS_CACHE_SECONDS = 0  # the new key signs at once
    out = io.StringIO()
    call_command("signing_keys", "rotate", "--gate", " MLT", stdout=out)
    kid = out.getvalue().splitlines()[0]
    _trip, receipt = paid_trip(enterprise)
    assert receipt.kid == kid
    with pytest.raises(CommandError, match="no gate 'XYZ'"):
        call_command("signing_keys", "rotate", "--gate", "XYZ")
    # A key id is given as --kid=… when it starts with "-"; without one the command says how.
    with pytest.raises(CommandError, match="--kid="):
        call_command("signing_keys", "retire")
    call_command("signing_keys", "retire", f"--kid={kid}", stdout=io.StringIO())
    assert {k.kid: k.status for k in services.key_store().key_infos()}[kid] == "retired"


def test_a_compromised_key_revokes_what_it_signed(enterprise):
    _trip, receipt = paid_trip(enterprise)
    store = services.key_store()
    store.generate("mlt")  # a fresh key takes over signing first
    store.mark_compromised(receipt.kid, "laptop stolen")
    result, _ = services.verify_receipt(receipt.token)
    assert result.status == "revoked" and result.kid == receipt.kid
    assert result.reasons == [
        "the key that signed this receipt was revoked because it was compromised: the receipt"
        " cannot be trusted"
    ]
    published = Client().get("/.well-known/jwks.json").json()
    assert receipt.kid not in {k["kid"] for k in published["keys"]}
    assert (
        receipt.kid in Client().get("/.well-known/cuakhau-revocations.json").json()["revoked_kids"]
    )
    # New receipts still issue and verify with the fresh key.
    _t2, fresh = paid_trip(enterprise, cargo_lines=[cassava_line()])
    assert services.verify_receipt(fresh.token)[0].status == "valid"


def test_single_use_at_exit(enterprise, operator, mlt, hng):
    trip, receipt = paid_trip(enterprise)
    elsewhere = create_user("vanhanh_hng", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    assert services.use_at_exit(receipt.token, hng, elsewhere).outcome == "wrong_gate"
    # A truck that never arrived cannot use up its receipt: only a cleared truck inside can.
    assert services.use_at_exit(receipt.token, mlt, operator).outcome == "refused"
    assert services.verify_receipt(receipt.token, "mlt")[0].status == "valid"
    trip.status = "cleared"  # as the inspections service leaves it
    trip.save(update_fields=["status"])
    assert services.use_at_exit(receipt.token, mlt, operator).outcome == "used"
    second = services.use_at_exit(receipt.token, mlt, operator)
    assert second.outcome == "already_used"
    assert services.verify_receipt(receipt.token, "mlt")[0].status == "already_used"
    receipt.refresh_from_db()
    assert receipt.used_by == operator and receipt.uses.count() == 4


def test_cancelling_a_paid_trip_revokes_its_receipt(enterprise, operator, mlt):
    trip, receipt = paid_trip(enterprise)
    trips.cancel_trip(enterprise, trip, reason="Hàng không kịp thu hoạch")
    receipt.refresh_from_db()
    assert receipt.status == "revoked" and receipt.revoke_kind == "refunded"
    result, _ = services.verify_receipt(receipt.token)
    assert result.status == "revoked"
    assert "Hàng không kịp thu hoạch" in " ".join(result.reasons)
    assert services.use_at_exit(receipt.token, mlt, operator).outcome == "revoked"
    assert (
        receipt.number
        in Client().get("/.well-known/cuakhau-revocations.json").json()["revoked_receipts"]
    )
    # The trip will not cross: the driver is not told to pay again.
    assert not Message.objects.filter(template="receipt_revoked").exists()


def test_a_receipt_revoked_without_a_reason_says_what_happened_not_a_code(enterprise):
    from cuakhau.receipts.signals import revoke_receipt_of_cancelled_trip

    trip, receipt = paid_trip(enterprise)
    # A transition that carried no reason (the services ask one; a signal must not rely on it).
    revoke_receipt_of_cancelled_trip(
        None, trip=trip, action="reject", from_status="paid", actor=enterprise
    )
    receipt.refresh_from_db()
    result, _ = services.verify_receipt(receipt.token)
    assert "Trip rejected" in " ".join(result.reasons)
    assert "reject)" not in " ".join(result.reasons)
    # The system's words, read by each reader in their language: the receipt's reason, the
    # trip's timeline, a verification.
    from django.utils import translation

    step = trip.transitions.get(action="receipt_revoked")
    for language, words in {"en": "Trip rejected", "vi": "bị từ chối", "zh-hans": "驳回"}.items():
        with translation.override(language):
            assert words in receipt.revoke_reason_shown, (language, receipt.revoke_reason_shown)
            assert not receipt.revoke_reason_shown.is_fallback
            assert words in step.reason_shown, (language, step.reason_shown)
            result, _ = services.verify_receipt(receipt.token)
            assert words in " ".join(result.reasons), (language, result.reasons)


def test_receipt_api_verify_and_scoping(enterprise, other_enterprise, operator, mlt):
    _trip, receipt = paid_trip(enterprise)
    _tok, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    verdict = api.post(
        "/api/v1/receipts/verify",
        {"token": receipt.token, "gate": "mlt"},
        content_type="application/json",
    ).json()
    assert verdict["valid"] and verdict["claims"]["rcp"] == receipt.number
    _tok, other_raw = issue_token(other_enterprise, "x")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_raw}")
    assert other.get(f"/api/v1/receipts/{receipt.number}").status_code == 404


def test_no_stand_alone_use_of_a_receipt(enterprise, operator, mlt):
    """A receipt is used by the exit of its truck, never on its own: no "use" endpoint."""
    _trip, receipt = paid_trip(enterprise)
    _tok, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post(
        "/api/v1/receipts/use",
        {"token": receipt.token, "gate": "mlt"},
        content_type="application/json",
    )
    assert response.status_code in (404, 405)
    receipt.refresh_from_db()
    assert receipt.used_at is None and not receipt.uses.exists()
    assert "/receipts/use" not in json.dumps(api.get("/api/v1/openapi.json").json()["paths"])


def test_receipt_and_verify_pages(enterprise, operator):
    _trip, receipt = paid_trip(enterprise)
    owner = Client()
    owner.login(username=enterprise.username, password=PASSWORD)
    page = owner.get(f"/receipts/{receipt.number}/").content.decode()
    assert receipt.number in page and "<svg" in page and "@page { size: A6" in page
    officer = Client()
    officer.login(username=operator.username, password=PASSWORD)
    verdict = officer.post(
        "/receipts/verify/", {"token": receipt.token, "gate": "mlt"}
    ).content.decode()
    assert 'id="verdict"' in verdict and "valid" in verdict


def test_the_offline_command_verifies_without_the_server(enterprise, tmp_path, capsys):
    from cuakhau.receipts import offline

    _trip, receipt = paid_trip(enterprise)
    store = services.key_store()
    bundle = tmp_path / "bundle.json"
    offline.write_bundle(
        bundle,
        store.jwks(),
        store.revoked_kids(),
        [],
        "2026-11-23T00:00:00+00:00",
        used_receipts=[],
    )
    assert offline.main([str(bundle), receipt.token, "--gate", "mlt"]) == 0
    assert offline.main([str(bundle), receipt.token[:-4] + "AAAA"]) == 1
    assert Receipt.objects.count() == 1
    assert signing.verify(receipt.token, store.jwks()).is_valid


def test_key_and_bundle_commands(enterprise, tmp_path, capsys):
    from django.core.management import call_command

    from cuakhau.receipts import offline

    _trip, receipt = paid_trip(enterprise)
    call_command("signing_keys", "rotate", "--gate", "mlt")
    new_kid = capsys.readouterr().out.splitlines()[0]
    assert new_kid != receipt.kid
    bundle = tmp_path / "bundle.json"
    call_command("receipt_bundle", str(bundle))
    assert offline.main([str(bundle), receipt.token]) == 0
    # "--": a kid may begin with "-"
    call_command("signing_keys", "compromise", "--reason", "tablet lost", "--", receipt.kid)
    call_command("receipt_bundle", str(bundle))
    assert offline.main([str(bundle), receipt.token]) == 1


def test_the_bundle_command_carries_used_receipts_and_says_how_old_it_is(
    enterprise, operator, mlt, tmp_path, capsys
):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from cuakhau.receipts import offline

    trip, receipt = paid_trip(enterprise)
    trip.status = "cleared"  # as the inspections service leaves it
    trip.save(update_fields=["status"])
    assert services.use_at_exit(receipt.token, mlt, operator).outcome == "used"
    path = tmp_path / "bundle.json"
    call_command("receipt_bundle", str(path))
    capsys.readouterr()
    data = json.loads(path.read_text())
    # The same used receipts as the offline page (as runs of numbers), and when it was made.
    prefix, sequence = receipt.number.rsplit("-", 1)
    runs = {prefix: [[int(sequence), int(sequence)]]}
    assert data["used_receipt_runs"] == runs == services.offline_bundle()["used_receipt_runs"]
    assert data["used_receipts"] == [] == services.offline_bundle()["used_receipts"]
    assert data["version"] == 3
    assert data["generated_at"]
    assert offline.main([str(path), receipt.token, "--gate", "mlt"]) == 1
    out = capsys.readouterr().out
    assert "status: already_used" in out and "revocation and use data from 0 min ago" in out

    # A bundle three hours old says so.
    bundle = offline.load_bundle(path)
    offline.write_bundle(
        path,
        bundle.jwks,
        bundle.revoked_kids,
        bundle.revoked_receipts,
        timezone.now() - dt.timedelta(hours=3),
        used_receipts=[],
    )
    assert offline.main([str(path), receipt.token]) == 0
    assert "revocation and use data from 3 h ago" in capsys.readouterr().out
    # The gate as people write it ("MLT"): the receipt is this gate's, not another's.
    assert offline.main([str(path), receipt.token, "--gate", "MLT"]) == 0
    assert "status: valid" in capsys.readouterr().out
    assert offline.age_text(timezone.now() + dt.timedelta(hours=1)) == (
        "a moment in the future (check this device's clock)"
    )


def test_a_receipt_is_shown_to_whoever_may_read_its_trip_by_the_trips_key(
    enterprise, other_enterprise, customs_mlt, customs_hng, auditor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cuakhau.core.testing.sqlite_statistics import query_plan

    _trip, receipt = paid_trip(enterprise)  # at Ma Lu Thang
    for reader in (enterprise, customs_mlt, auditor):
        assert services.visible_receipt(reader, receipt.number.lower()) == receipt
    for stranger in (other_enterprise, customs_hng):
        with pytest.raises(Receipt.DoesNotExist):
            services.visible_receipt(stranger, receipt.number)
    if connection.vendor == "sqlite":
        # Not by listing every trip the officer may read first (80,000 on the 90-day demo).
        with CaptureQueriesContext(connection) as read:
            services.visible_receipt(customs_mlt, receipt.number)
        (sql,) = [q["sql"] for q in read.captured_queries if "receipts_receipt" in q["sql"]]
        steps = query_plan(sql)
        assert not any("LIST SUBQUERY" in step for step in steps), steps
        assert any("USING INTEGER PRIMARY KEY" in step for step in steps), steps


def _made_up(number: str) -> str:
    """A code that names a real receipt's number but was never issued (no valid signature)."""
    import base64

    claims = base64.urlsafe_b64encode(json.dumps({"rcp": number}).encode()).rstrip(b"=")
    return f"eyJhbGciOiJFZERTQSJ9.{claims.decode()}.AAAA"


def test_a_made_up_code_learns_nothing_of_the_receipt_whose_number_it_names(
    enterprise, operator, mlt
):
    """Receipt numbers run in sequence: a code naming one, unsigned, was answered "not a receipt
    of this system" and then told when and why the real receipt was revoked, by what kind, and
    at which gate and hour it was used — to any officer or gate tablet, for any gate."""
    trip, receipt = paid_trip(enterprise)
    trips.cancel_trip(enterprise, trip, reason="Xe hỏng trên đường, không đến kịp cửa khẩu")
    fake = _made_up(receipt.number)
    result, found = services.verify_receipt(fake)
    assert found is None and result.status != "revoked"
    said = " ".join(result.reasons)
    assert "Xe hỏng" not in said and "revoked on" not in said
    _tok, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    verdict = api.post(
        "/api/v1/receipts/verify", {"token": fake}, content_type="application/json"
    ).json()
    assert verdict["receipt"] is None and "Xe hỏng" not in json.dumps(verdict, ensure_ascii=False)
    web = Client()
    web.force_login(operator)
    page = web.post("/receipts/verify/", {"token": fake}).content.decode()
    assert "Xe hỏng" not in page and "hoàn tiền" not in page.lower()
    # The receipt itself still says all of it.
    result, found = services.verify_receipt(receipt.token)
    assert found == receipt and "Xe hỏng" in " ".join(result.reasons)
