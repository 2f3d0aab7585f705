"""What a person reads of a verification: the verdict, the gate and the reasons, in words of
their language, never a status code, a gate code or a program's error text."""

import base64
import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, cassava_line
from cuakhau.core.testing.languages import visible_text
from cuakhau.gate import services as gate
from cuakhau.receipts import services, signing
from cuakhau.receipts.tests.test_receipts import paid_trip

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def with_header(header: dict, payload: dict | None = None) -> str:
    claims = payload if payload is not None else {"rcp": "MLT-2026-999999"}
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(bytes(64))}"


# A header whose bytes are no UTF-8 text: the JSON reader's error quoted 'utf-8' codec...
NOT_UTF8 = f"{b64(bytes([0xB7]) * 60)}.e30.e30"
# A signed code of another kind: no "typ" (the reason said "the token type is None").
NO_TYPE = with_header({"alg": "EdDSA", "kid": "k"})
UNREADABLE = "this is not a receipt code: it could not be read"
NOT_OURS = "this code is not a receipt of this system"
# What the English reasons of ``signing`` and Python's errors put in front of a person.
TECHNICAL = ["codec", "None", "token type", "JWS", "base64", "JSON", "header", "payload", "kid"]


def officer_client(user, language: str = "en") -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def verdict(client, token: str, gate_code: str = "") -> str:
    page = client.post("/receipts/verify/", {"token": token, "gate": gate_code}).content.decode()
    section = re.search(r'<section class="card verdict.*?</section>', page, re.S)
    assert section, page
    return " ".join(visible_text(section.group(0)).split())


def test_the_verify_page_names_the_verdict_and_the_gate_in_words(enterprise, operator, mlt, hng):
    _trip, receipt = paid_trip(enterprise)
    officer = officer_client(operator)

    text = verdict(officer, receipt.token, "hng")
    assert text.startswith("✘ Issued for another gate")
    assert "wrong_gate" not in text
    assert "this receipt was issued for Ma Lu Thang, not for Huu Nghi" in text
    assert "Gate Ma Lu Thang" in text and not re.search(r"\b(mlt|hng)\b", text)

    assert verdict(officer, receipt.token, "mlt").startswith("✔ Valid")
    trip = receipt.trip
    trip.status = "cleared"
    trip.save(update_fields=["status"])
    services.use_at_exit(receipt.token, mlt, operator)
    text = verdict(officer, receipt.token, "mlt")
    assert text.startswith("✘ Already used") and "already_used" not in text

    # Every language names the gate as it does, and no status by its code.
    for language, gate_name in (("vi", "Ma Lù Thàng"), ("zh-hans", "马鹿塘口岸")):
        text = verdict(officer_client(operator, language), receipt.token, "hng")
        assert gate_name in text and "wrong_gate" not in text, text
        assert not re.search(r"\b(mlt|hng)\b", text), text


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (NOT_UTF8, UNREADABLE),
        ("!!!.###.$$$", UNREADABLE),
        ("not a receipt", UNREADABLE),
        (NO_TYPE, NOT_OURS),
        (with_header({"alg": "EdDSA", "kid": "k", "typ": signing.TYP}, {"trp": "x"}), None),
    ],
    ids=["not-utf-8", "not-base64", "one-part", "no-type", "no-number"],
)
def test_the_verify_page_says_why_a_code_is_no_receipt_in_a_sentence(operator, token, reason):
    text = verdict(officer_client(operator), token)
    assert text.startswith("✘ Not a receipt code"), text
    assert reason is None or reason in text
    assert not [word for word in TECHNICAL if word in text], text
    assert "malformed" not in text


def test_the_api_keeps_its_codes_and_gives_sentences(enterprise, operator, mlt, hng):
    _trip, receipt = paid_trip(enterprise)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'booth')[1]}")

    def verify(token, gate_code=None):
        body = {"token": token, "gate": gate_code}
        return api.post("/api/v1/receipts/verify", body, content_type="application/json").json()

    answer = verify(receipt.token, "hng")
    assert (answer["status"], answer["valid"], answer["receipt"]) == (
        "wrong_gate",
        False,
        receipt.number,
    )
    assert answer["reasons"] == ["this receipt was issued for Ma Lu Thang, not for Huu Nghi"]
    assert verify(receipt.token, "mlt")["reasons"] == [
        "the signature matches the gate authority's published key"
    ]
    # The checking gate may be given itself: named without reading it again (the receipt's row
    # is the one statement).
    with CaptureQueriesContext(connection) as read:
        result, _receipt = services.verify_receipt(receipt.token, hng)
    assert result.reasons == answer["reasons"] and len(read.captured_queries) == 1
    answer = verify(NOT_UTF8)
    assert (answer["status"], answer["reasons"]) == ("malformed", [UNREADABLE])
    answer = verify(NO_TYPE)
    assert (answer["status"], answer["reasons"]) == ("malformed", [NOT_OURS])


def test_every_status_has_a_label():
    from cuakhau.receipts.models import VerificationStatus

    statuses = {
        signing.VALID,
        signing.FORGED,
        signing.REVOKED,
        signing.ALREADY_USED,
        signing.WRONG_GATE,
        signing.MALFORMED,
        signing.UNKNOWN_KEY,
    }
    assert set(VerificationStatus.values) == statuses
    assert all(label != value for value, label in VerificationStatus.choices)


def test_every_reason_reads_as_a_sentence():
    reasons = [signing.Reason(code, "English", part="header") for code in signing.REASON_CODES]
    for reason in reasons:
        text = services.reason_text(reason, {})
        assert text and text != "English" and "this receipt could not be verified" not in text


def receipt_problem(check) -> str:
    (message,) = [p.message for p in check.problems if p.code.startswith("receipt_")]
    return message


def test_the_gate_console_says_why_a_receipt_is_refused_in_words(enterprise, mlt, hng):
    _trip, receipt = paid_trip(enterprise)
    number = receipt.number

    message = receipt_problem(gate.assess(receipt.token, hng))
    assert message == (
        f"Receipt {number} is not accepted: this receipt was issued for Ma Lu Thang, not for"
        " Huu Nghi"
    )
    with translation.override("vi"):
        message = receipt_problem(gate.assess(receipt.token, hng))
    assert number in message and "Ma Lù Thàng" in message and "Hữu Nghị" in message
    assert "wrong_gate" not in message and not re.search(r"\b(mlt|hng)\b", message)

    services.revoke_receipt(receipt, enterprise, "cancelled", "trip cancelled by the enterprise")
    message = receipt_problem(gate.assess(receipt.token, mlt))
    assert message.startswith(f"Receipt {number} is not accepted: this receipt has been revoked;")
    assert "trip cancelled by the enterprise" in message and "(revoked)" not in message


def test_the_gate_console_names_the_receipt_a_code_claims_and_never_quotes_the_code(
    enterprise, mlt, tmp_path
):
    _trip, receipt = paid_trip(enterprise)
    # Signed by a key nobody published: its number is still what the driver was told.
    other = signing.sign_claims(signing.KeyStore(tmp_path / "keys"), {"rcp": receipt.number}, "mlt")
    message = receipt_problem(gate.assess(other, mlt))
    assert message == (
        f"Receipt {receipt.number} is not accepted: this receipt was signed with a key the gate"
        " authority has not published: it cannot be trusted"
    )
    # No number to name: it is said to be no receipt, without quoting it.
    message = receipt_problem(gate.assess(NOT_UTF8, mlt))
    assert message == "This is not a receipt code: it could not be read"
    assert NOT_UTF8[:10] not in message


def test_the_signing_reasons_say_what_they_are_about(tmp_path):
    store = signing.KeyStore(tmp_path / "keys")
    token = signing.sign_claims(store, {"rcp": "HN1-2025-000123", "gte": "HN1"}, "HN1")
    (reason,) = signing.verify(token, store.jwks(), expected_gate="LS2").reasons
    assert reason == "receipt HN1-2025-000123 was issued for gate HN1, not gate LS2"
    assert (reason.code, reason.params) == (
        signing.WRONG_GATE_REASON,
        {"number": "HN1-2025-000123", "gate": "HN1", "expected": "LS2"},
    )
    (reason,) = signing.verify(NOT_UTF8, store.jwks()).reasons
    assert (reason.code, reason.params) == (signing.NOT_JSON, {"part": "header"})
    (reason,) = signing.verify(NO_TYPE, store.jwks()).reasons
    assert (reason.code, reason.params) == (signing.NOT_RECEIPT_TYPE, {"typ": None})


def test_the_offline_page_reads_its_data_in_two_statements_and_names_the_fee_items(
    enterprise, mlt, operator
):
    _trip, kept = paid_trip(enterprise)
    _trip, revoked = paid_trip(enterprise, cargo_lines=[cassava_line()])
    services.revoke_receipt(revoked, enterprise, "cancelled", "not going")
    kept.trip.status = "cleared"
    kept.trip.save(update_fields=["status"])
    services.use_at_exit(kept.token, mlt, operator)

    with CaptureQueriesContext(connection) as read:
        bundle = services.offline_bundle()
        fees = services.fee_item_labels()
    assert len(read.captured_queries) == 2
    assert bundle["revoked_receipts"] == services.revocation_list()["revoked_receipts"]
    assert bundle["revoked_receipts"] == [revoked.number]
    used = services.used_receipts()
    assert (bundle["used_receipt_runs"], bundle["used_receipts"]) == (used.runs(), used.others())
    assert kept.number in used

    # The receipt's item "d" at 800.000 ₫ is one rate of the two its code stands for.
    (code, amount) = services.claims_of(kept)["itm"][0]
    rates = [rate for rate in fees["gates"]["mlt"] if rate[0] == code]
    assert len({rate[3] for rate in rates}) > 1
    (named,) = [rate for rate in rates if rate[2] == amount]
    item = kept.items[0]
    assert fees["labels"][named[3]] == [item["label_vi"], item["label_en"], item["label_zh"]]
