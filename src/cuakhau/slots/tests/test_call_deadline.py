"""A called truck comes to the gate within ``CALL_DEADLINE``, or its call lapses: the entry is
"call missed", its place inside the gate goes to the next truck, its booking goes back to
booked (or is a no-show once its grace ran out too), all recorded as the system's; the tick
does it, as often as it runs. A truck that comes late still reports again or checks in."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from cuakhau.accounts.services import set_language
from cuakhau.gate import services as gate
from cuakhau.slots import services, tasks
from cuakhau.slots.models import Booking, BookingStatus, WaitingEntry, WaitingStatus
from cuakhau.trips.models import Trip
from cuakhau.trips.services import driver_language

from .conftest import cassava_trip, fruit_trip

pytestmark = pytest.mark.django_db

B = BookingStatus
W = WaitingStatus
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def quiet(monkeypatch):
    """No SMS, no queued call-forward: the tests call it themselves."""
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)


@pytest.fixture
def one_place(area):
    """The gate takes one truck at a time: whoever holds the call holds the gate."""
    area.gate_places = 1
    area.save(update_fields=["gate_places"])
    return area


def two_trucks_one_called(enterprise, operator, clock):
    """Fruit and cassava booked for the next hour, both at the area ten to it; the fruit
    (perishable) is called at once. Returns (h1, fruit's entry, cassava's entry)."""
    h1 = clock(0) + HOUR
    fruit = fruit_trip(enterprise, plate="25C-801.01")
    cassava = cassava_trip(enterprise, plate="25C-801.02")
    for trip in (fruit, cassava):
        services.book_slot(enterprise, trip, h1)
    clock(50)
    first = services.record_arrival(operator, fruit.gate, fruit)
    second = services.record_arrival(operator, cassava.gate, cassava)
    assert [e.pk for e in services.call_forward(fruit.gate)] == [first.pk]
    first.refresh_from_db()
    assert first.status == W.CALLED
    assert services.call_deadline(first) == h1 + 20 * MINUTE
    return h1, first, second


def actions(booking):
    return [(t.action, t.from_status, t.to_status, t.actor) for t in booking.transitions.all()]


def test_before_the_deadline_the_call_stands(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(19, hours=1)  # a minute before the deadline
    assert services.expire_calls() == 0
    first.refresh_from_db()
    assert (first.status, first.left_at) == (W.CALLED, None)
    assert services.free_places(first.gate) == 0
    assert services.call_forward(first.gate) == []
    assert first.booking.transitions.last().action == "call"
    # The driver's page says until when the call holds.
    assert services.standing(first.trip)["call_deadline"] == h1 + 20 * MINUTE
    client = Client()
    client.force_login(enterprise)
    page = client.get(f"/slots/trips/{first.trip.reference}/").content.decode()
    assert 'class="call-deadline"' in page and "Come to the gate before" in page


def test_at_the_deadline_the_call_lapses_and_the_next_truck_is_called(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    now = clock(20, hours=1)
    assert services.expire_calls() == 1
    first.refresh_from_db()
    assert (first.status, first.left_at) == (W.MISSED, now)
    # Out of the waiting area, not in its queue; its place inside the gate is free.
    assert [e.pk for e, _p, _t in services.queue(first.gate)] == [second.pk]
    assert services.free_places(first.gate) == 1
    # Its booking stands as before it reported (the hour's grace runs until half past).
    booking = Booking.objects.get(pk=first.booking_id)
    assert booking.status == B.BOOKED
    assert actions(booking)[-1] == ("miss_call", B.CALLED, B.BOOKED, None)
    assert booking.transitions.last().at == now
    # The next call-forward calls the next truck into the place.
    (called,) = services.call_forward(first.gate)
    assert called.pk == second.pk and called.called_at == now
    # And the booking of the truck that never came is a no-show at the grace, as any.
    assert services.release_no_shows(now=h1 + 30 * MINUTE) == 1
    booking.refresh_from_db()
    assert booking.status == B.NO_SHOW


def test_a_call_that_lapses_after_the_grace_makes_the_booking_a_no_show(
    enterprise, operator, capacity, area, quiet, clock
):
    h0 = clock(5) - 5 * MINUTE
    trip = cassava_trip(enterprise)
    services.book_slot(enterprise, trip, h0)
    entry = services.record_arrival(operator, trip.gate, trip)
    services.call_forward(trip.gate)
    clock(40)  # deadline 0:35, grace of the 0:00 hour over at 0:30
    assert services.expire_calls() == 1
    booking = Booking.objects.get(pk=entry.booking_id)
    assert booking.status == B.NO_SHOW
    assert [a for a, *_rest in actions(booking)] == ["book", "arrive", "call", "no_show"]
    assert actions(booking)[-1] == ("no_show", B.CALLED, B.NO_SHOW, None)
    # Its seat of the hour is free again.
    assert services.counts_at(trip.gate, "export", h0) == {}


def test_the_tick_takes_the_call_and_calls_the_next_and_repeating_it_changes_nothing(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(25, hours=1)
    assert tasks.tick.call() == 1  # the cassava, into the place the fruit's call held
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (W.MISSED, W.CALLED)
    snapshot = (
        list(WaitingEntry.objects.order_by("pk").values_list("status", "called_at", "left_at")),
        list(Booking.objects.order_by("pk").values_list("status", flat=True)),
        [actions(b) for b in Booking.objects.order_by("pk")],
    )
    # Again, at the same moment and a minute later: the same calls, the same history.
    assert tasks.tick.call() == 0
    clock(26, hours=1)
    assert services.expire_calls() == 0
    assert tasks.tick.call() == 0
    assert snapshot == (
        list(WaitingEntry.objects.order_by("pk").values_list("status", "called_at", "left_at")),
        list(Booking.objects.order_by("pk").values_list("status", flat=True)),
        [actions(b) for b in Booking.objects.order_by("pk")],
    )


def test_a_lapse_is_queued_for_the_deadline_and_gives_the_place_at_once(
    enterprise, operator, capacity, one_place, quiet, clock, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        _h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    lapses = DBTaskResult.objects.filter(task_path=tasks._path(tasks.lapse_calls_task))
    assert [(t.args_kwargs["args"], t.run_after) for t in lapses] == [
        (["mlt"], services.call_deadline(first) + dt.timedelta(seconds=1))
    ]
    # Due at the deadline, not at the next tick: the fruit's call lapses, the cassava is called.
    clock(20, hours=1)
    assert tasks.lapse_calls_task.call("mlt") == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (W.MISSED, W.CALLED)
    assert tasks.lapse_calls_task.call("mlt") == 0  # again: nothing more to do
    assert tasks.lapse_calls_task.call("xyz") == 0  # a gate since removed


def test_a_truck_that_checked_in_in_time_keeps_what_it_has(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(10, hours=1)
    gate.check_in(operator, first.gate, first.trip.reference)
    clock(40, hours=1)
    assert services.expire_calls() == 0
    first.refresh_from_db()
    assert first.status == W.ENTERED
    assert Booking.objects.get(pk=first.booking_id).status == B.ENTERED
    # A call whose trip is past the check-in is never taken back, whatever its entry says.
    WaitingEntry.objects.filter(pk=first.pk).update(status=W.CALLED)
    assert services.expire_calls() == 0


def test_a_truck_late_for_its_call_reports_again_and_waits_anew(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(20, hours=1)
    services.expire_calls()
    services.call_forward(first.gate)  # the cassava
    clock(24, hours=1)
    # Back at the area within its hour's grace: on time, on its own booking, in the queue.
    again = services.record_arrival(operator, first.gate, first.trip)
    assert again.pk != first.pk
    assert (again.status, again.kind, again.booking_id) == (W.WAITING, "on_time", first.booking_id)
    assert Booking.objects.get(pk=first.booking_id).status == B.WAITING
    assert [e.pk for e, _p, _t in services.queue(first.gate)] == [again.pk]
    # Its driver sees the new wait, not the missed call.
    standing = services.standing(first.trip)
    assert (standing["entry"].pk, standing["position"]) == (again.pk, 1)
    assert standing["call_deadline"] is None


def test_a_truck_late_past_the_grace_reports_again_as_late(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(20, hours=1)
    tasks.tick.call()
    clock(35, hours=1)
    tasks.tick.call()  # the grace is over: the booking is released as a no-show
    assert Booking.objects.get(pk=first.booking_id).status == B.NO_SHOW
    again = services.record_arrival(operator, first.gate, first.trip)
    assert again.kind == "late" and again.booking_id != first.booking_id
    assert again.booking.status == B.WAITING


def test_a_truck_late_for_its_call_still_checks_in_at_the_gate(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(20, hours=1)
    services.expire_calls()
    clock(25, hours=1)
    # Driven straight to the booth: checked in, its booking entered; the missed call stays
    # in the waiting area's record as it happened.
    gate.check_in(operator, first.gate, first.trip.reference)
    first.trip.refresh_from_db()
    assert first.trip.status == "arrived"
    booking = Booking.objects.get(pk=first.booking_id)
    assert booking.status == B.ENTERED
    assert [a for a, *_rest in actions(booking)][-2:] == ["miss_call", "enter"]
    first.refresh_from_db()
    assert first.status == W.MISSED


def test_a_truck_late_past_the_grace_still_checks_in(
    enterprise, operator, capacity, area, quiet, clock
):
    h0 = clock(5) - 5 * MINUTE
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, h0)
    services.record_arrival(operator, trip.gate, trip)
    services.call_forward(trip.gate)
    clock(40)
    services.expire_calls()
    booking = Booking.objects.get(trip=trip)
    assert booking.status == B.NO_SHOW
    clock(45)
    gate.check_in(operator, trip.gate, trip.reference)
    trip.refresh_from_db()
    assert trip.status == "arrived"
    # No open booking to enter: the no-show stays what it was; nothing waits any more.
    booking.refresh_from_db()
    assert booking.status == B.NO_SHOW
    assert services.open_booking(trip) is None
    assert not WaitingEntry.objects.filter(trip=trip, status__in=[W.WAITING, W.CALLED]).exists()


def test_a_missed_walk_in_gives_back_the_seat_it_was_called_for(
    enterprise, operator, capacity, area, quiet, clock, monkeypatch
):
    monkeypatch.setattr(services, "_book_on_arrival", lambda *args, **kwargs: None)
    h0 = clock(5) - 5 * MINUTE
    trip = cassava_trip(enterprise)
    entry = services.record_arrival(operator, trip.gate, trip)
    assert entry.slot_start is None  # no hour could take it: it waits for a spare seat
    seats = services.walk_in_seats(trip.gate, h0)["export"]
    services.call_forward(trip.gate)
    assert services.walk_in_seats(trip.gate, h0)["export"] == seats - 1
    clock(40)
    assert services.expire_calls() == 1
    assert services.walk_in_seats(trip.gate, clock(40))["export"] == seats


LABELS = {"vi", "en", "zh-hans"}


def _missed(enterprise, operator, clock):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(20, hours=1)
    services.expire_calls()
    first.refresh_from_db()
    return h1, first


def _in_catalogue(language: str) -> bool:
    with translation.override(language):
        return all(translation.gettext(m) != m for m in ("call missed", "let the call lapse"))


@pytest.mark.parametrize("language", sorted(LABELS))
def test_a_missed_call_is_named_in_the_readers_language(
    enterprise, operator, capacity, one_place, quiet, clock, language
):
    h1, entry = _missed(enterprise, operator, clock)
    with translation.override("en"):
        english = (
            str(entry.get_status_display()),
            services.BOOKING_MACHINE.say("action", "miss_call"),
        )
    with translation.override(language):
        label = str(entry.get_status_display())
        action = services.BOOKING_MACHINE.say("action", "miss_call")
    assert english == ("call missed", "let the call lapse")
    assert label != "missed" and action != "miss_call"  # never the stored codes
    # The driver's page and the API say it in the reader's language.
    set_language(enterprise, language)
    client = Client()
    client.force_login(enterprise)
    page = client.get(f"/slots/trips/{entry.trip.reference}/").content.decode()
    assert label in page and 'class="call-missed"' in page
    standing = (
        Client(HTTP_AUTHORIZATION=_bearer(enterprise))
        .get(f"/api/v1/trips/{entry.trip.reference}/slot")
        .json()
    )
    assert (standing["waiting_status"], standing["waiting_status_label"]) == ("missed", label)
    assert dt.datetime.fromisoformat(standing["call_deadline"]) == h1 + 20 * MINUTE
    if language != "en":
        assert _in_catalogue(language)
        assert (label, action) != english


def _bearer(user) -> str:
    from cuakhau.accounts.services import issue_token

    return f"Bearer {issue_token(user, 't')[1]}"


@pytest.mark.django_db(transaction=True)
def test_sweeps_and_check_ins_at_once_take_each_lapsed_call_once(
    enterprise, operator, capacity, area, quiet, clock
):
    """Three sweeps and three check-ins of called trucks at the deadline, each on its own
    connection: every lapsed call taken once, no check-in refused or undone."""
    area.gate_places = 6
    area.save(update_fields=["gate_places"])
    h1 = clock(0) + HOUR
    # The fruit trips are paid (they may check in); the cassava ones are only declared.
    trips = [fruit_trip(enterprise, plate=f"25C-820.{n:02d}") for n in range(3)]
    trips += [cassava_trip(enterprise, plate=f"25C-810.{n:02d}") for n in range(3)]
    for trip in trips:
        services.book_slot(enterprise, trip, h1)
    clock(50)
    for trip in trips:
        services.record_arrival(operator, trip.gate, trip)
    assert len(services.call_forward(trips[0].gate)) == 6
    clock(21, hours=1)
    arriving, absent = trips[:3], trips[3:]
    barrier = threading.Barrier(6)
    errors = []

    def run(job):
        barrier.wait()
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            errors.append(repr(exc))
        finally:
            connection.close()

    jobs = [services.expire_calls] * 3
    jobs += [lambda t=t: gate.check_in(operator, t.gate, t.reference) for t in arriving]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(run, jobs))
    assert errors == []
    for trip in arriving:
        assert Trip.objects.get(pk=trip.pk).status == "arrived"
        booking = Booking.objects.get(trip=trip)
        assert booking.status == B.ENTERED
        assert [a for a, *_rest in actions(booking)].count("miss_call") <= 1
        assert WaitingEntry.objects.get(trip=trip).status in (W.ENTERED, W.MISSED)
    for trip in absent:
        assert WaitingEntry.objects.get(trip=trip).status == W.MISSED
        booking = Booking.objects.get(trip=trip)
        assert booking.status == B.BOOKED
        assert [a for a, *_rest in actions(booking)].count("miss_call") == 1
    assert not WaitingEntry.objects.filter(status=W.CALLED).exists()


def test_the_waiting_area_page_shows_who_is_on_the_way_and_who_missed_the_call(
    enterprise, operator, capacity, one_place, quiet, clock
):
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    client = Client()
    client.force_login(operator)
    url = f"/slots/{first.gate.code}/waiting/"

    def section(html: str, css: str) -> str:
        return html.split(f'class="items {css}"', 1)[1].split("</table>", 1)[0]

    # Called: on its way, with the time it must be at the gate by.
    on_the_way = section(client.get(url).content.decode(), "called-trucks")
    deadline = services.local(h1 + 20 * MINUTE, first.gate).strftime("%H:%M")
    assert first.trip.tractor_plate in on_the_way and deadline in on_the_way
    assert second.trip.tractor_plate not in on_the_way and "late:" not in on_the_way
    # Past the deadline, before the tick takes the call back: marked late.
    clock(21, hours=1)
    assert "late: the call goes to the next truck" in section(
        client.get(url).content.decode(), "called-trucks"
    )
    # Taken back: no longer on its way, listed among the missed calls.
    services.expire_calls()
    html = client.get(url).content.decode()
    assert first.trip.tractor_plate not in section(html, "called-trucks")
    assert "No truck is on its way to the gate." in section(html, "called-trucks")
    assert first.trip.tractor_plate in section(html, "missed-calls")
    # Half a day later the page no longer lists it.
    clock(21, hours=14)
    assert 'class="items missed-calls"' not in client.get(url).content.decode()


def test_the_driver_is_told_the_call_lapsed_in_their_language(
    enterprise,
    operator,
    capacity,
    one_place,
    clock,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from cuakhau.notify.messages import render
    from cuakhau.notify.models import Message

    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)
    h1, first, second = two_trucks_one_called(enterprise, operator, clock)
    clock(20, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_calls() == 1
    message = Message.objects.get(dedupe_key=f"slots.missed:{first.pk}")
    assert message.template == "truck_call_missed"
    assert message.language == driver_language(first.trip)
    text = render(message.template, message.language, message.context).text
    deadline = services.local(h1 + 20 * MINUTE, first.gate).strftime("%H:%M")
    assert first.trip.tractor_plate in text and deadline in text
    # Once: a second sweep finds nothing, and the same lapse is never told twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_calls() == 0
    assert Message.objects.filter(dedupe_key=f"slots.missed:{first.pk}").count() == 1
