"""The gate as a discrete-event simulation (SimPy), run under the live system's slot policy.

Demand first: trucks wish to cross at times drawn from the scenario's hourly profile (a Poisson
process per hour), each with its cargo (perishable or not, classified by
``slots.rules.priority_class`` from an HS code), its risk channel and the length of each stage.
The same demand, drawn once from the seed, meets each policy, so the policies differ only by
their rules (common random numbers):

``fcfs``
    Walk-in, first come first served: every truck drives to the gate when it wishes and queues.
``slots``
    Trucks book the first hour with a free seat from their wish on (``rules.allocate``), a day
    ahead, turn up early, on time, late or not at all (``rules.classify_arrival``), wait in the
    waiting area and are called forward (``rules.plan_calls``) when a lane is free. A walk-in
    (or a late truck) is booked when it arrives, into the earliest hour with a seat; until then
    it, like an early truck, may take a seat of the current hour nobody holds
    (``rules.walk_in_seats_left``), its booking moved there through ``rules.allocate``. A
    no-show's seat is released at its start plus the grace (``rules.no_show_after``). Bookings
    happen in the order of their moments (a day ahead, or at arrival), as they would live.
    No priorities.
``slots-priority``
    The same with the scenario's perishable quota per hour and the perishable rank in the
    call-forward order.

At the gate a called truck holds a lane for its lane stages (check-in, weighing, documents at
the booth), then leaves the lane for its other stages; stages marked ``staff`` (inspection,
quarantine) wait for an officer, perishables first under ``slots-priority``. Lanes take trucks
only in opening hours; officers finish whoever is inside.

Time is in minutes from the start of day one; the live rules' durations are converted to
minutes (``RULES``) so the same functions decide, on numbers instead of datetimes.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from dataclasses import dataclass

import simpy

from cuakhau.slots import rules

from .scenarios import LANE, STAFF, Scenario

FCFS, SLOTS, SLOTS_PRIORITY = "fcfs", "slots", "slots-priority"
POLICIES = (FCFS, SLOTS, SLOTS_PRIORITY)
DAY = 24 * 60
TICK = 15  # minutes: the call-forward also looks at the clock (slots falling due, new hours)


def _minutes(span: dt.timedelta) -> float:
    return span / dt.timedelta(minutes=1)


_LIVE = rules.DEFAULT_RULES
RULES = rules.ArrivalRules(
    early_tolerance=_minutes(_LIVE.early_tolerance),
    grace=_minutes(_LIVE.grace),
    quota_release=_minutes(_LIVE.quota_release),
    call_early_when_idle=_LIVE.call_early_when_idle,
    slot_length=_minutes(_LIVE.slot_length),
)
SLOT = RULES.slot_length
# Cargo as declared: fresh lychee / longan / dragon fruit (0810.90) or general goods (machines).
PERISHABLE_HS, GENERAL_HS = "0810.90", "8471.30"
# How far ahead a truck looks for a free hour before giving up and walking in.
BOOKING_SEARCH_DAYS = 60


@dataclass(slots=True)
class Truck:
    key: int
    wished: float  # when it is ready to cross
    hs_code: str
    channel: str
    durations: tuple[float, ...]  # one per stage of its channel
    books: bool  # books a slot when the policy has slots
    turn_up: str  # how it would come to a slot: on_time / early / late / no_show
    offset: float  # minutes from its slot's start when it turns up
    klass: str = rules.GENERAL
    rank: int = rules.GENERAL_RANK
    booked: float | None = None  # the slot it booked
    slot: float | None = None  # the slot it is queued under (none for a walk-in or a late truck)
    arrival: float | None = None
    kind: str = ""  # early / on_time / late / walk_in, as the rules classify the arrival
    called: float | None = None
    exited: float | None = None

    @property
    def perishable(self) -> bool:
        return self.hs_code == PERISHABLE_HS


def demand(scenario: Scenario, seed: int) -> list[Truck]:
    """The trucks wishing to cross over the scenario's days, drawn from ``seed``."""
    rng = random.Random(seed)
    weights = scenario.hourly_profile
    total_weight = sum(weights)
    channels = list(scenario.channels.items())
    s = scenario.slots
    trucks = []
    for day, per_day in enumerate(scenario.daily_arrivals):
        for hour, weight in enumerate(weights):
            rate = per_day * weight / total_weight / 60  # trucks a minute
            if rate <= 0:
                continue
            start = day * DAY + hour * 60
            t = start + rng.expovariate(rate)
            while t < start + 60:
                trucks.append(_truck(len(trucks), t, scenario, channels, s, rng))
                t += rng.expovariate(rate)
    return trucks


def _truck(key, wished, scenario, channels, s, rng) -> Truck:
    perishable = rng.random() < scenario.perishable_share
    pick, channel = rng.random(), channels[-1][0]
    for name, share in channels:
        if pick < share:
            channel = name
            break
        pick -= share
    durations = tuple(stage.draw(rng) for stage in scenario.stages[channel])
    books = rng.random() < s.booked_share
    pick = rng.random()
    if pick < s.no_show_share:
        turn_up, offset = "no_show", 0.0
    elif pick < s.no_show_share + s.late_share:
        turn_up, offset = "late", rng.uniform(*s.late_minutes)
    elif pick < s.no_show_share + s.late_share + s.early_share:
        turn_up, offset = "early", -rng.uniform(*s.early_minutes)
    else:
        # Within the early tolerance before its start and the grace after it (a minute inside).
        turn_up, offset = "on_time", rng.uniform(-RULES.early_tolerance, RULES.grace - 1)
    hs_code = PERISHABLE_HS if perishable else GENERAL_HS
    return Truck(key, wished, hs_code, channel, durations, books, turn_up, offset)


class Bookings:
    """Seats per hour, as the live capacity table would hold them."""

    def __init__(self, scenario: Scenario, lanes: int, quotas: dict):
        self.scenario = scenario
        opening, closing = scenario.open_hours
        tph = scenario.slots.trucks_per_lane_hour
        self.open_hour = rules.HourCapacity(lanes, tph, quotas)
        self.closed_hour = rules.HourCapacity(0, tph)
        self.opening, self.closing = opening, closing
        self.counts: dict[int, dict[str, int]] = {}
        # Per class, the first hour that could still take it with quotas kept: hours before it
        # fit again only when their quotas are released or a seat is given back (``holes``).
        self.first_fit: dict[str, int] = {}
        # Hours that got a seat back (a no-show, a booking moved up) and are not full again.
        self.holes: set[int] = set()
        # The most bookings each hour ever held at once (never above its capacity).
        self.peak: dict[int, int] = {}

    def capacity(self, hour: int) -> rules.HourCapacity:
        return self.open_hour if self.opening <= hour % 24 < self.closing else self.closed_hour

    def held(self, hour: int) -> int:
        return sum(self.counts.get(hour, {}).values())

    def book(self, klass: str, wished: float, booked_at: float) -> float | None:
        """The start of the first hour from the wish on with a seat for ``klass``."""
        hour = int(wished // SLOT)
        last = hour + BOOKING_SEARCH_DAYS * 24
        release_until = int((booked_at + RULES.quota_release) // SLOT)
        while hour <= last:
            if hour > release_until and hour < self.first_fit.get(klass, 0):
                found = self._in_hole(klass, hour, self.first_fit[klass], booked_at)
                if found is not None:
                    return found
                hour = self.first_fit[klass]
                continue
            start = hour * SLOT
            counts = self.counts.setdefault(hour, {})
            released = rules.quotas_released(start, booked_at, RULES)
            if rules.allocate(self.capacity(hour), counts, klass, quotas_released=released).fits:
                self._take(hour, klass)
                return start
            if not released and hour == self.first_fit.get(klass, 0):
                self.first_fit[klass] = hour + 1
            hour += 1
        return None

    def _in_hole(self, klass: str, first: int, last: int, booked_at: float) -> float | None:
        """A seat given back in an hour from ``first`` up to (not including) ``last``."""
        for hour in sorted(h for h in self.holes if first <= h < last):
            start = hour * SLOT
            released = rules.quotas_released(start, booked_at, RULES)
            counts = self.counts.setdefault(hour, {})
            if rules.allocate(self.capacity(hour), counts, klass, quotas_released=released).fits:
                self._take(hour, klass)
                return start
        return None

    def _take(self, hour: int, klass: str) -> None:
        counts = self.counts.setdefault(hour, {})
        counts[klass] = counts.get(klass, 0) + 1
        held = self.held(hour)
        self.peak[hour] = max(self.peak.get(hour, 0), held)
        if held >= self.capacity(hour).total:
            self.holes.discard(hour)

    def release(self, start: float, klass: str) -> None:
        """A seat given back (a no-show, a booking moved up): its hour may fit again."""
        hour = int(start // SLOT)
        self.counts[hour][klass] -= 1
        self.holes.add(hour)

    def move_up(self, klass: str, booked: float, now: float) -> float | None:
        """Move a booking into the current hour if ``rules.allocate`` finds it a seat there."""
        hour = int(now // SLOT)
        start = hour * SLOT
        counts = self.counts.setdefault(hour, {})
        released = rules.quotas_released(start, now, RULES)
        if not rules.allocate(self.capacity(hour), counts, klass, quotas_released=released).fits:
            return None
        self._take(hour, klass)
        self.release(booked, klass)
        return start


# What the event list holds, in the order of their moments; at one moment a seat is given back
# before a booking is made, and both before a truck turns up.
RELEASE, BOOK, ARRIVE = 0, 1, 2


class Gate:
    """One run: a scenario's gate under one policy."""

    def __init__(self, scenario: Scenario, policy: str, trucks, *, lanes=None, staff=None):
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}")
        self.scenario, self.policy = scenario, policy
        self.lanes = lanes or scenario.lanes
        self.staff_count = scenario.staff if staff is None else staff
        self.horizon = scenario.days * DAY
        self.env = simpy.Environment()
        self.staff = simpy.PriorityResource(self.env, capacity=max(1, self.staff_count))
        self.lanes_free = self.lanes
        self.lane_minutes = 0.0
        self.staff_minutes = 0.0
        self.booked: list = []  # booked trucks waiting, a heap in the rules' booked order
        self.by_arrival: list = []  # every truck waiting, a heap in arrival order
        self.events: list = []  # (minute, RELEASE / BOOK / ARRIVE, key)
        self.waiting = 0
        self.walked: dict[int, int] = {}
        self.queue_samples: list[tuple[float, int]] = []
        self.trucks = [self._copy(t) for t in trucks]
        priority = policy == SLOTS_PRIORITY
        quotas = {rules.PERISHABLE: scenario.slots.perishable_quota} if priority else {}
        self.bookings = Bookings(scenario, self.lanes, quotas)
        for truck in self.trucks:
            if priority:
                klass = rules.priority_class([truck.hs_code])
                truck.klass, truck.rank = klass.code, klass.rank
        self.by_key = {t.key: t for t in self.trucks}
        self._plan()

    @staticmethod
    def _copy(t: Truck) -> Truck:
        return Truck(
            t.key, t.wished, t.hs_code, t.channel, t.durations, t.books, t.turn_up, t.offset
        )

    def _plan(self) -> None:
        """Under slots a truck that books does so ``lead_hours`` before it is ready; everyone
        else (and every truck under FCFS) just turns up when ready."""
        lead = self.scenario.slots.lead_hours * 60
        for truck in self.trucks:
            if self.policy != FCFS and truck.books:
                self._at(truck.wished - lead, BOOK, truck)
            else:
                truck.arrival = truck.wished
                self._at(truck.wished, ARRIVE, truck)

    def _at(self, minute: float, what: int, truck: Truck) -> None:
        heapq.heappush(self.events, (minute, what, truck.key))

    def _book_ahead(self, truck: Truck) -> None:
        now = self.env.now
        # Booked at its own moment (before the run starts for the first day's trucks).
        booked_at = truck.wished - self.scenario.slots.lead_hours * 60
        truck.slot = self.bookings.book(truck.klass, truck.wished, booked_at)
        truck.booked = truck.slot
        if truck.slot is None:
            truck.arrival = truck.wished  # no hour had room: it walks in
        elif truck.turn_up == "no_show":
            self._at(max(now, rules.no_show_after(truck.slot, RULES)), RELEASE, truck)
            return
        else:
            truck.arrival = max(truck.wished, truck.slot + truck.offset)
        truck.kind = rules.classify_arrival(truck.slot, truck.arrival, RULES)
        if truck.kind == rules.LATE:
            # Its booking goes as a no-show at the end of the grace, before it turns up.
            self._at(max(now, rules.no_show_after(truck.slot, RULES)), RELEASE, truck)
        self._at(truck.arrival, ARRIVE, truck)

    def _events(self):
        env = self.env
        while self.events and self.events[0][0] < self.horizon:
            minute, what, key = heapq.heappop(self.events)
            if minute > env.now:
                yield env.timeout(minute - env.now)
            truck = self.by_key[key]
            if what == BOOK:
                self._book_ahead(truck)
            elif what == RELEASE:
                self.bookings.release(truck.slot, truck.klass)
                truck.slot = None
                self.call_forward()  # a seat of this hour is free for whoever waits
            else:
                self._arrive(truck)

    def _arrive(self, truck: Truck) -> None:
        now = self.env.now
        if not truck.kind:
            truck.kind = rules.classify_arrival(truck.slot, now, RULES)
        if self.policy != FCFS and truck.slot is None:
            # A walk-in or a late truck: the earliest hour with a seat of its class, from now.
            truck.slot = self.bookings.book(truck.klass, now, now)
        self.waiting += 1
        if truck.slot is not None:
            heapq.heappush(
                self.booked, (truck.slot, truck.rank, truck.arrival, str(truck.key), truck.key)
            )
        heapq.heappush(self.by_arrival, (truck.arrival, str(truck.key), truck.key))
        self.call_forward()

    def _clock(self):
        while True:
            if self.env.now % 60 == 0:
                self.queue_samples.append((self.env.now, self.waiting))
            self.call_forward()
            yield self.env.timeout(TICK)

    def is_open(self, now: float) -> bool:
        opening, closing = self.scenario.open_hours
        return opening * 60 <= now % DAY < closing * 60

    def call_forward(self) -> None:
        """Fill free lanes in the rules' order. Only the first ``free`` trucks of each order can
        be chosen, so only they are handed to the rules (the rest of the area is not sorted);
        trucks already called are dropped from the heaps as they come up."""
        now = self.env.now
        free = self.lanes_free
        if free <= 0 or not self.waiting or not self.is_open(now):
            return
        booked = self._top(self.booked, free)
        arrived = self._top(self.by_arrival, free)
        keys = dict.fromkeys(item[-1] for item in booked + arrived)
        hour = int(now // SLOT)
        seats = None
        if self.policy != FCFS:
            seats = rules.walk_in_seats_left(
                self.bookings.capacity(hour), self.bookings.held(hour), self.walked.get(hour, 0)
            )
        entries = [self._entry(key) for key in keys]
        for call in rules.plan_calls(entries, free, now, RULES, free_seats=seats):
            truck = self.by_key[call.entry.key]
            if call.reason == rules.SEAT and seats is not None:
                if truck.slot is None:
                    self.walked[hour] = self.walked.get(hour, 0) + 1
                else:
                    moved = self.bookings.move_up(truck.klass, truck.slot, now)
                    if moved is None:
                        continue
                    truck.slot = moved
            self.lanes_free -= 1
            self.waiting -= 1
            truck.called = now
            self._enter(truck)
        for heap, items in ((self.booked, booked), (self.by_arrival, arrived)):
            for item in items:
                if self.by_key[item[-1]].called is None:
                    heapq.heappush(heap, item)

    def _top(self, heap: list, n: int) -> list:
        """The first ``n`` trucks of a heap still waiting, popped."""
        items = []
        while heap and len(items) < n:
            item = heapq.heappop(heap)
            if self.by_key[item[-1]].called is None:
                items.append(item)
        return items

    def _entry(self, key: int) -> rules.Waiting:
        t = self.by_key[key]
        return rules.Waiting(key, t.arrival, t.slot, t.rank)

    # -- inside the gate -----------------------------------------------------------------------

    def _enter(self, truck: Truck) -> None:
        """The lane stages as one timed event (no process: most trucks need nothing else)."""
        stages = self.scenario.stages[truck.channel]
        at_lane = 0
        while at_lane < len(stages) and stages[at_lane].resource == LANE:
            at_lane += 1
        event = self.env.timeout(sum(truck.durations[:at_lane]))
        event.callbacks.append(lambda _event: self._leave_lane(truck, at_lane))

    def _leave_lane(self, truck: Truck, next_stage: int) -> None:
        self.lane_minutes += self.env.now - truck.called
        self.lanes_free += 1
        if next_stage < len(truck.durations):
            self.env.process(self._after_lane(truck, next_stage))
        else:
            truck.exited = self.env.now
        self.call_forward()

    def _after_lane(self, truck: Truck, first: int):
        env = self.env
        stages = self.scenario.stages[truck.channel]
        for stage, minutes in zip(stages[first:], truck.durations[first:], strict=True):
            if stage.resource == STAFF:
                with self.staff.request(priority=truck.rank) as officer:
                    yield officer
                    yield env.timeout(minutes)
                    self.staff_minutes += minutes
            else:
                # Weighing, driving out, or a later lane stage: a booth of its own, no queue.
                yield env.timeout(minutes)
        truck.exited = env.now

    def run(self) -> Gate:
        self.env.process(self._events())
        self.env.process(self._clock())
        self.env.run(until=self.horizon)
        return self


def simulate(
    scenario: Scenario, policy: str, seed: int = 1, *, lanes=None, staff=None, trucks=None
):
    """One run; ``trucks`` (from ``demand``) lets several policies meet the same demand."""
    trucks = demand(scenario, seed) if trucks is None else trucks
    return Gate(scenario, policy, trucks, lanes=lanes, staff=staff).run()
