"""Slot capacity, a waiting area and a booking in the policy matrix's world (core/tests)."""

from cuakhau.slots import services
from cuakhau.slots.models import Booking, SlotCapacity, WaitingArea

from .conftest import next_hour


def slot_world(w) -> None:
    """Capacity at Ma Lù Thàng for exports, its waiting area, and the submitted trip booked."""
    mlt = w["submitted"].gate
    if not SlotCapacity.objects.filter(gate=mlt).exists():
        SlotCapacity.objects.bulk_create(
            SlotCapacity(
                gate=mlt,
                direction="export",
                weekday=day,
                hour=hour,
                lanes=2,
                trucks_per_lane_hour=3,
                quotas={"perishable": 2},
            )
            for day in range(7)
            for hour in range(24)
        )
        WaitingArea.objects.create(gate=mlt, name="Bãi chờ Km 3", gate_places=4)
    if not Booking.objects.filter(trip=w["submitted"]).exists():
        services.book_slot(w["users"]["ent_a"], w["submitted"], next_hour(3))
    w["slot_start"] = next_hour(5).isoformat()
    w["slot_day"] = next_hour(5).date().isoformat()
