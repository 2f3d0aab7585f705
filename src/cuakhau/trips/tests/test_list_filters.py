"""The trips list refuses a filter it cannot read: the message beside the field, HTTP 400, and
no trip at all rather than the whole list (``core.listing``); the API answers 422."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.trips import services

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def two_trips(enterprise, mlt):
    submitted = services.save_and_submit(enterprise, None, declaration())
    draft = services.create_draft(
        enterprise, declaration(driver_name="Sùng A Dế", cargo_lines=[cassava_line()])
    )
    return submitted, draft


def _refused(response, field: str) -> str:
    html = response.content.decode()
    assert response.status_code == 400, response.status_code
    assert f'data-field="{field}"' in html
    assert 'id="list-refused"' in html
    return html


@pytest.mark.parametrize(
    "query, field",
    [
        ({"status": "lost"}, "status"),
        ({"direction": "sideways"}, "direction"),
        ({"gate": "zzz"}, "gate"),
        ({"date_from": "2025-13-45"}, "date_from"),
        ({"date_from": "9999-12-31"}, "date_from"),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "date_to"),
        ({"q": "Lò\x07Văn"}, "q"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_an_unreadable_filter_is_refused_beside_its_field_and_lists_no_trip(
    enterprise, two_trips, query, field
):
    submitted, draft = two_trips
    html = _refused(login(enterprise).get("/trips/", query), field)
    assert submitted.reference not in html and draft.reference not in html


def test_the_valid_filters_still_filter(enterprise, two_trips):
    submitted, draft = two_trips
    response = login(enterprise).get("/trips/", {"status": "submitted", "gate": "mlt"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="list-refused"' not in html
    assert submitted.reference in html and draft.reference not in html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "٢", "9" * 40, "1.5", "99"])
def test_a_page_that_is_none_of_the_list_is_refused(enterprise, two_trips, page):
    submitted, draft = two_trips
    response = login(enterprise).get("/trips/", {"page": page})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="list-refused"' in html and "page" in html.lower()
    assert submitted.reference not in html and draft.reference not in html
    assert login(enterprise).get("/trips/", {"page": "1"}).status_code == 200


def test_htmx_filtering_swaps_the_refusal_in_and_puts_the_error_beside_the_field(
    enterprise, two_trips
):
    submitted, draft = two_trips
    client = login(enterprise)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "trip-rows"}
    response = client.get("/trips/", {"status": "lost"}, **headers)
    html = _refused(response, "status")
    assert "<html" not in html  # the rows' fragment, not the page
    assert submitted.reference not in html and draft.reference not in html
    assert 'id="id_status_error" hx-swap-oob="true"' in html
    # Once corrected, the next fragment clears the error beside the field.
    fixed = client.get("/trips/", {"status": "submitted"}, **headers).content.decode()
    assert 'id="id_status_error" hx-swap-oob="true"></div>' in fixed
    assert submitted.reference in fixed
    # The page's rows swap a 400 answer in (htmx leaves error answers out by default):
    # ``static/cuakhau/page.js`` does so for a target marked ``data-swap-refusals``.
    page = client.get("/trips/").content.decode()
    assert 'id="trip-rows" data-swap-refusals' in page and 'id="id_status_error"' in page


def test_the_api_refuses_an_unreadable_filter_with_422_naming_it(enterprise, two_trips):
    _token, raw = issue_token(enterprise, "test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for query, field in [
        ("status=lost", "status"),
        ("gate=zzz", "gate"),
        ("date_from=2025-13-45", "date_from"),
        ("date_to=9999-12-31", "date_to"),
        ("page=0", "page"),
    ]:
        response = api.get(f"/api/v1/trips?{query}")
        assert response.status_code == 422, (query, response.status_code)
        assert ["query", field] in [item["loc"] for item in response.json()["detail"]], query
