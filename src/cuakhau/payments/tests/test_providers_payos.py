"""payOS webhooks: payloads shaped as payos.vn documents them, signatures computed here."""

import datetime as dt
import hashlib
import hmac
import json
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import declaration
from cuakhau.payments import providers, services
from cuakhau.payments.models import NotificationLog, Payment
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/notifications/payos"
ICT = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# payos.vn/docs/du-lieu-tra-ve/webhook: the documented request sample (also what payOS sends
# when the webhook URL is confirmed).
DOCUMENTED = {
    "code": "00",
    "desc": "success",
    "success": True,
    "data": {
        "orderCode": 123,
        "amount": 3000,
        "description": "VQRIO123",
        "accountNumber": "12345678",
        "reference": "TF230204212323",
        "transactionDateTime": "2023-02-04 18:25:00",
        "currency": "VND",
        "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
        "code": "00",
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": "",
        "counterAccountNumber": "",
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    },
    "signature": "8d8640d802576397a1ce45ebda7f835055768ac7ad2e0bfb77f9b8f12cca4c7f",
}


def checksum_key() -> str:
    return providers.get_provider("payos").checksum_key


def sign(data: dict, key: str) -> str:
    # Written from payOS's description, independently of the adapter: keys sorted,
    # key=value joined by "&", null as "" (every value below is a string or an integer).
    query = "&".join(f"{k}={'' if data[k] is None else data[k]}" for k in sorted(data))
    return hmac.new(key.encode(), query.encode(), hashlib.sha256).hexdigest()


def webhook(key: str | None = None, **data_changes) -> dict:
    body = json.loads(json.dumps(DOCUMENTED))
    body["data"].update(data_changes)
    body["signature"] = sign(body["data"], key or checksum_key())
    return body


def payment_for(trip, amount: int, reference: str = "FT25335201144221", **changes) -> dict:
    """A transfer paid through a payOS payment link whose description carries the trip."""
    booked = timezone.localtime(timezone.now() - dt.timedelta(minutes=3), ICT)
    return webhook(
        orderCode=2511230915,
        amount=amount,
        # payOS prefixes its own code; the bank upper-cases and drops the dash.
        description=f"CSB8TLQ2XF {trip.reference.replace('-', '')} PHI HA TANG",
        accountNumber="113000068688",
        reference=reference,
        transactionDateTime=booked.strftime("%Y-%m-%d %H:%M:%S"),
        paymentLinkId="8c2c6f4f0f9b4a5c9d6e1f2a3b4c5d6e",
        counterAccountBankId="970436",
        counterAccountBankName="Vietcombank",
        counterAccountName="CONG TY TNHH NONG SAN PHONG THO",
        counterAccountNumber="0451000123456",
        **changes,
    )


def post(body) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return Client().post(URL, data=raw, content_type="application/json")


def submitted(user):
    return trips.save_and_submit(user, None, declaration())


# --- The signature, as payOS's own SDK computes it ----------------------------------------
# Test vectors published with payOSHQ/payos-lib-node (tests/crypto/testCases.json, key
# "test_checksum_key", type "body": what createSignatureFromObj must give).

SDK_KEY = "test_checksum_key"
SDK_WEBHOOK = {
    "accountNumber": "0123456789",
    "amount": 20000,
    "description": "thanh toan",
    "reference": "FT-REFERENCE",
    "transactionDateTime": "2025-12-12 09:00:00",
    "virtualAccountNumber": "",
    "counterAccountBankId": "01202001",
    "counterAccountBankName": "",
    "counterAccountName": "NGUYEN VAN A",
    "counterAccountNumber": "9876543210",
    "virtualAccountName": "",
    "currency": "VND",
    "orderCode": 0,
    "paymentLinkId": "payment-link-id",
    "code": "00",
    "desc": "success",
}
SDK_PAID_LINK = {
    "id": "payment-link-id",
    "orderCode": 0,
    "amount": 2000,
    "amountPaid": 2000,
    "amountRemaining": 0,
    "status": "PAID",
    "createdAt": "2025-12-12T09:00:00+07:00",
    "transactions": [
        {
            "accountNumber": "0123456789",
            "amount": 2000,
            "counterAccountBankId": "01202001",
            "counterAccountBankName": None,
            "counterAccountName": "NGUYEN VAN A",
            "counterAccountNumber": "9876543210",
            "description": "TRANSACTION DESCRIPTION",
            "reference": "FT-REFERENCE",
            "transactionDateTime": "2025-12-12T09:00:00+07:00",
            "virtualAccountName": None,
            "virtualAccountNumber": None,
        }
    ],
    "canceledAt": None,
    "cancellationReason": None,
}
SDK_PENDING_LINK = {
    "id": "payment-link-id",
    "orderCode": 0,
    "amount": 2000,
    "amountPaid": 0,
    "amountRemaining": 2000,
    "status": "PENDING",
    "createdAt": "2025-12-12T09:00:00+07:00",
    "transactions": [],
    "canceledAt": None,
    "cancellationReason": None,
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SDK_WEBHOOK, "302b3becca1672dff99daafae2965f40e48ea3ca39453e4bf37fbcc26807a0e8"),
        (SDK_PAID_LINK, "6af5e2c9a28256c140169ed624114b43295915d7b6e2fa6278b17a7c43aadefd"),
        (SDK_PENDING_LINK, "33093364158b143baa9ecd2e705d9a2a5a5d391a3cab7cb0a371588b3731368f"),
    ],
    ids=["webhook", "nested-transactions-with-nulls", "empty-list"],
)
def test_the_signature_is_the_payos_sdks_own(data, expected):
    assert providers.payos_signature(data, SDK_KEY) == expected


def test_values_are_written_as_javascript_writes_them():
    # Key order, nulls, "null"/"undefined" strings, booleans and numbers, as String(value).
    data = {"b": 2000.0, "a": None, "c": True, "d": "null", "e": "undefined", "f": 1e-7, "g": 0.5}
    query = "a=&b=2000&c=true&d=&e=&f=1e-7&g=0.5"
    expected = hmac.new(b"k", query.encode(), hashlib.sha256).hexdigest()
    assert providers.payos_signature(data, "k") == expected


# --- The webhook ---------------------------------------------------------------------------


def test_a_signed_payos_webhook_pays_the_trip(enterprise, mlt):
    trip = submitted(enterprise)
    due = services.amount_due(trip)
    body = payment_for(trip, due)
    response = post(body)
    assert response.status_code == 200, response.content
    assert response.json()["success"] is True
    assert response.json()["outcome"] == "accepted"
    payment = Payment.objects.get()
    assert (payment.provider, payment.external_id, payment.amount_vnd) == (
        "payos",
        "FT25335201144221",
        due,
    )
    assert payment.trip == trip and payment.payer_name == "CONG TY TNHH NONG SAN PHONG THO"
    booked = dt.datetime.strptime(body["data"]["transactionDateTime"], "%Y-%m-%d %H:%M:%S")
    assert payment.paid_at == booked.replace(tzinfo=ICT)
    trip.refresh_from_db()
    assert trip.status == "paid"
    assert response.json()["receipt"] == valid_receipt_of(trip).number


@pytest.mark.parametrize(
    "tamper", ["other-key", "amount-changed", "no-signature", "upper", "non-ASCII"]
)
def test_a_wrong_signature_is_refused_and_records_nothing(enterprise, mlt, tamper):
    trip = submitted(enterprise)
    body = payment_for(trip, services.amount_due(trip))
    if tamper == "other-key":
        body = payment_for(trip, services.amount_due(trip))
        body["signature"] = sign(body["data"], "not-the-checksum-key")
    elif tamper == "amount-changed":
        body["data"]["amount"] = 10_000_000
    elif tamper == "no-signature":
        del body["signature"]
    elif tamper == "non-ASCII":
        # The body is the sender's to write: "é" was compared as text, a TypeError, a 500.
        body["signature"] = "é" + body["signature"][1:]
    else:
        body["data"]["description"] = body["data"]["description"].lower()
    response = post(body)
    assert response.status_code == 401
    assert response.json()["outcome"] == "bad_signature"
    assert isinstance(response.json()["detail"], str)
    assert Payment.objects.count() == 0
    assert NotificationLog.objects.get().outcome == "bad_signature"
    trip.refresh_from_db()
    assert trip.status == "submitted"


def test_payos_retries_make_one_payment(enterprise, mlt):
    trip = submitted(enterprise)
    body = payment_for(trip, services.amount_due(trip))
    answers = [post(body) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 7
    assert [a.json()["outcome"] for a in answers] == ["accepted"] + ["duplicate"] * 6
    assert len({a.json()["payment_id"] for a in answers}) == 1
    assert Payment.objects.count() == 1 and trip.receipts.count() == 1


def test_two_transfers_to_one_payment_link_are_two_payments(enterprise, mlt):
    # Same orderCode and paymentLinkId, two bank references: a part payment and its top-up.
    trip = submitted(enterprise)
    due = services.amount_due(trip)
    first = post(payment_for(trip, due - 300_000, reference="FT25335201144221"))
    second = post(payment_for(trip, 300_000, reference="FT25335201150077"))
    assert [first.json()["outcome"], second.json()["outcome"]] == ["accepted", "accepted"]
    assert first.json()["flag"] == "underpaid"
    assert Payment.objects.count() == 2
    trip.refresh_from_db()
    assert trip.status == "paid"


def test_the_webhook_confirmation_call_is_answered_and_records_nothing(enterprise, mlt):
    # payOS's "confirm webhook" posts its documented sample, signed with the channel's key.
    response = post(webhook())
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert response.json()["payment_id"] is None
    assert Payment.objects.count() == 0
    log = NotificationLog.objects.get()
    assert log.outcome == "accepted" and "test" in log.detail


def test_a_payos_report_of_no_payment_is_acknowledged_and_ignored(enterprise, mlt):
    trip = submitted(enterprise)
    body = payment_for(trip, services.amount_due(trip), code="01", desc="Giao dịch thất bại")
    response = post(body)
    assert response.status_code == 200 and response.json()["payment_id"] is None
    assert Payment.objects.count() == 0


@pytest.mark.parametrize("amount", [0, -800_000])
def test_zero_or_negative_amounts_are_refused(enterprise, mlt, amount):
    trip = submitted(enterprise)
    response = post(payment_for(trip, amount))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "data", "amount"]]
    assert Payment.objects.count() == 0
    assert NotificationLog.objects.get().outcome == "malformed"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"amount": "800000"}, ["body", "data", "amount"]),
        ({"amount": 800000.5}, ["body", "data", "amount"]),
        ({"reference": ""}, ["body", "data", "reference"]),
        ({"reference": "FT" + "9" * 70}, ["body", "data", "reference"]),
        ({"transactionDateTime": "2023-02-30 18:25:00"}, ["body", "data", "transactionDateTime"]),
        ({"transactionDateTime": "1999-12-31 23:59:59"}, ["body", "data", "transactionDateTime"]),
        ({"currency": "USD"}, ["body", "data", "currency"]),
    ],
)
def test_a_malformed_data_field_is_a_422_with_its_path(enterprise, mlt, change, loc):
    trip = submitted(enterprise)
    body = payment_for(trip, services.amount_due(trip))
    body["data"].update(change)
    body["signature"] = providers.payos_signature(body["data"], checksum_key())
    response = post(body)
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (b"{not json", ["body"]),
        (b"[1, 2]", ["body"]),
        (b'{"data": [], "signature": "00"}', ["body", "data"]),
        (b'{"data": {"amount": NaN}, "signature": "00"}', ["body"]),
    ],
)
def test_a_body_that_is_not_a_payos_webhook_is_a_422(raw, loc, db):
    response = post(raw)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert NotificationLog.objects.get().outcome == "malformed"


def test_a_transfer_without_a_known_reference_is_kept_for_reconciliation(enterprise, mlt):
    trip = submitted(enterprise)
    body = payment_for(trip, services.amount_due(trip))
    body["data"]["description"] = "CSB8TLQ2XF CHUYEN TIEN PHI"
    body["signature"] = sign(body["data"], checksum_key())
    response = post(body)
    assert response.status_code == 200 and response.json()["flag"] == "unknown_trip"
    payment = Payment.objects.get()
    assert payment.trip is None and payment.flag == "unknown_trip"
    trip.refresh_from_db()
    assert trip.status == "submitted"
