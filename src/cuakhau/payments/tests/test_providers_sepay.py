"""SePay webhooks: payloads shaped as developer.sepay.vn documents them, with its retries."""

import datetime as dt
import hashlib
import hmac
import json
import time
import zoneinfo

import pytest
from django.test import Client

from cuakhau.conftest import declaration
from cuakhau.payments import providers, services
from cuakhau.payments.models import NotificationLog, Payment
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/notifications/sepay"
ICT = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# developer.sepay.vn, "Integrate webhook": the documented payload.
DOCUMENTED = {
    "id": 92704,
    "gateway": "Vietcombank",
    "transactionDate": "2023-03-25 14:02:37",
    "accountNumber": "0123499999",
    "code": None,
    "content": "chuyen tien mua iphone",
    "transferType": "in",
    "transferAmount": 2277000,
    "accumulated": 19077000,
    "subAccount": None,
    "referenceCode": "MBVCB.3278907687",
    "description": "",
}


def submitted(user):
    return trips.save_and_submit(user, None, declaration())


def transfer(trip=None, **changes) -> dict:
    body = dict(DOCUMENTED)
    if trip is not None:
        # What a Vietcombank statement line looks like: the bank's prefix, the reference
        # upper-cased without its dash, the payer's words.
        body["content"] = f"MBVCB.3278907687.IBFT.{trip.reference.replace('-', '')} PHI HA TANG"
        body["transferAmount"] = services.amount_due(trip)
    body.update(changes)
    return body


def api_key() -> str:
    return providers.get_provider("sepay").api_key


def post(body, headers: dict | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    if headers is None:
        headers = {"Authorization": f"Apikey {api_key()}"}
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(URL, data=raw, content_type="application/json", **meta)


def test_an_incoming_transfer_with_the_api_key_pays_the_trip(enterprise, mlt):
    trip = submitted(enterprise)
    response = post(transfer(trip))
    assert response.status_code == 200, response.content
    # What SePay needs to stop retrying.
    assert response.json()["success"] is True
    assert response.json()["outcome"] == "accepted"
    payment = Payment.objects.get()
    assert (payment.provider, payment.external_id, payment.trip) == ("sepay", "92704", trip)
    assert payment.amount_vnd == services.amount_due(trip)
    assert payment.paid_at == dt.datetime(2023, 3, 25, 14, 2, 37, tzinfo=ICT)
    trip.refresh_from_db()
    assert trip.status == "paid"


@pytest.mark.parametrize(
    "authorization",
    ["Apikey not-the-key", "Bearer {key}", "{key}", "", "Apikey"],
)
def test_a_wrong_or_missing_api_key_is_refused_and_records_nothing(enterprise, mlt, authorization):
    trip = submitted(enterprise)
    headers = {"Authorization": authorization.format(key=api_key())} if authorization else {}
    response = post(transfer(trip), headers)
    assert response.status_code == 401
    assert response.json()["outcome"] == "bad_signature"
    assert Payment.objects.count() == 0
    assert NotificationLog.objects.get().outcome == "bad_signature"
    trip.refresh_from_db()
    assert trip.status == "submitted"


def test_sepays_seven_deliveries_make_one_payment_and_all_answer_success(enterprise, mlt):
    trip = submitted(enterprise)
    body = transfer(trip)
    answers = [post(body) for _ in range(7)]
    assert [(a.status_code, a.json()["success"]) for a in answers] == [(200, True)] * 7
    assert [a.json()["outcome"] for a in answers] == ["accepted"] + ["duplicate"] * 6
    assert Payment.objects.count() == 1 and trip.receipts.count() == 1
    assert NotificationLog.objects.filter(outcome="duplicate").count() == 6


def test_an_outgoing_transfer_is_acknowledged_and_ignored(enterprise, mlt):
    trip = submitted(enterprise)
    body = transfer(trip, id=92705, transferType="out")
    answers = [post(body) for _ in range(2)]
    assert all(a.status_code == 200 and a.json()["success"] is True for a in answers)
    assert all(a.json()["payment_id"] is None for a in answers)
    assert Payment.objects.count() == 0
    trip.refresh_from_db()
    assert trip.status == "submitted"


@pytest.mark.parametrize(
    "content",
    [
        "{compact}",
        "{lower}",
        "MBVCB.3278907687.IBFT.{compact}.CHUYEN TIEN",
        "IBFT{compact}",
        "PAY {compact}",  # a bank word right before it must not swallow its first letters
        "CT DEN:0451000123456 {spaced}",
        "thanh toán phí {reference}",
    ],
)
def test_the_reference_is_found_however_the_bank_mangled_the_content(enterprise, mlt, content):
    trip = submitted(enterprise)
    text = content.format(
        compact=trip.reference.replace("-", ""),
        lower=trip.reference.replace("-", "").lower(),
        spaced=trip.reference.replace("-", " "),
        reference=trip.reference,
    )
    response = post(transfer(trip, content=text))
    assert response.status_code == 200
    assert Payment.objects.get().trip == trip


@pytest.mark.parametrize("amount", [0, -2277000])
def test_zero_or_negative_amounts_are_refused(enterprise, mlt, amount):
    trip = submitted(enterprise)
    response = post(transfer(trip, transferAmount=amount))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "transferAmount"]]
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"id": "92704"}, ["body", "id"]),
        ({"id": None}, ["body", "id"]),
        ({"transferType": "sideways"}, ["body", "transferType"]),
        ({"transferAmount": 2277000.5}, ["body", "transferAmount"]),
        ({"transactionDate": "25/03/2023 14:02"}, ["body", "transactionDate"]),
        ({"content": ["not", "text"]}, ["body", "content"]),
    ],
)
def test_a_malformed_field_is_a_422_with_its_path(enterprise, mlt, change, loc):
    trip = submitted(enterprise)
    response = post(transfer(trip, **change))
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert Payment.objects.count() == 0
    assert NotificationLog.objects.get().outcome == "malformed"


def test_a_body_of_the_wrong_json_type_is_a_422(db):
    response = post(b"[92704]")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


def test_the_documented_transfer_has_no_trip_and_is_kept_for_reconciliation(db):
    # "chuyen tien mua iphone": money arrived, but for no trip.
    response = post(dict(DOCUMENTED))
    assert response.status_code == 200 and response.json()["flag"] == "unknown_trip"
    payment = Payment.objects.get()
    assert payment.trip is None and payment.amount_vnd == 2277000
    assert payment.description == "chuyen tien mua iphone"


# --- HMAC-SHA256 authentication, when chosen for the webhook ------------------------------

SECRET = "sepay-webhook-secret-of-this-gate"


@pytest.fixture
def sepay_hmac(settings):
    conf = dict(settings.CUAKHAU_PAYMENT_PROVIDERS)
    conf["sepay"] = {**conf["sepay"], "auth": "hmac", "hmac_secret": SECRET}
    settings.CUAKHAU_PAYMENT_PROVIDERS = conf
    providers._providers.cache_clear()
    yield
    providers._providers.cache_clear()


def hmac_headers(raw: bytes, *, timestamp: int | None = None, secret: str = SECRET) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return {"X-SePay-Timestamp": ts, "X-SePay-Signature": f"sha256={mac}"}


def test_an_hmac_signed_transfer_pays_the_trip(enterprise, mlt, sepay_hmac):
    trip = submitted(enterprise)
    raw = json.dumps(transfer(trip)).encode()
    response = post(raw, hmac_headers(raw))
    assert response.status_code == 200, response.content
    assert Payment.objects.get().trip == trip


@pytest.mark.parametrize(
    ("tamper", "outcome"),
    [
        ("secret", "bad_signature"),
        ("body", "bad_signature"),
        ("apikey-instead", "bad_signature"),
        ("stale", "stale"),
    ],
)
def test_a_bad_or_replayed_hmac_signature_is_refused(enterprise, mlt, sepay_hmac, tamper, outcome):
    trip = submitted(enterprise)
    raw = json.dumps(transfer(trip)).encode()
    headers = hmac_headers(raw)
    if tamper == "secret":
        headers = hmac_headers(raw, secret="not-the-secret")
    elif tamper == "body":
        raw = raw.replace(b'"transferAmount": ', b'"transferAmount": 1')
    elif tamper == "apikey-instead":
        headers = {"Authorization": f"Apikey {api_key()}"}
    else:
        headers = hmac_headers(raw, timestamp=int(time.time()) - 3600)
    response = post(raw, headers)
    assert response.status_code == 401
    assert response.json()["outcome"] == outcome
    assert Payment.objects.count() == 0
