"""The trip page's slot panel: the booked hour, the waiting area's position and expected call
time, and the way to the slot page — for those the access table lets open it, nobody else."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.slots import services
from cuakhau.slots.templatetags.slots import may_open_slot_page
from cuakhau.trips import services as trips

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = pytest.mark.django_db


def panel(client, trip) -> str:
    page = client.get(f"/trips/{trip.reference}/")
    assert page.status_code == 200
    text = page.content.decode()
    if 'id="trip-slot"' not in text:
        return ""
    return text.split('id="trip-slot"', 1)[1].split("</section>", 1)[0]


def test_the_enterprise_is_offered_to_book_then_to_move_or_cancel(client, enterprise, capacity):
    trip = fruit_trip(enterprise)
    client.force_login(enterprise)
    shown = panel(client, trip)
    assert "No slot booked." in shown and "Book a slot" in shown
    assert f'href="/slots/trips/{trip.reference}/"' in shown
    start = next_hour(3)
    services.book_slot(enterprise, trip, start)
    shown = panel(client, trip)
    assert "Move or cancel the slot" in shown and "Book a slot" not in shown
    assert start.strftime("%H:%M") in shown and "booked" in shown.lower()


def test_the_driver_sees_position_and_expected_call_time(
    client, enterprise, org_phong_tho, operator, capacity, area, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    # The driver the trips are declared with (their phone: ``declaration``).
    driver = create_user(
        "laixe_pao", PASSWORD, roles.DRIVER, organisation=org_phong_tho, phone="0912 345 678"
    )
    first = cassava_trip(enterprise, plate="25C-800.01")
    mine = fruit_trip(enterprise, plate="25C-800.02")
    services.book_slot(enterprise, mine, next_hour(4))
    # The gate's two places are taken by called trucks, so both wait.
    area.gate_places = 0
    area.save()
    services.record_arrival(operator, first.gate, first)
    services.record_arrival(operator, mine.gate, mine)
    client.force_login(driver)
    shown = panel(client, mine)
    standing = services.standing(mine)
    position, expected = standing["position"], standing["expected_call"]
    assert position is not None and expected is not None
    assert f"Position {position} of 2 in the waiting area." in shown
    assert "Expected call" in shown and 'class="expected-call"' in shown
    # A driver does not book: the panel leads to the slot page to read it.
    assert "Slot details" in shown and "Book a slot" not in shown


def test_nobody_else_sees_the_panel(client, enterprise, other_enterprise, capacity):
    trip = fruit_trip(enterprise)
    assert may_open_slot_page(enterprise, trip)
    assert not may_open_slot_page(other_enterprise, trip)
    assert not may_open_slot_page(AnonymousUser(), trip)
    # A draft has no slot yet: no panel, even for its enterprise.
    draft = trips.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    client.force_login(enterprise)
    assert panel(client, draft) == ""


def test_the_panel_keeps_a_past_booking_after_the_trip_left_the_bookable_states(
    client, enterprise, capacity
):
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    trips.cancel_trip(enterprise, trip, "Hàng chưa sẵn sàng")
    client.force_login(enterprise)
    shown = panel(client, trip)
    # The cancelled booking is still told, and the panel no longer offers to book.
    assert "cancelled" in shown.lower() and "Slot details" in shown
    assert "Book a slot" not in shown


def test_the_panel_offers_no_move_or_cancel_once_the_truck_reported(
    client, enterprise, operator, capacity, area
):
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    client.force_login(enterprise)
    assert "Move or cancel the slot" in panel(client, trip)
    services.record_arrival(operator, trip.gate, trip)
    shown = panel(client, trip)
    assert "Move or cancel the slot" not in shown and "Slot details" in shown
