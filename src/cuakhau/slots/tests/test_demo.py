"""The demo's slots: capacity, bookings for the coming trucks, a waiting area with live numbers."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.conftest import cassava_line, declaration
from cuakhau.demo.slots import stage_slots
from cuakhau.slots import services
from cuakhau.slots.models import Booking, SlotCapacity
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def test_the_demo_books_the_coming_trucks_and_fills_the_waiting_area(
    enterprise, operator, mlt, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    for n in range(7):
        trips.save_and_submit(
            enterprise,
            None,
            declaration(
                tractor_plate=f"25C-900.0{n}",
                cargo_lines=[cassava_line()],
                expected_arrival=timezone.now() + dt.timedelta(minutes=20 + 10 * n),
            ),
        )
    counts = stage_slots(seed=7)
    assert SlotCapacity.objects.filter(gate=mlt, direction="export").exists()
    assert counts["bookings"] == 6  # the sixth coming truck walks in
    # The walk-in is booked too, when it reports at the waiting area (H15's walk-in rule).
    assert Booking.objects.count() == 7
    assert Booking.objects.filter(transitions__reason="walk_in").count() == 1
    assert counts["waiting"] == 7 and counts["called"] >= 1
    (row,) = [r for r in services.wait_times() if (r["gate"], r["direction"]) == (mlt, "export")]
    assert row["recent_called"] == counts["called"]
    assert row["median_wait_minutes"] is not None
    assert stage_slots(seed=7)["bookings"] == 0  # run again: nothing twice
