"""Idempotency-Key on the API's POSTs: replay, another body, another caller, one key at once."""

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.core.idempotency import HEADER, REPLAYED_HEADER
from cuakhau.core.models import IdempotencyKey
from cuakhau.payments.models import Payment
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip

KEY = "5f0c6f9e-6a43-4c39-9d6e-8d0f1f3f2b1a"


def client_of(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'phone')[1]}")


def body(**overrides) -> str:
    return json.dumps(declaration(cargo_lines=[cassava_line()], **overrides), default=str)


def declare(client, data, key=KEY, **extra):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post("/api/v1/trips", data, "application/json", **headers, **extra)


@pytest.mark.django_db
def test_the_same_key_and_body_replays_the_first_answer(enterprise, mlt):
    client = client_of(enterprise)
    data = body()
    first = declare(client, data)
    assert first.status_code == 201, first.content
    assert REPLAYED_HEADER not in first
    # Sent again, re-serialised with its keys in another order: the same request.
    again = declare(client, json.dumps(json.loads(data), sort_keys=True))
    assert again.status_code == 201
    assert again[REPLAYED_HEADER] == "true"
    assert again.json() == first.json()
    assert Trip.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_a_resent_post_creates_twice(enterprise, mlt):
    # What the key is for: the same request without one declares a second trip.
    client = client_of(enterprise)
    data = body()
    assert declare(client, data, key=None).status_code == 201
    assert declare(client, data, key=None).status_code == 201
    assert Trip.objects.count() == 2


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(enterprise, mlt):
    client = client_of(enterprise)
    assert declare(client, body()).status_code == 201
    other = declare(client, body(driver_name="Vàng A Chứ"))
    assert other.status_code == 422
    (item,) = other.json()["detail"]
    assert item["loc"] == ["header", HEADER]
    assert "already used for another request" in item["msg"]
    # Another endpoint with the same key is another request too.
    reference = Trip.objects.get().reference
    cancel = client.post(
        f"/api/v1/trips/{reference}/cancel",
        {"reason": "x"},
        "application/json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert cancel.status_code == 422
    assert Trip.objects.get().status == "draft"


@pytest.mark.django_db
def test_keys_belong_to_their_caller(enterprise, org_phong_tho, mlt):
    colleague = create_user("dn_phongtho2", PASSWORD, roles.ENTERPRISE, organisation=org_phong_tho)
    data = body()
    mine = declare(client_of(enterprise), data)
    theirs = declare(client_of(colleague), data)
    assert mine.status_code == theirs.status_code == 201
    assert REPLAYED_HEADER not in theirs
    assert mine.json()["reference"] != theirs.json()["reference"]
    assert Trip.objects.count() == 2
    assert IdempotencyKey.objects.filter(key=KEY).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "khóa-một", "tab\there"])
def test_a_malformed_key_is_a_422_for_the_header(enterprise, mlt, key):
    response = declare(client_of(enterprise), body(), key=key)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", HEADER]
    assert Trip.objects.count() == 0


@pytest.mark.django_db
def test_the_longest_key_is_accepted(enterprise, mlt):
    assert declare(client_of(enterprise), body(), key="k" * 255).status_code == 201


@pytest.mark.django_db
def test_a_key_expires_after_a_day(enterprise, mlt):
    client = client_of(enterprise)
    assert declare(client, body()).status_code == 201
    IdempotencyKey.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    again = declare(client, body(driver_name="Vàng A Chứ"))
    assert again.status_code == 201 and REPLAYED_HEADER not in again
    assert Trip.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_replayed_too(enterprise, mlt):
    # The first answer is the answer, also when it was a refusal of the request's content.
    client = client_of(enterprise)
    data = body(driver_name="")
    first = client.post(
        "/api/v1/trips?submit=true", data, "application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert first.status_code == 422
    again = client.post(
        "/api/v1/trips?submit=true", data, "application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert (again.status_code, again[REPLAYED_HEADER]) == (422, "true")
    assert again.json() == first.json()


@pytest.mark.django_db
def test_a_cash_payment_sent_twice_is_recorded_once(enterprise, mlt):
    trip = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    desk = create_user("motcua", PASSWORD, roles.DESK, gates=[mlt])
    client = client_of(desk)
    pay = {"amount_vnd": 500000, "slip_number": "PT-000731"}
    answers = [
        client.post(
            f"/api/v1/trips/{trip.reference}/cash-payments",
            pay,
            "application/json",
            HTTP_IDEMPOTENCY_KEY="cash-PT-000731",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_an_answer_that_failed_is_not_kept_and_nothing_was_written(enterprise, mlt, monkeypatch):
    """A server error (or a killed process) leaves neither the key nor the trip: sending the
    request again is safe and does the work once."""
    from cuakhau.trips import api as trips_api

    real_detail = trips_api.detail
    calls = []

    def broken_once(user, trip):
        calls.append(trip.reference)
        if len(calls) == 1:
            raise RuntimeError("the process died after the trip was written")
        return real_detail(user, trip)

    monkeypatch.setattr(trips_api, "detail", broken_once)
    client = client_of(enterprise)
    client.raise_request_exception = False
    assert declare(client, body()).status_code == 500
    assert Trip.objects.count() == 0 and IdempotencyKey.objects.count() == 0
    again = declare(client, body())
    assert again.status_code == 201 and REPLAYED_HEADER not in again
    assert Trip.objects.count() == 1


@pytest.mark.django_db
def test_a_deadlock_inside_a_keyed_request_runs_it_again(enterprise, mlt, monkeypatch):
    from cuakhau.core import retry
    from cuakhau.core.tests.test_retry import deadlock_once

    monkeypatch.setattr(retry, "backoff", lambda attempt: 0)
    deadlock_once(monkeypatch)
    response = declare(client_of(enterprise), body())
    assert response.status_code == 201
    assert Trip.objects.count() == 1


@pytest.mark.django_db
def test_the_header_is_documented_on_every_post(db):
    schema = Client().get("/api/v1/openapi.json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    keyed = {
        path
        for path, op in posts.items()
        if any(p["name"] == HEADER and p["in"] == "header" for p in op.get("parameters", []))
    }
    assert "/api/v1/trips" in keyed and "/api/v1/trips/{reference}/cash-payments" in keyed
    # Public ones too (the desk's online filing): their keys belong to the caller's address.
    assert keyed == set(posts)
    assert "/api/v1/desk/applications" in keyed


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once(enterprise, mlt):
    raw = issue_token(enterprise, "phone")[1]
    data = body()
    threads = 4
    start = threading.Barrier(threads)

    def send(_n):
        try:
            start.wait()
            client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
            response = declare(client, data)
            return response.status_code, response.get(REPLAYED_HEADER), response.json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(send, range(threads)))
    assert [status for status, _r, _b in answers] == [201] * threads
    assert sorted(str(replayed) for _s, replayed, _b in answers) == ["None"] + ["true"] * 3
    assert len({body["reference"] for _s, _r, body in answers}) == 1
    assert Trip.objects.count() == 1


def test_a_retryable_error_is_recognised():
    from cuakhau.core.retry import is_retryable

    assert not is_retryable(OperationalError("no such table: trips_trip"))
    assert is_retryable(OperationalError("database is locked"))
