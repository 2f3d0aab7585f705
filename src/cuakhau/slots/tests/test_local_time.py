"""Slots are hours of the gate's clock, across midnight and the year change.

Ma Lù Thàng is on Vietnam's clock (UTC+7): the hour 00:00–01:00 of 1 January 2027 there is
17:00–18:00 UTC on 31 December 2026. Its capacity is that date's (and that weekday's, a
Friday), never the UTC date's or hour's, whatever zone the server keeps.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cuakhau.slots import services
from cuakhau.slots.models import SlotCapacity

from .conftest import cassava_trip

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NEW_YEAR = dt.date(2027, 1, 1)  # a Friday
MIDNIGHT = dt.datetime(2027, 1, 1, 0, tzinfo=VN)


def at_gate(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture
def new_years_night(mlt, capacity, monkeypatch, settings):
    """22:10 on New Year's Eve at the gate (15:10 UTC); the server's zone is UTC. The night's
    first hour has a capacity of its own: one lane of two trucks, no quota."""
    settings.TIME_ZONE = "UTC"
    SlotCapacity.objects.create(
        gate=mlt,
        direction="export",
        date=NEW_YEAR,
        hour=0,
        lanes=1,
        trucks_per_lane_hour=2,
        quotas={},
    )
    moment = at_gate(2026, 12, 31, 22, 10)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_the_free_hours_of_new_years_day_are_the_gates_hours(enterprise, mlt, new_years_night):
    trip = cassava_trip(enterprise)
    first, last = services.bookable_days(mlt)
    assert first == dt.date(2026, 12, 31)  # the gate's today, not the server's
    hours = services.free_hours(trip, NEW_YEAR)
    assert [start.astimezone(VN).hour for start, _seats in hours] == list(range(24))
    # 00:00 is the date's own hour (2 seats), the others the Friday's (6 minus 2 for fruit).
    assert hours[0] == (MIDNIGHT, 2)
    assert {seats for _start, seats in hours[1:]} == {4}
    # Tonight's last hours are New Year's Eve's, still open.
    tonight = services.free_hours(trip, dt.date(2026, 12, 31))
    assert [start.astimezone(VN).hour for start, _seats in tonight] == [22, 23]


def test_a_booking_for_midnight_takes_a_seat_of_the_new_years_hour(
    enterprise, mlt, new_years_night
):
    booked = [
        services.book_slot(enterprise, cassava_trip(enterprise, plate=f"25C-500.0{n}"), MIDNIGHT)
        for n in range(2)
    ]
    assert {b.slot_start for b in booked} == {dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)}
    assert services.counts_at(mlt, "export", MIDNIGHT) == {"general": 2}
    # The date's own hour is full, whatever the Friday's capacity would have held.
    with pytest.raises(services.FieldErrors) as refused:
        services.book_slot(enterprise, cassava_trip(enterprise, plate="25C-500.09"), MIDNIGHT)
    assert "fully booked" in refused.value.errors["slot_start"][0]
    # A slot named without its offset is an hour of the gate's clock.
    trip = cassava_trip(enterprise, plate="25C-500.10")
    booking = services.book_slot(enterprise, trip, dt.datetime(2027, 1, 1, 1))
    assert booking.slot_start == at_gate(2027, 1, 1, 1)


def test_the_public_wait_time_reads_the_capacity_of_the_gates_hour(
    enterprise, operator, mlt, area, new_years_night, monkeypatch
):
    # 00:10 on 1 January at the gate: the hour of the date's own capacity (2 trucks an hour).
    monkeypatch.setattr(timezone, "now", lambda: at_gate(2027, 1, 1, 0, 10))
    services.record_arrival(operator, mlt, cassava_trip(enterprise, plate="25C-600.01"))
    row = next(r for r in services.wait_times() if r["gate"] == mlt)
    assert row["trucks_per_hour"] == 2
    assert services.trucks_per_hour(mlt, "export", at_gate(2027, 1, 1, 1, 10)) == 6


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("zh-hans", "2027年1月1日 00:10 (UTC+07:00)"),
        ("vi", "01/01/2027 00:10 (UTC+07:00)"),
        ("en", "1 Jan 2027, 00:10 (UTC+07:00)"),
    ],
)
def test_the_public_wait_times_page_says_its_moment_on_the_gates_clock(
    mlt, area, new_years_night, monkeypatch, language, said
):
    """The page is public, read by drivers whose phones keep Beijing's clock: its moment is the
    gate's New Year, written as the reader's language writes a date (never 17:10 31/12/2026,
    the server's UTC, with a day-first date a Chinese reader takes for a month), with its offset."""
    from django.test import Client

    monkeypatch.setattr(timezone, "now", lambda: at_gate(2027, 1, 1, 0, 10))
    page = Client().get("/slots/wait-times/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    hint = page[page.index('<p class="hint">') :]
    assert said in hint[: hint.index("</p>")]


# ---------------------------------------------------------------------------------------------
# Days and hours as the API reads them


def api(user):
    from django.test import Client

    from cuakhau.accounts.services import issue_token

    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")


@pytest.mark.parametrize(
    "day", ["10000-01-01", "٢٠٢٧-٠١-٠١", "２０２７-０１-０１", "2027-02-29", "01/01/2027"]
)
def test_a_day_no_calendar_has_is_a_field_error(enterprise, new_years_night, day):
    trip = cassava_trip(enterprise)
    response = api(enterprise).get(f"/api/v1/trips/{trip.reference}/slot/free-hours", {"day": day})
    assert response.status_code == 422, response.content
    assert [item["loc"] for item in response.json()["detail"]] == [["query", "day"]]


@pytest.mark.parametrize(
    "slot_start",
    ["10000-01-01T00:00:00+07:00", "٢٠٢٧-٠١-٠١T00:00:00+07:00", "2027-01-01T24:00:00+07:00"],
)
def test_an_hour_no_clock_has_is_a_field_error(enterprise, new_years_night, slot_start):
    trip = cassava_trip(enterprise)
    response = api(enterprise).post(
        f"/api/v1/trips/{trip.reference}/slot", {"slot_start": slot_start}, "application/json"
    )
    assert response.status_code == 422, response.content
    assert [item["loc"] for item in response.json()["detail"]] == [["body", "slot_start"]]
    assert services.open_booking(trip) is None


def test_midnight_named_in_another_zone_is_the_same_hour(enterprise, mlt, new_years_night):
    trip = cassava_trip(enterprise)
    # 01:00 in Beijing (the counterpart's clock) is midnight at Ma Lù Thàng; "Z" is UTC.
    for said in ("2027-01-01T01:00:00+08:00", "2026-12-31T17:00:00Z"):
        response = api(enterprise).post(
            f"/api/v1/trips/{trip.reference}/slot", {"slot_start": said}, "application/json"
        )
        assert response.status_code == 201, response.content
        given = dt.datetime.fromisoformat(response.json()["booking"]["slot_start"])
        assert given == MIDNIGHT
        services.cancel_booking(enterprise, services.open_booking(trip), "Đổi giờ")
