"""The desk queue refuses a filter it cannot read: the message beside the field, HTTP 400, and
no file at all rather than the whole queue (``core.listing``); the API answers 422."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.desk import services

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(catalogue):
    return services.file_application(applicant_data(catalogue), [pdf()])


@pytest.mark.parametrize(
    "query, field",
    [
        ({"show": "everything"}, "show"),
        ({"show": "open\x00"}, "show"),
        ({"show": "x" * 300}, "show"),
        ({"mine": "yes please"}, "mine"),
        ({"show": "all", "mine": "٢"}, "mine"),
    ],
)
def test_an_unreadable_filter_is_refused_beside_its_field_and_lists_no_file(
    filed, desk_officer, query, field
):
    client = Client()
    client.force_login(desk_officer)
    assert filed.code in client.get("/desk/queue/", {"show": "all"}).content.decode()
    response = client.get("/desk/queue/", query)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in html and 'id="list-refused"' in html
    assert filed.code not in html


def test_the_valid_filters_still_filter(filed, desk_officer):
    client = Client()
    client.force_login(desk_officer)
    for query in ({}, {"show": "open"}, {"show": "all", "mine": ""}):
        response = client.get("/desk/queue/", query)
        assert response.status_code == 200 and filed.code in response.content.decode()
    closed = client.get("/desk/queue/", {"show": "closed"})
    assert closed.status_code == 200 and filed.code not in closed.content.decode()
    mine = client.get("/desk/queue/", {"show": "all", "mine": "1"})
    assert mine.status_code == 200 and 'id="list-refused"' not in mine.content.decode()


def test_the_api_refuses_an_unreadable_filter_with_422_naming_it(filed, desk_officer):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 't')[1]}")
    for query, field in (("show=everything", "show"), ("mine=perhaps", "mine")):
        response = api.get(f"/api/v1/desk/applications?{query}")
        assert response.status_code == 422, query
        assert ["query", field] in [item["loc"] for item in response.json()["detail"]]


def test_the_queue_is_paged_and_counts_every_file_not_the_page(
    catalogue, desk_officer, monkeypatch
):
    import datetime as dt
    from unittest import mock

    from cuakhau.desk import views

    from .conftest import at

    monkeypatch.setattr(views, "QUEUE_PAGE", 2)
    # Due 16, 17 and 18 Mar 2026 (10 working days each); seen on Wed 18 Mar: two overdue,
    # the newest due today.
    days = [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    codes = [
        services.file_application(applicant_data(catalogue), [pdf()], now=at(d)).code for d in days
    ]
    client = Client()
    client.force_login(desk_officer)
    with mock.patch.object(services, "today", return_value=dt.date(2026, 3, 18)):
        first = client.get("/desk/queue/").content.decode()
        second = client.get("/desk/queue/", {"page": "2"})
        past = client.get("/desk/queue/", {"page": "3"})
    assert codes[0] in first and codes[1] in first and codes[2] not in first
    assert "2 overdue, 1 due within two working days." in first and "page=2" in first
    assert second.status_code == 200 and codes[2] in second.content.decode()
    assert "2 overdue, 1 due" in second.content.decode()
    assert past.status_code == 400 and 'id="list-refused"' in past.content.decode()
