"""A signed webhook that says something odd: a repeat that differs, a timestamp of no moment."""

import json
import time

import pytest

from cuakhau.conftest import cassava_line, declaration
from cuakhau.payments import providers
from cuakhau.payments.models import NotificationLog, Payment
from cuakhau.payments.tests.test_payments import (
    FEE,
    notification,
    post_webhook,
    signed_headers,
)
from cuakhau.receipts.models import Receipt
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def test_a_repeat_naming_another_amount_or_trip_keeps_the_first_and_says_so(enterprise, mlt):
    trip = trips.save_and_submit(enterprise, None, declaration())
    other = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    first = notification(trip.reference, FEE, "FT26327000777")
    assert post_webhook(first, signed_headers(first)).json()["outcome"] == "accepted"
    # The same body again is a plain retry: nothing to say.
    retry = post_webhook(first, signed_headers(first)).json()
    assert (retry["outcome"], retry["detail"]) == ("duplicate", "")
    # An authentic repeat of the transaction id for 5 đồng, for another trip: not a retry.
    changed = notification(other.reference, 5, "FT26327000777")
    answer = post_webhook(changed, signed_headers(changed)).json()
    assert answer["outcome"] == "duplicate"
    assert "amount 5 instead of 800,000" in answer["detail"]
    assert f"trip {other.reference} instead of {trip.reference}" in answer["detail"]
    log = NotificationLog.objects.filter(outcome="duplicate").order_by("-id").first()
    assert log.detail == answer["detail"]
    # The money stands as first recorded: one payment, one receipt, the other trip unpaid.
    payment = Payment.objects.get()
    assert (payment.amount_vnd, payment.trip_id) == (FEE, trip.pk)
    assert Receipt.objects.count() == 1
    other.refresh_from_db()
    assert other.status == "submitted"


@pytest.mark.parametrize("timestamp", ["9" * 400, "1" * 13, "²", "١٧٠٠٠٠٠٠٠٠"])
def test_a_signed_timestamp_that_is_no_moment_is_refused_not_a_server_error(
    enterprise, mlt, timestamp
):
    trip = trips.save_and_submit(enterprise, None, declaration())
    body = notification(trip.reference, FEE, "FT26327000888")
    response = post_webhook(body, signed_headers(body, timestamp=timestamp))
    assert response.status_code == 401, response.content
    assert response.json()["outcome"] in ("stale", "bad_signature")
    assert not Payment.objects.exists()


@pytest.mark.parametrize("signature", ["é", "\u00e9" * 64, "sha256=ü"])
def test_a_signature_that_is_no_ascii_text_is_refused_not_a_server_error(
    enterprise, mlt, signature
):
    trip = trips.save_and_submit(enterprise, None, declaration())
    body = notification(trip.reference, FEE, "FT26327000889")
    headers = {**signed_headers(body), "X-Cuakhau-Signature": signature}
    response = post_webhook(body, headers)
    assert response.status_code == 401, response.content
    assert response.json()["outcome"] == "bad_signature"
    assert not Payment.objects.exists()
    sepay = providers.SePay(
        "sepay_hmac",
        auth="hmac",
        hmac_secret="s3cret",
        bank_bin="970415",
        account="1",
        account_name="X",
    )
    timestamp = str(int(time.time()))
    with pytest.raises(providers.NotificationRefused) as refused:
        sepay.verify_notification(
            {"X-SePay-Timestamp": timestamp, "X-SePay-Signature": signature}, body
        )
    assert refused.value.outcome == "bad_signature"


def test_sepay_hmac_timestamps_are_read_the_same_way():
    sepay = providers.SePay(
        "sepay_hmac",
        auth="hmac",
        hmac_secret="s3cret",
        bank_bin="970415",
        account="1",
        account_name="X",
    )
    body = json.dumps({"id": 1}).encode()
    for timestamp in ("9" * 400, "²"):
        signature = providers.sign_body("s3cret", timestamp, body)
        with pytest.raises(providers.NotificationRefused) as refused:
            sepay.verify_notification(
                {"X-SePay-Timestamp": timestamp, "X-SePay-Signature": signature},
                body,
                now=time.time(),
            )
        assert refused.value.outcome in ("stale", "bad_signature")


def test_a_payment_in_another_currency_is_listed_in_it_and_left_out_of_the_vnd_total(
    enterprise, mlt
):
    from cuakhau.payments.tests.test_balance_and_integrity import page_of

    trip = trips.save_and_submit(enterprise, None, declaration())
    body = notification(trip.reference, 120, "FT26327000999", currency="USD")
    assert post_webhook(body, signed_headers(body)).json()["flag"] == "currency"
    body = notification(trip.reference, 300_000, "FT26327001000")
    assert post_webhook(body, signed_headers(body)).json()["flag"] == "underpaid"
    page = page_of(enterprise, trip)
    # Listed as dollars, not as 120 đồng; the VND received is the VND payments' sum.
    assert "USD 120" in page and "VND 120<" not in page and "VND 120 " not in page
    assert "Received so far: VND 300,000." in page
    assert 'id="balance-due">VND 500,000<' in page


def test_money_received_for_a_draft_pays_the_trip_when_it_is_submitted(enterprise, mlt):
    from cuakhau.payments import services
    from cuakhau.receipts.services import valid_receipt_of

    trip = trips.create_draft(enterprise, declaration())
    body = notification(trip.reference, FEE, "FT26327001100")
    assert post_webhook(body, signed_headers(body)).json()["flag"] == "not_submitted"
    trips.submit_trip(enterprise, trip)
    trip.refresh_from_db()
    # Not "settled" with no receipt (no way to pay, no way to cross): paid, one receipt.
    receipt = valid_receipt_of(trip)
    assert trip.status == "paid" and receipt is not None and receipt.amount_vnd == FEE
    payment = Payment.objects.get(external_id="FT26327001100")
    assert payment.receipt == receipt and payment.resolved_at is not None
    # A second transfer is money to pay back, never a second receipt.
    body = notification(trip.reference, FEE, "FT26327001101")
    assert post_webhook(body, signed_headers(body)).json()["flag"] == "already_paid"
    assert Receipt.objects.filter(trip=trip).count() == 1
    balance = services.balance_of(trip)
    assert (balance.paid_vnd, balance.refund_vnd, balance.received_vnd) == (FEE, FEE, 2 * FEE)


def test_a_part_paid_draft_owes_the_rest_after_submission(enterprise, mlt):
    from cuakhau.payments import services

    trip = trips.create_draft(enterprise, declaration())
    body = notification(trip.reference, 300_000, "FT26327001200")
    post_webhook(body, signed_headers(body))
    trips.submit_trip(enterprise, trip)
    trip.refresh_from_db()
    assert trip.status == "submitted"
    assert services.balance_of(trip).due_vnd == FEE - 300_000
    body = notification(trip.reference, FEE - 300_000, "FT26327001201")
    assert post_webhook(body, signed_headers(body)).json()["receipt"]
    first = Payment.objects.get(external_id="FT26327001200")
    assert first.receipt_id is not None and first.resolved_at is not None
