"""The projects list refuses a filter it cannot read: the message beside the field, HTTP 400,
no project and no totals rather than the whole register's (``core.listing``); the API: 422."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token

from .test_pages_and_api import two  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query, field",
    [
        ({"sector": "mining"}, "sector"),
        ({"status": "dreaming"}, "status"),
        ({"country": "ZZ"}, "country"),
        ({"q": "B\x001"}, "q"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_an_unreadable_filter_is_refused_beside_its_field_and_lists_no_project(
    two,  # noqa: F811
    auditor,
    query,
    field,
):
    client = Client()
    client.force_login(auditor)
    response = client.get("/investment/", query)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="list-refused"' in html and field in response.context["form"].errors
    # No project's link (its code alone could be in any random token of the page).
    assert "/investment/B1/" not in html and "/investment/B2/" not in html
    assert response.context["totals"] is None and 'id="zone-totals"' not in html


def test_the_valid_filters_still_filter(two, auditor):  # noqa: F811
    client = Client()
    client.force_login(auditor)
    response = client.get("/investment/", {"country": "VN", "status": ""})
    assert response.status_code == 200
    assert [p.code for p in response.context["projects"]] == ["B2"]


def test_the_api_refuses_an_unknown_choice_with_422_naming_it(two, auditor):  # noqa: F811
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    for path in ("/api/v1/investment/projects", "/api/v1/investment/totals"):
        for query, field in (("sector=mining", "sector"), ("status=dreaming", "status")):
            response = api.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
            assert ["query", field] in [item["loc"] for item in response.json()["detail"]]
