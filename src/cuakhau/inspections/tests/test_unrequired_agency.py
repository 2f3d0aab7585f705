"""An officer who inspects a truck the rules did not send them holds it until they pass it: a
fail or a hold they record is never ignored at the clearance, and the gate says why."""

import pytest

from cuakhau.conftest import steel_line
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.inspections import services
from cuakhau.trips.models import TripStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def steel_inside(enterprise, operator, mlt):
    """Hot-rolled steel from China, checked in: no quarantine required."""
    trip = paid(enterprise, direction="import", cargo_lines=[steel_line()], trailer_plate="")
    gate.check_in(operator, mlt, trip.reference)
    trip.refresh_from_db()
    return trip


def pass_customs_and_border_guard(trip, officers):
    for agency in ("customs", "border_guard"):
        if agency in services.outstanding(trip):
            services.record_result(officers[agency], trip, "pass", agency=agency)
    trip.refresh_from_db()


def test_a_quarantine_fail_on_steel_holds_the_truck(steel_inside, officers, mlt):
    trip = steel_inside
    assert "quarantine" not in services.required_agencies(trip)
    services.record_result(
        officers["quarantine"], trip, "fail", notes="Soil and seeds in the load bed"
    )
    pass_customs_and_border_guard(trip, officers)
    assert trip.status == TripStatus.ARRIVED
    assert services.outstanding(trip) == ["quarantine"]
    check = gate.assess(trip.reference, mlt)
    assert [p.code for p in check.problems] == ["inspection_failed"]
    assert "quarantine" in check.problems[0].message.lower()

    services.record_result(officers["quarantine"], trip, "pass", notes="Load bed cleaned")
    trip.refresh_from_db()
    assert trip.status == TripStatus.CLEARED


def test_an_inspection_begun_of_an_officers_accord_waits_for_its_result(steel_inside, officers):
    trip = steel_inside
    services.start_inspection(officers["quarantine"], trip)
    pass_customs_and_border_guard(trip, officers)
    assert trip.status == TripStatus.ARRIVED
    assert services.outstanding(trip) == ["quarantine"]


def test_the_required_agencies_alone_clear_a_truck_nobody_else_inspected(steel_inside, officers):
    trip = steel_inside
    for agency in services.outstanding(trip):
        services.record_result(officers[agency], trip, "pass", agency=agency)
    trip.refresh_from_db()
    assert trip.status == TripStatus.CLEARED
