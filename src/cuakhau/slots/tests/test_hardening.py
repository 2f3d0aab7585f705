"""Strange input and adversarial callers: a gate on another clock, another company's trip,
classes managers define, capacity the administration set, values that are not numbers."""

from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.accounts.services import issue_token
from cuakhau.slots import services
from cuakhau.slots.models import Booking, PriorityClass, SlotCapacity

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_hour")]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")


@pytest.fixture
def relief(db):
    """A class a manager defined: cassava (HS 0714) served before everyone."""
    return PriorityClass.objects.create(
        code="relief",
        name_vi="Hàng cứu trợ",
        name_en="Relief goods",
        name_zh="救援物资",
        rank=5,
        hs_prefixes="0714",
    )


def test_a_gate_on_shanghai_time_shows_its_slot_and_queue_on_its_own_clock(
    client, enterprise, operator, capacity, area, mlt, monkeypatch
):
    """The slot page's standing said the server's hour (Hanoi) beside a list of the gate's
    hours (Shanghai's, an hour ahead): the booked hour read 08:00 above and 09:00 below."""
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    mlt.time_zone = "Asia/Shanghai"
    mlt.save(update_fields=["time_zone"])
    trip = fruit_trip(enterprise)
    start = next_hour(3)  # a whole hour in Hanoi is a whole hour in Shanghai
    services.book_slot(enterprise, trip, start)
    there = timezone.localtime(start, SHANGHAI).strftime("%H:%M")
    client.force_login(enterprise)
    page = client.get(f"/slots/trips/{trip.reference}/").content.decode()
    shown = page.split('class="slot-start">', 1)[1].split("<", 1)[0]
    assert shown.endswith(there), shown
    client.force_login(operator)
    client.post("/slots/mlt/waiting/", {"scan": trip.reference})
    row = client.get("/slots/mlt/waiting/").content.decode().split("<td>25C-123.45</td>", 1)[1]
    assert f"<td>{there}</td>" in row.split("</tr>", 1)[0]


def test_another_company_learns_nothing_of_a_trip_on_any_slot_endpoint(
    client, enterprise, other_enterprise, capacity
):
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    theirs = api(other_enterprise)
    url = f"/api/v1/trips/{trip.reference}/slot"
    body = {"slot_start": next_hour(4).isoformat()}
    answers = [
        theirs.get(url),
        theirs.get(f"{url}/free-hours?day={next_hour(4).date().isoformat()}"),
        theirs.post(url, body, "application/json"),
        theirs.post(f"{url}/move", body, "application/json"),
        theirs.post(f"{url}/cancel", {}, "application/json"),
    ]
    client.force_login(other_enterprise)
    answers += [
        client.get(f"/slots/trips/{trip.reference}/"),
        client.post(f"/slots/trips/{trip.reference}/", {"day": "2026-01-01", "hour": 8}),
        client.post(f"/slots/trips/{trip.reference}/cancel/", {}),
    ]
    for answer in answers:
        assert answer.status_code == 404
    # As for a reference nobody holds: not "not yours", nor its booking's state.
    assert answers[0].json() == {"detail": f"No trip {trip.reference}."}
    booking = Booking.objects.get(trip=trip)
    assert booking.status == "booked" and booking.slot_start == next_hour(3)


def test_every_state_over_the_api_has_its_label(
    enterprise, operator, capacity, area, relief, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = cassava_trip(enterprise)
    booked = api(enterprise).post(
        f"/api/v1/trips/{trip.reference}/slot",
        {"slot_start": next_hour(3).isoformat()},
        "application/json",
    )
    booking = booked.json()["booking"]
    assert booking["priority_class"] == "relief"
    assert booking["priority_class_label"] == "Relief goods"
    assert booking["status_label"] == "Booked" and booking["direction_label"] == "Export"
    operator_api = api(operator)
    arrived = operator_api.post(
        "/api/v1/slots/mlt/arrivals", {"scan": trip.reference}, "application/json"
    )
    assert arrived.status_code == 201, arrived.content
    entry = arrived.json()
    assert entry["arrival_label"] == "early" and entry["status_label"] == "waiting"
    assert entry["priority_class_label"] == "Relief goods"
    standing = api(enterprise).get(f"/api/v1/trips/{trip.reference}/slot").json()
    assert standing["arrival_label"] == "early"
    assert standing["waiting_status_label"] == "waiting"
    assert standing["booking"]["status_label"] == "In the waiting area"
    rows = Client().get("/api/v1/slots/wait-times").json()
    assert {r["direction_label"] for r in rows} == {"Export"}


def test_the_waiting_area_names_a_managers_class_not_its_code(
    client, enterprise, operator, capacity, area, relief, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = cassava_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(3))
    client.force_login(operator)
    client.post("/slots/mlt/waiting/", {"scan": trip.reference})
    page = client.get("/slots/mlt/waiting/").content.decode()
    assert "Relief goods" in page and "<td>relief</td>" not in page


def test_the_capacity_page_keeps_the_seats_of_other_classes_and_saves_all_hours_or_none(
    client, manager, mlt, relief
):
    """The page sets the perishable seats only: it wiped the seats the API had reserved for a
    manager's class, and a range half of whose hours were refused was half saved."""
    SlotCapacity.objects.create(
        gate=mlt,
        direction="export",
        weekday=0,
        hour=8,
        lanes=2,
        trucks_per_lane_hour=3,
        quotas={"relief": 2},
    )
    client.force_login(manager)
    form = {
        "direction": "export",
        "weekday": "0",
        "hour_from": "7",
        "hour_to": "9",
        "lanes": "2",
        "trucks_per_lane_hour": "3",
        "perishable": "1",
    }
    assert client.post("/slots/mlt/capacity/", form).status_code == 302
    row = SlotCapacity.objects.get(gate=mlt, weekday=0, hour=8)
    assert row.quotas == {"relief": 2, "perishable": 1}
    page = client.get("/slots/mlt/capacity/").content.decode()
    assert "Relief goods: 2" in page and "perishable: 1" in page
    # 5 perishable seats fit hours 7 and 9 (6 seats) but not hour 8 (2 already for relief).
    refused = client.post("/slots/mlt/capacity/", {**form, "perishable": "5"})
    assert refused.status_code == 200
    assert "more than the hour holds" in refused.content.decode()
    assert [r.quotas for r in SlotCapacity.objects.filter(gate=mlt).order_by("hour")] == [
        {"perishable": 1},
        {"relief": 2, "perishable": 1},
        {"perishable": 1},
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"quotas": {"perishable": True}},
        {"lanes": True},
        {"lanes": "+2"},
        {"lanes": "２.５"},
        {"hour": 8.0},
        {"trucks_per_lane_hour": 10**30},
        {"lanes": -1},
        {"quotas": {"perishable": -1}},
    ],
)
def test_capacity_over_the_api_takes_whole_numbers_only(manager, change):
    body = {"direction": "export", "hour": 8, "weekday": 2, "lanes": 3, "trucks_per_lane_hour": 4}
    answer = api(manager).put("/api/v1/slots/mlt/capacity", {**body, **change}, "application/json")
    assert answer.status_code == 422, answer.content
    assert answer.json()["detail"][0]["loc"][1] == next(iter(change))
    assert not SlotCapacity.objects.exists()


def test_capacity_over_the_api_reads_digits_of_any_script(manager):
    # "٣" lanes was "Enter a whole number." where a risk score of "３" was 3: every whole
    # number the API takes is read as a page reads one (``api_support.WholeNumber``).
    body = {
        "direction": "export",
        "hour": "٨",
        "weekday": "２",
        "lanes": "٣",
        "trucks_per_lane_hour": "１０",
        "quotas": {"perishable": "٢"},
    }
    answer = api(manager).put("/api/v1/slots/mlt/capacity", body, "application/json")
    assert answer.status_code == 200, answer.content
    saved = SlotCapacity.objects.get()
    assert (saved.hour, saved.weekday, saved.lanes, saved.trucks_per_lane_hour) == (8, 2, 3, 10)
    assert saved.quotas == {"perishable": 2}


def test_a_made_up_class_is_not_echoed_whole(manager):
    body = {"direction": "export", "hour": 8, "weekday": 2, "lanes": 3, "trucks_per_lane_hour": 4}
    answer = api(manager).put(
        "/api/v1/slots/mlt/capacity", {**body, "quotas": {"x" * 5000: 1}}, "application/json"
    )
    assert answer.status_code == 422
    assert len(answer.content) < 500


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "en",
            "no priority class by this name: seats can be reserved for perishable, Relief goods",
        ),
        ("vi", "chỉ có thể dành chỗ cho hàng mau hỏng, Hàng cứu trợ"),
        ("zh-hans", "只能为以下类别预留座位：易腐货物、救援物资"),
    ],
)
def test_a_class_that_does_not_exist_is_said_in_words_with_the_classes_that_do(
    manager, relief, language, words
):
    # It said "No priority class fish.": the key sent again, and none of the classes there are.
    body = {"direction": "export", "hour": 8, "weekday": 2, "lanes": 3, "trucks_per_lane_hour": 4}
    answer = api(manager).put(
        "/api/v1/slots/mlt/capacity",
        {**body, "quotas": {"fish": 1}},
        "application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert answer.status_code == 422, answer.content
    (item,) = answer.json()["detail"]
    assert item["loc"] == ["body", "quotas", "fish"]
    assert words in item["msg"], item["msg"]
    assert "relief" not in item["msg"] and "fish" not in item["msg"]
    assert not SlotCapacity.objects.exists()


def test_the_administration_names_each_step_and_class_of_a_booking(
    admin_client, enterprise, capacity, relief
):
    trip = cassava_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(3))
    moved = services.move_booking(enterprise, booking, next_hour(4))
    page = admin_client.get(f"/admin/slots/booking/{booking.pk}/change/").content.decode()
    assert "book a slot" in page and "move to another hour" in page
    assert "Moved to another slot" in page and "Relief goods" in page
    assert ">move<" not in page and ">moved<" not in page and ">relief<" not in page
    listing = admin_client.get("/admin/slots/booking/").content.decode()
    assert "Relief goods" in listing and moved.pk


def test_a_called_truck_is_not_called_again_nor_its_booking_moved_or_a_cancelled_trip_booked(
    enterprise, operator, capacity, area, mlt, monkeypatch
):
    from cuakhau.trips import services as trips

    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = fruit_trip(enterprise)
    services.book_slot(enterprise, trip, next_hour(0))
    services.record_arrival(operator, mlt, trip)
    gate_api = api(operator)
    first = gate_api.post("/api/v1/slots/mlt/call-forward").json()
    assert [c["trip"] for c in first] == [trip.reference]
    assert first[0]["status_label"] == "called forward"
    assert gate_api.post("/api/v1/slots/mlt/call-forward").json() == []
    again = gate_api.post(
        "/api/v1/slots/mlt/arrivals", {"scan": trip.reference}, "application/json"
    )
    # The truck's state, not the scan: a 409 naming no field (it was a 422 on "scan").
    assert again.status_code == 409, again.content
    assert again.json()["detail"] == "This truck is already in the waiting area."
    page = Client()
    page.force_login(operator)
    answer = page.post("/slots/mlt/waiting/", {"scan": trip.reference})
    assert "This truck is already in the waiting area." in answer.content.decode()
    url = f"/api/v1/trips/{trip.reference}/slot"
    moved = api(enterprise).post(
        f"{url}/move", {"slot_start": next_hour(5).isoformat()}, "application/json"
    )
    assert moved.status_code == 409 and "Called forward" in moved.json()["detail"]
    gone = cassava_trip(enterprise, plate="25C-999.99")
    trips.cancel_trip(enterprise, gone, "Không đi nữa")
    refused = api(enterprise).post(
        f"/api/v1/trips/{gone.reference}/slot",
        {"slot_start": next_hour(3).isoformat()},
        "application/json",
    )
    assert refused.status_code == 422 and not Booking.objects.filter(trip=gone).exists()


def test_a_gate_without_freight_has_no_waiting_area_nor_capacity_page(client, manager, mlt):
    """As over the API (``No gate … handles freight``): the page set slot capacity for a
    passenger-only gate no booking could use."""
    mlt.handles_freight = False
    mlt.save(update_fields=["handles_freight"])
    client.force_login(manager)
    assert client.get("/slots/mlt/capacity/").status_code == 404
    assert client.get("/slots/mlt/waiting/").status_code == 404


def test_the_booked_slot_is_written_as_the_page_writes_days(
    client, enterprise, capacity, area, mlt, monkeypatch
):
    # "Slot: Sat 05/12/2026 10:00" on an English page, under "Choose a day from 4 Dec 2026".
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    trip = fruit_trip(enterprise)
    start = next_hour(3)
    services.book_slot(enterprise, trip, start)
    local = timezone.localtime(start, ZoneInfo(mlt.time_zone))
    client.force_login(enterprise)
    page = client.get(f"/slots/trips/{trip.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    shown = page.content.decode().split('class="slot-start">', 1)[1].split("<", 1)[0]
    assert shown == f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}", shown
