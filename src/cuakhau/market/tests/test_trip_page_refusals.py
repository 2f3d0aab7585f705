"""A market suspension entered after a trip was submitted is shown on the trip's page, as the
gate will refuse the truck for it, to the enterprise and the officers, before it is inside."""

import datetime as dt
from html import unescape

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, banana_line, declaration
from cuakhau.gate import services as gate
from cuakhau.market import services
from cuakhau.market.choices import Requirement
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

BASIS = "GACC alert 2026/131 (Fusarium wilt TR4 found in bananas)"


def page(user, trip, language="en") -> str:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(f"/trips/{trip.reference}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def suspend_bananas(actor, starts_on=None):
    return services.suspend(
        "080390",
        direction="export",
        destination="CN",
        starts_on=starts_on or timezone.localdate(),
        legal_basis=BASIS,
        declared_by="GACC",
        actor=actor,
    )


def test_a_paid_trip_the_gate_will_refuse_says_so_on_its_page(
    market_rules, hng, enterprise, customs_hng, quarantine_officer
):
    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[banana_line()])
    )
    assert 'id="market-refusals"' not in page(enterprise, trip)
    suspend_bananas(quarantine_officer)
    assert 'id="market-refusals"' in page(enterprise, trip)  # before paying
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    assert trip.status == "paid"
    # The gate's own check refuses it for the very reason the page gives.
    [refusal] = [
        p.message for p in gate.assess(trip.reference, hng).problems if p.code == "market_access"
    ]
    for reader in (enterprise, customs_hng, quarantine_officer):
        html = page(reader, trip)
        assert 'id="market-refusals"' in html and BASIS in html, reader
        assert refusal.replace("'", "&#x27;") in html
    assert "Cổng sẽ từ chối xe này" in page(enterprise, trip, "vi")


def test_a_suspension_from_the_arrival_day_on_is_shown_too(
    market_rules, hng, enterprise, quarantine_officer
):
    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[banana_line()])
    )
    arrival = timezone.localtime(trip.expected_arrival).date()
    suspend_bananas(quarantine_officer, starts_on=arrival)
    assert BASIS in page(enterprise, trip)


def test_nothing_is_shown_once_the_suspension_ends_or_for_other_goods(
    market_rules, hng, enterprise, quarantine_officer
):
    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[banana_line()])
    )
    services.suspend(
        "080390",
        direction="export",
        destination="CN",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
        legal_basis=BASIS,
        declared_by="GACC",
        actor=quarantine_officer,
    )
    services.suspend(
        "0714",
        direction="export",
        destination="CN",
        starts_on=timezone.localdate(),
        legal_basis="Cassava alert",
        declared_by="GACC",
        actor=quarantine_officer,
    )
    assert 'id="market-refusals"' not in page(enterprise, trip)


def fees_api(user, trip, language="en") -> dict:
    _token, raw = issue_token(user, "phone")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        f"/api/v1/trips/{trip.reference}/fees", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_fees_api_warns_before_paying_as_the_trip_page_does(
    market_rules, hng, enterprise, quarantine_officer
):
    # An enterprise paying through the API never sees the trip's page: the answer it pays
    # from (the amount due, the VietQR) carries the same warning, in the reader's language.
    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[banana_line()])
    )
    assert fees_api(enterprise, trip)["market_warning"] is None
    rule = suspend_bananas(quarantine_officer)
    for language, title in [
        ("en", "The gate will refuse this truck"),
        ("vi", "Cổng sẽ từ chối xe này"),
        ("zh-hans", "口岸将拒绝该车辆入境"),
    ]:
        answer = fees_api(enterprise, trip, language)
        warning = answer["market_warning"]
        assert warning["title"] == title, language
        assert warning["text"] and warning["text"] != title
        [refusal] = warning["refusals"]
        assert refusal["message"] in unescape(page(enterprise, trip, language))
        assert BASIS in refusal["message"]
        assert (refusal["rule"], refusal["requirement"]) == (rule.pk, "suspended")
        with translation.override(language):
            assert refusal["requirement_label"] == str(Requirement.SUSPENDED.label)
        assert language == "en" or refusal["requirement_label"] != "suspended"
        assert refusal["field"] == "cargo_lines.0.hs_code"
        assert refusal["field_label"] and refusal["field_label"] != refusal["field"]
        # It still says what to pay: the gate refuses the cargo, not the money.
        assert answer["instructions"] is not None
    # Paying through the API (the demo's transfer) answers it again: paid, still refused.
    _token, raw = issue_token(enterprise, "phone")
    with override_settings(DEMO_MODE=True):
        paid = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
            f"/api/v1/trips/{trip.reference}/simulate-bank-transfer"
        )
    assert paid.status_code == 200 and paid.json()["receipt"]
    assert paid.json()["market_warning"]["refusals"][0]["rule"] == rule.pk
    assert fees_api(enterprise, trip)["market_warning"]["refusals"]


def test_the_fees_api_schema_documents_the_warning(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    warning = schema["MarketWarningOut"]["properties"]
    assert set(warning) == {"title", "text", "refusals"}
    refusal = schema["MarketRefusalOut"]["properties"]
    assert "suspended" in refusal["requirement"]["enum"]
    assert set(refusal) >= {"rule", "requirement_label", "field", "field_label", "message"}


def trip_api(user, trip, language="en") -> dict:
    _token, raw = issue_token(user, "phone")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        f"/api/v1/trips/{trip.reference}", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_the_trip_api_warns_as_its_page_and_its_fees_do(
    market_rules, hng, enterprise, customs_hng, quarantine_officer
):
    # A program reading the trip (its status, its timeline) hears what its page says: the
    # gate will refuse the truck, before it pays or drives there.
    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[banana_line()])
    )
    assert trip_api(enterprise, trip)["market_warning"] is None
    rule = suspend_bananas(quarantine_officer)
    for language, title in [
        ("en", "The gate will refuse this truck"),
        ("vi", "Cổng sẽ từ chối xe này"),
        ("zh-hans", "口岸将拒绝该车辆入境"),
    ]:
        warning = trip_api(enterprise, trip, language)["market_warning"]
        assert warning == fees_api(enterprise, trip, language)["market_warning"], language
        assert warning["title"] == title
        [refusal] = warning["refusals"]
        assert refusal["rule"] == rule.pk and BASIS in refusal["message"]
        assert refusal["message"] in unescape(page(enterprise, trip, language))
    assert trip_api(customs_hng, trip)["market_warning"]["refusals"]
    payments.simulate_bank_transfer(trip)  # paid, still refused at the gate
    assert trip_api(enterprise, trip)["market_warning"]["refusals"]
    trip.refresh_from_db()
    trips.cancel_trip(enterprise, trip, "Suspended")
    assert trip_api(enterprise, trip)["market_warning"] is None


def test_the_trip_api_schema_documents_its_warning(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    shown = schema["TripDetailOut"]["properties"]["market_warning"]
    assert "MarketWarningOut" in str(shown) and "null" in str(shown)
    assert "market_warning" in schema["TripDetailOut"]["required"]
