"""The slot and call-forward policy: plain data in, decisions out, no database.

The live system (``cuakhau.slots.services``) and the capacity simulator both call these
functions, so a simulated gate follows exactly the rules of the real one. Nothing here imports
Django: the simulator runs it in a SimPy process without a database.

Capacity of an hour
    A gate's direction handles ``lanes × trucks_per_lane_hour`` trucks an hour. Part of that can
    be reserved for priority classes (``quotas``): seats only that class may take. Everyone,
    priority classes included, shares the rest (the pool). A priority truck takes a reserved
    seat of its class while one is free, then a pool seat. From ``ArrivalRules.quota_release``
    before the hour starts, reserved seats nobody booked are released to everyone (a quota kept
    empty at the last minute only wastes gate time). ``allocate`` says whether, and on which
    kind of seat, one more truck of a class fits an hour with given counts; ``can_book`` is its
    yes / no.

Priority classes
    ``perishable`` is built in: fresh or chilled vegetables (HS 0701–0709) and fresh fruit
    (HS 0803–0810, the headings China's fruit-access list names). Managers may define more
    (e.g. live animals, relief goods) with HS prefixes and a rank; ``priority_class`` gives a
    truck the best-ranked class any of its cargo lines matches, or ``general``.

Arrival at the waiting area (``classify_arrival``), with the slot's hour [start, start + 1 h):
    * early: before ``start - early_tolerance``; the truck waits and is called in slot order;
    * on time: from ``start - early_tolerance`` until ``start + grace``;
    * late: from ``start + grace``. By then the booking is a no-show and its seat went back to
      others; the truck is booked again as a walk-in.
    * walk-in: no booking. It is booked at arrival into the earliest hour with a free seat of
      its class (``allocate``, quotas included) and is then called like any booked truck.
No-show (``is_no_show``): a booking not arrived by ``start + grace`` is released, within its
own hour, so the seat can still go to a truck waiting in the area.

Call-forward (``plan_calls``) fills the free places inside the gate in this order:
    1. ``DUE``: booked trucks whose slot is due (slot start minus ``early_tolerance`` has come),
       by slot time, then priority rank, then arrival time;
    2. ``SEAT``: trucks whose hour has not come (walk-ins booked for a later hour, early trucks,
       a walk-in no hour could take), in arrival order, up to the seats of the current hour no
       booking holds (never booked, a no-show released, a booking moved or cancelled). The
       caller moves the booking into the current hour through ``allocate`` (so the hour is
       still never overbooked) and its later seat is freed;
    3. ``IDLE``: if places are still free, early trucks ahead of their slot
       (``call_early_when_idle``), by slot time, priority, arrival: an idle gate serves whoever
       is there. Their bookings stay where they are.
Why walk-ins are booked rather than only fed spare seats: when every hour is booked, spare
seats are rare (a few no-shows) and a walk-in would wait without bound; with a booking it
waits at most until the earliest hour that had room when it came.

Times are timezone-aware datetimes (or any comparable numbers of the same unit, as long as
the ``ArrivalRules`` durations match: the simulator uses datetimes too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

GENERAL = "general"
PERISHABLE = "perishable"
SLOT_LENGTH = dt.timedelta(hours=1)

# Fresh or chilled vegetables (HS chapter 07, headings 0701–0709; 0710 on is frozen, preserved
# or dried) and fresh fruit (chapter 08, headings 0803–0810, as in market's
# fresh-fruit-headings.csv; 0801–0802 nuts and 0811–0814 frozen, preserved or dried fruit are
# not perishable on a day's wait).
PERISHABLE_HEADINGS = frozenset(
    [f"07{n:02d}" for n in range(1, 10)] + [f"08{n:02d}" for n in range(3, 11)]
)
GENERAL_RANK = 100
PERISHABLE_RANK = 10


@dataclass(frozen=True)
class PriorityClass:
    """A class of trucks with its rank (lower is served first) and the HS prefixes that make
    a truck belong to it."""

    code: str
    rank: int
    hs_prefixes: tuple[str, ...] = ()

    def matches(self, hs_code: str) -> bool:
        code = _digits(hs_code)
        return any(code.startswith(p) for p in self.hs_prefixes)


PERISHABLE_CLASS = PriorityClass(PERISHABLE, PERISHABLE_RANK, tuple(sorted(PERISHABLE_HEADINGS)))
GENERAL_CLASS = PriorityClass(GENERAL, GENERAL_RANK)


def _digits(hs_code: str) -> str:
    return "".join(c for c in str(hs_code or "") if c.isdigit())


def priority_class(hs_codes: Iterable[str], classes: Sequence[PriorityClass] = ()) -> PriorityClass:
    """The best-ranked class any cargo line belongs to (``perishable`` is always known);
    ``general`` when none."""
    known = [PERISHABLE_CLASS, *(c for c in classes if c.code != PERISHABLE)]
    found = [c for c in known for code in hs_codes if c.matches(code)]
    return min(found, key=lambda c: (c.rank, c.code), default=GENERAL_CLASS)


def rank_of(code: str, classes: Sequence[PriorityClass] = ()) -> int:
    for c in (PERISHABLE_CLASS, GENERAL_CLASS, *classes):
        if c.code == code:
            return c.rank
    return GENERAL_RANK


# ---------------------------------------------------------------------------------------------
# Capacity of an hour


@dataclass(frozen=True)
class HourCapacity:
    lanes: int
    trucks_per_lane_hour: int
    # Seats reserved per priority class (class code → seats), part of the total.
    quotas: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return max(0, self.lanes) * max(0, self.trucks_per_lane_hour)

    @property
    def reserved(self) -> int:
        return sum(self.quotas.values())

    @property
    def pool(self) -> int:
        return max(0, self.total - self.reserved)

    def problems(self) -> list[str]:
        """What makes this capacity inconsistent (empty when it is fine)."""
        found = []
        if self.lanes < 0 or self.trucks_per_lane_hour < 0:
            found.append("negative")
        if any(v < 0 for v in self.quotas.values()):
            found.append("negative_quota")
        if GENERAL in self.quotas:
            found.append("general_quota")
        if self.reserved > self.total:
            found.append("quotas_above_total")
        return found


@dataclass(frozen=True)
class Allocation:
    fits: bool
    seat: str = ""  # "reserved" (a seat of the class's quota), "pool" or "" when it does not fit
    reason: str = ""  # why not: "full", "no_capacity"


def pool_used(capacity: HourCapacity, counts: Mapping[str, int]) -> int:
    """Pool seats taken: general trucks, and priority trucks beyond their class's quota."""
    return sum(max(0, n - capacity.quotas.get(code, 0)) for code, n in counts.items())


def allocate(
    capacity: HourCapacity,
    counts: Mapping[str, int],
    klass: str,
    *,
    quotas_released: bool = False,
) -> Allocation:
    """Whether one more truck of class ``klass`` fits an hour already holding ``counts``
    (class code → bookings), and on which kind of seat."""
    if capacity.total <= 0:
        return Allocation(False, reason="no_capacity")
    booked = sum(counts.values())
    if booked >= capacity.total:
        return Allocation(False, reason="full")
    quota = capacity.quotas.get(klass, 0)
    if counts.get(klass, 0) < quota:
        return Allocation(True, seat="reserved")
    if quotas_released:
        # Every seat is anyone's now; the total was checked above.
        return Allocation(True, seat="pool")
    if pool_used(capacity, counts) < capacity.pool:
        return Allocation(True, seat="pool")
    return Allocation(False, reason="full")


def can_book(
    capacity: HourCapacity,
    counts: Mapping[str, int],
    klass: str,
    *,
    quotas_released: bool = False,
) -> bool:
    return allocate(capacity, counts, klass, quotas_released=quotas_released).fits


def seats_left(
    capacity: HourCapacity, counts: Mapping[str, int], klass: str, *, quotas_released=False
) -> int:
    """How many more trucks of ``klass`` would fit, one after another."""
    counts = dict(counts)
    n = 0
    while can_book(capacity, counts, klass, quotas_released=quotas_released):
        counts[klass] = counts.get(klass, 0) + 1
        n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Arrival, lateness, no-shows


@dataclass(frozen=True)
class ArrivalRules:
    early_tolerance: dt.timedelta = dt.timedelta(minutes=15)
    grace: dt.timedelta = dt.timedelta(minutes=30)
    quota_release: dt.timedelta = dt.timedelta(hours=2)
    call_early_when_idle: bool = True
    slot_length: dt.timedelta = SLOT_LENGTH


DEFAULT_RULES = ArrivalRules()

EARLY = "early"
ON_TIME = "on_time"
LATE = "late"
WALK_IN = "walk_in"


def classify_arrival(slot_start, arrived_at, rules: ArrivalRules = DEFAULT_RULES) -> str:
    """early / on_time / late for a booked truck, walk_in when ``slot_start`` is None."""
    if slot_start is None:
        return WALK_IN
    if arrived_at < slot_start - rules.early_tolerance:
        return EARLY
    if arrived_at < no_show_after(slot_start, rules):
        return ON_TIME
    return LATE


def no_show_after(slot_start, rules: ArrivalRules = DEFAULT_RULES):
    """The moment a booking not arrived becomes a no-show and its seat is released: the grace
    after the slot's start, so the seat can still be used in its own hour."""
    return slot_start + rules.grace


def is_no_show(slot_start, now, rules: ArrivalRules = DEFAULT_RULES) -> bool:
    return now >= no_show_after(slot_start, rules)


def quotas_released(slot_start, now, rules: ArrivalRules = DEFAULT_RULES) -> bool:
    return now >= slot_start - rules.quota_release


def can_move_or_cancel(slot_start, now, rules: ArrivalRules = DEFAULT_RULES) -> bool:
    """A booking can be moved or cancelled until its truck would be a no-show."""
    return now < no_show_after(slot_start, rules)


def takes_bookings(slot_start, now, rules: ArrivalRules = DEFAULT_RULES) -> bool:
    """An hour takes bookings (new ones, or one moved into it) until the same moment: a booking
    taken later could never be moved or cancelled, and its truck would already be a no-show."""
    return can_move_or_cancel(slot_start, now, rules)


# ---------------------------------------------------------------------------------------------
# Call-forward


@dataclass(frozen=True)
class Waiting:
    """A truck in the waiting area. ``slot_start`` is None for a walk-in (or a late truck)."""

    key: object  # the caller's id for it (a database id, a simulated truck)
    arrived_at: object
    slot_start: object = None
    rank: int = GENERAL_RANK
    # Which hour's capacity its walk-in seat comes from (a gate's directions have their own).
    direction: str = ""

    @property
    def booked(self) -> bool:
        return self.slot_start is not None


def is_due(entry: Waiting, now, rules: ArrivalRules = DEFAULT_RULES) -> bool:
    return entry.booked and now >= entry.slot_start - rules.early_tolerance


def queue_order(
    waiting: Iterable[Waiting], now, rules: ArrivalRules = DEFAULT_RULES
) -> list[Waiting]:
    """Everyone waiting, in the order they would be called (the positions drivers see): due
    trucks, then those without a booking (arrival order), then the rest by their hour."""
    due, unbooked, early = [], [], []
    for entry in waiting:
        if not entry.booked:
            unbooked.append(entry)
        elif is_due(entry, now, rules):
            due.append(entry)
        else:
            early.append(entry)
    due.sort(key=_booked_key)
    unbooked.sort(key=_arrival_key)
    early.sort(key=_booked_key)
    return due + unbooked + early


def _booked_key(e: Waiting):
    return (e.slot_start, e.rank, e.arrived_at, str(e.key))


def _arrival_key(e: Waiting):
    return (e.arrived_at, str(e.key))


DUE = "due"  # its slot is due
SEAT = "seat"  # a seat of the current hour no booking holds
IDLE = "idle"  # ahead of its slot, the gate would stand idle


@dataclass(frozen=True)
class Call:
    entry: Waiting
    reason: str  # DUE, SEAT or IDLE


def plan_calls(
    waiting: Iterable[Waiting],
    free_places: int,
    now,
    rules: ArrivalRules = DEFAULT_RULES,
    *,
    free_seats: int | Mapping[str, int] | None = None,
) -> list[Call]:
    """Whom to call now, in order, for ``free_places`` places inside the gate, and why.

    ``free_seats``: seats of the current hour no booking holds (and no walk-in called this
    hour took), one number or one per direction (``Waiting.direction``). None: the gate keeps
    no capacity table, so trucks without a booking are called without a limit.
    A ``SEAT`` call of a booked truck means its booking moves into the current hour.
    """
    if free_places <= 0:
        return []
    entries = list(waiting)
    calls: list[Call] = []
    due = sorted((e for e in entries if e.booked and is_due(e, now, rules)), key=_booked_key)
    calls += [Call(e, DUE) for e in due[:free_places]]
    if isinstance(free_seats, Mapping):
        seats: dict | None = dict(free_seats)
    elif free_seats is None:
        seats = None
    else:
        seats = {None: free_seats}
    taken = set()
    for entry in sorted((e for e in entries if not is_due(e, now, rules)), key=_arrival_key):
        if len(calls) >= free_places:
            break
        if seats is None:
            if entry.booked:
                continue  # no seats are counted here: a booked truck waits for its hour
        else:
            pool = None if None in seats else entry.direction
            if seats.get(pool, 0) <= 0:
                continue
            seats[pool] -= 1
        calls.append(Call(entry, SEAT))
        taken.add(entry.key)
    if rules.call_early_when_idle:
        early = sorted(
            (e for e in entries if e.booked and e.key not in taken and not is_due(e, now, rules)),
            key=_booked_key,
        )
        calls += [Call(e, IDLE) for e in early[: max(0, free_places - len(calls))]]
    return calls


def call_forward_order(
    waiting: Iterable[Waiting],
    free_places: int,
    now,
    rules: ArrivalRules = DEFAULT_RULES,
    *,
    walk_in_seats: int | Mapping[str, int] | None = None,
) -> list[Waiting]:
    """The trucks of ``plan_calls``, without the reasons."""
    return [c.entry for c in plan_calls(waiting, free_places, now, rules, free_seats=walk_in_seats)]


def expected_call_times(
    ordered: Sequence[Waiting],
    now,
    trucks_per_hour: float,
    free_places: int = 0,
    rules: ArrivalRules = DEFAULT_RULES,
) -> list:
    """When each truck of ``queue_order`` may expect its call: the first ``free_places`` now,
    then one every ``1 / trucks_per_hour``; a booked truck not before its slot opens; None
    when the gate has no capacity."""
    per_truck = dt.timedelta(hours=1) / trucks_per_hour if trucks_per_hour > 0 else None
    times = []
    cursor = now
    for i, entry in enumerate(ordered):
        if i >= free_places:
            if per_truck is None:
                times.append(None)  # no capacity: nobody can say when
                continue
            cursor = cursor + per_truck
        at = cursor
        if entry.booked:
            # Called ahead of its slot only if the gate happens to be idle: expect the slot.
            at = max(at, entry.slot_start - rules.early_tolerance)
        times.append(at)
    return times


# ---------------------------------------------------------------------------------------------
# Seats of the current hour, and a walk-in's hour


def walk_in_seats_left(capacity: HourCapacity, held: int, walked: int) -> int:
    """Seats of the current hour trucks ahead of their hour (``SEAT`` calls) may still take: its
    total less the bookings it holds and the walk-ins without a booking already called in it
    (never below zero). A no-show released at ``start + grace`` no longer holds its seat."""
    return max(0, capacity.total - held - walked)


def earliest_free_hour(
    hours: Iterable[tuple], klass: str, now, rules: ArrivalRules = DEFAULT_RULES
) -> object | None:
    """The first ``start`` of ``hours`` ((start, HourCapacity, counts), in time order) with a
    seat for one more truck of ``klass`` booked at ``now``: how a walk-in (or a late truck)
    is booked at arrival. None when none has one."""
    for start, capacity, counts in hours:
        if capacity is None:
            continue
        released = quotas_released(start, now, rules)
        if allocate(capacity, counts, klass, quotas_released=released).fits:
            return start
    return None
