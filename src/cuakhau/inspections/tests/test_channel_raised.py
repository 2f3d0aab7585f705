"""A truck whose channel goes up while it is inside (a weighbridge reading far from the
declaration) waits for customs again: the pass customs gave for the lower channel (the
green-channel release, a document check) does not clear it. And a clearance names the officer
whose result cleared the truck."""

from decimal import Decimal

import pytest

from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.inspections import services
from cuakhau.inspections.models import Inspection
from cuakhau.risk import services as risk
from cuakhau.trips.models import TripTransition

pytestmark = pytest.mark.django_db

TARE = Decimal(12000)
# The default declaration (bananas and cassava): 28,500 kg gross.
OVERWEIGHT = Decimal(28500) * 3 / 2 + TARE


def _rules(*, yellow_at_random: bool, weight_score: int):
    """Only the weight rule scores; with ``yellow_at_random`` every truck is drawn yellow."""

    def change(ruleset, rules):
        ruleset.random_red_rate = Decimal(0)
        ruleset.random_yellow_rate = Decimal(1 if yellow_at_random else 0)
        for rule in rules:
            rule.is_enabled = rule.kind in ("weight_difference", "random")
            if rule.kind == "weight_difference":
                rule.score = weight_score

    risk.new_ruleset_version(None, change, "test: the weighbridge raises the channel")


def _inside(enterprise, operator, mlt):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    trip.refresh_from_db()
    return trip


def _clearance(trip):
    return TripTransition.objects.get(trip=trip, action="clear")


def test_a_green_truck_found_overweight_waits_for_customs_again(
    enterprise, operator, officers, mlt
):
    _rules(yellow_at_random=False, weight_score=40)
    trip = _inside(enterprise, operator, mlt)
    assert risk.current_assessment(trip).channel == "green"
    assert "customs" not in services.outstanding(trip)  # the automatic release

    gate.record_weighing(operator, mlt, trip, OVERWEIGHT, tare_kg=TARE)

    assert risk.current_assessment(trip).channel == "yellow"
    assert "customs" in services.outstanding(trip)
    reopened = services.latest(trip)["customs"]
    assert (reopened.kind, reopened.ended_at, reopened.automatic) == ("document check", None, True)
    for agency in ("border_guard", "quarantine"):
        services.record_result(officers[agency], trip, "pass", agency=agency)
    trip.refresh_from_db()
    assert trip.status == "arrived"  # not cleared without customs

    # The officer takes up the check the system opened, and decides it.
    assert services.start_inspection(officers["customs"], trip) == reopened
    services.record_result(officers["customs"], trip, "pass", agency="customs")
    trip.refresh_from_db()
    assert trip.status == "cleared"
    reopened.refresh_from_db()
    assert (reopened.result, reopened.automatic, reopened.officer) == (
        "pass",
        False,
        officers["customs"],
    )
    # The clearance names the officer whose result was the last one, not "automatic".
    assert _clearance(trip).actor == officers["customs"]


def test_a_document_check_passed_does_not_clear_a_truck_raised_to_red(
    enterprise, operator, officers, mlt
):
    _rules(yellow_at_random=True, weight_score=60)
    trip = _inside(enterprise, operator, mlt)
    assert risk.current_assessment(trip).channel == "yellow"
    services.record_result(officers["customs"], trip, "pass", agency="customs")
    assert services.latest(trip)["customs"].kind == "document check"

    gate.record_weighing(operator, mlt, trip, OVERWEIGHT, tare_kg=TARE)

    assert risk.current_assessment(trip).channel == "red"
    assert "customs" in services.outstanding(trip)
    assert services.latest(trip)["customs"].kind == "physical inspection"


def test_an_inspection_under_way_becomes_the_check_the_new_channel_asks_for(
    enterprise, operator, officers, mlt
):
    _rules(yellow_at_random=True, weight_score=60)
    trip = _inside(enterprise, operator, mlt)
    started = services.start_inspection(officers["customs"], trip)
    assert started.kind == "document check"

    gate.record_weighing(operator, mlt, trip, OVERWEIGHT, tare_kg=TARE)

    started.refresh_from_db()
    assert (started.kind, started.ended_at, started.officer) == (
        "physical inspection",
        None,
        officers["customs"],
    )
    assert Inspection.objects.filter(trip=trip, agency="customs").count() == 1


def test_a_reading_that_leaves_the_channel_leaves_customs_pass(enterprise, operator, officers, mlt):
    _rules(yellow_at_random=False, weight_score=40)
    trip = _inside(enterprise, operator, mlt)
    gate.record_weighing(operator, mlt, trip, Decimal(28600) + TARE, tare_kg=TARE)
    assert risk.current_assessment(trip).channel == "green"
    assert "customs" not in services.outstanding(trip)


def test_an_officer_cannot_start_a_green_channel_release(enterprise, operator, officers, mlt):
    """ "green channel" was accepted as the kind of a manual inspection of a red truck."""
    from django.test import Client

    from cuakhau.accounts.services import issue_token

    trip = _inside(enterprise, operator, mlt)
    customs = officers["customs"]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(customs, 'test')[1]}")
    url = f"/api/v1/trips/{trip.reference}/inspections/start"
    for kind in ("green channel", "anything at all"):
        refused = api.post(url, {"kind": kind}, content_type="application/json")
        assert refused.status_code == 422, refused.content
        assert [item["loc"] for item in refused.json()["detail"]] == [["body", "kind"]]
    with pytest.raises(services.FieldErrors) as refused:
        services.start_inspection(customs, trip, kind="green channel")
    assert list(refused.value.errors) == ["kind"]
    started = api.post(url, {"kind": "physical inspection"}, content_type="application/json")
    assert started.status_code == 200, started.content
    assert services.latest(trip)["customs"].kind == "physical inspection"


def test_the_timeline_dates_an_end_on_another_day(enterprise, operator, officers, mlt):
    """A hold ended two days later read "04/12/2026 20:01 → 23:01"."""
    import datetime as dt

    from django.urls import reverse

    from cuakhau.inspections.tests.conftest import signed_in

    trip = _inside(enterprise, operator, mlt)
    services.record_result(officers["customs"], trip, "hold", "Chờ hoá đơn", "customs")
    hold = services.latest(trip)["customs"]
    start = dt.datetime(2026, 12, 4, 13, 1, tzinfo=dt.UTC)
    Inspection.objects.filter(pk=hold.pk).update(
        started_at=start, ended_at=start + dt.timedelta(days=2, hours=3)
    )
    page = signed_in(officers["customs"]).get(reverse("inspections:trip", args=[trip.reference]))
    [line] = [li for li in page.content.decode().split("<li>") if "Chờ hoá đơn" in li]
    assert "4 Dec 2026, 20:01 → 6 Dec 2026, 23:01" in line, line
