"""Pages: a trip's slot, the waiting area, capacity, the public wait times."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from cuakhau.conftest import future
from cuakhau.slots import services
from cuakhau.slots.models import Booking, SlotCapacity

from .conftest import VN, cassava_trip, fruit_trip, next_hour

pytestmark = pytest.mark.django_db


def day_error(page) -> str:
    """The error shown next to the booking page's day picker."""
    text = page.content.decode()
    if 'id="id_show_day_error"' not in text:
        return ""
    return text.split('id="id_show_day_error"', 1)[1].split("</div>", 1)[0]


def offered(page) -> list:
    """The hours the page offers to book or move to."""
    return [start for start, _seats in page.context["hours"]]


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


def test_a_closed_hour_is_said_in_words(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    SlotCapacity.objects.update(lanes=0)
    client.force_login(enterprise)
    start = next_hour(3)
    page = client.post(
        f"/slots/trips/{trip.reference}/", {"day": start.date().isoformat(), "hour": start.hour}
    )
    assert page.status_code == 422
    # No lanes: closed, not "fully booked".
    assert "The gate takes no bookings for this hour." in page.content.decode()


def test_the_operator_records_arrivals_and_calls_forward(
    client, enterprise, operator, capacity, area, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
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


def test_the_capacity_form_says_every_wrong_field_beside_it(client, manager, mlt):
    # Hours in the wrong order hid the perishable seats beyond the hour, and those seats,
    # when alone, were said at the top of the form, beside no field.
    client.force_login(manager)
    form = {
        "direction": "export",
        "weekday": "",
        "hour_from": 9,
        "hour_to": 8,
        "lanes": 2,
        "trucks_per_lane_hour": 3,
        "perishable": 500,
    }
    response = client.post("/slots/mlt/capacity/", form)
    errors = response.context["form"].errors
    assert set(errors) == {"hour_to", "perishable"}
    assert "more than the hour holds" in errors["perishable"][0]
    response = client.post("/slots/mlt/capacity/", {**form, "hour_from": 7})
    assert set(response.context["form"].errors) == {"perishable"}
    assert not SlotCapacity.objects.filter(gate=mlt).exists()


def test_the_booking_page_lists_the_day_asked_for(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    later = next_hour(24 * 3)
    page = client.get(f"/slots/trips/{trip.reference}/?day={later.date().isoformat()}")
    assert f'value="{later.date().isoformat()}"' in page.content.decode()
    assert page.context["day"] == later.date()
    # A day that is no date is said so next to the picker rather than failing.
    page = client.get(f"/slots/trips/{trip.reference}/?day=tomorrow")
    assert page.status_code == 400 and "Enter a valid date." in day_error(page)
    # Booking returns to the booked day's hours.
    response = client.post(
        f"/slots/trips/{trip.reference}/", {"day": later.date().isoformat(), "hour": later.hour}
    )
    assert response.url.endswith(f"?day={later.date().isoformat()}")


def test_far_off_days_are_refused_next_to_the_day_picker(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    too_late = next_hour(24 * 15).date().isoformat()
    for day in ("9999-12-31", "0001-01-01", "2000-01-01", too_late):
        page = client.get(f"{url}?day={day}")
        assert page.status_code == 400, day
        assert "Choose a day from" in day_error(page), day
        assert page.context["hours"] == [], day
    # The picker offers only the days that can be booked.
    first, last = services.bookable_days(trip.gate)
    page = client.get(url).content.decode()
    assert f'min="{first.isoformat()}" max="{last.isoformat()}"' in page
    # The booking form says the same, and that nothing was booked.
    for day, hour in (("9999-12-31", 23), ("0001-01-01", 0), (too_late, 8)):
        page = client.post(url, {"day": day, "hour": hour}, follow=True)
        assert page.status_code == 422, day
        assert "Choose a day from" in day_error(page), day
        assert "No slot was booked: see the form." in page.content.decode()
    assert not Booking.objects.filter(trip=trip).exists()
    services.book_slot(enterprise, trip, next_hour(3))
    page = client.post(url, {"day": "9999-12-31", "hour": 23})
    assert "Choose a day from" in day_error(page)
    assert "The booking was not moved: see the form." in page.content.decode()
    assert services.open_booking(trip).slot_start == next_hour(3)


def test_an_hour_past_its_cut_off_is_neither_offered_nor_taken(client, enterprise, capacity, clock):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    clock(50)  # ten to the end of the hour: its bookings closed at half past
    hour = next_hour(0)
    page = client.get(f"{url}?day={hour.date().isoformat()}")
    assert hour not in offered(page)
    page = client.post(url, {"day": hour.date().isoformat(), "hour": hour.hour})
    assert page.status_code == 422
    assert f"This hour took bookings until {hour:%H}:30" in day_error(page)
    assert "No slot was booked: see the form." in page.content.decode()
    assert not Booking.objects.filter(trip=trip).exists()


def test_a_booking_past_its_cut_off_offers_no_move_nor_cancel_and_says_why(
    client, enterprise, capacity, monkeypatch
):
    # At ten in the morning, tomorrow: hours later that same day to move to, whatever the time
    # the test runs at (from 23:00 at the gate, the current hour was the day's last).
    morning = timezone.localtime(timezone.now(), VN).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=1)

    def clock(minute: int) -> None:
        moment = (morning + dt.timedelta(minutes=minute)).astimezone(dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    clock(0)
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    clock(5)
    hour = next_hour(0)
    assert hour == morning
    services.book_slot(enterprise, trip, hour)
    page = client.get(f"{url}?day={hour.date().isoformat()}")
    text = page.content.decode()
    assert "Move here" in text and "Cancel the booking" in text
    before_the_cut_off = text
    clock(40)
    page = client.get(f"{url}?day={hour.date().isoformat()}")
    text = page.content.decode()
    assert "Move here" not in text and "Cancel the booking" not in text
    assert (
        f"This booking can no longer be moved or cancelled: changes were possible until "
        f"{hour:%H}:30, 30 minutes after the slot&#x27;s start." in text
    )
    # A page left open still posts: the move is refused and the banner says so.
    later = next_hour(2)
    page = client.post(url, {"day": later.date().isoformat(), "hour": later.hour}, follow=True)
    text = page.content.decode()
    assert "This booking can no longer be moved." in text
    assert "The booking was not moved: see the form." in text
    assert "No slot was booked" not in text
    assert services.open_booking(trip).slot_start == hour
    # Before the cut-off, its own hour was not offered to move to: it was marked booked.
    assert "<strong>Booked</strong>" in before_the_cut_off


def test_a_truck_in_the_waiting_area_is_offered_no_move(
    client, enterprise, operator, capacity, area
):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    services.book_slot(enterprise, trip, next_hour(3))
    services.record_arrival(operator, trip.gate, trip)
    page = client.get(url)
    text = page.content.decode()
    assert "reported at the waiting area" in text
    assert "Move here" not in text and "Cancel the booking" not in text
    # A page left open from before: refused in words, not an error page.
    later = next_hour(4)
    page = client.post(url, {"day": later.date().isoformat(), "hour": later.hour})
    assert page.status_code == 422
    assert "The booking was not moved: see the form." in page.content.decode()
    page = client.post(f"{url}cancel/", {"reason": "Xe hỏng"}, follow=True)
    assert page.status_code == 200
    assert services.open_booking(trip).status == "waiting"


def test_the_page_opens_on_the_declared_arrival_day_and_warns_of_a_slot_on_another(
    client, enterprise, capacity
):
    trip = fruit_trip(enterprise, expected_arrival=future(24 * 3))
    arrival = timezone.localtime(trip.expected_arrival, ZoneInfo(trip.gate.time_zone))
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    page = client.get(url)
    assert page.context["day"] == arrival.date()
    assert f'value="{arrival.date().isoformat()}"' in page.content.decode()
    assert 'id="arrival-mismatch"' not in page.content.decode()
    day_before = arrival.replace(hour=10, minute=0) - dt.timedelta(days=1)
    client.post(url, {"day": day_before.date().isoformat(), "hour": 10})
    text = client.get(url).content.decode()
    assert 'id="arrival-mismatch"' in text
    assert (
        f"The slot is on {day_before:%-d %b %Y}, but the trip declares its arrival on "
        f"{arrival:%-d %b %Y}." in text
    )
    client.post(url, {"day": arrival.date().isoformat(), "hour": 10})
    assert 'id="arrival-mismatch"' not in client.get(url).content.decode()


def test_the_labels_start_with_a_capital_and_a_bad_reason_is_said_next_to_it(
    client, enterprise, capacity
):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    url = f"/slots/trips/{trip.reference}/"
    services.book_slot(enterprise, trip, next_hour(3))
    text = client.get(url).content.decode()
    assert '<label for="id_show_day">Day</label>' in text
    assert '<label for="id_reason">Reason</label>' in text
    page = client.post(f"{url}cancel/", {"reason": "Xe hỏng\x07"})
    assert page.status_code == 200
    assert "Remove the control character U+0007" in page.content.decode()
    assert "The booking was not cancelled: see the form." in page.content.decode()
    assert services.open_booking(trip).status == "booked"


def test_a_refused_hour_is_named_beside_the_day(client, enterprise, capacity):
    """The hour comes from a button, never typed: refused (a tampered form), it is said by its
    name beside the day picker, the only field shown."""
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    day = next_hour(30).date().isoformat()
    page = client.post(f"/slots/trips/{trip.reference}/", {"day": day, "hour": "24"})
    assert page.status_code == 422
    assert day_error(page).count("Hour: ") == 1
    assert not Booking.objects.filter(trip=trip).exists()


def test_the_capacity_page_does_not_echo_a_refused_direction(client, manager, mlt):
    client.force_login(manager)
    response = client.post("/slots/mlt/capacity/", {"direction": "x\x00", "lanes": 1})
    assert response.status_code == 200
    page = response.content.decode()
    assert "x\x00" not in page and "x&#x00;" not in page
    assert "That choice is not one of the available choices." in page
