"""The rules page and the API, through the test client."""

import json

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.market.models import MarketAccessRule

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


class Api:
    def __init__(self, user):
        _token, raw = issue_token(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body, default=str), content_type="application/json"
        )


SUSPENSION = {
    "hs_prefix": "081090",
    "direction": "export",
    "destination": "CN",
    "gate": "hng",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-31",
    "legal_basis": "GACC alert 2026/118",
    "declared_by": "GACC",
    "note": "",
}


def test_the_rules_page_lists_and_filters(market_rules, enterprise):
    client = logged_in(enterprise)
    page = client.get("/market/")
    assert page.status_code == 200
    assert "Market-access and quarantine rules" in page.text
    assert "29 rules" in page.text
    assert 'id="suspend"' not in page.text  # an enterprise may not suspend
    bananas = client.get("/market/", {"hs": "080390"})
    assert "2 rules" in bananas.text  # 0803 (designated gates) and 080390 (certificate)
    pending = client.get("/market/", {"requirement": "not_permitted"})
    assert "10 rules" in pending.text


def test_the_rules_page_needs_a_login(market_rules):
    assert Client().get("/market/").status_code == 302


def test_an_enterprise_may_not_post_a_suspension(market_rules, enterprise):
    response = logged_in(enterprise).post("/market/", SUSPENSION)
    assert response.status_code == 403


def test_an_officer_declares_a_suspension_on_the_page(market_rules, quarantine_officer):
    client = logged_in(quarantine_officer)
    assert 'id="suspend"' in client.get("/market/").text
    response = client.post("/market/", SUSPENSION)
    assert response.status_code == 302
    rule = MarketAccessRule.objects.get(requirement="suspended")
    assert rule.gate.code == "hng" and rule.created_by == quarantine_officer
    refused = client.post("/market/", dict(SUSPENSION, legal_basis="", ends_on="2026-11-01"))
    assert refused.status_code == 422
    assert "Give the legal basis" in refused.text
    assert "The end date is before the start date." in refused.text
    assert MarketAccessRule.objects.filter(requirement="suspended").count() == 1


def test_api_lists_rules_with_filters(market_rules, enterprise):
    api = Api(enterprise)
    response = api.get("/market/rules", hs="0803")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    designated = next(r for r in body["items"] if r["requirement"] == "designated_gates_only")
    assert "hng" in designated["designated_gates"] and "mlt" not in designated["designated_gates"]
    bad = api.get("/market/rules", on="not-a-date")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "on"]


def test_api_checks_goods(market_rules, enterprise):
    api = Api(enterprise)
    body = {
        "gate": "mlt",
        "direction": "export",
        "expected_arrival": "2026-12-05T09:00:00+07:00",
        "lines": [{"hs_code": "080390", "phytosanitary_certificate": "VN-1"}],
    }
    response = api.post("/market/check", body)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["on"] == "2026-12-05" and result["destination"] == "CN"
    assert result["blocking"] is True
    assert [f["path"] for f in result["findings"] if f["blocking"]] == ["gate"]
    ok = api.post("/market/check", dict(body, gate="hng")).json()
    assert ok["blocking"] is False
    bad = api.post("/market/check", dict(body, gate="xyz", lines=[{"hs_code": "0899"}]))
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {
        ("body", "gate"),
        ("body", "lines", 0, "hs_code"),
    }


def test_api_suspensions_are_permission_checked(market_rules, enterprise, quarantine_officer):
    assert Api(enterprise).post("/market/suspensions", SUSPENSION).status_code == 403
    officer = Api(quarantine_officer)
    created = officer.post("/market/suspensions", SUSPENSION)
    assert created.status_code == 201, created.content
    assert created.json()["requirement"] == "suspended" and created.json()["gate"] == "hng"
    bad = officer.post("/market/suspensions", dict(SUSPENSION, hs_prefix="12345678x"))
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "hs_prefix"]
    blocked = officer.post(
        "/market/check",
        {
            "gate": "hng",
            "direction": "export",
            "on": "2026-12-10",
            "lines": [{"hs_code": "081090", "phytosanitary_certificate": "VN-1"}],
        },
    ).json()
    assert [f["requirement"] for f in blocked["findings"] if f["blocking"]] == ["suspended"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("vi", "Quy định mở cửa thị trường và kiểm dịch"), ("zh-hans", "市场准入与检疫规则")],
)
def test_the_rules_page_in_the_users_language(market_rules, quarantine_officer, language, heading):
    set_language(quarantine_officer, language)
    page = logged_in(quarantine_officer).get("/market/")
    assert page.status_code == 200
    assert heading in page.text


def test_the_page_refuses_the_texts_the_api_refuses(market_rules, quarantine_officer):
    client = logged_in(quarantine_officer)
    for field, value in (
        ("legal_basis", "GACC alert\x1b[31m 2026/118"),
        ("declared_by", "GACC\x00"),
        ("note", "x" * 4001),
        ("legal_basis", "x" * 4001),
    ):
        refused = client.post("/market/", dict(SUSPENSION, **{field: value}))
        assert refused.status_code == 422, field
        assert refused.context["suspension_form"].errors.get(field), field
    assert not MarketAccessRule.objects.filter(requirement="suspended").exists()
    # A prefix in full-width digits with dots is the same subheading.
    assert client.post("/market/", dict(SUSPENSION, hs_prefix="０８１０.９０")).status_code == 302
    assert MarketAccessRule.objects.get(requirement="suspended").hs_prefix == "081090"


def test_the_same_alert_twice_is_one_suspension(market_rules, quarantine_officer):
    officer = Api(quarantine_officer)
    assert officer.post("/market/suspensions", SUSPENSION).status_code == 201
    again = officer.post("/market/suspensions", dict(SUSPENSION, hs_prefix="0810.90"))
    assert again.status_code == 422 and "already suspends" in again.text
    inside = officer.post("/market/suspensions", dict(SUSPENSION, starts_on="2026-12-10"))
    assert inside.status_code == 422
    # A longer period, another gate or another prefix is a suspension of its own.
    assert officer.post("/market/suspensions", dict(SUSPENSION, ends_on=None)).status_code == 201
    assert officer.post("/market/suspensions", dict(SUSPENSION, gate="mlt")).status_code == 201
    assert (
        officer.post("/market/suspensions", dict(SUSPENSION, hs_prefix="0810")).status_code == 201
    )
    assert MarketAccessRule.objects.filter(requirement="suspended").count() == 4


def test_a_suspension_at_a_named_gate_is_for_its_own_officers(market_rules, mlt):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user

    # A quarantine officer of Ma Lù Thàng (the demo's roles grant the permission).
    officer = create_user("kiemdich_mlt", PASSWORD, roles.QUARANTINE, gates=[mlt])
    refused = Api(officer).post("/market/suspensions", SUSPENSION)  # at Hữu Nghị
    assert refused.status_code == 422, refused.content
    assert refused.json()["detail"][0]["loc"] == ["body", "gate"]
    assert not MarketAccessRule.objects.filter(requirement="suspended").exists()
    assert Api(officer).post("/market/suspensions", dict(SUSPENSION, gate="mlt")).status_code == 201
    # For every gate (an authority's notice): any officer who may suspend records it.
    everywhere = Api(officer).post(
        "/market/suspensions", dict(SUSPENSION, gate="", hs_prefix="080711")
    )
    assert everywhere.status_code == 201, everywhere.content

    client = logged_in(officer)
    page = client.get("/market/")
    assert 'value="mlt"' in page.text and 'value="hng"' not in page.text.split('id="suspend"')[1]
    on_page = client.post("/market/", dict(SUSPENSION, hs_prefix="0805", ends_on=""))
    assert on_page.status_code == 422 and "gate" in on_page.context["suspension_form"].errors
    assert MarketAccessRule.objects.filter(requirement="suspended").count() == 2
