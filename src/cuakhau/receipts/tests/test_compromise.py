"""A signing key marked compromised strands no paid truck: its receipts are re-issued."""

import pytest
from django.core.management import call_command
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, cassava_line, declaration, steel_line
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear
from cuakhau.notify.messages import render
from cuakhau.notify.models import Message
from cuakhau.payments import services as payments
from cuakhau.payments.reconciliation import daily_report
from cuakhau.receipts import services, signing
from cuakhau.receipts.models import Receipt
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def paid_trip(user, **overrides):
    trip = trips.save_and_submit(user, None, declaration(**overrides))
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    assert trip.status == "paid"
    return trip, services.valid_receipt_of(trip)


def own_key(gate_code: str = "mlt") -> str:
    """A key of the gate's own that signs at once (the test keys are shared by the session)."""
    return services.key_store().generate(gate_code, at_once=True)


def test_a_compromised_key_reissues_its_receipts_and_nothing_is_stranded(
    enterprise, operator, officers, mlt, capsys
):
    kid = own_key()
    waiting, r_waiting = paid_trip(enterprise)  # paid, not yet at the gate
    inside, r_inside = paid_trip(enterprise, cargo_lines=[cassava_line()])
    gate.check_in(operator, mlt, inside.reference)
    gone, r_gone = paid_trip(
        enterprise,
        tractor_plate="25C-888.88",
        trailer_plate="",
        cargo_lines=[steel_line(origin_country="CN")],
        direction="import",
    )
    gate.check_in(operator, mlt, gone.reference)
    clear(gone, officers)
    gate.exit_truck(operator, mlt, gone.reference)
    assert {r_waiting.kid, r_inside.kid, r_gone.kid} == {kid}
    revoker = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)

    # "--": a kid may begin with "-"
    call_command(
        "signing_keys", "compromise", "--reason", "tablet stolen", "--by", "quantri", "--", kid
    )
    out = capsys.readouterr().out
    assert "2 receipts re-issued" in out

    # The two trucks still to cross have a new receipt, signed by a valid key, linked, recorded.
    for trip, old in ((waiting, r_waiting), (inside, r_inside)):
        old.refresh_from_db()
        new = services.valid_receipt_of(trip)
        assert new.replaces == old and new.kid != kid and new.amount_vnd == old.amount_vnd
        assert services.verify_receipt(new.token, "mlt")[0].status == "valid"
        assert (old.status, old.revoke_kind, old.revoked_by) == ("revoked", "replaced", revoker)
        assert "tablet stolen" in old.revoke_reason and old.revoked_at is not None
        assert f"{old.number} -> {new.number}" in out
        # The money stands behind the new receipt, once.
        assert list(new.payments.all()) and not old.payments.exists()
        # The payer is told: on the trip's timeline, and in the fees panel of the trip page.
        told = trip.transitions.get(action="reissue_receipt")
        assert old.number in told.reason and new.number in told.reason
        # And the driver, who holds the old QR code, by message, in Vietnamese.
        message = Message.objects.get(dedupe_key=f"receipts.replaced:{old.pk}")
        assert (message.template, message.language) == ("receipt_replaced", "vi")
        text = render(message.template, "vi", message.context).text
        assert old.number in text and new.number in text and trip.reference in text
        page = Client()
        page.login(username=enterprise.username, password=PASSWORD)
        html = page.get(f"/trips/{trip.reference}/").content.decode()
        assert f"Receipt {old.number} was replaced by receipt {new.number}" in html
    # The truck that already left keeps its used receipt: history is not rewritten.
    r_gone.refresh_from_db()
    assert r_gone.status == "valid" and r_gone.used_at is not None
    assert not Receipt.objects.filter(replaces=r_gone).exists()
    # Its crossing happened before the leak: its page, PDF and API say it was used and that the
    # register still confirms it, not that it is worth nothing.
    state, sentence = services.receipt_state(r_gone)
    assert state == "used" and "compromised afterwards" in sentence, sentence
    from cuakhau.receipts.pdf import receipt_pdf
    from cuakhau.receipts.tests.test_pdf import pdf_text, squeeze

    gone_pdf = squeeze(pdf_text(receipt_pdf(r_gone, compress=False)))
    assert squeeze("KHÓA KÝ BỊ LỘ SAU ĐÓ") in gone_pdf
    assert squeeze("KHÔNG CÓ GIÁ TRỊ") not in gone_pdf
    from cuakhau.accounts.services import issue_token

    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'phone')[1]}")
    answer = api.get(f"/api/v1/receipts/{r_gone.number}").json()
    assert (answer["status"], answer["state"], answer["state_label"]) == (
        "valid",
        "used",
        "used at exit",
    )
    replaced = api.get(f"/api/v1/receipts/{r_waiting.number}").json()
    assert (replaced["state"], replaced["state_label"]) == ("replaced", "replaced")

    # The old receipt says what happened, online, on its page and in its PDF.
    result, _ = services.verify_receipt(r_waiting.token, "mlt")
    new_waiting = services.valid_receipt_of(waiting)
    assert result.status == "revoked"
    assert any(f"replaced by receipt {new_waiting.number}" in r for r in result.reasons)
    owner = Client()
    owner.login(username=enterprise.username, password=PASSWORD)
    page = owner.get(f"/receipts/{r_waiting.number}/").content.decode()
    assert 'id="receipt-state"' in page and "replaced" in page and new_waiting.number in page
    from cuakhau.receipts.pdf import receipt_pdf

    r_waiting.refresh_from_db()
    assert services.receipt_state(r_waiting)[0] == "replaced"
    from cuakhau.receipts.tests.test_pdf import pdf_text, squeeze

    text = squeeze(pdf_text(receipt_pdf(r_waiting, compress=False)))
    assert squeeze(f"Thay bằng biên lai {new_waiting.number}: khóa ký bị lộ") in text
    replacing = squeeze(pdf_text(receipt_pdf(new_waiting, compress=False)))
    assert squeeze(f"Thay thế biên lai {r_waiting.number}") in replacing
    new_page = owner.get(f"/receipts/{new_waiting.number}/").content.decode()
    assert r_waiting.number in new_page

    # Check-in by trip reference and exit work with the new receipt; the old QR is refused.
    with pytest.raises(gate.GateRefused):
        gate.check_in(operator, mlt, r_waiting.token)
    gate.check_in(operator, mlt, waiting.reference)
    clear(inside, officers)
    gate.exit_truck(operator, mlt, inside.reference)
    inside.refresh_from_db()
    assert inside.status == "exited" and services.valid_receipt_of(inside).used_at

    # Running it again replaces nothing twice.
    call_command("signing_keys", "reissue")
    assert "0 receipts re-issued" in capsys.readouterr().out
    # The money is reconciled: one receipt per payment counted, the day balanced.
    from django.utils import timezone

    report = daily_report(mlt, timezone.localdate())
    assert report.balance.is_balanced
    assert report.balance.receipts_vnd == sum(
        r.amount_vnd for r in (r_gone, new_waiting, services.valid_receipt_of(inside))
    )
    assert not [d for d in report.open_discrepancies if d.kind == "receipt_state_mismatch"]


def test_check_in_refuses_a_truck_whose_only_receipt_does_not_verify(enterprise, operator, mlt):
    kid = own_key()
    trip, receipt = paid_trip(enterprise)
    assert receipt.kid == kid
    # The key is marked compromised in the key store alone: nothing was re-issued (yet).
    services.key_store().mark_compromised(kid, "found on a USB stick")
    check = gate.assess(trip.reference, mlt)
    assert "receipt_revoked" in {p.code for p in check.blocking}
    with pytest.raises(gate.GateRefused):
        gate.check_in(operator, mlt, trip.reference)
    trip.refresh_from_db()
    assert trip.status == "paid"
    # Re-issuing brings the truck in.
    services.reissue_compromised()
    gate.check_in(operator, mlt, trip.reference)


def test_compromising_the_signing_key_leaves_a_valid_signer(enterprise, settings):
    settings.JWKS_CACHE_SECONDS = 300
    kid = own_key()
    trip, receipt = paid_trip(enterprise)
    done = services.compromise_key(kid, "leaked in a backup", note="test")
    assert [(d.old.pk, d.new.trip_id) for d in done] == [(receipt.pk, trip.pk)]
    # No wait for the key-set cache here: nothing else may sign, and trucks are waiting.
    assert done[0].new.kid not in services.key_store().revoked_kids()
    infos = {k.kid: k for k in services.key_store().key_infos()}
    assert infos[kid].status == signing.COMPROMISED and not infos[kid].has_private_part


REPLACED = {"en": "was replaced by receipt", "vi": "được thay bằng", "zh-hans": "已被"}


def test_a_replacement_is_read_in_each_readers_language(enterprise, mlt):
    from django.utils import translation

    kid = own_key()
    trip, old = paid_trip(enterprise)
    with translation.override("vi"):  # the administrator's command runs in Vietnamese
        services.compromise_key(kid, "máy tính bảng bị mất")
    old.refresh_from_db()
    step = trip.transitions.get(action="reissue_receipt")
    from cuakhau.accounts.services import issue_token

    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'test')[1]}")
    client = Client()
    client.force_login(enterprise)
    for language, words in REPLACED.items():
        with translation.override(language):
            assert words in step.reason_shown, (language, step.reason_shown)
            assert old.number in step.reason_shown
            # The key's reason as the administrator typed it, in the system's sentence.
            assert "máy tính bảng bị mất" in old.revoke_reason_shown
            assert not old.revoke_reason_shown.is_fallback
        answer = api.get(f"/api/v1/trips/{trip.reference}", HTTP_ACCEPT_LANGUAGE=language).json()
        reasons = [t["reason"] for t in answer["timeline"] if t["action"] == "reissue_receipt"]
        assert words in reasons[0], (language, reasons)
        page = client.get(f"/trips/{trip.reference}/", HTTP_ACCEPT_LANGUAGE=language)
        assert words in page.content.decode(), language


def test_old_system_reasons_are_read_back(enterprise, mlt):
    import importlib

    from django.utils import translation

    from cuakhau.core.readback import Message as Sentence
    from cuakhau.core.readback import read_back

    with translation.override("vi"):
        stored = str(
            services.Phrase(services.REPLACED_STEP, old="MLT-2026-000001", new="MLT-2026-000002")
        )
    texts = read_back(stored, [Sentence(services.REPLACED_STEP)])
    assert texts["en"].startswith("Receipt MLT-2026-000001 was replaced by receipt MLT-2026-000002")
    assert "MLT-2026-000002" in texts["zh"] and texts["vi"] == stored
    # The migrations run on rows as they were stored.
    trip, old = paid_trip(enterprise)
    trip.transitions.create(
        action="reissue_receipt", to_status="paid", at=old.issued_at, reason=stored
    )
    trip.transitions.create(
        action="receipt_revoked", to_status="submitted", at=old.issued_at, reason="Đã hủy chuyến"
    )
    trip.transitions.create(
        action="receipt_revoked",
        to_status="submitted",
        at=old.issued_at,
        reason="Hàng chưa thu hoạch",
    )
    from django.apps import apps

    migration = importlib.import_module("cuakhau.trips.migrations.0017_system_reasons_read_back")
    migration.forwards(apps, None)
    steps = {t.reason: t for t in trip.transitions.exclude(reason="")}
    with translation.override("en"):
        assert steps[stored].reason_shown == texts["en"]
        assert steps["Đã hủy chuyến"].reason_shown == "Trip cancelled"
        # What a person typed stays as typed.
        assert steps["Hàng chưa thu hoạch"].reason_texts == {}
