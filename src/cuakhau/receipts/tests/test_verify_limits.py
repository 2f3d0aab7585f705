"""The verify page and API with codes no receipt can be: too long, forged, foreign."""

import base64
import json

import pytest
from django.test import Client

from cuakhau.conftest import declaration
from cuakhau.payments import services as payments
from cuakhau.receipts import services
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_code_longer_than_any_receipt_is_neither_verified_nor_echoed(operator, mlt):
    client = Client()
    client.force_login(operator)
    huge = "A" * 2_000_000
    response = client.post("/receipts/verify/", {"token": huge})
    assert response.status_code == 200
    assert len(response.content) < 50_000
    assert response.context["result"] is None
    assert "longer than any receipt" in response.content.decode()
    at_limit = "A" * services.MAX_TOKEN_CHARS
    response = client.post("/receipts/verify/", {"token": at_limit})
    assert response.context["result"] is not None  # read, and refused as not a receipt
    assert not response.context["result"].is_valid


def test_tampered_codes_never_verify_and_never_show_their_claims(enterprise, operator, mlt):
    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    receipt = services.valid_receipt_of(trip)
    head, body, signature = receipt.token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    forged = {
        "payload": f"{head}.{_b64({**claims, 'amt': 1})}.{signature}",
        "alg none": f"{_b64({**header, 'alg': 'none'})}.{body}.",
        "alg HS256": f"{_b64({**header, 'alg': 'HS256'})}.{body}.{signature}",
        "unknown kid": f"{_b64({**header, 'kid': 'nope'})}.{body}.{signature}",
        "non-ASCII": receipt.token + "é",
        "NUL": receipt.token[:-2] + "\x00A",
    }
    client = Client()
    client.force_login(operator)
    for name, token in forged.items():
        page = client.post("/receipts/verify/", {"token": token})
        assert page.status_code == 200, name
        assert not page.context["result"].is_valid, name
        assert page.context["result"].claims is None, name
        api = client.post(
            "/api/v1/receipts/verify", data={"token": token}, content_type="application/json"
        )
        if api.status_code == 200:
            assert (api.json()["valid"], api.json()["claims"]) == (False, None), name
        else:
            assert api.status_code == 422, name  # refused as text (a control character)
    page = client.post("/receipts/verify/", {"token": receipt.token})
    assert page.context["result"].is_valid


def test_a_gate_that_does_not_exist_is_refused_beside_the_gate(enterprise, operator, mlt):
    from cuakhau.accounts.services import issue_token

    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    token = services.valid_receipt_of(trip).token
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'tablet')[1]}")
    refused = api.post(
        "/api/v1/receipts/verify", {"token": token, "gate": "ZZZ"}, "application/json"
    )
    assert refused.status_code == 422
    (item,) = refused.json()["detail"]
    assert item["loc"] == ["body", "gate"] and "ZZZ is not a border gate" in item["msg"]
    # Nothing that could not be a code is looked up (PostgreSQL refuses a NUL in a query).
    for odd in ("\x00", "h" * 300, "hng; --"):
        nul = api.post("/api/v1/receipts/verify", {"token": token, "gate": odd}, "application/json")
        assert nul.status_code == 422, odd
    # The gate in capitals is the gate.
    checked = api.post(
        "/api/v1/receipts/verify", {"token": token, "gate": "MLT"}, "application/json"
    )
    assert checked.status_code == 200 and checked.json()["valid"] is True
    page = Client()
    page.force_login(operator)
    shown = page.post("/receipts/verify/", {"token": token, "gate": "zzz"})
    assert shown.context["result"] is None and "ZZZ is not a border gate" in shown.content.decode()


def test_a_code_claiming_a_number_that_is_no_text_is_refused_everywhere(enterprise, operator, mlt):
    from cuakhau.accounts.services import issue_token

    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    head, _body, signature = services.valid_receipt_of(trip).token.split(".")
    # The payload is the forger's to write: a number that is an object, a list, a whole
    # number, a lone surrogate or has a NUL was looked up as it was (a 500) or sliced (a 500).
    claims = {
        "object": {"a": 1},
        "list": [trip.reference],
        "whole number": 7,
        "surrogate": "\ud800",
        "NUL": "MLT-2026-00000\x001",
        "long": "MLT-2026-" + "0" * 200,
    }
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'tablet')[1]}")
    page = Client()
    page.force_login(operator)
    for name, rcp in claims.items():
        token = f"{head}.{_b64({'rcp': rcp})}.{signature}"
        verified = api.post("/api/v1/receipts/verify", {"token": token}, "application/json")
        assert verified.status_code == 200, name
        assert (verified.json()["valid"], verified.json()["receipt"]) == (False, None), name
        shown = page.post("/receipts/verify/", {"token": token})
        assert shown.status_code == 200 and not shown.context["result"].is_valid, name
        for action in ("lookup", "exit"):
            answer = api.post(f"/api/v1/gate/mlt/{action}", {"scan": token}, "application/json")
            assert answer.status_code in (200, 409), (name, action, answer.content)
            assert str(rcp) not in answer.content.decode(), (name, action)


def test_the_printed_number_of_any_gate_code_is_a_receipt_number():
    # A gate's code is a slug of up to eight (``Gate.could_be_code``): its receipts' numbers
    # typed from the paper were taken for a plate when the code had a digit or a hyphen.
    for code in ("hn1", "ls-2", "h", "kth_2"):
        printed = f"{code.upper()}-2026-000123"
        assert services.typed_number(f" {printed.lower()} ") == printed, code
    for other in ("HNG-2026-00012", "HNG-26-000123", "29C-12345", "HNG-2244YPI"):
        assert services.typed_number(other) is None, other
