"""A check-in a gate tablet queued while offline moves the truck's booking to the hour the
truck entered (the event's own time), not to the hour the event reached the server: a tablet
back online after two hours put the booking, and the seat it used, two hours late, and freed
the wrong hour's seat."""

import datetime as dt
import uuid

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.slots import services
from cuakhau.slots.models import Booking, BookingStatus, WaitingEntry, WaitingStatus

from .conftest import fruit_trip, next_hour

pytestmark = pytest.mark.django_db


def _queued_check_in(operator, trip, occurred_at: dt.datetime) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'tablet')[1]}")
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": occurred_at.isoformat(),
        "scan": trip.reference,
        "device_id": "tablet-1",
    }
    answer = client.post("/api/v1/gate/mlt/events", [event], content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer.json()[0]


def test_a_queued_check_in_moves_the_booking_to_the_hour_the_truck_entered(
    enterprise, operator, capacity, area, clock, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    entered_hour = next_hour(0)
    clock(5)
    trip = fruit_trip(enterprise)
    booked = entered_hour + dt.timedelta(hours=4)
    services.book_slot(enterprise, trip, booked)
    services.record_arrival(operator, trip.gate, trip)
    entered_at = clock(20)
    # The tablet was offline: its check-in reaches the server two hours later.
    clock(40, hours=2)
    applied = _queued_check_in(operator, trip, entered_at)
    assert applied["accepted"], applied
    booking = Booking.objects.get(trip=trip)
    assert booking.status == BookingStatus.ENTERED
    assert booking.slot_start == entered_hour
    assert services.counts_at(trip.gate, "export", entered_hour) == {"perishable": 1}
    assert services.counts_at(trip.gate, "export", entered_hour + dt.timedelta(hours=2)) == {}
    assert services.counts_at(trip.gate, "export", booked) == {}
    assert booking.transitions.get(action="enter").reason == booked.isoformat()
    # It stopped waiting when it entered, too.
    entry = WaitingEntry.objects.get(trip=trip)
    assert entry.status == WaitingStatus.ENTERED and entry.left_at == entered_at


def test_a_queued_check_in_within_its_own_hour_keeps_the_booking(
    enterprise, operator, capacity, clock, monkeypatch
):
    # Entered in its booked hour, delivered two hours later: not "early" for the later hour.
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    booked = next_hour(1)
    clock(5)
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, booked)
    entered_at = clock(10, hours=1)
    clock(20, hours=3)
    applied = _queued_check_in(operator, trip, entered_at)
    assert applied["accepted"], applied
    booking = Booking.objects.get(trip=trip)
    assert booking.status == BookingStatus.ENTERED and booking.slot_start == booked
    assert booking.transitions.get(action="enter").reason == ""


def test_a_queued_check_in_in_time_undoes_the_no_show_marked_meanwhile(
    enterprise, operator, capacity, clock, monkeypatch
):
    """The truck entered within its slot's grace; its tablet's check-in reached the server after
    the minute tick had given the booking up: the truck stayed counted as a no-show."""
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    booked = next_hour(1)
    clock(5)
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, booked)
    entered_at = clock(10, hours=1)  # ten minutes into its hour: within the grace
    clock(20, hours=3)
    assert services.release_no_shows() == 1
    applied = _queued_check_in(operator, trip, entered_at)
    assert applied["accepted"], applied
    booking = Booking.objects.get(trip=trip)
    assert booking.status == BookingStatus.ENTERED and booking.slot_start == booked
    assert [t.action for t in booking.transitions.order_by("pk")] == ["book", "no_show", "enter"]


def test_a_queued_check_in_after_the_grace_leaves_the_no_show(
    enterprise, operator, capacity, clock, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    booked = next_hour(1)
    clock(5)
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, booked)
    entered_at = clock(55, hours=1)  # near the hour's end: past the grace
    clock(20, hours=3)
    assert services.release_no_shows() == 1
    assert _queued_check_in(operator, trip, entered_at)["accepted"]
    assert Booking.objects.get(trip=trip).status == BookingStatus.NO_SHOW
