"""The commitments list refuses a filter it cannot read: the message beside the field, HTTP
400, and no commitment rather than every one (``core.listing``); the API answers 422."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.cooperation import views

from .test_services import promised  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("show", ["lost", "PENDING", "pending\x07", "٢", "x" * 400])
def test_an_unknown_show_is_refused_beside_its_field_and_lists_no_commitment(
    promised,  # noqa: F811
    auditor,
    show,
):
    client = Client()
    client.force_login(auditor)
    response = client.get("/cooperation/commitments/", {"show": show})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field="show"' in html and 'id="list-refused"' in html
    assert not any(f'data-commitment="{c.pk}"' in html for c in promised.values())


def test_the_valid_filters_still_filter(promised, auditor):  # noqa: F811
    client = Client()
    client.force_login(auditor)
    every = client.get("/cooperation/commitments/", {"show": "all"}).content.decode()
    assert all(f'data-commitment="{c.pk}"' in every for c in promised.values())
    closed = client.get("/cooperation/commitments/", {"show": "closed"})
    assert closed.status_code == 200
    html = closed.content.decode()
    assert f'data-commitment="{promised["list"].pk}"' in html
    assert f'data-commitment="{promised["bridge"].pk}"' not in html
    assert client.get("/cooperation/commitments/").status_code == 200


def test_the_api_refuses_an_unknown_show_with_422_naming_it(promised, auditor):  # noqa: F811
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    response = api.get("/api/v1/cooperation/commitments?show=lost")
    assert response.status_code == 422
    assert ["query", "show"] in [item["loc"] for item in response.json()["detail"]]


@pytest.mark.parametrize("since", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_the_totals_refuse_a_day_no_form_takes_with_422_naming_since(auditor, since):
    """A day outside 2000–2100 (``core.inputs.plausible_day``, the forms' bound) is a typing
    error: refused beside ``since``, not counted from year 1."""
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    response = api.get("/api/v1/cooperation/totals", {"since": since})
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["query", "since"]
    assert "day" in item["msg"].lower()


def test_the_totals_take_a_day_forms_take(auditor):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    for since in ("2000-01-01", "2024-03-21", "2100-12-31"):
        response = api.get("/api/v1/cooperation/totals", {"since": since})
        assert response.status_code == 200
        assert response.json()["since"] == since
    assert api.get("/api/v1/cooperation/totals").json()["since"] == "2020-01-01"


def _many(count):
    from cuakhau.cooperation.models import Commitment, Meeting

    meeting = Meeting.objects.create(
        held_on=dt.date(2024, 3, 21), place="Kim Bình", title="Hội đàm Lai Châu – Hồng Hà"
    )
    Commitment.objects.bulk_create(
        Commitment(
            meeting=meeting,
            subject=f"Cam kết số {n}",
            owner="Sở Công Thương",
            due_date=dt.date(2030, 1, 1) + dt.timedelta(days=n),
        )
        for n in range(count)
    )
    return list(Commitment.objects.order_by("due_date", "pk"))


def test_the_commitments_come_by_pages_as_the_api_gives_them(auditor):
    every = _many(views.COMMITMENTS_PAGE + 7)
    client = Client()
    client.force_login(auditor)
    first = client.get("/cooperation/commitments/", {"show": "all"})
    html = first.content.decode()
    assert first.status_code == 200
    assert html.count("data-commitment=") == views.COMMITMENTS_PAGE
    assert "page=2" in html and "1 / 2" in html
    second = client.get("/cooperation/commitments/", {"show": "all", "page": "2"})
    html = second.content.decode()
    assert second.status_code == 200
    assert [f'data-commitment="{c.pk}"' in html for c in every].count(True) == 7
    assert all(f'data-commitment="{c.pk}"' in html for c in every[-7:])
    assert "show=all&amp;page=1" in html or "show=all&page=1" in html
    # The API's second page holds the same commitments.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    answer = api.get(
        "/api/v1/cooperation/commitments",
        {"show": "all", "page": 2, "page_size": views.COMMITMENTS_PAGE},
    )
    assert [c["id"] for c in answer.json()] == [c.pk for c in every[-7:]]
    # A page past the last, or no page number, is refused where the pages are: no row.
    for page in ("3", "٢", "0"):
        refused = client.get("/cooperation/commitments/", {"show": "all", "page": page})
        assert refused.status_code == 400
        html = refused.content.decode()
        assert 'id="list-refused"' in html and "data-commitment=" not in html


def test_the_commitments_page_costs_the_same_queries_for_few_or_a_full_page(auditor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(auditor)
    _many(3)
    client.get("/cooperation/commitments/", {"show": "all"})  # the session read once
    with CaptureQueriesContext(connection) as few:
        client.get("/cooperation/commitments/", {"show": "all"})
    _many(views.COMMITMENTS_PAGE * 2)
    with CaptureQueriesContext(connection) as full:
        page = client.get("/cooperation/commitments/", {"show": "all", "page": "2"})
    assert page.content.decode().count("data-commitment=") == views.COMMITMENTS_PAGE
    assert len(full) == len(few)
