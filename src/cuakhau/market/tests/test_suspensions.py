"""Declaring a suspension: who may, what is checked, what is recorded."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cuakhau.core.errors import FieldErrors
from cuakhau.market import services
from cuakhau.market.choices import Requirement
from cuakhau.reference.models import HSCode

pytestmark = pytest.mark.django_db

BASIS = "GACC alert 2026/118"


def test_only_holders_of_the_permission_may_suspend(market_rules, enterprise, mlt):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user

    border_guard = create_user("bienphong_s", "bien-gioi-2025!", roles.BORDER_GUARD, gates=[mlt])
    for user in (enterprise, border_guard):
        with pytest.raises(PermissionDenied):
            services.suspend(
                "0803",
                direction="export",
                destination="CN",
                starts_on=dt.date(2026, 12, 1),
                legal_basis=BASIS,
                declared_by="GACC",
                actor=user,
            )


def test_a_suspension_is_recorded_with_who_and_why(market_rules, quarantine_officer, mlt):
    rule = services.suspend(
        "0803.90",
        direction="export",
        destination="cn",
        gate="mlt",
        starts_on="2026-12-01",
        ends_on=dt.date(2026, 12, 31),
        legal_basis=f"  {BASIS} ",
        declared_by="Chi cục Kiểm dịch thực vật vùng VII",
        actor=quarantine_officer,
    )
    assert (rule.hs_prefix, rule.destination, rule.gate, rule.requirement) == (
        "080390",
        "CN",
        mlt,
        Requirement.SUSPENDED,
    )
    assert rule.starts_on == dt.date(2026, 12, 1) and rule.legal_basis == BASIS
    assert rule.created_by == quarantine_officer and rule.is_active
    assert "bananas" in rule.product_name_en.lower()
    # Named in each language as the nomenclature names the goods, not in English alone.
    code = HSCode.objects.get(code="080390")
    assert rule.product_name_vi == (code.context_vi or code.description_vi) != ""
    assert rule.product_name_zh == code.name_zh


def test_bad_input_is_reported_field_by_field(market_rules, quarantine_officer):
    with pytest.raises(FieldErrors) as caught:
        services.suspend(
            "0899",
            direction="sideways",
            destination="XX",
            gate="nowhere",
            starts_on=dt.date(2026, 12, 31),
            ends_on=dt.date(2026, 12, 1),
            legal_basis=" ",
            declared_by="",
            actor=quarantine_officer,
        )
    assert set(caught.value.errors) == {
        "hs_prefix",
        "direction",
        "destination",
        "gate",
        "ends_on",
        "legal_basis",
        "declared_by",
    }
    with pytest.raises(FieldErrors) as caught:
        services.suspend(
            "8",
            direction="any",
            destination="VN",
            starts_on=None,
            legal_basis=BASIS,
            declared_by="GACC",
            actor=quarantine_officer,
        )
    assert set(caught.value.errors) == {"hs_prefix", "starts_on"}


def test_the_api_names_every_refused_field_of_a_suspension_at_once(
    market_rules, quarantine_officer
):
    # A missing declarer (the schema's refusal) hid the HS prefix out of the nomenclature, the
    # gate that is none and the end before the start: each came only with the next request.
    from django.test import Client

    from cuakhau.accounts.services import issue_token
    from cuakhau.market.models import MarketAccessRule

    before = MarketAccessRule.objects.count()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(quarantine_officer, 'x')[1]}")
    body = {
        "hs_prefix": "9999",
        "gate": "zzz",
        "starts_on": "2026-12-10",
        "ends_on": "2026-12-01",
        "legal_basis": BASIS,
    }
    response = client.post("/api/v1/market/suspensions", body, content_type="application/json")
    assert response.status_code == 422, response.content
    paths = [tuple(item["loc"]) for item in response.json()["detail"]]
    assert len(paths) == len(set(paths))  # each field said once
    assert set(paths) == {
        ("body", "declared_by"),
        ("body", "hs_prefix"),
        ("body", "gate"),
        ("body", "ends_on"),
    }
    assert MarketAccessRule.objects.count() == before
