"""payOS and SePay both watching the gate's collection account: one transfer, reported twice.

Each reports the same credit under its own id (payOS: the bank's reference; SePay: its own
number, the bank's reference beside it as ``referenceCode``). It is one payment, whichever
report comes first; a second transfer of the same amount from the same payer is another.
"""

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import declaration
from cuakhau.payments import providers, services
from cuakhau.payments.models import NotificationLog, Payment
from cuakhau.payments.reconciliation import daily_report, to_csv
from cuakhau.payments.tests import test_providers_payos as payos
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

ACCOUNT = "113000068688"  # the collection account both providers watch (settings)


def _booked(minutes_ago: int) -> str:
    moment = timezone.localtime(timezone.now() - dt.timedelta(minutes=minutes_ago), payos.ICT)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def payos_report(trip, amount: int, bank_reference: str, booked: str) -> dict:
    # payos.vn's webhook for a transfer to the account its payment channel is linked to.
    return payos.webhook(
        orderCode=2511230915,
        amount=amount,
        description=f"CSB8TLQ2XF {trip.reference.replace('-', '')} PHI HA TANG",
        accountNumber=ACCOUNT,
        reference=bank_reference,
        transactionDateTime=booked,
        paymentLinkId="8c2c6f4f0f9b4a5c9d6e1f2a3b4c5d6e",
        counterAccountBankId="970436",
        counterAccountBankName="Vietcombank",
        counterAccountName="CONG TY TNHH NONG SAN PHONG THO",
        counterAccountNumber="0451000123456",
    )


def sepay_report(trip, amount: int, bank_reference: str, booked: str, sepay_id: int) -> dict:
    # developer.sepay.vn's webhook for the same credit: SePay's own id, the bank's reference
    # as ``referenceCode``, the statement line as the bank wrote it.
    compact = trip.reference.replace("-", "")
    return {
        "id": sepay_id,
        "gateway": "VietinBank",
        "transactionDate": booked,
        "accountNumber": ACCOUNT,
        "code": None,
        "content": f"CSB8TLQ2XF {compact} PHI HA TANG",
        "transferType": "in",
        "transferAmount": amount,
        "accumulated": 912_400_000,
        "subAccount": None,
        "referenceCode": bank_reference,
        "description": f"BankAPINotify CSB8TLQ2XF {compact} PHI HA TANG",
    }


def post(provider: str, body: dict):
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = {}
    if provider == "sepay":
        headers["HTTP_AUTHORIZATION"] = f"Apikey {providers.get_provider('sepay').api_key}"
    return Client().post(
        f"/api/v1/payments/notifications/{provider}",
        data=raw,
        content_type="application/json",
        **headers,
    )


def submitted(user):
    return trips.save_and_submit(user, None, declaration())


def _reports(trip, fee, bank_reference="FT25335201144221", sepay_id=92704, minutes_ago=3):
    booked = _booked(minutes_ago)
    return {
        "payos": payos_report(trip, fee, bank_reference, booked),
        "sepay": sepay_report(trip, fee, bank_reference, booked, sepay_id),
    }


def _adds_up(trip):
    report = daily_report(trip.gate, timezone.localdate(timezone.now()))
    assert report.balance.is_balanced, report.balance
    return report


@pytest.mark.parametrize("order", [("payos", "sepay"), ("sepay", "payos")])
def test_one_transfer_reported_by_both_providers_is_one_payment(enterprise, mlt, order):
    trip = submitted(enterprise)
    fee = services.amount_due(trip)
    reports = _reports(trip, fee)
    first, second = (post(provider, reports[provider]) for provider in order)
    assert first.json()["outcome"] == "accepted"
    assert second.status_code == 200
    assert second.json()["success"] is True  # SePay stops retrying
    assert second.json()["outcome"] == "duplicate"
    assert second.json()["payment_id"] == first.json()["payment_id"]
    assert second.json()["flag"] == ""

    payment = Payment.objects.get()
    assert payment.provider == order[0] and payment.flag == ""
    assert payment.bank_reference == "FT25335201144221"
    log = NotificationLog.objects.get(provider=order[1])
    assert log.outcome == "duplicate" and log.payment == payment
    # The duplicate report says which payment it is, and from whom it first came.
    assert str(payment.pk) in log.detail and "FT25335201144221" in log.detail

    balance = services.balance_of(trip)
    assert (balance.paid_vnd, balance.due_vnd, balance.refund_vnd) == (fee, 0, 0)
    report = _adds_up(trip)
    assert report.balance.received_vnd == fee
    assert report.open_discrepancies == []
    assert report.counts.payments == 1 and report.counts.notifications_duplicate == 1
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    assert not any("already paid" in " ".join(row) for row in rows)


def test_each_provider_repeating_itself_still_makes_one_payment(enterprise, mlt):
    trip = submitted(enterprise)
    reports = _reports(trip, services.amount_due(trip))
    answers = [post(p, reports[p]) for p in ("sepay", "payos", "sepay", "payos", "sepay")]
    assert [a.json()["outcome"] for a in answers] == ["accepted"] + ["duplicate"] * 4
    assert Payment.objects.count() == 1 and trip.receipts.count() == 1


def test_two_transfers_of_the_same_amount_from_the_same_payer_stay_two(enterprise, mlt):
    # The payer pays twice by mistake: two credits, two bank references. The second is owed
    # back, whichever provider reports which.
    trip = submitted(enterprise)
    fee = services.amount_due(trip)
    one = _reports(trip, fee, "FT25335201144221", 92704, minutes_ago=9)
    two = _reports(trip, fee, "FT25335201150977", 92731, minutes_ago=2)
    outcomes = [
        post("payos", one["payos"]),
        post("sepay", two["sepay"]),
        post("sepay", one["sepay"]),
        post("payos", two["payos"]),
    ]
    assert [a.json()["outcome"] for a in outcomes] == [
        "accepted",
        "accepted",
        "duplicate",
        "duplicate",
    ]
    first, second = Payment.objects.order_by("pk")
    assert (first.bank_reference, second.bank_reference) == (
        "FT25335201144221",
        "FT25335201150977",
    )
    assert (first.flag, second.flag) == ("", "already_paid")
    balance = services.balance_of(trip)
    assert (balance.paid_vnd, balance.refund_vnd, balance.received_vnd) == (fee, fee, 2 * fee)
    report = _adds_up(trip)
    assert report.balance.received_vnd == 2 * fee
    assert [d.amount_vnd for d in report.open_discrepancies] == [fee]


def test_the_same_bank_reference_on_another_account_is_another_transfer(enterprise, mlt):
    # A bank reference is the bank's, for one account: the authority's other account (another
    # payOS channel) may by chance carry the same string.
    trip = submitted(enterprise)
    fee = services.amount_due(trip)
    reports = _reports(trip, fee // 2)
    reports["sepay"]["accountNumber"] = "0451000999999"
    assert post("payos", reports["payos"]).json()["outcome"] == "accepted"
    assert post("sepay", reports["sepay"]).json()["outcome"] == "accepted"
    assert Payment.objects.count() == 2


def test_a_sepay_report_without_the_banks_reference_is_recorded_on_its_own_id(enterprise, mlt):
    # Not every bank gives SePay a reference: nothing to match on, the payment still counts.
    trip = submitted(enterprise)
    reports = _reports(trip, services.amount_due(trip))
    reports["sepay"]["referenceCode"] = None
    assert post("sepay", reports["sepay"]).json()["outcome"] == "accepted"
    payment = Payment.objects.get()
    assert (payment.external_id, payment.bank_reference) == ("92704", "")
    trip.refresh_from_db()
    assert trip.status == "paid"
