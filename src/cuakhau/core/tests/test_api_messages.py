"""The API's 422s in the caller's language: pydantic speaks only English, so each of its
refusals is said again from its type (``core.api_support._message``), with its figures."""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Literal

import pytest
from django.test import Client
from django.utils import translation
from pydantic import BaseModel, Field, FutureDatetime, PastDate
from pydantic import ValidationError as PydanticError

from cuakhau.accounts.services import issue_token, set_language
from cuakhau.core.api_support import _LENGTH_MESSAGES, _PYDANTIC_MESSAGES, validation_items

pytestmark = pytest.mark.django_db

# pydantic's English, which no message in vi or zh-hans may still carry.
PYDANTIC_ENGLISH = ("Input should", "Field required", "String should", "should have", "Value error")


def client_in(user, language: str) -> Client:
    set_language(user, language)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'messages')[1]}")


def refusals(client, method, path, body=None) -> dict:
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    return {tuple(item["loc"]): item for item in response.json()["detail"]}


@pytest.mark.parametrize(
    ("language", "required", "whole", "at_least", "characters", "choose"),
    [
        ("en", "This field is required.", "Enter a whole number.", "at least 1", "2000", "export"),
        ("vi", "Trường này là bắt buộc.", "số nguyên", "1", "2000", "export"),
        ("zh-hans", "这个字段是必填项。", "整数", "1", "2000", "export"),
    ],
)
def test_refusals_of_the_schema_are_in_the_callers_language(
    enterprise, operator, language, required, whole, at_least, characters, choose
):
    at_gate = client_in(operator, language)
    scans = refusals(at_gate, "post", "/api/v1/gate/mlt/check-in", {})
    assert scans[("body", "scan")]["msg"] == required
    assert scans[("body", "scan")]["type"] == "missing"  # the type stays pydantic's, for programs
    long_scan = refusals(at_gate, "post", "/api/v1/gate/mlt/check-in", {"scan": "Q" * 2001})
    assert characters in long_scan[("body", "scan")]["msg"]

    declarer = client_in(enterprise, language)
    pages = refusals(declarer, "get", "/api/v1/trips?page=abc&page_size=0&status=parked")
    assert whole in pages[("query", "page")]["msg"]
    assert at_least in pages[("query", "page_size")]["msg"]
    # The allowed values listed without pydantic's English "or".
    assert "submitted" in pages[("query", "status")]["msg"]
    assert " or " not in pages[("query", "status")]["msg"]
    trip = refusals(
        declarer,
        "post",
        "/api/v1/trips",
        {"direction": "sideways", "expected_arrival": "2026-13-40", "cargo_lines": "steel"},
    )
    assert choose in trip[("body", "direction")]["msg"]
    for item in (*scans.values(), *long_scan.values(), *pages.values(), *trip.values()):
        if language != "en":
            assert not any(english in item["msg"] for english in PYDANTIC_ENGLISH), item


def test_a_body_that_is_not_json_is_said_so_in_the_callers_language(operator):
    client = client_in(operator, "vi")
    response = client.post(
        "/api/v1/gate/mlt/check-in", "{scan: 51C-123.45", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Nội dung yêu cầu không phải JSON hợp lệ."}


class _EveryKind(BaseModel):
    text: str = Field(max_length=3)
    lines: list[int] = Field(max_length=2)
    moment: dt.datetime
    day: dt.date
    kind: Literal["import", "export"]
    value: Decimal = Field(max_digits=4, decimal_places=1)
    count: int = Field(ge=1)
    flag: bool
    rate: float = Field(lt=1)
    born: PastDate
    due: FutureDatetime


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_every_common_refusal_has_its_own_words(language):
    """The types pydantic gives for the usual slips all have a message of their own, in every
    language, with its figures filled in (a renamed type in a new pydantic fails here)."""
    bad = {
        "text": "abcd",
        "lines": [1, 2, 3],
        "moment": "yesterday",
        "day": "2026-02-30",
        "kind": "transit",
        "value": "12345.67",
        "count": 0,
        "flag": "perhaps",
        "rate": 1.5,
        "born": "2999-01-01",
        "due": "2000-01-01T00:00:00Z",
    }
    with pytest.raises(PydanticError) as refused:
        _EveryKind(**bad)
    errors = refused.value.errors(include_url=False)
    for error in errors:
        assert error["type"] in _PYDANTIC_MESSAGES or (error["type"], False) in _LENGTH_MESSAGES
        error.pop("input")
    with translation.override(language):
        items = validation_items(errors)
    assert len(items) == len(bad)
    for item in items:
        assert not any(english in item["msg"] for english in PYDANTIC_ENGLISH), item
        assert "%(" not in item["msg"], item
    by_field = {item["loc"][0]: item["msg"] for item in items}
    assert "3" in by_field["text"] and "2" in by_field["lines"] and "4" in by_field["value"]
    assert "import" in by_field["kind"] and "export" in by_field["kind"]


def test_a_type_without_words_of_its_own_keeps_pydantics_message():
    items = validation_items([{"loc": ("body", "x"), "msg": "Something new", "type": "brand_new"}])
    assert items == [{"loc": ["body", "x"], "msg": "Something new", "type": "brand_new"}]


@pytest.mark.parametrize(
    ("header", "english"),
    [
        ({}, "Sign in, or send an API token"),
        ({"HTTP_AUTHORIZATION": "Basic YWRtaW46YWRtaW4="}, "Send the API token as"),
        ({"HTTP_AUTHORIZATION": "Bearer ck_not-a-token"}, "unknown, expired or revoked"),
        ({"HTTP_AUTHORIZATION": "Bearer "}, "Send the API token as"),
    ],
)
def test_a_caller_not_signed_in_is_told_why_and_how(db, header, english):
    response = Client(**header).get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert english in response.json()["detail"]
    in_vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi", **header).get("/api/v1/trips")
    assert in_vietnamese.status_code == 401
    assert in_vietnamese.json()["detail"] != response.json()["detail"]
    assert (
        "Authorization" in in_vietnamese.json()["detail"]
        or "token" in in_vietnamese.json()["detail"]
    )


def test_a_404_never_carries_djangos_english(enterprise, auditor):
    from cuakhau.api import api
    from cuakhau.core.policy import api_operations

    english = ("matching query", "matches the given query", "Not Found")
    found_none = 0
    for user in (enterprise, auditor):
        client = client_in(user, "vi")
        for key, _operation in api_operations(api):
            method, path = key.split(" ", 1)
            if "{" not in path:
                continue
            url = "/api/v1" + re.sub(r"\{\w+\}", "9999", path)  # no record has this key
            response = getattr(client, method.lower())(url, content_type="application/json")
            if response.status_code == 404:
                found_none += 1
                detail = response.json()["detail"]
                assert not any(e in detail for e in english), (key, detail)
    assert found_none > 10  # the probe did reach records that do not exist
