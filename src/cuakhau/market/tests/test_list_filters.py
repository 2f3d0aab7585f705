"""The rules list refuses a filter it cannot read: the message beside the field, HTTP 400, and
no rule rather than every rule in force (``core.listing``); the API answers 422."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "query, field",
    [
        ({"requirement": "bribe"}, "requirement"),
        ({"gate": "zzz"}, "gate"),
        ({"on": "2025-02-30"}, "on"),
        ({"on": "0001-01-01"}, "on"),
        ({"hs": "0803\x00"}, "hs"),
        ({"hs": "9" * 40}, "hs"),
    ],
)
def test_an_unreadable_filter_is_refused_beside_its_field_and_lists_no_rule(
    market_rules, enterprise, query, field
):
    response = logged_in(enterprise).get("/market/", query)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in html and 'id="list-refused"' in html
    assert 'class="requirement-' not in html  # no row of the table
    assert " rules</p>" not in html


@pytest.mark.parametrize("page", ["abc", "0", "٢", "9" * 40, "99"])
def test_a_page_that_is_none_of_the_list_is_refused(market_rules, enterprise, page):
    response = logged_in(enterprise).get("/market/", {"page": page})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="list-refused"' in html
    assert 'class="requirement-' not in html


def test_the_valid_filters_still_filter(market_rules, enterprise):
    response = logged_in(enterprise).get("/market/", {"hs": "080390", "requirement": ""})
    assert response.status_code == 200 and "2 rules" in response.text


def test_the_api_refuses_an_unreadable_filter_with_422_naming_it(market_rules, enterprise):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 't')[1]}")
    for query, field in (
        ("requirement=bribe", "requirement"),
        ("gate=zzz", "gate"),
        ("on=2025-02-30", "on"),
        ("page=0", "page"),
    ):
        response = api.get(f"/api/v1/market/rules?{query}")
        assert response.status_code == 422, query
        assert ["query", field] in [item["loc"] for item in response.json()["detail"]]
