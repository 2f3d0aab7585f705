"""Paying from a phone: VietQR instructions, the bank webhook, settlement and its flags."""

import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.core.errors import StateRefused
from cuakhau.payments import providers, services, vietqr
from cuakhau.payments.models import NotificationLog, Payment
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

FEE = 800_000  # Lai Chau example schedule: truck of 18 t and more, export/import


def submitted(user, **overrides):
    return trips.save_and_submit(user, None, declaration(**overrides))


def notification(trip_ref: str, amount: int, transaction_id: str, **extra) -> bytes:
    body = {
        "transaction_id": transaction_id,
        "amount": amount,
        "currency": "VND",
        "description": f"CT DEN:{transaction_id} {trip_ref.replace('-', '')} thanh toan phi",
        "payer_name": "CONG TY TNHH NONG SAN PHONG THO",
        "payer_account": "0451000123456",
        "booked_at": "2026-11-23T09:15:00+07:00",
    }
    body.update(extra)
    return json.dumps(body).encode()


def signed_headers(body: bytes, *, timestamp=None, secret=None) -> dict:
    provider = providers.get_provider("vietqr_bank")
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Cuakhau-Timestamp": timestamp,
        "X-Cuakhau-Signature": providers.sign_body(secret or provider.secret, timestamp, body),
    }


def post_webhook(body: bytes, headers: dict):
    client = Client()
    return client.post(
        "/api/v1/payments/notifications/vietqr_bank",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def test_payment_instructions_are_a_vietqr_any_bank_app_reads(enterprise, mlt):
    trip = submitted(enterprise)
    info = providers.bank_provider().instructions(trip, FEE)
    parsed = vietqr.parse_payload(info["vietqr"])
    assert (parsed.bank_bin, parsed.amount, parsed.currency, parsed.country) == (
        "970415",
        FEE,
        "704",
        "VN",
    )
    assert parsed.purpose == trip.reference
    assert vietqr.verify_crc(info["vietqr"])


def test_a_signed_notification_pays_the_trip_and_issues_the_receipt(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26327000001")
    response = post_webhook(body, signed_headers(body))
    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "accepted"
    trip.refresh_from_db()
    assert trip.status == "paid"
    receipt = valid_receipt_of(trip)
    assert receipt.amount_vnd == FEE and receipt.number == f"MLT-{receipt.year}-000001"
    assert response.json()["receipt"] == receipt.number
    assert list(trip.transitions.values_list("action", flat=True)) == ["create", "submit", "pay"]


def test_the_same_notification_ten_times_records_one_payment(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26327000002")
    outcomes = [post_webhook(body, signed_headers(body)).json()["outcome"] for _ in range(10)]
    assert outcomes == ["accepted"] + ["duplicate"] * 9
    assert Payment.objects.count() == 1
    assert trip.receipts.count() == 1
    assert NotificationLog.objects.filter(outcome="duplicate").count() == 9


@pytest.mark.parametrize(
    ("tamper", "status", "outcome"),
    [
        ("signature", 401, "bad_signature"),
        ("stale", 401, "stale"),
        ("future", 401, "stale"),
        ("missing", 401, "bad_signature"),
        ("body", 422, "malformed"),
    ],
)
def test_unauthenticated_or_stale_notifications_are_refused_and_logged(
    enterprise, mlt, tamper, status, outcome
):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26327000003")
    headers = signed_headers(body)
    if tamper == "signature":
        headers = signed_headers(body, secret="not-the-bank")
    elif tamper == "stale":
        headers = signed_headers(body, timestamp=int(time.time()) - 3600)
    elif tamper == "future":
        headers = signed_headers(body, timestamp=int(time.time()) + 3600)
    elif tamper == "missing":
        headers = {}
    elif tamper == "body":
        body = b"{not json"
        headers = signed_headers(body)
    response = post_webhook(body, headers)
    assert response.status_code == status
    assert response.json()["outcome"] == outcome
    assert Payment.objects.count() == 0
    assert NotificationLog.objects.get().outcome == outcome
    trip.refresh_from_db()
    assert trip.status == "submitted"


def test_a_body_changed_after_signing_is_refused(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, 1_000, "FT26327000004")
    headers = signed_headers(body)
    forged = body.replace(b'"amount": 1000', b'"amount": 800000')
    assert post_webhook(forged, headers).status_code == 401
    assert Payment.objects.count() == 0


def test_underpayment_is_flagged_then_completed_by_a_top_up_in_any_order(enterprise, mlt):
    first_trip = submitted(enterprise)
    second_trip = submitted(enterprise, cargo_lines=[cassava_line()])
    # Same two partial transfers, delivered in opposite orders for the two trips.
    for trip, order in ((first_trip, (300_000, 500_000)), (second_trip, (500_000, 300_000))):
        p1, _ = services.record_payment(
            provider_code="vietqr_bank",
            method="bank_transfer",
            external_id=f"{trip.pk}-a",
            amount_vnd=order[0],
            description=trip.reference,
        )
        assert p1.flag == "underpaid" and p1.receipt is None
        p2, _ = services.record_payment(
            provider_code="vietqr_bank",
            method="bank_transfer",
            external_id=f"{trip.pk}-b",
            amount_vnd=order[1],
            description=trip.reference,
        )
        p1.refresh_from_db()
        assert p2.receipt is not None and p1.receipt == p2.receipt
        assert p1.resolved_at is not None and p1.flag == "underpaid"
        trip.refresh_from_db()
        assert trip.status == "paid"


def test_overpayment_issues_the_receipt_and_flags_the_excess(enterprise, mlt, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "vi"  # the platform's language, as installed
    trip = submitted(enterprise)
    with translation.override("zh-hans"):  # whoever's request settled it
        payment, _ = services.record_payment(
            provider_code="vietqr_bank",
            method="bank_transfer",
            external_id="FT-over",
            amount_vnd=1_000_000,
            description=trip.reference,
        )
    # A record in the platform's language, its amounts grouped as that language does.
    assert payment.flag == "overpaid"
    assert payment.flag_detail == (
        "Đã nhận 1.000.000 VND cho khoản phí 800.000 VND: phải hoàn 200.000 VND."
    )
    assert valid_receipt_of(trip).amount_vnd == FEE
    # Each reader reads it in their language, amounts grouped their way: the trip page, the
    # day's reconciliation (its page and exports read its rows).
    from django.utils import timezone

    from cuakhau.payments.reconciliation import daily_report

    said = {
        "en": "Received 1,000,000 VND for a fee of 800,000 VND: 200,000 VND to refund.",
        "vi": "Đã nhận 1.000.000 VND cho khoản phí 800.000 VND: phải hoàn 200.000 VND.",
        "zh-hans": "应缴 800,000 越南盾，实收 1,000,000 越南盾：应退 200,000 越南盾。",
    }
    client = Client()
    client.force_login(enterprise)
    for language, sentence in said.items():
        page = client.get(f"/trips/{trip.reference}/", HTTP_ACCEPT_LANGUAGE=language).text
        assert sentence in page, language
        with translation.override(language):
            assert payment.flag_detail_shown == sentence
            report = daily_report(mlt, timezone.localdate())
            row = next(p for p in report.payments if p.id == payment.pk)
            assert row.flag_detail == sentence, (language, row.flag_detail)
    assert (
        '<span lang="vi">Đã nhận'
        not in client.get(f"/trips/{trip.reference}/", HTTP_ACCEPT_LANGUAGE="en").text
    )


def test_an_old_flag_detail_is_read_back_in_each_language(enterprise, mlt):
    import importlib

    from django.apps import apps
    from django.utils import translation

    trip = submitted(enterprise)
    payment, _ = services.record_payment(
        provider_code="vietqr_bank",
        method="bank_transfer",
        external_id="FT-old",
        amount_vnd=500_000,
        description=trip.reference,
    )
    # As a payment flagged before kept it: one sentence, in Vietnamese.
    Payment.objects.filter(pk=payment.pk).update(
        flag_detail=f"Đã nhận 500.000 trên tổng số 800.000 VND cho {trip.reference}.",
        flag_detail_texts={},
    )
    migration = importlib.import_module("cuakhau.payments.migrations.0008_flag_details_read_back")
    migration.forwards(apps, None)
    payment.refresh_from_db()
    with translation.override("en"):
        assert payment.flag_detail_shown == f"Received 500,000 of 800,000 VND for {trip.reference}."
    with translation.override("zh-hans"):
        assert "500,000" in payment.flag_detail_shown and "越南盾" in payment.flag_detail_shown
    # One that is no sentence of the system stays as stored, marked with its language.
    Payment.objects.filter(pk=payment.pk).update(flag_detail="Khách gọi điện", flag_detail_texts={})
    migration.forwards(apps, None)
    payment.refresh_from_db()
    with translation.override("en"):
        assert payment.flag_detail_shown.is_fallback and payment.flag_detail_texts == {}


def test_payments_for_cancelled_paid_draft_or_unknown_trips_are_kept_and_flagged(enterprise, mlt):
    cancelled = trips.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    trips.cancel_trip(enterprise, cancelled)
    draft = trips.create_draft(
        enterprise, declaration(cargo_lines=[cassava_line(container_numbers=[])])
    )
    paid = submitted(enterprise)
    services.simulate_bank_transfer(paid)
    cases = {
        "trip_cancelled": cancelled.reference,
        "not_submitted": draft.reference,
        "already_paid": paid.reference,
        "unknown_trip": "MLT-XXXXXXX",
    }
    for flag, ref in cases.items():
        payment, _ = services.record_payment(
            provider_code="vietqr_bank",
            method="bank_transfer",
            external_id=f"FT-{flag}",
            amount_vnd=FEE,
            description=ref,
        )
        assert payment.flag == flag, (flag, payment.flag_detail)
        assert payment.receipt is None
    assert Payment.objects.count() == 5
    assert paid.receipts.count() == 1


def test_cash_is_recorded_by_an_officer_of_the_gate(enterprise, mlt, hng):
    trip = submitted(enterprise)
    operator = create_user("vanhanh", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    elsewhere = create_user("vanhanh_hng", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    with pytest.raises(trips.TripPermissionDenied):
        services.record_cash_payment(elsewhere, trip, FEE, "PT-0001")
    with pytest.raises(trips.TripPermissionDenied):
        services.record_cash_payment(enterprise, trip, FEE, "PT-0001")
    with pytest.raises(services.FieldErrors) as exc:
        services.record_cash_payment(operator, trip, 0, "")
    assert set(exc.value.errors) == {"amount_vnd", "slip_number"}
    payment = services.record_cash_payment(operator, trip, FEE, "PT-0001")
    assert payment.receipt is not None and payment.recorded_by == operator
    with pytest.raises(services.FieldErrors):
        services.record_cash_payment(operator, trip, FEE, "PT-0001")


def test_references_are_found_in_mangled_transfer_text(enterprise, mlt):
    trip = submitted(enterprise)
    compact = trip.reference.replace("-", "")
    assert services.reference_in(f"IBFT {compact.lower()} phi cua khau") == trip.reference
    assert services.reference_in("MLT-AAAAAAA") is None  # wrong check character


def test_simulated_transfer_exists_only_in_demo_mode(enterprise, mlt, settings):
    trip = submitted(enterprise)
    client = Client()
    client.login(username=enterprise.username, password=PASSWORD)
    settings.DEMO_MODE = False
    assert client.post(f"/payments/trips/{trip.reference}/simulate/").status_code == 403
    settings.DEMO_MODE = True
    page = client.get(f"/trips/{trip.reference}/").content.decode()
    assert 'id="simulate-transfer"' in page
    client.post(f"/payments/trips/{trip.reference}/simulate/")
    trip.refresh_from_db()
    assert trip.status == "paid"


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_notification_record_one_payment(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26327000099")
    results, errors = [], []
    barrier = threading.Barrier(8)

    def deliver():
        try:
            barrier.wait()
            log, payment = services.receive_notification("vietqr_bank", signed_headers(body), body)
            results.append(log.outcome)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["accepted"] + ["duplicate"] * 7
    assert Payment.objects.filter(external_id="FT26327000099").count() == 1
    assert trip.receipts.count() == 1


@pytest.mark.parametrize(
    "amount, slip, field, why",
    [
        ("800,000.5", "PT-1", "amount_vnd", "Enter a whole number."),  # as the API says it
        ("tám trăm", "PT-1", "amount_vnd", ""),
        ("800000", "", "slip_number", "Enter the number of the cash slip."),
        ("800000", "PT\x1b1", "slip_number", "U+001B"),
    ],
)
def test_a_refused_cash_entry_is_said_beside_its_field_with_what_was_typed(
    enterprise, operator, mlt, amount, slip, field, why
):
    trip = submitted(enterprise)
    client = Client()
    client.force_login(operator)
    page = client.post(
        f"/payments/trips/{trip.reference}/cash/", {"amount_vnd": amount, "slip_number": slip}
    )
    assert page.status_code == 422
    errors = page.text.split(f'data-field="{field}"', 1)
    assert len(errors) == 2 and why in errors[1].split("</p>", 1)[0]
    assert f'value="{amount}"' in page.text  # typed, kept
    assert not trip.payments.exists()
    trip.refresh_from_db()
    assert trip.status == "submitted"


def test_a_cash_payment_is_shown_by_its_slip_number_where_people_read_it(enterprise, operator, mlt):
    """The trip page and the reconciliation (page and export) showed a cash payment as its
    transaction id, "mlt-BL26-000017": the gate's code glued to the slip, no label. They show
    the slip as the cashier typed it, labelled; a bank's transfer keeps its bank's id."""
    from django.utils import timezone

    from cuakhau.payments.reconciliation import daily_report, to_csv

    trip = submitted(enterprise)
    cash = services.record_cash_payment(operator, trip, 300_000, "BL26-000017")
    assert cash.external_id == "mlt-BL26-000017"  # still the key a slip is recorded once by
    body = notification(
        trip.reference, FEE - 300_000, "FT26327000777", booked_at=timezone.now().isoformat()
    )
    assert post_webhook(body, signed_headers(body)).status_code == 200
    client = Client()
    client.force_login(operator)
    page = client.get(f"/trips/{trip.reference}/").text
    assert "Cash slip no. BL26-000017" in page
    assert "mlt-BL26-000017" not in page
    assert "Transaction id <code>FT26327000777</code>" in page
    report = client.get(
        "/payments/reconciliation/",
        {"gate": "mlt", "day": timezone.localdate().isoformat(), "payments_page": 1},
    ).text
    assert "<small>Cash slip no. BL26-000017</small>" in report
    assert "mlt-BL26-000017" not in report and "<small>FT26327000777</small>" in report
    exported = to_csv(daily_report(mlt, timezone.localdate()))
    assert "Cash slip no. BL26-000017" in exported and "mlt-BL26" not in exported


def test_no_cash_is_taken_for_a_trip_that_owes_nothing(enterprise, operator, mlt):
    """Cash for a paid, cancelled or draft trip was recorded (by the API, or a trip page left
    open while the bank's transfer paid it) and flagged at once as money to pay back: the
    counter now refuses it, so the cashier hands it back there and then."""
    paid = submitted(enterprise)
    receipt = services.record_cash_payment(operator, paid, FEE, "PT-1").receipt
    paid.refresh_from_db()
    cancelled = submitted(
        enterprise,
        tractor_plate="25C-111.11",
        trailer_plate="25R-011.11",
        cargo_lines=[cassava_line()],
    )
    cancelled = trips.cancel_trip(enterprise, cancelled, "plans changed")
    draft = trips.create_draft(
        enterprise,
        declaration(
            tractor_plate="25C-122.22", trailer_plate="25R-022.22", cargo_lines=[cassava_line()]
        ),
    )
    for trip, why in (
        (paid, f"already paid (receipt {receipt.number})"),
        (cancelled, "is cancelled: no fees are due"),
        (draft, "not submitted yet"),
    ):
        # The trip's state, not a field of the payment: a 409, no field named.
        with pytest.raises(StateRefused) as refused:
            services.record_cash_payment(operator, trip, FEE, "PT-2")
        assert why in str(refused.value)
    client = Client()
    client.force_login(operator)
    response = client.post(
        f"/payments/trips/{paid.reference}/cash/",
        {"amount_vnd": "800000", "slip_number": "PT-3"},
        follow=True,
    )
    assert "already paid" in response.text
    assert Payment.objects.filter(method="cash").count() == 1
