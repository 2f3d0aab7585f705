"""Booking, moving, cancelling; arrivals, call-forward, no-shows; what drivers and the public see."""

import dataclasses
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import declaration
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.gate import services as gate
from cuakhau.slots import services
from cuakhau.slots.models import (
    Booking,
    BookingStatus,
    SlotCapacity,
    WaitingEntry,
    WaitingStatus,
)
from cuakhau.slots.services import SlotPermissionDenied
from cuakhau.trips import services as trips

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_hour")]

B = BookingStatus


def test_a_booking_takes_a_seat_of_its_class_and_records_who(enterprise, capacity):
    trip = fruit_trip(enterprise)
    start = next_hour()
    booking = services.book_slot(enterprise, trip, start)
    assert booking.priority_class == "perishable"
    assert booking.status == B.BOOKED
    assert booking.slot_start == start
    step = booking.transitions.get()
    assert (step.action, step.to_status, step.actor) == ("book", "booked", enterprise)
    assert services.counts_at(trip.gate, "export", start) == {"perishable": 1}


def test_general_cargo_fills_only_the_pool_and_fruit_still_finds_its_seats(enterprise, capacity):
    start = next_hour(5)  # beyond the quota's release
    for n in range(4):
        services.book_slot(enterprise, cassava_trip(enterprise, plate=f"25C-100.0{n}"), start)
    with pytest.raises(FieldErrors) as refused:
        services.book_slot(enterprise, cassava_trip(enterprise, plate="25C-100.09"), start)
    assert "fully booked" in str(refused.value.errors["slot_start"][0])
    for n in range(2):
        services.book_slot(enterprise, fruit_trip(enterprise, plate=f"25C-200.0{n}"), start)
    with pytest.raises(FieldErrors):
        services.book_slot(enterprise, fruit_trip(enterprise, plate="25C-200.09"), start)
    assert Booking.objects.filter(slot_start=start).count() == 6


def test_bad_hours_are_field_errors(enterprise, capacity, mlt):
    trip = fruit_trip(enterprise)
    for start, words in [
        (next_hour(3) + dt.timedelta(minutes=20), "on the hour"),
        (next_hour(-3), "passed"),
        (next_hour(24 * 20), "14 days"),
    ]:
        with pytest.raises(FieldErrors) as refused:
            services.book_slot(enterprise, trip, start)
        assert words in refused.value.errors["slot_start"][0]


def test_only_the_trips_enterprise_books_and_only_a_declared_trip(
    enterprise, other_enterprise, capacity
):
    trip = fruit_trip(enterprise)
    with pytest.raises(SlotPermissionDenied):
        services.book_slot(other_enterprise, trip, next_hour())
    draft = trips.create_draft(enterprise, declaration(tractor_plate="25C-321.00"))
    with pytest.raises(FieldErrors):
        services.book_slot(enterprise, draft, next_hour())


def test_a_trip_holds_one_booking_moving_frees_the_old_seat(enterprise, other_enterprise, capacity):
    trip = fruit_trip(enterprise)
    first = services.book_slot(enterprise, trip, next_hour(3))
    with pytest.raises(FieldErrors):
        services.book_slot(enterprise, trip, next_hour(4))
    moved = services.move_booking(enterprise, first, next_hour(4))
    first.refresh_from_db()
    assert first.status == B.MOVED
    assert moved.moved_from == first
    assert services.counts_at(trip.gate, "export", next_hour(3)) == {}
    assert services.counts_at(trip.gate, "export", next_hour(4)) == {"perishable": 1}
    with pytest.raises(SlotPermissionDenied):  # another enterprise: its own bookings only
        services.cancel_booking(other_enterprise, moved, "Xe hỏng")
    services.cancel_booking(enterprise, moved, "Xe hỏng")
    moved.refresh_from_db()
    assert moved.status == B.CANCELLED
    assert [t.action for t in moved.transitions.all()] == ["book", "cancel"]


def test_free_hours_show_only_what_the_trip_can_book(enterprise, capacity):
    trip = cassava_trip(enterprise)
    day = next_hour(30).date()
    hours = services.free_hours(trip, day)
    assert len(hours) == 24
    assert {seats for _start, seats in hours} == {4}


def test_arrivals_are_classified_and_walk_ins_wait_too(enterprise, operator, capacity, area):
    early = fruit_trip(enterprise, plate="25C-300.01")
    services.book_slot(enterprise, early, next_hour(4))
    walk_in = cassava_trip(enterprise, plate="25C-300.02")
    e1 = services.record_arrival(operator, early.gate, early)
    e2 = services.record_arrival_scan(operator, early.gate, "25C30002")
    assert (e1.kind, e1.booking.status) == ("early", B.WAITING)
    # The walk-in is booked at arrival into the earliest hour with room: the current one.
    assert (e2.trip, e2.kind, e2.slot_start) == (walk_in, "walk_in", next_hour(0))
    assert (e2.booking.slot_start, e2.booking.status) == (next_hour(0), B.WAITING)
    assert [(t.action, t.reason, t.actor) for t in e2.booking.transitions.all()] == [
        ("book", "walk_in", operator),
        ("arrive", "", operator),
    ]
    with pytest.raises(StateRefused, match="already in the waiting area"):
        services.record_arrival(operator, early.gate, early)


def test_a_late_truck_loses_its_seat_and_is_booked_again_as_a_walk_in(
    enterprise, operator, capacity, area
):
    trip = fruit_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(0))
    later = next_hour(0) + dt.timedelta(minutes=31)
    entry = services.record_arrival(operator, trip.gate, trip, at=later)
    booking.refresh_from_db()
    assert booking.status == B.NO_SHOW
    # Its old seat was free again, so the earliest hour with room is its own.
    assert (entry.kind, entry.slot_start) == ("late", next_hour(0))
    assert entry.booking != booking and entry.booking.status == B.WAITING
    assert services.counts_at(trip.gate, "export", next_hour(0)) == {"perishable": 1}


def test_a_truck_released_by_the_tick_still_arrives_as_late(enterprise, operator, capacity, area):
    trip = cassava_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(0))
    services.release_no_shows(now=next_hour(0) + dt.timedelta(minutes=30))
    entry = services.record_arrival(
        operator, trip.gate, trip, at=next_hour(0) + dt.timedelta(minutes=40)
    )
    assert entry.kind == "late" and entry.booking.slot_start == next_hour(0)


def test_no_shows_are_released_after_the_grace(enterprise, capacity):
    trip = fruit_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(0))
    # Half an hour after its start, within its own hour.
    assert services.release_no_shows(now=next_hour(0) + dt.timedelta(minutes=29)) == 0
    assert services.release_no_shows(now=next_hour(0) + dt.timedelta(minutes=30)) == 1
    booking.refresh_from_db()
    assert booking.status == B.NO_SHOW
    assert booking.transitions.last().actor is None


def test_call_forward_fills_the_gate_in_rule_order_and_tells_the_driver(
    enterprise, operator, capacity, area, django_capture_on_commit_callbacks, monkeypatch
):
    told = []
    monkeypatch.setattr(
        services, "tell_driver", lambda e, template="": told.append(e.trip.reference)
    )
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)
    due = fruit_trip(enterprise, plate="25C-400.01")
    services.book_slot(enterprise, due, next_hour(0))
    walk_in = cassava_trip(enterprise, plate="25C-400.02")
    later = cassava_trip(enterprise, plate="25C-400.03")
    services.book_slot(enterprise, later, next_hour(5))
    for trip in (walk_in, later, due):
        services.record_arrival(operator, trip.gate, trip)
    assert [position for _e, position, _t in services.queue(due.gate)] == [1, 2, 3]
    assert [e.trip for e, _p, _t in services.queue(due.gate)] == [due, walk_in, later]
    with django_capture_on_commit_callbacks(execute=True):
        called = services.call_forward(due.gate)
    assert [e.trip for e in called] == [due, walk_in]  # two places inside the gate
    assert told == [due.reference, walk_in.reference]
    booking = Booking.objects.get(trip=due, status=B.CALLED)
    assert booking.transitions.last().action == "call"
    # Nobody else fits until a truck goes in and out.
    assert services.call_forward(due.gate) == []
    standing = services.standing(later)
    assert standing["position"] == 1


def test_check_in_ends_the_wait_and_the_booking(enterprise, operator, capacity, area, monkeypatch):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(0))
    services.record_arrival(operator, trip.gate, trip)
    services.call_forward(trip.gate)
    gate.check_in(operator, trip.gate, trip.reference)
    entry = WaitingEntry.objects.get(trip=trip)
    assert entry.status == WaitingStatus.ENTERED
    assert Booking.objects.get(trip=trip).status == B.ENTERED


def test_a_truck_checked_in_before_its_hour_gives_that_hours_seat_back(
    enterprise, operator, capacity, monkeypatch
):
    # It kept the seat of the hour it had booked: entered, and that hour still counted it.
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = fruit_trip(enterprise)
    later = next_hour(3)
    services.book_slot(enterprise, trip, later)
    assert services.counts_at(trip.gate, "export", later) == {"perishable": 1}
    gate.check_in(operator, trip.gate, trip.reference)
    booking = Booking.objects.get(trip=trip)
    assert booking.status == B.ENTERED
    assert services.counts_at(trip.gate, "export", later) == {}
    # The seat it used is the current hour's, where it entered.
    assert booking.slot_start == next_hour(0)
    assert services.counts_at(trip.gate, "export", next_hour(0)) == {"perishable": 1}
    step = booking.transitions.get(action="enter")
    assert step.reason == later.isoformat() and step.actor is None


def test_a_truck_checked_in_in_its_own_hour_keeps_its_seat(enterprise, operator, capacity):
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(0))
    gate.check_in(operator, trip.gate, trip.reference)
    booking = Booking.objects.get(trip=trip)
    assert booking.status == B.ENTERED and booking.slot_start == next_hour(0)
    assert booking.transitions.get(action="enter").reason == ""


def test_a_cancelled_trip_gives_its_seat_back(enterprise, capacity):
    trip = cassava_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(3))
    trips.cancel_trip(enterprise, trip, "Không đi nữa")
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    assert services.counts_at(trip.gate, "export", next_hour(3)) == {}


def test_the_public_wait_times_come_from_the_waiting_area(
    enterprise, operator, capacity, area, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    for n in range(3):
        trip = cassava_trip(enterprise, plate=f"25C-500.0{n}")
        services.record_arrival(
            operator, trip.gate, trip, at=timezone.now() - dt.timedelta(minutes=40 - n)
        )
    services.call_forward(trip.gate)
    (row,) = services.wait_times()
    assert (row["gate"].code, row["direction"], row["waiting"]) == ("mlt", "export", 1)
    assert row["recent_called"] == 2
    assert 38 <= row["median_wait_minutes"] <= 40
    assert row["trucks_per_hour"] == 6
    assert row["expected_wait_minutes"] == 10


def test_the_public_median_wait_is_the_middle_of_an_even_count(
    enterprise, operator, capacity, area, monkeypatch
):
    """Two trucks called now after 50 and 10 minutes: the median is 30, not the longer one."""
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    now = timezone.now()
    for n, waited in enumerate((50, 10)):
        trip = cassava_trip(enterprise, plate=f"25C-510.0{n}")
        services.record_arrival(operator, trip.gate, trip, at=now - dt.timedelta(minutes=waited))
    assert len(services.call_forward(trip.gate)) == 2
    (row,) = services.wait_times()
    assert row["recent_called"] == 2
    assert row["median_wait_minutes"] == 30
    page = Client().get("/slots/wait-times/").content.decode()
    assert "30 minutes" in page


def test_a_manager_sets_capacity_of_their_gate(manager, operator, mlt, hng):
    row = services.set_capacity(
        manager,
        mlt,
        "export",
        9,
        lanes=3,
        trucks_per_lane_hour=4,
        quotas={"perishable": 5},
        weekday=0,
    )
    assert row.as_rule().total == 12
    with pytest.raises(FieldErrors) as refused:
        services.set_capacity(
            manager,
            mlt,
            "export",
            9,
            lanes=1,
            trucks_per_lane_hour=4,
            quotas={"perishable": 5},
            weekday=0,
        )
    assert "quotas" in refused.value.errors
    with pytest.raises(FieldErrors):
        services.set_capacity(manager, mlt, "export", 9, lanes=1, trucks_per_lane_hour=4)
    with pytest.raises(SlotPermissionDenied):
        services.set_capacity(manager, hng, "export", 9, lanes=1, trucks_per_lane_hour=4, weekday=0)
    with pytest.raises(SlotPermissionDenied):
        services.set_capacity(
            operator, mlt, "export", 9, lanes=1, trucks_per_lane_hour=4, weekday=0
        )


# H15: walk-ins are booked at arrival; a no-show's seat goes to the trucks waiting in its hour.


def _hour_capacity(mlt, start, lanes=1, per_lane=1, quotas=None):
    """A date's own capacity for one hour, overriding the fixture's weekday table."""
    at = timezone.localtime(start, mlt_zone(mlt))
    SlotCapacity.objects.create(
        gate=mlt,
        direction="export",
        date=at.date(),
        hour=at.hour,
        lanes=lanes,
        trucks_per_lane_hour=per_lane,
        quotas=quotas or {},
    )


def mlt_zone(mlt):
    from zoneinfo import ZoneInfo

    return ZoneInfo(mlt.time_zone)


def test_a_walk_in_is_booked_into_the_earliest_hour_with_a_seat_of_its_class(
    enterprise, operator, mlt, capacity, area
):
    # The next three hours hold one truck each and are booked; the fourth keeps its only seat
    # for fruit (its quota not yet released); the fifth is the fixture's 2 × 3.
    for n in range(3):
        _hour_capacity(mlt, next_hour(n))
        services.book_slot(
            enterprise, cassava_trip(enterprise, plate=f"25C-700.0{n}"), next_hour(n)
        )
    _hour_capacity(mlt, next_hour(3), quotas={"perishable": 1})
    cassava = services.record_arrival(operator, mlt, cassava_trip(enterprise, plate="25C-701.00"))
    fruit = services.record_arrival(operator, mlt, fruit_trip(enterprise, plate="25C-701.01"))
    assert (cassava.kind, cassava.slot_start) == ("walk_in", next_hour(4))
    assert (fruit.kind, fruit.slot_start) == ("walk_in", next_hour(3))
    for hour in range(5):
        total = services.capacity_for(mlt, "export", next_hour(hour)).as_rule().total
        assert sum(services.counts_at(mlt, "export", next_hour(hour)).values()) <= total
    # In the queue it waits for its hour; its expected call is that hour.
    line = {e.pk: expected for e, _position, expected in services.queue(mlt)}
    assert line[cassava.pk] == next_hour(4) - dt.timedelta(minutes=15)


def test_a_no_shows_seat_goes_to_a_waiting_walk_in_within_the_hour(
    enterprise, operator, mlt, capacity, area, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)
    # An idle gate would call the walk-in early anyway (keeping its booking): not here.
    monkeypatch.setattr(
        services, "RULES", dataclasses.replace(services.RULES, call_early_when_idle=False)
    )
    _hour_capacity(mlt, next_hour(0))
    _hour_capacity(mlt, next_hour(1))
    absent = services.book_slot(enterprise, cassava_trip(enterprise), next_hour(0))
    services.book_slot(enterprise, cassava_trip(enterprise, plate="25C-702.01"), next_hour(1))
    walk_in = services.record_arrival(
        operator, mlt, cassava_trip(enterprise, plate="25C-702.02"), at=next_hour(0)
    )
    assert walk_in.slot_start == next_hour(2)
    # Before the grace ends the seat is still the absent truck's: nobody is called.
    assert services.call_forward(mlt, now=next_hour(0) + dt.timedelta(minutes=20)) == []
    assert services.release_no_shows(now=next_hour(0) + dt.timedelta(minutes=30)) == 1
    absent.refresh_from_db()
    assert absent.status == B.NO_SHOW
    (called,) = services.call_forward(mlt, now=next_hour(0) + dt.timedelta(minutes=31))
    assert called.pk == walk_in.pk
    booking = Booking.objects.get(pk=walk_in.booking_id)
    assert (booking.slot_start, booking.status) == (next_hour(0), B.CALLED)
    assert [t.action for t in booking.transitions.all()] == ["book", "arrive", "move_up", "call"]
    assert booking.transitions.get(action="move_up").reason == next_hour(2).isoformat()
    # The hour holds one truck again, and the walk-in's later seat is free for others.
    assert services.counts_at(mlt, "export", next_hour(0)) == {"general": 1}
    assert services.counts_at(mlt, "export", next_hour(2)) == {}


def test_an_exit_calls_the_next_truck_forward_once_committed_only_if_one_waits(
    enterprise, operator, officers, capacity, area, django_capture_on_commit_callbacks, monkeypatch
):
    from cuakhau.gate.tests.conftest import clear

    called = []
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", called.append)
    leaving = fruit_trip(enterprise, plate="25C-400.01")
    gate.check_in(operator, leaving.gate, leaving.reference)
    clear(leaving, officers)

    # Nobody waits: the exit queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        gate.exit_truck(operator, leaving.gate, leaving.reference)
    assert called == []

    # A truck waits in the area: the next exit's commit queues the call for the room it leaves.
    second = fruit_trip(enterprise, plate="25C-400.02")
    gate.check_in(operator, second.gate, second.reference)
    clear(second, officers)
    waiting = cassava_trip(enterprise, plate="25C-400.03")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_arrival(operator, waiting.gate, waiting)
    called.clear()  # the arrival's own call
    with django_capture_on_commit_callbacks(execute=False) as pending:
        gate.exit_truck(operator, second.gate, second.reference)
    assert called == []  # not before the commit
    for callback in pending:
        callback()
    assert called == [second.gate.code]


# Far-off days and moments (year 1, year 9999) and the cut-off of an hour already started.


def test_far_off_moments_and_days_are_field_errors_not_overflows(enterprise, manager, capacity):
    trip = fruit_trip(enterprise)
    vn, utc = mlt_zone(trip.gate), dt.UTC
    for start, words in [
        (dt.datetime(9999, 12, 31, 23, tzinfo=vn), "14 days ahead"),
        (dt.datetime(9999, 12, 31, 23, tzinfo=utc), "14 days ahead"),
        (dt.datetime(9999, 12, 31, 23, 59, 59, 999999), "14 days ahead"),
        (dt.datetime(1, 1, 1, tzinfo=vn), "passed"),
        (dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))), "passed"),
        (dt.datetime(1, 1, 1), "passed"),
    ]:
        with pytest.raises(FieldErrors) as refused:
            services.book_slot(enterprise, trip, start)
        assert words in refused.value.errors["slot_start"][0], start
    booking = services.book_slot(enterprise, trip, next_hour(3))
    with pytest.raises(FieldErrors) as refused:
        services.move_booking(enterprise, booking, dt.datetime(9999, 12, 31, 23, tzinfo=vn))
    assert "14 days ahead" in refused.value.errors["slot_start"][0]
    first, last = services.bookable_days(trip.gate)
    for day in (
        dt.date(9999, 12, 31),
        dt.date(1, 1, 1),
        first - dt.timedelta(1),
        last + dt.timedelta(1),
    ):
        with pytest.raises(FieldErrors) as refused:
            services.free_hours(trip, day)
        assert (refused.value.location, list(refused.value.errors)) == ("query", ["day"])
    assert services.free_hours(trip, last)  # the horizon's last day has hours
    with pytest.raises(FieldErrors) as refused:
        services.set_capacity(
            manager,
            trip.gate,
            "export",
            8,
            lanes=1,
            trucks_per_lane_hour=4,
            date=dt.date(9999, 12, 31),
        )
    assert list(refused.value.errors) == ["date"]


def test_an_hour_takes_bookings_until_its_cut_off_as_moves_and_cancellations(
    enterprise, capacity, clock
):
    trip, other = fruit_trip(enterprise), cassava_trip(enterprise)
    twenty_past = clock(20)  # the hour still takes bookings
    hour = next_hour(0)
    assert hour in [start for start, _seats in services.free_hours(trip, hour.date())]
    booking = services.book_slot(enterprise, trip, hour)
    clock(50)  # ten to: past the cut-off, as its booking can no longer be moved
    assert hour not in [start for start, _seats in services.free_hours(other, hour.date())]
    with pytest.raises(FieldErrors) as refused:
        services.book_slot(enterprise, other, hour)
    assert refused.value.errors["slot_start"] == [
        f"This hour took bookings until {hour:%H}:30; choose a later one."
    ]
    with pytest.raises(FieldErrors):
        services.move_booking(enterprise, booking, next_hour(2))
    with pytest.raises(FieldErrors):
        services.cancel_booking(enterprise, booking)
    # What the slot page asks before it offers either.
    assert services.change_refusal(booking, twenty_past) is None
    assert "can no longer be moved or cancelled" in services.change_refusal(booking)


def test_a_booking_of_a_truck_in_the_waiting_area_says_why_it_cannot_change(
    enterprise, operator, capacity, area
):
    trip = fruit_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(3))
    services.record_arrival(operator, trip.gate, trip)
    booking.refresh_from_db()
    assert "reported at the waiting area" in services.change_refusal(booking)


def test_the_slot_page_opens_on_the_declared_arrival_day_if_it_can_be_booked(enterprise, capacity):
    from cuakhau.conftest import future

    in_three_days = fruit_trip(enterprise, expected_arrival=future(24 * 3))
    arrival = timezone.localtime(in_three_days.expected_arrival, mlt_zone(in_three_days.gate))
    assert services.first_day_shown(in_three_days) == arrival.date()
    in_a_month = cassava_trip(enterprise, expected_arrival=future(24 * 30))
    assert services.first_day_shown(in_a_month) == services.bookable_days(in_a_month.gate)[0]
    on_the_day = arrival.replace(hour=10, minute=0)
    booking = services.book_slot(enterprise, in_three_days, on_the_day)
    assert services.arrival_mismatch(in_three_days, booking) is None
    moved = services.move_booking(enterprise, booking, on_the_day + dt.timedelta(days=1))
    warning = services.arrival_mismatch(in_three_days, moved)
    assert warning == (
        f"The slot is on {on_the_day + dt.timedelta(days=1):%-d %b %Y}, but the trip declares "
        f"its arrival on {on_the_day:%-d %b %Y}."
    )


def test_an_hour_of_no_lanes_is_closed_not_fully_booked(enterprise, capacity, mlt):
    trip = fruit_trip(enterprise)
    start = next_hour(5)
    _hour_capacity(mlt, start, lanes=0, per_lane=0)
    with pytest.raises(FieldErrors) as refused:
        services.book_slot(enterprise, trip, start)
    assert refused.value.errors["slot_start"] == ["The gate takes no bookings for this hour."]
