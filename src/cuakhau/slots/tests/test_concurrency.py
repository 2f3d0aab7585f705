"""Many bookings for the last seats of one hour at once: never one booking too many.

Each thread has its own database connection, as each web worker has. The hour's row is
locked before its seats are counted (PostgreSQL row lock; SQLite's write lock at BEGIN
IMMEDIATE), so whatever the interleaving the hour ends with exactly its capacity, the quota
for perishable goods kept, and every refusal a field error ("fully booked"), never a 500.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from cuakhau.core.errors import FieldErrors
from cuakhau.slots import services
from cuakhau.slots.models import HOLDING, Booking

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def book_all_at_once(enterprise, trips, start):
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def worker(share):
        barrier.wait()  # begin together, to collide as much as possible
        try:
            for trip in share:
                try:
                    services.book_slot(enterprise, trip, start)
                    outcomes.append(("booked", trip.pk))
                except FieldErrors as exc:
                    outcomes.append(("refused", str(exc)))
                except Exception as exc:  # noqa: BLE001 - every other failure is a finding
                    outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    shares = [trips[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, shares))
    return outcomes


def test_concurrent_bookings_never_overbook_the_hour(enterprise, capacity):
    start = next_hour(6)
    general = [cassava_trip(enterprise, plate=f"25C-610.{n:02d}") for n in range(12)]
    fruit = [fruit_trip(enterprise, plate=f"25C-620.{n:02d}") for n in range(6)]
    # Interleaved, so fruit and general cargo race each other for the pool.
    mixed = general[:6] + fruit + general[6:]
    outcomes = book_all_at_once(enterprise, mixed, start)
    errors = [o for o in outcomes if o[0] == "error"]
    assert not errors
    holding = Booking.objects.filter(slot_start=start, status__in=HOLDING)
    # The hour takes 2 lanes × 3 trucks; 2 seats are kept for perishable goods.
    assert holding.count() == 6
    assert holding.filter(priority_class="general").count() <= 4
    assert holding.filter(priority_class="perishable").count() >= 2
    assert sum(1 for o in outcomes if o[0] == "booked") == 6
    assert sum(1 for o in outcomes if o[0] == "refused") == len(mixed) - 6
    assert all("fully booked" in o[1] for o in outcomes if o[0] == "refused")


def test_walk_ins_arriving_at_once_never_overbook_the_hour_they_are_booked_into(
    enterprise, operator, capacity, area, monkeypatch, clock
):
    """H15: a walk-in is booked at arrival through the same hour lock as a booking."""
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)
    clock(5)  # the current hour still takes bookings (until half past), whenever this runs
    walk_ins = [cassava_trip(enterprise, plate=f"25C-630.{n:02d}") for n in range(8)]
    walk_ins += [fruit_trip(enterprise, plate=f"25C-640.{n:02d}") for n in range(6)]
    # Two bookings already hold seats of the current hour.
    for n in range(2):
        services.book_slot(
            enterprise, cassava_trip(enterprise, plate=f"25C-650.{n:02d}"), next_hour(0)
        )
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def worker(share):
        barrier.wait()
        try:
            for trip in share:
                try:
                    entry = services.record_arrival(operator, trip.gate, trip)
                    outcomes.append(("booked", entry.slot_start))
                except Exception as exc:  # noqa: BLE001 - every failure is a finding
                    outcomes.append(("error", repr(exc)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, [walk_ins[i::THREADS] for i in range(THREADS)]))
    assert [o for o in outcomes if o[0] == "error"] == []
    assert len(outcomes) == len(walk_ins)
    per_hour = {}
    for booking in Booking.objects.filter(status__in=HOLDING):
        per_hour[booking.slot_start] = per_hour.get(booking.slot_start, 0) + 1
    # 2 lanes × 3 trucks an hour: 16 trucks fill at least three hours, none beyond six.
    assert sum(per_hour.values()) == 16
    assert max(per_hour.values()) == 6 and len(per_hour) >= 3
    # Every walk-in was booked into the earliest hour that still had room when it came.
    assert all(o[1] is not None for o in outcomes)
