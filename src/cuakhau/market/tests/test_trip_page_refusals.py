"""A market suspension entered after a trip was submitted is shown on the trip's page, as the
gate will refuse the truck for it, to the enterprise and the officers, before it is inside."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import PASSWORD, banana_line, declaration
from cuakhau.gate import services as gate
from cuakhau.market import services
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
