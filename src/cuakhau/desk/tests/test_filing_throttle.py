"""Online filing is open to anyone: one address files a bounded number an hour (HTTP 429 on the
page and in the API), the desk's own counter filings never count, and another address is not
held back by the first."""

import pytest
from django.test import Client

from cuakhau.conftest import PASSWORD
from cuakhau.desk.models import Application

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.DESK_FILING_LIMIT = LIMIT
    settings.DESK_FILING_WINDOW_SECONDS = 3600


def _page_filing(client, catalogue, **data):
    return client.post("/desk/apply/", {**applicant_data(catalogue, **data), "documents": [pdf()]})


def _api_filing(client, catalogue):
    return client.post(
        "/api/v1/desk/applications", {**applicant_data(catalogue), "documents": [pdf()]}
    )


def _one_past_the_limit(filing, caller, catalogue, accepted: int):
    """``LIMIT`` filings from one address (each answered ``accepted``), then the refused one."""
    for _ in range(LIMIT):
        assert filing(caller, catalogue).status_code == accepted
    refused = filing(caller, catalogue)
    assert refused.status_code == 429
    # The first filing counted leaves the hour's window in a little under an hour.
    assert 3500 < int(refused["Retry-After"]) <= 3600
    return refused


def test_one_address_files_a_bounded_number_an_hour_on_the_page(catalogue):
    cafe = Client(REMOTE_ADDR="203.113.131.7")
    refused = _one_past_the_limit(_page_filing, cafe, catalogue, 302)
    assert "Too many applications filed from this address" in refused.content.decode()
    assert Application.objects.count() == LIMIT  # nothing stored, no document kept
    # Another address is not held back by the first.
    assert _page_filing(Client(REMOTE_ADDR="14.160.24.9"), catalogue).status_code == 302


def test_the_api_answers_429_in_its_error_shape(catalogue):
    caller = Client(REMOTE_ADDR="203.113.131.7")
    refused = _one_past_the_limit(_api_filing, caller, catalogue, 201)
    assert "Too many applications" in refused.json()["detail"]
    assert Application.objects.count() == LIMIT


def test_refused_filings_do_not_count(catalogue):
    caller = Client(REMOTE_ADDR="203.113.131.7")
    for _ in range(LIMIT + 2):
        assert _page_filing(caller, catalogue, phone="12").status_code == 200  # refused phone
    assert _page_filing(caller, catalogue).status_code == 302


def test_the_counter_files_without_limit(catalogue, desk_officer):
    counter = Client(REMOTE_ADDR="10.20.0.5")
    counter.login(username=desk_officer.username, password=PASSWORD)
    for _ in range(LIMIT + 1):
        data = {**applicant_data(catalogue), "documents": [pdf()]}
        assert counter.post("/desk/counter/", data).status_code == 302


def test_a_resent_filing_with_its_idempotency_key_is_answered_once(catalogue):
    from django.test.client import encode_multipart

    from cuakhau.core.idempotency import REPLAYED_HEADER

    phone = Client(REMOTE_ADDR="113.160.2.31")
    data = {**applicant_data(catalogue), "documents": [pdf()]}

    def send(boundary, key="a1b2c3d4-filing"):
        data["documents"][0].seek(0)
        return phone.post(
            "/api/v1/desk/applications",
            encode_multipart(boundary, data),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    first = send("----phone1")
    assert first.status_code == 201, first.content
    # The phone's library draws a new boundary when it sends the same form again.
    again = send("----phone2")
    assert again.status_code == 201
    assert again[REPLAYED_HEADER] == "true" and again.json() == first.json()
    assert Application.objects.count() == 1
    # The same key with other papers is another request; another address has its own keys.
    data["applicant_name"] = "Lò Văn Khánh"
    assert send("----phone3").status_code == 422
    other = Client(REMOTE_ADDR="14.160.24.9").post(
        "/api/v1/desk/applications",
        {**applicant_data(catalogue), "documents": [pdf()]},
        HTTP_IDEMPOTENCY_KEY="a1b2c3d4-filing",
    )
    assert other.status_code == 201 and REPLAYED_HEADER not in other
    assert Application.objects.count() == 2


def test_a_refusal_to_try_later_is_not_kept_under_its_idempotency_key(catalogue, settings):
    from cuakhau.core.idempotency import REPLAYED_HEADER

    caller = Client(REMOTE_ADDR="203.113.131.7")

    def keyed(key):
        return caller.post(
            "/api/v1/desk/applications",
            {**applicant_data(catalogue), "documents": [pdf()]},
            HTTP_IDEMPOTENCY_KEY=key,
        )

    for n in range(LIMIT):
        assert keyed(f"filing-{n}").status_code == 201
    assert keyed("filing-late").status_code == 429
    # The hour has passed (here: the limit rose): the same request with the same key is filed,
    # not answered with the 429 it got before.
    settings.DESK_FILING_LIMIT = LIMIT + 1
    again = keyed("filing-late")
    assert again.status_code == 201 and REPLAYED_HEADER not in again
    assert keyed("filing-late")[REPLAYED_HEADER] == "true"
