"""The slot policy without a database: capacity and quotas, arrivals, no-shows, call-forward."""

import csv
import datetime as dt
from pathlib import Path

from cuakhau.slots import rules
from cuakhau.slots.rules import (
    EARLY,
    GENERAL,
    LATE,
    ON_TIME,
    PERISHABLE,
    WALK_IN,
    ArrivalRules,
    HourCapacity,
    PriorityClass,
    Waiting,
)

T0 = dt.datetime(2026, 6, 15, 8, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def test_the_hour_holds_lanes_times_trucks_per_lane_hour():
    cap = HourCapacity(lanes=3, trucks_per_lane_hour=4)
    assert cap.total == 12
    assert rules.seats_left(cap, {}, GENERAL) == 12
    assert rules.seats_left(cap, {GENERAL: 11}, GENERAL) == 1
    assert not rules.can_book(cap, {GENERAL: 12}, GENERAL)
    assert rules.allocate(HourCapacity(0, 4), {}, GENERAL).reason == "no_capacity"


def test_a_quota_is_kept_for_its_class_and_its_class_also_uses_the_pool():
    cap = HourCapacity(lanes=2, trucks_per_lane_hour=5, quotas={PERISHABLE: 4})
    # General trucks take the six pool seats only.
    assert rules.seats_left(cap, {}, GENERAL) == 6
    assert not rules.can_book(cap, {GENERAL: 6}, GENERAL)
    # Fruit still has its four reserved seats when the pool is full.
    assert rules.allocate(cap, {GENERAL: 6}, PERISHABLE).seat == "reserved"
    assert rules.seats_left(cap, {GENERAL: 6}, PERISHABLE) == 4
    # Fruit beyond its quota competes for the pool like everyone.
    assert rules.allocate(cap, {PERISHABLE: 4}, PERISHABLE).seat == "pool"
    assert rules.seats_left(cap, {PERISHABLE: 4}, GENERAL) == 6
    assert rules.seats_left(cap, {PERISHABLE: 7}, GENERAL) == 3
    assert rules.seats_left(cap, {PERISHABLE: 7, GENERAL: 3}, PERISHABLE) == 0


def test_unbooked_quota_seats_are_released_to_everyone_shortly_before_the_hour():
    cap = HourCapacity(lanes=1, trucks_per_lane_hour=10, quotas={PERISHABLE: 4})
    counts = {GENERAL: 6, PERISHABLE: 1}
    assert not rules.can_book(cap, counts, GENERAL)
    assert rules.quotas_released(T0, T0 - 2 * H)
    assert not rules.quotas_released(T0, T0 - 2 * H - M)
    assert rules.seats_left(cap, counts, GENERAL, quotas_released=True) == 3
    assert not rules.can_book(cap, {GENERAL: 10}, PERISHABLE, quotas_released=True)


def test_inconsistent_capacities_are_named():
    assert HourCapacity(2, 5, {PERISHABLE: 4}).problems() == []
    assert "quotas_above_total" in HourCapacity(1, 3, {PERISHABLE: 4}).problems()
    assert "general_quota" in HourCapacity(1, 3, {GENERAL: 1}).problems()


def test_fresh_fruit_and_vegetables_are_perishable_dried_and_frozen_are_not():
    assert rules.priority_class(["0810.90.10"]).code == PERISHABLE  # lychee, dragon fruit
    assert rules.priority_class(["070200"]).code == PERISHABLE  # tomatoes
    assert rules.priority_class(["0803", "8703"]).code == PERISHABLE
    assert rules.priority_class(["081310"]).code == GENERAL  # dried apricots
    assert rules.priority_class(["071010"]).code == GENERAL  # frozen potatoes
    assert rules.priority_class(["0801"]).code == GENERAL  # coconuts, cashew nuts
    assert rules.priority_class([]).code == GENERAL


def test_every_fresh_fruit_heading_of_the_market_rules_is_perishable():
    path = Path(rules.__file__).parents[1] / "market" / "data" / "fresh-fruit-headings.csv"
    with path.open(encoding="utf-8") as f:
        prefixes = [row["hs_prefix"] for row in csv.DictReader(f)]
    assert prefixes
    assert all(rules.priority_class([p + "00"]).code == PERISHABLE for p in prefixes)


def test_a_managers_class_with_a_better_rank_wins():
    animals = PriorityClass("live_animals", 5, ("01",))
    relief = PriorityClass("relief", 50, ("3004",))
    assert rules.priority_class(["010229", "0810"], [animals, relief]).code == "live_animals"
    assert rules.priority_class(["300490"], [animals, relief]).code == "relief"
    assert rules.rank_of("relief", [animals, relief]) == 50
    assert rules.rank_of(PERISHABLE) < rules.rank_of(GENERAL)


def test_arrivals_are_early_on_time_or_late_around_the_slot_start_and_its_grace():
    r = ArrivalRules(early_tolerance=15 * M, grace=30 * M)
    assert rules.classify_arrival(None, T0) == WALK_IN
    assert rules.classify_arrival(T0, T0 - 16 * M, r) == EARLY
    assert rules.classify_arrival(T0, T0 - 15 * M, r) == ON_TIME
    assert rules.classify_arrival(T0, T0 + 29 * M, r) == ON_TIME
    assert rules.classify_arrival(T0, T0 + 30 * M, r) == LATE
    # The no-show is released within its own hour, half an hour of it still to use.
    assert rules.no_show_after(T0, r) == T0 + 30 * M < T0 + H
    assert not rules.is_no_show(T0, T0 + 29 * M, r)
    assert rules.is_no_show(T0, T0 + 30 * M, r)
    assert rules.can_move_or_cancel(T0, T0 + 29 * M, r)
    assert not rules.can_move_or_cancel(T0, T0 + 30 * M, r)


def _w(key, arrived, slot=None, rank=rules.GENERAL_RANK):
    return Waiting(key=key, arrived_at=arrived, slot_start=slot, rank=rank)


def test_call_forward_goes_by_slot_then_priority_then_arrival():
    now = T0 + 5 * M
    waiting = [
        _w("walk-in early bird", T0 - 3 * H),
        _w("9h general", T0 - 2 * H, T0 + H),
        _w("8h general, came first", T0 - 2 * H, T0),
        _w("8h fruit, came later", T0 - H, T0, rank=rules.PERISHABLE_RANK),
        _w("7h general, came last", T0, T0 - H),
        _w("walk-in fruit", T0 - M, rank=rules.PERISHABLE_RANK),
    ]
    order = [e.key for e in rules.queue_order(waiting, now)]
    assert order == [
        "7h general, came last",
        "8h fruit, came later",
        "8h general, came first",
        # Without a booking (no hour had room within the horizon): by arrival.
        "walk-in early bird",
        "walk-in fruit",
        "9h general",
    ]
    called = rules.call_forward_order(waiting, 2, now)
    assert [e.key for e in called] == order[:2]
    assert rules.call_forward_order(waiting, 0, now) == []


def test_walk_ins_wait_for_seats_of_the_hour_and_early_trucks_fill_an_idle_gate():
    now = T0
    waiting = [_w("walk-in", T0 - H), _w("9h booked", T0 - H, T0 + H)]
    called = rules.call_forward_order(waiting, 5, now, walk_in_seats=0)
    assert [e.key for e in called] == ["9h booked"]
    strict = ArrivalRules(call_early_when_idle=False)
    assert rules.call_forward_order(waiting, 5, now, strict, walk_in_seats=0) == []
    assert [e.key for e in rules.call_forward_order(waiting, 5, now, strict)] == ["walk-in"]


def test_expected_call_times_follow_the_queue_and_never_precede_a_slot():
    now = T0
    ordered = rules.queue_order(
        [_w("a", T0 - H, T0), _w("b", T0 - H), _w("c", T0 - H, T0 + 3 * H)], now
    )
    times = rules.expected_call_times(ordered, now, trucks_per_hour=6, free_places=1)
    assert times[0] == now
    assert times[1] == now + 10 * M
    assert times[2] == T0 + 3 * H - 15 * M
    assert rules.expected_call_times(ordered, now, 0, 1) == [now, None, None]


def test_walk_in_seats_are_counted_per_direction():
    waiting = [
        Waiting("export 1", T0 - 3 * H, direction="export"),
        Waiting("export 2", T0 - 2 * H, direction="export"),
        Waiting("import 1", T0 - H, direction="import"),
    ]
    called = rules.call_forward_order(waiting, 5, T0, walk_in_seats={"export": 1, "import": 1})
    assert [e.key for e in called] == ["export 1", "import 1"]


# Added for the capacity simulator (H9): the walk-in seat arithmetic it shares with services.
def test_walk_in_seats_left_are_the_hour_less_its_bookings_and_called_walk_ins():
    hour = HourCapacity(lanes=2, trucks_per_lane_hour=5, quotas={PERISHABLE: 3})
    assert rules.walk_in_seats_left(hour, held=6, walked=1) == 3
    assert rules.walk_in_seats_left(hour, held=10, walked=0) == 0
    assert rules.walk_in_seats_left(hour, held=9, walked=4) == 0
    assert rules.walk_in_seats_left(HourCapacity(0, 5), held=0, walked=0) == 0


# H15: walk-ins are booked at arrival; no-shows release their seat within the hour.


def test_a_walk_in_gets_the_earliest_hour_with_a_seat_of_its_class():
    full = HourCapacity(1, 2)
    fruit_only = HourCapacity(1, 2, {PERISHABLE: 2})
    open_hour = HourCapacity(2, 3, {PERISHABLE: 2})
    hours = [
        (T0, full, {GENERAL: 2}),  # the current hour, booked out
        (T0 + H, None, {}),  # the gate takes no bookings then
        (T0 + 3 * H, fruit_only, {}),  # its seats are kept for fruit (quota not yet released)
        (T0 + 4 * H, open_hour, {GENERAL: 3}),
        (T0 + 5 * H, open_hour, {}),
    ]
    assert rules.earliest_free_hour(hours, GENERAL, T0 + 5 * M) == T0 + 4 * H
    assert rules.earliest_free_hour(hours, PERISHABLE, T0 + 5 * M) == T0 + 3 * H
    # Within two hours of its start the quota is everyone's.
    assert rules.earliest_free_hour(hours, GENERAL, T0 + H) == T0 + 3 * H
    assert rules.earliest_free_hour(hours[:2], GENERAL, T0) is None


def test_seats_nobody_holds_go_to_trucks_ahead_of_their_hour_in_arrival_order():
    now = T0 + 35 * M  # a no-show of the 8h slot has just been released
    waiting = [
        _w("due at 8h", T0 - 10 * M, T0),
        _w("walk-in booked for 14h, came first", T0 - 2 * H, T0 + 6 * H),
        _w("early for 9h", T0 - H, T0 + H, rank=rules.PERISHABLE_RANK),
        _w("walk-in booked for 12h", T0 - 30 * M, T0 + 4 * H),
    ]
    calls = rules.plan_calls(waiting, 3, now, free_seats=1)
    assert [(c.entry.key, c.reason) for c in calls] == [
        ("due at 8h", rules.DUE),
        ("walk-in booked for 14h, came first", rules.SEAT),
        # No seat left: only an otherwise idle place, by slot time, the booking unmoved.
        ("early for 9h", rules.IDLE),
    ]
    # Two seats: the next by arrival takes the second one, whatever its slot or class.
    calls = rules.plan_calls(waiting, 3, now, free_seats=2)
    assert [c.reason for c in calls] == [rules.DUE, rules.SEAT, rules.SEAT]
    assert calls[2].entry.key == "early for 9h"
    # The seats are counted, the places too: one place, the due truck only.
    assert [c.entry.key for c in rules.plan_calls(waiting, 1, now, free_seats=5)] == ["due at 8h"]
    # A gate without a capacity table counts no seats: booked trucks wait for their hour.
    strict = ArrivalRules(call_early_when_idle=False)
    assert [c.entry.key for c in rules.plan_calls(waiting, 3, now, strict)] == ["due at 8h"]


def test_an_hour_takes_bookings_until_a_booking_of_it_could_no_longer_change():
    r = ArrivalRules(grace=30 * M)
    assert rules.takes_bookings(T0, T0 - 14 * 24 * H, r)
    assert rules.takes_bookings(T0, T0 + 29 * M, r)
    assert not rules.takes_bookings(T0, T0 + 30 * M, r)
    assert not rules.takes_bookings(T0, T0 + 50 * M, r)
