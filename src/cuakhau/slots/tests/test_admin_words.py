"""The administration's page of a booking lists its steps with their reasons in words: the
system writes codes there (a walk-in's booking "walk_in", the hour a move left as an ISO
time), which the page showed as stored."""

import pytest

from cuakhau.accounts import roles
from cuakhau.conftest import person
from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.slots import services

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_hour")]


@pytest.mark.parametrize(
    ("language", "walk_in"),
    [("vi", "xe không đặt khung giờ"), ("zh-hans", "未预约车辆")],
)
def test_a_bookings_steps_give_their_reasons_in_words(
    enterprise, operator, capacity, area, language, walk_in
):
    trip = cassava_trip(enterprise, plate="25C-300.02")
    entry = services.record_arrival_scan(operator, trip.gate, "25C30002")
    booked = fruit_trip(enterprise, plate="25C-300.03")
    moved = services.book_slot(enterprise, booked, next_hour(4))
    services.move_booking(enterprise, moved, next_hour(6))
    admin = reader_in(person("quantri", roles.ADMINISTRATOR), language)
    for booking in (entry.booking, moved):
        page = admin.get(f"/admin/slots/booking/{booking.pk}/change/")
        assert page.status_code == 200
        text = visible_text(page.content.decode())
        assert "walk_in" not in text
        assert not [
            r
            for r in booking.transitions.values_list("reason", flat=True)
            if "T" in r and r in text
        ]
    text = visible_text(
        admin.get(f"/admin/slots/booking/{entry.booking.pk}/change/").content.decode()
    )
    assert walk_in in text.lower()
