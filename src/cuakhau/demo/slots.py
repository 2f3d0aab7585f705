"""The demo's time slots: capacity at the demo gates, bookings for the coming trucks, early
arrivals in the waiting areas, and a call-forward that already happened, so the waiting-area
pages and the public wait times show live numbers from the first minute.

Called by the ``demo`` command after the trips are generated; deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.gate.services import DEFAULT_LANES
from cuakhau.reference.models import Gate
from cuakhau.slots import services
from cuakhau.slots.models import Booking, SlotCapacity, WaitingArea, WaitingEntry
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip

GATES = ["hng", "tth", "kth", "mlt"]
# In fruit season the big gates clear freight around the clock (extended hours).
OPEN_HOURS = range(24)
TRUCKS_PER_LANE_HOUR = 6
PERISHABLE_SHARE = 0.25  # of an export hour, kept for fresh fruit and vegetables
WALK_IN_EVERY = 6  # one coming truck in six does not book: a walk-in
# Trucks left waiting after the call-forward fills the gate's free places.
MORE_THAN_CALLED = 4


def stage_slots(seed: int = 2025, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    rng = random.Random(seed)
    operator = get_user_model().objects.filter(username="vanhanh").first()
    counts = {"capacity_hours": 0, "bookings": 0, "waiting": 0, "called": 0}
    for gate in Gate.objects.filter(code__in=GATES).order_by("code"):
        counts["capacity_hours"] += _capacity(gate)
        inside = services.inside_count(gate)
        WaitingArea.objects.update_or_create(
            gate=gate,
            defaults={
                "name": f"Bãi chờ {gate.name_vi}",
                "name_en": f"{gate.name_en} waiting yard",
                "name_zh": f"{gate.name_zh}候车场" if gate.name_zh else "",
                "gate_places": inside + 2 * DEFAULT_LANES.get(gate.code, 2),
            },
        )
        coming = list(
            Trip.objects.filter(
                gate=gate,
                status__in=[TripStatus.SUBMITTED, TripStatus.PAID],
                expected_arrival__gte=now - dt.timedelta(hours=1),
                expected_arrival__lt=now + dt.timedelta(hours=30),
            )
            .exclude(bookings__isnull=False)
            .exclude(waiting_entries__isnull=False)
            .select_related("created_by", "gate")
            .order_by("expected_arrival", "pk")
        )
        for n, trip in enumerate(coming):
            if n % WALK_IN_EVERY == WALK_IN_EVERY - 1:
                continue
            if _book(trip, now):
                counts["bookings"] += 1
        if operator is None:
            continue
        # Trucks due in the next hours are already in the waiting area, some since a while.
        # At night few are due: the morning's first trucks came early and wait overnight, so
        # the waiting area (and the public page) is never empty in the first minute.
        soon = [t for t in coming if t.expected_arrival < now + dt.timedelta(hours=3)]
        least = 2 * DEFAULT_LANES.get(gate.code, 2) + MORE_THAN_CALLED
        soon += [t for t in coming if t not in soon][: max(0, least - len(soon))]
        for trip in soon:
            # Arrived before the call-forward a quarter of an hour ago, so no wait is negative.
            waited = dt.timedelta(minutes=rng.randint(20, 150))
            try:
                services.record_arrival(operator, gate, trip, at=now - waited)
                counts["waiting"] += 1
            except (FieldErrors, StateRefused):  # not expected here, or waiting already
                continue
        # The call-forward ran a quarter of an hour ago: those trucks are on their way in.
        called = services.call_forward(gate, now=now - dt.timedelta(minutes=15))
        counts["called"] += len(called)
    return counts


def _capacity(gate: Gate) -> int:
    lanes = DEFAULT_LANES.get(gate.code, 2)
    directions = {"export": max(1, lanes // 2), "import": max(1, lanes - lanes // 2)}
    rows = []
    for direction, n in directions.items():
        total = n * TRUCKS_PER_LANE_HOUR
        quotas = {"perishable": round(total * PERISHABLE_SHARE)} if direction == "export" else {}
        rows += [
            SlotCapacity(
                gate=gate,
                direction=direction,
                weekday=day,
                hour=hour,
                lanes=n,
                trucks_per_lane_hour=TRUCKS_PER_LANE_HOUR,
                quotas=quotas,
            )
            for day in range(7)
            for hour in OPEN_HOURS
        ]
    made = SlotCapacity.objects.bulk_create(rows, ignore_conflicts=True)
    return len(made)


def _book(trip: Trip, now) -> bool:
    """The hour of the truck's expected arrival, or the next free one within three hours."""
    start = services.hour_start(max(trip.expected_arrival, now), trip.gate)
    for hours in range(4):
        try:
            services.book_slot(trip.created_by, trip, start + dt.timedelta(hours=hours))
        except FieldErrors:
            continue
        return True
    return False


def summary() -> str:
    waiting = WaitingEntry.objects.filter(status="waiting").count()
    return (
        f"{Booking.objects.count():,} slots booked, {waiting} trucks in the waiting areas; "
        "public wait times at /slots/wait-times/"
    )
