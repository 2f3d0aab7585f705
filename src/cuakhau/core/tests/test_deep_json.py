"""JSON nested deeper than Python's reader goes is unreadable JSON, not a 500: a QR of 3,000
"[" at the verify page and the gate, a bank's notification or an API body sent with an
Idempotency-Key, a risk rule's parameters, a JSON field of the administration."""

import base64

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.core.jsontext import read_json

pytestmark = pytest.mark.django_db

DEEP = "[" * 3000 + "]" * 3000


def _segment(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_the_reader_says_too_deep_as_it_says_unreadable():
    import json

    with pytest.raises(json.JSONDecodeError):
        read_json(DEEP)
    with pytest.raises(ValueError):
        read_json(DEEP.encode())
    assert read_json("[[1]]") == [[1]]


@pytest.mark.parametrize("part", ["header", "payload"])
def test_a_receipt_token_nested_too_deep_is_refused_where_it_is_scanned(operator, mlt, part):
    header, payload = _segment('{"alg":"EdDSA","kid":"k"}'), _segment('{"rcp":"x"}')
    token = ".".join([_segment(DEEP)[:3900], payload, "c2ln"] if part == "header"
                     else [header, _segment(DEEP)[:3900], "c2ln"])  # fmt: skip
    web = Client(raise_request_exception=False)
    web.force_login(operator)
    assert web.post("/receipts/verify/", {"token": token, "gate": "mlt"}).status_code == 200
    _tok, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)
    verdict = api.post("/api/v1/receipts/verify", {"token": token}, content_type="application/json")
    assert verdict.status_code == 200 and verdict.json()["receipt"] is None
    for action in ("check-in", "exit"):
        answer = api.post(
            f"/api/v1/gate/mlt/{action}", {"scan": token}, content_type="application/json"
        )
        assert answer.status_code < 500, (action, answer.status_code)


def test_an_api_body_nested_too_deep_with_an_idempotency_key_is_a_400(enterprise, mlt):
    _tok, raw = issue_token(enterprise, "erp")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", raise_request_exception=False)
    answer = api.post(
        "/api/v1/trips", DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert answer.status_code == 400


def test_a_bank_notification_nested_too_deep_is_refused_and_logged(enterprise, mlt):
    from cuakhau.payments.models import NotificationLog
    from cuakhau.payments.tests.test_payments import post_webhook, signed_headers

    body = DEEP.encode()
    answer = post_webhook(body, signed_headers(body))
    assert answer.status_code == 422 and answer.json()["outcome"] == "malformed"
    assert NotificationLog.objects.get().outcome == "malformed"


def test_an_admin_json_field_nested_too_deep_is_an_error_beside_it(admin_user):
    """Every JSON box of the administration's forms (a bookings' quotas, a message's error
    texts, a file's pauses …), too deep or holding a number no JSON reader keeps."""
    from django.forms import JSONField

    from cuakhau.core.tests.test_admin_inputs import _admin_forms

    checked = []
    for model, form_class in _admin_forms(admin_user):
        boxes = [
            name for name, field in form_class.base_fields.items() if isinstance(field, JSONField)
        ]
        for text in boxes and (DEEP, "[1e400]"):
            errors = form_class(data=dict.fromkeys(boxes, text)).errors
            assert all(name in errors for name in boxes), (model, text[:20], errors)
        checked += [model] * bool(boxes)
    assert len(checked) >= 3, checked


def test_json_is_read_and_checked_as_deep_as_our_documents_go_and_no_deeper():
    from django.core.exceptions import ValidationError

    from cuakhau.core.inputs import json_as_stored
    from cuakhau.core.jsontext import MAX_DEPTH, depth_of

    deepest = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    assert depth_of(read_json(deepest)) == MAX_DEPTH
    json_as_stored(read_json(deepest))
    with pytest.raises(ValueError):
        read_json("[" + deepest + "]")
    with pytest.raises(ValidationError) as refused:
        json_as_stored([[[[0]]]] * 2 + [float("nan")])
    assert "NaN" in str(refused.value)
    too_deep = []
    for _level in range(MAX_DEPTH + 1):
        too_deep = [too_deep]
    with pytest.raises(ValidationError) as refused:
        json_as_stored(too_deep)
    assert str(MAX_DEPTH) in str(refused.value)
