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


@pytest.mark.parametrize(
    ("language", "fruit", "medical", "none"),
    [
        ("en", "perishable: 2 seats", "Medical supplies: 1 seat", "no reserved seats"),
        ("vi", "hàng mau hỏng: 2 chỗ", "Vật tư y tế: 1 chỗ", "không có chỗ dành riêng"),
        ("zh-hans", "易腐货物：2 个车位", "医疗物资：1 个车位", "无预留车位"),
    ],
)
def test_the_capacity_list_says_its_reserved_seats_in_words(mlt, language, fruit, medical, none):
    from cuakhau.slots.models import PriorityClass, SlotCapacity

    PriorityClass.objects.create(
        code="medical", name_vi="Vật tư y tế", name_en="Medical supplies", name_zh="医疗物资",
        rank=5,
    )  # fmt: skip
    hour = {"gate": mlt, "direction": "export", "lanes": 2, "trucks_per_lane_hour": 3}
    SlotCapacity.objects.create(weekday=0, hour=8, quotas={"perishable": 2, "medical": 1}, **hour)
    SlotCapacity.objects.create(weekday=0, hour=9, quotas={}, **hour)
    SlotCapacity.objects.create(weekday=0, hour=10, quotas={"perishable": 0}, **hour)
    admin = reader_in(person("quantri", roles.ADMINISTRATOR), language)
    page = admin.get("/admin/slots/slotcapacity/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "{" not in text and '"perishable"' not in text and "medical:" not in text
    assert fruit in text and medical in text and text.count(none) == 2
    # Perishable goods first, then the classes by rank.
    assert text.index(fruit) < text.index(medical)
