"""The admin keeps history: saving a rule records a new version, retired versions are read-only."""

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.market.models import MarketAccessRule

pytestmark = pytest.mark.django_db

URL = "/admin/market/marketaccessrule/"


@pytest.fixture
def admin_client(db):
    create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    client = Client()
    assert client.login(username="quantri", password=PASSWORD)
    return client


def form_data(rule, **changes):
    data = {
        f.name: "" if getattr(rule, f.attname) is None else getattr(rule, f.attname)
        for f in rule._meta.fields
        if f.editable and f.name not in ("id", "gate", "supersedes", "created_by", "deactivated_by")
    }
    data["gate"] = rule.gate_id or ""
    data["designated_gates"] = [g.pk for g in rule.designated_gates.all()]
    data.update(changes)
    return data


def test_the_changelist_filters(market_rules, admin_client):
    response = admin_client.get(URL, {"requirement__exact": "designated_gates_only"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 9


def test_saving_a_rule_records_a_new_version(market_rules, admin_client, mlt):
    rule = MarketAccessRule.objects.get(is_active=True, hs_prefix="0803")
    gates = [g.pk for g in rule.designated_gates.all()] + [mlt.pk]
    response = admin_client.post(
        f"{URL}{rule.pk}/change/",
        form_data(rule, designated_gates=gates, note="Jinshuihe designated (test)"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = MarketAccessRule.objects.get(is_active=True, hs_prefix="0803")
    assert new.pk != rule.pk and new.supersedes_id == rule.pk
    assert new.created_by.username == "quantri"
    assert mlt in new.designated_gates.all()
    rule.refresh_from_db()
    assert not rule.is_active and rule.deactivated_by.username == "quantri"
    assert mlt not in rule.designated_gates.all()  # the old version is unchanged
    # A retired version opens read-only.
    page = admin_client.get(f"{URL}{rule.pk}/change/")
    assert page.status_code == 200
    assert "hs_prefix" not in page.context["adminform"].form.fields


def test_deactivating_keeps_the_row(market_rules, admin_client):
    rule = MarketAccessRule.objects.get(is_active=True, hs_prefix="080540")
    response = admin_client.post(
        URL, {"action": "deactivate", "_selected_action": [rule.pk]}, follow=True
    )
    assert response.status_code == 200
    rule.refresh_from_db()
    assert not rule.is_active and rule.deactivated_at is not None
    assert admin_client.get(f"{URL}{rule.pk}/delete/").status_code == 403
