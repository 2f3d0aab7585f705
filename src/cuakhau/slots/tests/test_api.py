"""The slot API: book, move, cancel, standing; arrivals and call-forward; capacity; wait times."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.gate.models import Lane
from cuakhau.gate.tests.conftest import device_client
from cuakhau.slots import services

from .conftest import cassava_trip, fruit_trip, next_hour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("early_in_the_hour")]


def api(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")


def test_an_enterprise_books_moves_and_cancels_over_the_api(enterprise, capacity):
    trip = fruit_trip(enterprise)
    client = api(enterprise)
    url = f"/api/v1/trips/{trip.reference}/slot"
    hours = client.get(f"{url}/free-hours?day={next_hour(30).date().isoformat()}").json()
    assert len(hours) == 24 and hours[0]["seats"] == 6
    booked = client.post(url, {"slot_start": next_hour(3).isoformat()}, "application/json")
    assert booked.status_code == 201, booked.content
    assert booked.json()["booking"]["priority_class"] == "perishable"
    moved = client.post(f"{url}/move", {"slot_start": next_hour(4).isoformat()}, "application/json")
    assert moved.status_code == 200
    assert dt.datetime.fromisoformat(moved.json()["booking"]["slot_start"]) == next_hour(4)
    cancelled = client.post(f"{url}/cancel", {"reason": "Xe hỏng"}, "application/json")
    assert cancelled.json()["booking"]["status"] == "cancelled"
    again = client.post(f"{url}/cancel", {}, "application/json")
    assert again.status_code == 404


def test_bad_slots_are_422_with_the_field(enterprise, capacity):
    trip = fruit_trip(enterprise)
    client = api(enterprise)
    url = f"/api/v1/trips/{trip.reference}/slot"
    for body in (
        {"slot_start": (next_hour(3) + dt.timedelta(minutes=30)).isoformat()},
        {"slot_start": "tomorrow"},
        {},
    ):
        response = client.post(url, body, "application/json")
        assert response.status_code == 422, body
        assert (
            response.json()["detail"][0]["loc"][:2] == ["body", "slot_start"]
            or response.json()["detail"][0]["loc"][-1] == "slot_start"
        )


def test_a_camera_at_the_waiting_area_records_the_arrival_and_the_operator_calls_forward(
    enterprise, operator, capacity, area, mlt, monkeypatch
):
    monkeypatch.setattr(services, "tell_driver", lambda e, template="": None)
    Lane.objects.create(gate=mlt, code="W1")
    trip = cassava_trip(enterprise, plate="25C-700.01")
    services.book_slot(enterprise, trip, next_hour(0))
    camera = device_client(mlt, "plate_camera", "cam-bai-cho", lane=None)
    arrived = camera.post(
        "/api/v1/slots/mlt/arrivals", {"scan": "25C-700.01"}, content_type="application/json"
    )
    assert arrived.status_code == 201, arrived.content
    assert arrived.json()["arrival"] == "on_time"
    # The answer says the truck's place in the line, as the queue does.
    assert arrived.json()["position"] == 1 and arrived.json()["expected_call"]
    # The record names the camera that reported it (no person did).
    entry = services.WaitingEntry.objects.get(trip=trip)
    assert entry.recorded_by is None and entry.recorded_by_device == camera.device
    assert entry.source == "device"
    op = api(operator)
    queue = op.get("/api/v1/slots/mlt/queue").json()
    assert [(q["trip"], q["position"]) for q in queue] == [(trip.reference, 1)]
    standing = api(enterprise).get(f"/api/v1/trips/{trip.reference}/slot").json()
    assert standing["position"] == 1 and standing["expected_call"]
    called = op.post("/api/v1/slots/mlt/call-forward").json()
    assert [c["trip"] for c in called] == [trip.reference]
    nobody = camera.post(
        "/api/v1/slots/mlt/arrivals", {"scan": "99Z-999.99"}, content_type="application/json"
    )
    assert nobody.status_code == 422


def test_capacity_over_the_api_refuses_quotas_above_the_hour(mlt):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import PASSWORD

    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    client = api(admin)
    body = {"direction": "export", "hour": 8, "weekday": 2, "lanes": 3, "trucks_per_lane_hour": 4}
    ok = client.put(
        "/api/v1/slots/mlt/capacity", {**body, "quotas": {"perishable": 4}}, "application/json"
    )
    assert ok.status_code == 200 and ok.json()["trucks_per_hour"] == 12
    too_many = client.put(
        "/api/v1/slots/mlt/capacity", {**body, "quotas": {"perishable": 13}}, "application/json"
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "quotas"]
    unknown = client.put(
        "/api/v1/slots/mlt/capacity", {**body, "quotas": {"vip": 1}}, "application/json"
    )
    assert unknown.json()["detail"][0]["loc"] == ["body", "quotas", "vip"]


def test_the_public_wait_times_need_no_credential(enterprise, operator, capacity, area):
    trip = cassava_trip(enterprise)
    services.record_arrival(operator, trip.gate, trip)
    rows = Client().get("/api/v1/slots/wait-times").json()
    assert rows == [
        {
            "gate": "mlt",
            "gate_name": rows[0]["gate_name"],
            "direction": "export",
            "direction_label": "Export",
            "waiting": 1,
            "median_wait_minutes": None,
            "longest_waiting_minutes": 0,
            "expected_wait_minutes": 10,
            "trucks_per_hour": 6,
        }
    ]


# Far-off days and moments: year 1 and 9999 cannot be taken into the gate's time zone, nor an
# hour added to them; every slot endpoint refuses them, and the days just outside the horizon,
# as a field error instead of failing.
FAR_MOMENTS = [
    ("9999-12-31T23:00:00+07:00", "14 days ahead"),
    ("9999-12-31T23:00:00Z", "14 days ahead"),
    ("9999-12-31T23:00:00", "14 days ahead"),
    ("0001-01-01T00:00:00+07:00", "passed"),
    ("0001-01-01T00:00:00", "passed"),
]


def _only_error(response, loc):
    assert response.status_code == 422, response.content
    (item,) = response.json()["detail"]
    assert item["loc"] == loc
    return item["msg"]


def test_far_off_days_and_moments_are_field_errors_on_every_slot_endpoint(enterprise, capacity):
    trip = fruit_trip(enterprise)
    client = api(enterprise)
    url = f"/api/v1/trips/{trip.reference}/slot"
    yesterday, too_late = next_hour(-24).date(), next_hour(24 * 15).date()
    for day in ("9999-12-31", "0001-01-01", yesterday, too_late):
        message = _only_error(client.get(f"{url}/free-hours?day={day}"), ["query", "day"])
        assert "Choose a day from" in message and "14 days ahead" in message, day
    _first, last = services.bookable_days(trip.gate)
    assert client.get(f"{url}/free-hours?day={last.isoformat()}").status_code == 200
    for moment, words in FAR_MOMENTS:
        message = _only_error(
            client.post(url, {"slot_start": moment}, "application/json"), ["body", "slot_start"]
        )
        assert words in message, moment
    booked = client.post(url, {"slot_start": next_hour(3).isoformat()}, "application/json")
    assert booked.status_code == 201
    for moment, words in FAR_MOMENTS:
        message = _only_error(
            client.post(f"{url}/move", {"slot_start": moment}, "application/json"),
            ["body", "slot_start"],
        )
        assert words in message, moment
    assert services.open_booking(trip).slot_start == next_hour(3)


def test_a_date_of_its_own_capacity_is_within_the_coming_year(mlt):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import PASSWORD

    client = api(create_user("quantri", PASSWORD, roles.ADMINISTRATOR))
    body = {"direction": "export", "hour": 8, "lanes": 3, "trucks_per_lane_hour": 4}
    holiday = next_hour(24 * 30).date().isoformat()
    for date in ("9999-12-31", "0001-01-01", "2000-01-01"):
        response = client.put(
            "/api/v1/slots/mlt/capacity", {**body, "date": date}, "application/json"
        )
        assert "Choose a date from" in _only_error(response, ["body", "date"]), date
    ok = client.put("/api/v1/slots/mlt/capacity", {**body, "date": holiday}, "application/json")
    assert ok.status_code == 200 and ok.json()["date"] == holiday


def test_a_capacity_below_the_bookings_it_governs_says_which_hours_no_longer_fit(
    enterprise, manager, capacity, mlt
):
    from django.utils import timezone

    start = next_hour(30)
    for n in range(3):
        services.book_slot(enterprise, cassava_trip(enterprise, plate=f"25C-700.1{n}"), start)
    local = timezone.localtime(start, services.ZoneInfo(mlt.time_zone))
    body = {"direction": "export", "hour": local.hour, "weekday": local.weekday()}
    client = api(manager)
    # One lane closed: 2 trucks an hour where 3 are booked. Taken, and said.
    closed = client.put(
        "/api/v1/slots/mlt/capacity",
        {**body, "lanes": 1, "trucks_per_lane_hour": 2, "quotas": {}},
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.content
    (over,) = closed.json()["over_capacity"]
    assert (over["booked"], over["trucks_per_hour"]) == (3, 2)
    assert dt.datetime.fromisoformat(over["start"]) == start
    page = Client()
    page.force_login(manager)
    said = page.post(
        "/slots/mlt/capacity/",
        {
            "direction": "export",
            "weekday": local.weekday(),
            "hour_from": local.hour,
            "hour_to": local.hour,
            "lanes": 1,
            "trucks_per_lane_hour": 2,
            "perishable": 0,
        },
        follow=True,
    )
    text = said.content.decode()
    assert "more bookings than their capacity" in text and "3 booked for 2" in text
    reopened = client.put(
        "/api/v1/slots/mlt/capacity",
        {**body, "lanes": 2, "trucks_per_lane_hour": 3, "quotas": {}},
        content_type="application/json",
    )
    assert reopened.json()["over_capacity"] == []
