"""The list with the zone's totals on a page and over the API; status changes over the API."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.investment.tests.test_services import project

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    project("B1", "logistics", "CN", "120000000000", "60000000000", rate="24000")
    project("B2", "energy", "VN", "500000000000", "125000000000", status="operating")


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")


def test_the_list_shows_the_totals_and_filters(two, auditor):
    client = Client()
    client.force_login(auditor)
    page = client.get("/investment/")
    assert page.status_code == 200
    assert page.context["totals"].count == 2
    text = page.content.decode()
    assert "VND 620,000,000,000" in text  # registered, in the English format
    # B2 has no noted rate: the dollar figure is B1's alone, and says so.
    assert "Not counted: 1 project without a noted rate (VND 500,000,000,000)" in text
    filtered = client.get("/investment/?sector=energy")
    assert [p.code for p in filtered.context["projects"]] == ["B2"]
    assert client.get("/investment/B1/").status_code == 200


def test_the_api_reads_the_totals(two, auditor):
    body = api(auditor).get("/api/v1/investment/totals?country=CN").json()
    assert body["count"] == 1
    assert body["registered_vnd"] == "120000000000"
    assert body["registered_usd"] == "5000000.00"
    assert body["projects_without_rate"] == 0
    whole = api(auditor).get("/api/v1/investment/totals").json()
    assert whole["registered_usd"] == "5000000.00"
    assert whole["projects_without_rate"] == 1
    assert whole["registered_vnd_without_rate"] == "500000000000"


@pytest.mark.parametrize(
    "language, china, vietnam",
    [("en", "China", "Vietnam"), ("vi", "Trung Quốc", "Việt Nam"), ("zh-hans", "中国", "越南")],
)
def test_the_api_names_each_country_in_the_callers_language_beside_its_code(
    two, auditor, language, china, vietnam
):
    """A country was answered as "CN" alone, where every other answer names what it codes."""
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    listed = {p["code"]: p for p in client.get("/api/v1/investment/projects").json()}
    assert (listed["B1"]["investor_country"], listed["B1"]["investor_country_name"]) == (
        "CN",
        china,
    )
    one = client.get("/api/v1/investment/projects/B2").json()
    assert (one["investor_country"], one["investor_country_name"]) == ("VN", vietnam)
    by_country = client.get("/api/v1/investment/totals").json()["by_country"]
    assert {(c["country"], c["country_name"]) for c in by_country} == {
        ("CN", china),
        ("VN", vietnam),
    }


def test_the_api_documents_the_country_names():
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "investor_country_name" in schemas["InvestmentProjectOut"]["required"]
    assert "country_name" in schemas["InvestmentCountryTotal"]["required"]
    assert {"destination_name", "origin_country_name"} <= set(schemas["MarketRuleOut"]["required"])


def test_the_api_changes_a_status_and_refuses_a_wrong_step(two, board):
    client = api(board)
    ok = client.post(
        "/api/v1/investment/projects/B1/actions/start_construction",
        {},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "under_construction"
    wrong = client.post(
        "/api/v1/investment/projects/B2/actions/start_construction",
        {},
        content_type="application/json",
    )
    assert wrong.status_code == 409
    no_reason = client.post(
        "/api/v1/investment/projects/B2/actions/suspend", {}, content_type="application/json"
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "reason"]


def test_a_refused_reason_stops_the_step_instead_of_being_dropped(two, board):
    from cuakhau.investment.models import InvestmentProject, ProjectTransition
    from cuakhau.investment.services import actions_for

    client = Client()
    client.force_login(board)
    item = InvestmentProject.objects.get(code="B1")
    action = actions_for(board, item)[0]
    response = client.post(f"/investment/B1/{action}/", {"reason": "x" * 501})
    # The page again, why beside the reason, nothing changed.
    assert response.status_code == 422
    assert response.context["refused"].action == action and response.context["refused"].errors
    assert InvestmentProject.objects.get(code="B1").status == item.status
    assert not ProjectTransition.objects.filter(project=item).exists()


def test_a_refused_suspension_is_said_beside_its_reason_with_what_was_typed(two, board):
    from cuakhau.investment.models import InvestmentProject

    client = Client()
    client.force_login(board)
    before = InvestmentProject.objects.get(code="B2").status
    page = client.post("/investment/B2/suspend/", {"reason": "Chậm giải ngân\x00 quý 3"})
    assert page.status_code == 422
    body = page.content.decode()
    error = body.split('id="reason-suspend_error"', 1)[1].split("</div>", 1)[0]
    assert 'data-field="reason"' in error and "U+0000" in error
    assert 'value="Chậm giải ngân\ufffd quý 3"' in body
    assert InvestmentProject.objects.get(code="B2").status == before
    wrong = client.post("/investment/B2/start_construction/", {})
    assert wrong.status_code == 422 and InvestmentProject.objects.get(code="B2").status == before


def test_a_step_the_page_no_longer_offers_is_refused_in_words(two, board):
    """Opened while the project was registered, suspended meanwhile: the step was a 422 with
    no word anywhere (its refusal was written under a form the page no longer had)."""
    from cuakhau.investment import services
    from cuakhau.investment.models import InvestmentProject

    b1 = InvestmentProject.objects.get(code="B1")
    services.transition(board, b1, "terminate", "Nhà đầu tư rút vốn")
    client = Client()
    client.force_login(board)
    answer = client.post("/investment/B1/start_construction/")
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="refused-step"' in page and page.count('class="error"') >= 1
    bogus = client.post("/investment/B1/bogus/").content.decode()
    assert 'id="refused-step"' in bogus
