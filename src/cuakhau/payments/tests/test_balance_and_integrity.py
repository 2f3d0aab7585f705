"""No money hidden: balances after amendments, whole transaction ids, positive amounts,
receipt/trip mismatches in reconciliation, and export file names browsers read."""

from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.core.errors import FieldErrors
from cuakhau.notify.messages import render
from cuakhau.notify.models import Message
from cuakhau.payments import services, vietqr
from cuakhau.payments.models import Payment
from cuakhau.payments.reconciliation import RECEIPT_STATE_MISMATCH, REFUND_DUE, daily_report
from cuakhau.receipts import services as receipts
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db


def submitted(user, capacity: str):
    for _attempt in range(10):
        trip = trips.save_and_submit(
            user, None, declaration(capacity_tonnes=capacity, cargo_lines=[cassava_line()])
        )
        # The transfer text parser cannot read a reference ending in "*" (1 in 37).
        if not trip.reference.endswith("*"):
            return trip
        trips.cancel_trip(user, trip)
    raise AssertionError("no readable reference")


def transfer(trip, amount: int, transaction_id: str) -> Payment:
    payment, _created = services.record_payment(
        provider_code="vietqr_bank",
        method="bank_transfer",
        external_id=transaction_id,
        amount_vnd=amount,
        description=f"{trip.reference} thanh toan phi",
    )
    return payment


def amend(user, trip, capacity: str):
    return trips.amend_trip(
        user,
        trip,
        declaration(capacity_tonnes=capacity, cargo_lines=[cassava_line()]),
        reason="Đổi xe",
    )


def page_of(user, trip) -> str:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client.get(f"/trips/{trip.reference}/").content.decode()


def fees_api(user, trip) -> dict:
    _token, raw = issue_token(user, "phone")
    return (
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        .get(f"/api/v1/trips/{trip.reference}/fees")
        .json()
    )


def test_an_amendment_below_a_part_payment_settles_and_shows_the_refund(enterprise):
    trip = submitted(enterprise, "30")  # 800,000
    assert transfer(trip, 500_000, "FT26334000001").flag == "underpaid"
    amend(enterprise, trip, "8")  # now 300,000: the money received covers it
    trip.refresh_from_db()
    receipt = receipts.valid_receipt_of(trip)
    assert trip.status == "paid" and receipt.amount_vnd == 300_000
    payment = Payment.objects.get(external_id="FT26334000001")
    assert (payment.flag, payment.receipt, payment.resolved_at) == ("overpaid", receipt, None)
    balance = services.balance_of(trip)
    assert (balance.due_vnd, balance.refund_vnd, balance.balance_vnd) == (0, 200_000, -200_000)
    assert 'id="balance-refund">VND 200,000<' in page_of(enterprise, trip)
    api = fees_api(enterprise, trip)
    assert (api["balance_vnd"], api["due_vnd"], api["refund_vnd"]) == (-200_000, 0, 200_000)
    assert api["receipt"] == receipt.number and api["instructions"] is None


def test_an_amendment_above_a_part_payment_asks_for_the_balance_and_settles_when_paid(
    enterprise,
):
    trip = submitted(enterprise, "8")  # 300,000
    transfer(trip, 200_000, "FT26334000002")
    amend(enterprise, trip, "30")  # now 800,000
    trip.refresh_from_db()
    assert trip.status == "submitted"
    api = fees_api(enterprise, trip)
    assert (api["total_vnd"], api["paid_vnd"], api["due_vnd"], api["balance_vnd"]) == (
        800_000,
        200_000,
        600_000,
        600_000,
    )
    # The VietQR asks for the balance, not the whole fee.
    assert vietqr.parse_payload(api["instructions"]["vietqr"]).amount == 600_000
    html = page_of(enterprise, trip)
    assert 'id="balance-due">VND 600,000<' in html and "vietqr" in html
    transfer(trip, 600_000, "FT26334000003")
    trip.refresh_from_db()
    assert trip.status == "paid"
    assert receipts.valid_receipt_of(trip).amount_vnd == 800_000
    assert services.balance_of(trip).balance_vnd == 0
    assert "Balance: settled" in " ".join(page_of(enterprise, trip).split())


def test_transaction_ids_are_kept_whole_or_refused_never_cut(enterprise):
    trip = submitted(enterprise, "30")
    stem = "FT" + "7" * 60  # two ids alike in their first 64 characters
    first = transfer(trip, 400_000, stem + "01")
    second = transfer(trip, 400_000, stem + "02")
    assert first.pk != second.pk and {first.external_id, second.external_id} == {
        stem + "01",
        stem + "02",
    }
    trip.refresh_from_db()
    assert trip.status == "paid"  # both halves counted
    with pytest.raises(FieldErrors) as too_long:
        transfer(trip, 400_000, "FT" + "9" * 200)
    assert "transaction_id" in too_long.value.errors


@pytest.mark.parametrize("amount", [0, -800_000, True, 2**63])
def test_amounts_of_zero_or_below_are_refused_for_every_provider(enterprise, operator, amount):
    trip = submitted(enterprise, "30")
    with pytest.raises(FieldErrors) as bank:
        transfer(trip, amount, "FT26334000009")
    assert "amount_vnd" in bank.value.errors
    with pytest.raises(FieldErrors) as cash:
        services.record_cash_payment(operator, trip, amount, "PT-1")
    assert "amount_vnd" in cash.value.errors
    assert not Payment.objects.exists()


def test_a_cash_slip_number_too_long_for_its_id_is_refused_not_cut(enterprise, operator):
    trip = submitted(enterprise, "30")
    with pytest.raises(FieldErrors) as exc:
        services.record_cash_payment(operator, trip, 800_000, "PT-" + "1" * 80)
    assert "slip_number" in exc.value.errors
    assert not Payment.objects.exists()


def test_cash_far_beyond_the_fees_is_a_typing_slip_refused(enterprise, operator):
    # An 800,000 VND fee: two slips of 2**63 - 1 made a refund no 64-bit column holds.
    trip = submitted(enterprise, "30")
    due = services.amount_due(trip)
    for amount in (max(10 * due, services.CASH_FLOOR_VND) + 1, 10**15, 2**63 - 1):
        with pytest.raises(FieldErrors) as exc:
            services.record_cash_payment(operator, trip, amount, "PT-9")
        assert "check the amount" in exc.value.errors["amount_vnd"][0]
    assert not Payment.objects.exists()
    # A few large notes for it are cash, the change a refund.
    services.record_cash_payment(operator, trip, 10_000_000, "PT-10")
    assert Payment.objects.get().amount_vnd == 10_000_000


@pytest.mark.parametrize("kind", ["cancelled", "refunded"])
def test_a_receipt_revoked_before_the_truck_arrives_makes_its_fees_due_again(
    enterprise, operator, mlt, kind
):
    from cuakhau.gate import services as gate

    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    receipts.revoke_receipt(receipt, operator, kind, "printed twice by mistake")
    trip.refresh_from_db()
    assert trip.status == "submitted"
    step = trip.transitions.order_by("-at", "-id").first()
    assert (step.action, step.from_status, step.to_status) == (
        "receipt_revoked",
        "paid",
        "submitted",
    )
    assert step.actor == operator and step.reason == "printed twice by mistake"
    # The money behind the revoked receipt goes back; the fee is due again, in full.
    balance = services.balance_of(trip)
    assert (balance.paid_vnd, balance.due_vnd, balance.refund_vnd) == (0, 800_000, 800_000)
    report = daily_report(mlt, timezone.localdate())
    open_kinds = [(d.kind, d.trip_reference) for d in report.open_discrepancies]
    assert (REFUND_DUE, trip.reference) in open_kinds
    assert (RECEIPT_STATE_MISMATCH, trip.reference) not in open_kinds
    check = gate.assess(trip.reference, mlt)
    assert [p.code for p in check.blocking] == ["unpaid"] and check.action is None
    # Paid again: a new receipt, the truck may come.
    transfer(trip, 800_000, "FT-AGAIN-1")
    trip.refresh_from_db()
    again = receipts.valid_receipt_of(trip)
    assert trip.status == "paid" and again is not None and again.pk != receipt.pk
    assert list(again.payments.values_list("external_id", flat=True)) == ["FT-AGAIN-1"]
    assert services.balance_of(trip).due_vnd == 0


@pytest.mark.parametrize(
    "nationality, language, kind_label",
    [("VN", "vi", "hoàn tiền"), ("CN", "zh-hans", "退款"), ("LA", "en", "refunded")],
)
def test_the_driver_is_told_of_a_revoked_receipt_in_their_language(
    enterprise, operator, nationality, language, kind_label
):
    phone = "+84 912 345 678" if nationality == "VN" else "+86 138 1234 5678"
    trip = trips.save_and_submit(
        enterprise, None, declaration(driver_nationality=nationality, driver_phone=phone)
    )
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    receipts.revoke_receipt(receipt, operator, "refunded", "paid from a stolen account")
    message = Message.objects.get(dedupe_key=f"receipts.revoked:{receipt.pk}")
    assert (message.template, message.language) == ("receipt_revoked", language)
    text = render(message.template, language, message.context).text
    for fact in (receipt.number, trip.reference, kind_label, "paid from a stolen account"):
        assert fact in text


@pytest.mark.parametrize(
    "nationality, language, gate_name",
    [("VN", "vi", "Ma Lù Thàng"), ("CN", "zh-hans", "马鹿塘"), ("LA", "en", "Ma Lu Thang")],
)
def test_the_driver_learns_the_fees_are_paid_in_their_language(
    enterprise, nationality, language, gate_name
):
    phone = "+84 912 345 678" if nationality == "VN" else "+86 138 1234 5678"
    trip = trips.save_and_submit(
        enterprise, None, declaration(driver_nationality=nationality, driver_phone=phone)
    )
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    message = Message.objects.get(dedupe_key=f"receipts.issued:{receipt.pk}")
    assert (message.template, message.language) == ("receipt_issued", language)
    text = render(message.template, language, message.context).text
    for fact in (receipt.number, trip.reference, receipt.tractor_plate, gate_name):
        assert fact in text, text
    # A second transfer for the paid trip is a refund due, not a second message.
    transfer(trip, 800_000, "FT-TWICE-1")
    assert Message.objects.filter(template="receipt_issued").count() == 1


def test_a_driver_no_channel_reaches_does_not_hold_back_the_receipt(enterprise):
    trip = submitted(enterprise, "30")
    Trip.objects.filter(pk=trip.pk).update(driver_phone="call the office")
    trip.refresh_from_db()
    services.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    assert trip.status == "paid" and receipts.valid_receipt_of(trip) is not None
    assert not Message.objects.filter(template="receipt_issued").exists()


def test_the_enterprises_people_with_an_address_are_emailed_a_revocation(
    enterprise, other_enterprise, operator
):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user, set_email, set_language

    set_email(enterprise, "ketoan@phongtho.com.vn")
    set_language(enterprise, "zh-hans")
    organisation = enterprise.profile.organisation
    create_user(
        "dn_phongtho_2", PASSWORD, roles.ENTERPRISE, organisation=organisation
    )  # no address
    gone = create_user("dn_phongtho_3", PASSWORD, roles.ENTERPRISE, organisation=organisation)
    set_email(gone, "nghiviec@phongtho.com.vn")
    gone.is_active = False  # left the company: its address is not written to
    gone.save(update_fields=["is_active"])
    set_email(other_enterprise, "ketoan@jinping.cn")  # another organisation: never told
    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    receipts.revoke_receipt(receipt, operator, "refunded", "paid from a stolen account")
    (message,) = Message.objects.filter(template="receipt_revoked", recipient_email__gt="")
    assert (message.recipient_email, message.language, message.channels) == (
        "ketoan@phongtho.com.vn",
        "zh-hans",
        ["email"],
    )
    text = render(message.template, "zh-hans", message.context).text
    assert receipt.number in text and "退款" in text


def test_a_driver_no_channel_reaches_does_not_hold_back_the_revocation(enterprise, operator):
    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    # A phone kept from before numbers were checked: the notifier refuses it.
    Trip.objects.filter(pk=trip.pk).update(driver_phone="call the office")
    receipts.revoke_receipt(receipt, operator, "cancelled", "printed twice by mistake")
    receipt.refresh_from_db()
    trip.refresh_from_db()
    assert receipt.status == "revoked" and trip.status == "submitted"
    assert not Message.objects.filter(dedupe_key=f"receipts.revoked:{receipt.pk}").exists()


def test_a_truck_inside_whose_receipt_was_revoked_pays_again_and_leaves(
    enterprise, operator, officers, mlt
):
    from cuakhau.gate import services as gate
    from cuakhau.inspections import services as inspections

    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    gate.check_in(operator, mlt, receipt.token)
    receipts.revoke_receipt(receipt, operator, "refunded", "paid from a stolen account")
    trip.refresh_from_db()
    assert trip.status == "arrived"  # inside: it stays, and cannot leave on the revoked one
    transfer(trip, 800_000, "FT-INSIDE-1")
    trip.refresh_from_db()
    again = receipts.valid_receipt_of(trip)
    assert trip.status == "arrived" and again is not None and again.pk != receipt.pk
    assert services.balance_of(trip).due_vnd == 0
    # The first payment goes back: a refund due beside a trip that is in order.
    report = daily_report(mlt, timezone.localdate())
    open_kinds = [(d.kind, d.receipt_number) for d in report.open_discrepancies]
    assert (REFUND_DUE, receipt.number) in open_kinds
    assert RECEIPT_STATE_MISMATCH not in [kind for kind, _number in open_kinds]
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    with pytest.raises(gate.GateRefused):
        gate.exit_truck(operator, mlt, receipt.token)  # not on the revoked receipt
    gate.exit_truck(operator, mlt, trip.reference)  # on the new one, found by the trip
    trip.refresh_from_db()
    again.refresh_from_db()
    assert trip.status == "exited" and again.used_at is not None


def test_a_valid_receipt_of_a_trip_that_will_not_cross_is_a_discrepancy(enterprise, mlt):
    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    # As if cancelled by a path that forgot the receipt (its own signal receiver bypassed).
    trip.status = "cancelled"
    trip.save(update_fields=["status"])
    report = daily_report(mlt, timezone.localdate())
    kinds = [(d.kind, d.trip_reference) for d in report.open_discrepancies]
    assert (RECEIPT_STATE_MISMATCH, trip.reference) in kinds


def test_exports_name_their_file_the_rfc_6266_way(operator, mlt, settings):
    from django.utils import translation

    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"  # the gate's name with diacritics
    with translation.override("vi"):
        label = mlt.name
    assert not label.isascii()
    for fmt in ("csv", "xlsx"):
        response = client.get(
            "/payments/reconciliation/",
            {"gate": "mlt", "format": fmt},
            HTTP_ACCEPT_LANGUAGE="vi",
        )
        assert response.status_code == 200
        header = response["Content-Disposition"]
        assert "=?utf-8?" not in header.lower()  # not RFC 2047
        # An ASCII fallback first, then the UTF-8 name (RFC 6266, section 4.3).
        assert header.startswith('attachment; filename="reconciliation-')
        fallback = header.split('filename="', 1)[1].split('"', 1)[0]
        assert fallback.isascii() and fallback.endswith(f".{fmt}")
        marker = "filename*=utf-8''"
        encoded = header[header.lower().index(marker) + len(marker) :]
        expected = f"reconciliation-{label}-{timezone.localdate().isoformat()}.{fmt}"
        assert unquote(encoded) == expected.replace(" ", "_")
        assert "\n" not in header and header.isascii()


def test_what_was_received_adds_up_the_payments_listed(enterprise):
    """A fee paid twice, then the trip cancelled: both payments are to be paid back, and the
    page's "received so far" is what the two listed payments add up to."""
    trip = submitted(enterprise, "30")  # 800,000
    transfer(trip, 800_000, "FT26334000011")
    assert transfer(trip, 800_000, "FT26334000012").flag == "already_paid"
    trips.cancel_trip(enterprise, trip, "Xe hỏng, không đi nữa")
    trip.refresh_from_db()
    balance = services.balance_of(trip)
    assert (balance.received_vnd, balance.refund_vnd) == (1_600_000, 1_600_000)
    assert fees_api(enterprise, trip)["received_vnd"] == 1_600_000
    assert "Received so far: VND 1,600,000." in page_of(enterprise, trip)


def test_paying_a_trip_by_bank_transfer_keeps_to_its_query_count(
    enterprise, mlt, django_assert_num_queries
):
    """The fee found; the payment written once (its duplicate asked first); the trip locked
    with its gate and company; whether it holds a valid receipt; the fee and what was paid;
    the receipt numbered (the gate's series under its lock), signed and written, its month
    marked for the statistics; the payments settled; the trip paid; the driver told (the
    message, looked up by its key, and its sending task); the payment read back; the bank's
    notification logged. With their savepoints. (The year's first receipt of a gate makes its
    series: the second is counted.)"""
    services.simulate_bank_transfer(submitted(enterprise, "30"))
    trip = submitted(enterprise, "30")
    with django_assert_num_queries(31):
        services.simulate_bank_transfer(trip)
    assert Trip.objects.get(pk=trip.pk).status == "paid"
