"""The address a request came from is the connection's, or the one our own proxies vouch for:
never what a caller wrote in ``X-Forwarded-For``, and never a text that is no address (which
PostgreSQL's address columns refuse)."""

import json

import pytest
from django.test import Client, RequestFactory, override_settings

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, declaration
from cuakhau.core.context import client_address
from cuakhau.trips.models import TripTransition

BOOTH = "203.113.131.7"
PROXY = "10.20.0.5"


def address(remote="", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_a_proxy_the_connection_s_address_is_the_caller_s():
    assert address(BOOTH) == BOOTH
    assert address(BOOTH, "1.2.3.4") == BOOTH  # a caller's own header is never believed
    assert address("2001:DB8::1") == "2001:db8::1"
    assert address("") is None
    assert address("unix:/run/gunicorn.sock") is None


@override_settings(PROXY_HOPS=1)
def test_behind_one_proxy_the_entry_it_appended_is_the_caller_s():
    assert address(PROXY, BOOTH) == BOOTH
    # What the caller wrote comes first; the proxy appends the address it saw last.
    assert address(PROXY, f"1.2.3.4, {BOOTH}") == BOOTH
    assert address(PROXY, "not-an-address" + "x" * 300) is None
    assert address(PROXY, "１.２.３.４") is None  # full-width digits name no address
    assert address(PROXY) == PROXY  # reached directly, past the proxy


@override_settings(PROXY_HOPS=2)
def test_behind_two_proxies_the_outer_one_s_entry_is_the_caller_s():
    assert address(PROXY, f"6.6.6.6, {BOOTH}, 10.20.0.9") == BOOTH
    assert address(PROXY, BOOTH) == PROXY  # fewer hops than proxies: only the connection


def _declare(enterprise, **headers):
    _token, raw = issue_token(enterprise, "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **headers)
    body = json.loads(json.dumps(declaration(), default=str))
    return client.post("/api/v1/trips", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("hops", [0, 1])
def test_a_forged_header_is_recorded_as_no_address_and_never_fails_a_request(enterprise, mlt, hops):
    with override_settings(PROXY_HOPS=hops):
        made = _declare(enterprise, HTTP_X_FORWARDED_FOR="not-an-address\x7f" + "x" * 300)
    assert made.status_code == 201, made.content
    recorded = TripTransition.objects.get(trip__reference=made.json()["reference"])
    assert recorded.remote_addr == (None if hops else "127.0.0.1")


@pytest.mark.django_db
def test_a_forged_header_buys_a_password_guesser_no_fresh_attempts(enterprise):
    for n in range(5):
        guess = Client(REMOTE_ADDR=BOOTH, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        answer = guess.post("/login/", {"username": enterprise.username, "password": "sai"})
    assert answer.status_code == 429
    right = Client(REMOTE_ADDR=BOOTH, HTTP_X_FORWARDED_FOR="198.51.100.77")
    answer = right.post("/login/", {"username": enterprise.username, "password": PASSWORD})
    assert answer.status_code == 429
    elsewhere = Client(REMOTE_ADDR="203.113.140.22")
    answer = elsewhere.post("/login/", {"username": enterprise.username, "password": PASSWORD})
    assert answer.status_code == 302
