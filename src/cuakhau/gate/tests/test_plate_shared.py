"""A typed plate that several trips carry: the truck inside is the one at the booth, and the
card names the others; the button then acts on the trip the card showed."""

import pytest
from django.test import Client

from cuakhau.conftest import cassava_line, future
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.gate.tests.test_turn_back import rejected_inside
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db


def loose(enterprise, hours, **overrides):
    """A paid trip of the same truck (25C-123.45), in bulk: no container held twice."""
    return paid(
        enterprise, expected_arrival=future(hours), cargo_lines=[cassava_line()], **overrides
    )


def test_the_truck_inside_is_the_one_a_typed_plate_names(enterprise, operator, officers, mlt):
    inside = loose(enterprise, 30)
    gate.check_in(operator, mlt, inside.reference)
    # Its next trip, paid for the way back and expected nearer now than the first one was.
    back = loose(enterprise, 2)
    check = gate.assess("25C 123.45", mlt)
    assert check.trip == inside
    assert check.action is None  # still waiting for its inspections, not a new check-in
    shared = [p for p in check.problems if p.code == "plate_shared"]
    assert len(shared) == 1 and not shared[0].blocking
    assert back.reference in shared[0].message and "Fees paid" in shared[0].message
    # Scanned by its receipt, the other trip is found alone, with nothing about the plate.
    by_reference = gate.assess(back.reference, mlt)
    assert by_reference.trip == back and by_reference.action == "check_in"
    assert "plate_shared" not in [p.code for p in by_reference.problems]


def test_of_trips_not_yet_arrived_the_one_expected_nearest_now_is_named(enterprise, mlt):
    later = loose(enterprise, 50)
    nearer = loose(enterprise, 3)
    check = gate.assess("25C12345", mlt)
    assert check.trip == nearer and check.action == "check_in"
    assert [p.code for p in check.problems] == ["plate_shared"]
    assert later.reference in check.problems[0].message
    alone = loose(enterprise, 26, tractor_plate="29C-456.78", trailer_plate="")
    assert [p.code for p in gate.assess("29C45678", mlt).problems] == []
    assert gate.assess("29C45678", mlt).trip == alone


def test_a_truck_rejected_inside_is_found_by_its_plate(enterprise, operator, officers, mlt):
    trip = rejected_inside(enterprise, operator, officers, mlt)
    check = gate.assess("25C-123.45", mlt)
    assert check.trip == trip and check.action == "turn_back"
    visit = gate.exit_truck(operator, mlt, "25C-123.45")
    assert visit.trip_id == trip.pk and visit.exited_at is not None


def test_the_consoles_button_acts_on_the_trip_its_card_showed(enterprise, operator, mlt, lanes):
    nearer = loose(enterprise, 3)
    later = loose(enterprise, 50)
    client = Client()
    client.force_login(operator)
    card = client.post("/gate/mlt/console/scan/", {"scan": "25C 123.45"}).content.decode()
    assert f'name="scan" id="card-scan" value="{nearer.reference}"' in card
    assert later.reference in card
    # Meanwhile the later trip's time is moved to the nearest: the card's button still names
    # the trip the operator saw.
    Trip.objects.filter(pk=later.pk).update(expected_arrival=future(1))
    done = client.post("/gate/mlt/console/check_in/", {"scan": nearer.reference, "lane": "L1"})
    assert done.status_code == 200
    nearer.refresh_from_db()
    later.refresh_from_db()
    assert (nearer.status, later.status) == ("arrived", "paid")
