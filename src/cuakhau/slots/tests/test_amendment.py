"""A trip amended after it booked its slot: the booking follows its direction and its cargo's
priority class, or the amendment is refused beside the field that changed."""

import pytest

from cuakhau.conftest import banana_line, cassava_line
from cuakhau.core.errors import FieldErrors
from cuakhau.slots import services
from cuakhau.slots.models import Booking, BookingStatus, SlotCapacity
from cuakhau.trips import services as trips

from .conftest import cassava_trip, next_hour

pytestmark = pytest.mark.django_db


def _amend(user, trip, **changes):
    data = {**trips.declaration_data(trip), **changes}
    return trips.amend_trip(user, trip, data, "Tờ khai sai")


def _imports_too(mlt, lanes=1):
    SlotCapacity.objects.bulk_create(
        SlotCapacity(
            gate=mlt,
            direction="import",
            weekday=day,
            hour=hour,
            lanes=lanes,
            trucks_per_lane_hour=2,
        )
        for day in range(7)
        for hour in range(24)
    )


def test_the_booking_follows_the_amended_direction_and_class(enterprise, capacity, mlt):
    _imports_too(mlt)
    trip = cassava_trip(enterprise)
    first = services.book_slot(enterprise, trip, next_hour(3))
    fresh = [banana_line(container_numbers=[])]
    trip = _amend(enterprise, trip, direction="import", cargo_lines=fresh)

    booking = services.open_booking(trip)
    assert (booking.direction, booking.priority_class) == ("import", "perishable")
    assert booking.slot_start == first.slot_start and booking.moved_from_id == first.pk
    first.refresh_from_db()
    assert first.status == BookingStatus.MOVED
    assert first.transitions.last().actor == enterprise
    # The export hour has its seat back; the import hour counts the truck.
    assert services.counts_at(mlt, "export", first.slot_start) == {}
    assert services.counts_at(mlt, "import", first.slot_start) == {"perishable": 1}


def test_a_class_change_alone_moves_the_seat_within_the_hour(enterprise, capacity, mlt):
    trip = cassava_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    trip = _amend(enterprise, trip, cargo_lines=[banana_line(container_numbers=[])])
    assert services.counts_at(mlt, "export", next_hour(3)) == {"perishable": 1}


def test_an_amendment_the_slot_cannot_follow_is_refused_beside_its_field(enterprise, capacity, mlt):
    trip = cassava_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    # No import hours at this gate: the slot has nowhere to go.
    with pytest.raises(FieldErrors) as refused:
        _amend(enterprise, trip, direction="import", cargo_lines=[cassava_line()])
    assert list(refused.value.errors) == ["direction"]
    assert "Cancel the slot first" in refused.value.errors["direction"][0]
    trip.refresh_from_db()
    assert trip.direction == "export" and trip.version == 1
    assert Booking.objects.get(trip=trip).status == BookingStatus.BOOKED


def test_an_unchanged_direction_and_class_leave_the_booking_alone(enterprise, capacity):
    trip = cassava_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(3))
    trip = _amend(enterprise, trip, driver_name="Lò Văn Sáng")
    assert services.open_booking(trip).pk == booking.pk
