"""Pages: a trip's slot, the waiting area, capacity, the public wait times."""

import pytest
from django.utils import translation

from cuakhau.slots import services
from cuakhau.slots.models import Booking, SlotCapacity

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = pytest.mark.django_db


def test_an_enterprise_books_from_the_list_of_free_hours(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    page = client.get(f"/slots/trips/{trip.reference}/")
    assert page.status_code == 200
    assert "Book a slot" in page.content.decode()
    start = next_hour(3)
    response = client.post(
        f"/slots/trips/{trip.reference}/", {"day": start.date().isoformat(), "hour": start.hour}
    )
    assert response.status_code == 302
    assert Booking.objects.get(trip=trip).slot_start == start
    page = client.get(f"/slots/trips/{trip.reference}/").content.decode()
    assert "Move the booking" in page and "Cancel the booking" in page
    client.post(f"/slots/trips/{trip.reference}/cancel/", {"reason": "Xe hỏng"})
    assert Booking.objects.get(trip=trip).status == "cancelled"


def test_a_full_hour_is_said_in_words(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    SlotCapacity.objects.update(lanes=0)
    client.force_login(enterprise)
    start = next_hour(3)
    page = client.post(
        f"/slots/trips/{trip.reference}/", {"day": start.date().isoformat(), "hour": start.hour}
    )
    assert page.status_code == 200
    assert "fully booked" in page.content.decode()


def test_the_operator_records_arrivals_and_calls_forward(
    client, enterprise, operator, capacity, area, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e: None)
    trip = cassava_trip(enterprise, plate="25C-800.01")
    client.force_login(operator)
    response = client.post("/slots/mlt/waiting/", {"scan": trip.reference})
    assert response.status_code == 302
    page = client.get("/slots/mlt/waiting/").content.decode()
    assert "25C-800.01" in page and "walk-in without a slot" in page
    client.post("/slots/mlt/waiting/", {"call": "1"})
    assert trip.waiting_entries.get().status == "called"


def test_the_public_page_shows_live_numbers_in_every_language(
    client, enterprise, operator, capacity, area
):
    trip = cassava_trip(enterprise)
    services.record_arrival(operator, trip.gate, trip)
    for language, words in (("en", "Export"), ("vi", "Xuất khẩu"), ("zh-hans", "出口")):
        with translation.override(language):
            page = client.get("/slots/wait-times/", HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200
        text = page.content.decode()
        assert words in text, language


def test_a_manager_sets_capacity_for_a_range_of_hours(client, manager, mlt):
    client.force_login(manager)
    response = client.post(
        "/slots/mlt/capacity/",
        {
            "direction": "export",
            "weekday": "",
            "hour_from": 7,
            "hour_to": 18,
            "lanes": 3,
            "trucks_per_lane_hour": 4,
            "perishable": 4,
        },
    )
    assert response.status_code == 302
    assert SlotCapacity.objects.filter(gate=mlt).count() == 7 * 12


def test_the_booking_page_lists_the_day_asked_for(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    later = next_hour(24 * 3)
    page = client.get(f"/slots/trips/{trip.reference}/?day={later.date().isoformat()}")
    assert f'value="{later.date().isoformat()}"' in page.content.decode()
    assert page.context["day"] == later.date()
    # A day that is no date falls back to today rather than failing.
    assert client.get(f"/slots/trips/{trip.reference}/?day=tomorrow").status_code == 200
    # Booking returns to the booked day's hours.
    response = client.post(
        f"/slots/trips/{trip.reference}/", {"day": later.date().isoformat(), "hour": later.hour}
    )
    assert response.url.endswith(f"?day={later.date().isoformat()}")
