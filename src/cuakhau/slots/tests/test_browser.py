"""Slots end to end in Debian's Chromium, on a phone: an enterprise books, moves and cancels a
slot and sees it on the trip page; the operator records the truck's early arrival and calls it
forward; the driver's message is recorded and sent; the public page shows the gate's live
numbers. axe-core finds nothing serious on the booking, waiting-area and wait-time pages."""

import datetime as dt

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import PHONE, log_in
from cuakhau.core.testing.layout import axe_violations, horizontal_overflow
from cuakhau.notify.models import Message
from cuakhau.notify.testing import run_tasks
from cuakhau.slots.models import Booking, WaitingEntry

from .conftest import fruit_trip, next_hour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hour_row(page, start):
    return page.locator("table.slot-hours tbody tr").filter(
        has=page.locator(f'td:text-is("{start:%H:%M}")')
    )


def seats_at(page, start) -> int:
    row = hour_row(page, start)
    return int(row.locator("td").nth(1).inner_text()) if row.count() else 0


def hours_of(page, live_server, trip, day: dt.date) -> None:
    page.goto(f"{live_server.url}/slots/trips/{trip.reference}/?day={day.isoformat()}")


def take(page, start) -> None:
    with page.expect_navigation():
        hour_row(page, start).locator("button").click()


def test_book_move_cancel_arrive_call_forward_and_the_public_numbers(
    browser, live_server, enterprise, operator, capacity, area
):
    trip = fruit_trip(enterprise, plate="25C-555.01")
    first, second = next_hour(3), next_hour(4)
    page = browser.new_page()
    assert page.viewport_size == PHONE

    # The enterprise, on its phone: from the trip page to the booking page.
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    with page.expect_navigation():
        page.click("#trip-slot a.button")
    page.fill("#id_show_day", first.date().isoformat())
    with page.expect_navigation():
        page.click("#show-day")
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    free_first = seats_at(page, first)
    assert free_first > 0
    take(page, first)
    assert seats_at(page, first) == free_first - 1
    assert Booking.objects.get(trip=trip, status="booked").slot_start == first

    # It moves the booking an hour later: the first hour's seat is free again.
    hours_of(page, live_server, trip, second.date())
    free_second = seats_at(page, second)
    take(page, second)
    assert seats_at(page, second) == free_second - 1
    hours_of(page, live_server, trip, first.date())
    assert seats_at(page, first) == free_first
    assert Booking.objects.get(trip=trip, status="booked").slot_start == second

    # The trip page tells the booked hour.
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    assert second.strftime("%H:%M") in page.inner_text("#trip-slot .slot-start")
    assert horizontal_overflow(page) == 0

    # Cancelling frees the seat; the enterprise books it again.
    hours_of(page, live_server, trip, second.date())
    page.fill("#id_reason", "Đổi xe")
    with page.expect_navigation():
        page.click("button.danger")
    assert Booking.objects.filter(trip=trip, status="cancelled").count() == 1
    hours_of(page, live_server, trip, second.date())
    assert seats_at(page, second) == free_second
    take(page, second)
    booking = Booking.objects.get(trip=trip, status="booked")

    # The truck reports at the waiting area hours early: the operator records it.
    browser.clear_cookies()
    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/slots/mlt/waiting/")
    page.fill("#id_scan", trip.reference)
    with page.expect_navigation():
        page.click("form:has(#id_scan) button")
    entry = WaitingEntry.objects.get(trip=trip)
    assert entry.kind == "early" and entry.status == "waiting"
    assert "25C-555.01" in page.inner_text("table.waiting-queue")
    assert axe_violations(page) == []

    # The enterprise sees its place in the waiting area and when to expect the call: its slot
    # opens a quarter of an hour early.
    browser.clear_cookies()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    assert page.locator("#trip-slot .position").count() == 1
    expected = second - dt.timedelta(minutes=15)
    # On the gate's clock, saying whose (a Chinese driver's phone is an hour ahead).
    call = page.inner_text("#trip-slot .expected-call")
    assert call.startswith(expected.strftime("%H:%M")) and call.endswith("(UTC+07:00)"), call

    # Anyone: the gate's live numbers, without signing in.
    browser.clear_cookies()
    page.goto(f"{live_server.url}/slots/wait-times/")
    cells = page.locator("table.wait-times tbody tr").first.locator("td")
    assert cells.nth(2).inner_text() == "1"  # one truck waiting
    assert cells.nth(4).inner_text() != "—"  # the longest wait is counted
    assert axe_violations(page) == []

    # The gate stands idle: the operator calls forward, and the early truck is called.
    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/slots/mlt/waiting/")
    with page.expect_navigation():
        page.click("button[name=call]")
    entry.refresh_from_db()
    booking.refresh_from_db()
    assert entry.status == "called" and booking.status == "called"
    message = Message.objects.get(dedupe_key=f"slots.called:{entry.pk}")
    assert message.template == "truck_called_forward" and message.language == "vi"
    assert message.recipient_phone and message.context["plate"] == "25C-555.01"
    run_tasks()  # the worker sends it (console backend in tests)
    message.refresh_from_db()
    assert message.status == "sent"
