"""The gate's figures and its console's words are on the gate's clock, whatever the server's.

Ma Lù Thàng is on Vietnam's clock (UTC+7): a truck that leaves at 00:30 on 1 April 2026 there
left at 17:30 UTC on 31 March. It is one of 1 April's trucks, today's on that day, and the
console says so with the date, as the reader's language writes a moment everywhere else:
"1 Apr 2026, 00:30", "01/04/2026 00:30", "2026年4月1日 00:30" (a fixed "01/04 00:30" read as
4 January in English and was no Chinese date at all).
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.testing.clock import set_clock
from cuakhau.gate import services as gate
from cuakhau.gate.kpi import gate_kpis
from cuakhau.gate.tests.conftest import clear
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips

ARRIVED_2330_31_MARCH = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
EXITED_0030_1_APRIL = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)
APRIL_1, MARCH_31 = dt.date(2026, 4, 1), dt.date(2026, 3, 31)


@pytest.fixture
def left_after_midnight(enterprise, operator, officers, mlt, monkeypatch, settings):
    settings.TIME_ZONE = "UTC"  # the server's clock is not the gate's

    clock = set_clock(monkeypatch, ARRIVED_2330_31_MARCH)
    trip = trips.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-601.10", cargo_lines=[cassava_line()])
    )
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    clock.moment = EXITED_0030_1_APRIL
    gate.exit_truck(operator, mlt, trip.reference)
    trip.refresh_from_db()
    return trip


def test_a_truck_leaving_at_half_past_midnight_is_one_of_the_new_days(left_after_midnight, mlt):
    kpi = gate_kpis(mlt, MARCH_31, APRIL_1, today=APRIL_1)
    assert kpi["trucks_per_day"] == [(MARCH_31, 0), (APRIL_1, 1)]
    assert kpi["clearance"]["median"] == 60.0
    assert gate_kpis(mlt, MARCH_31, MARCH_31)["count"] == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Already exited at 1 Apr 2026, 00:30."),
        ("vi", "Đã ra cửa khẩu lúc 01/04/2026 00:30."),
        ("zh-hans", "已于 2026年4月1日 00:30 放行出境。"),
    ],
)
def test_the_console_says_the_gates_time_as_the_language_writes_it(
    left_after_midnight, mlt, language, expected
):
    with translation.override(language):
        check = gate.assess(left_after_midnight.reference, mlt)
    said = [p.message for p in check.problems if p.code == "exited"]
    assert said == [expected]


def test_the_apis_answer_says_the_time_as_the_callers_language_writes_it(
    left_after_midnight, operator, mlt
):
    response = api(operator).post(
        "/api/v1/gate/mlt/lookup",
        {"scan": left_after_midnight.reference},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200, response.content
    said = [p["message"] for p in response.json()["problems"] if p["code"] == "exited"]
    assert said == ["已于 2026年4月1日 00:30 放行出境。"]


def test_a_queued_exit_before_the_arrival_names_both_times_on_the_gates_clock(
    enterprise, operator, officers, mlt, monkeypatch, settings
):
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(timezone, "now", lambda: EXITED_0030_1_APRIL)
    trip = trips.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-601.11", cargo_lines=[cassava_line()])
    )
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    with pytest.raises(gate.GateRefused) as refused, translation.override("vi"):
        # More than the hour's skew a device clock may have before the arrival.
        gate.exit_truck(
            operator, mlt, trip.reference, at=dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
        )
    [said] = [p.message for p in refused.value.problems]
    assert "31/03/2026 23:00" in said and "01/04/2026 00:30" in said, said


# ---------------------------------------------------------------------------------------------
# A device's time as the API reads it


def api(user):
    from django.test import Client

    from cuakhau.accounts.services import issue_token

    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")


def event(occurred_at: str) -> dict:
    import uuid

    return {
        "client_id": str(uuid.uuid4()),
        "kind": "weighbridge",
        "occurred_at": occurred_at,
        "scan": "25C-601.12",
        "gross_kg": "32000",
    }


@pytest.mark.parametrize(
    "occurred_at",
    [
        "0001-01-01T00:00:00+07:00",
        "9999-12-31T23:59:59+07:00",
        "10000-01-01T00:00:00+07:00",
        "٢٠٢٦-٠٣-٣١T10:00:00+07:00",
        "2026-02-30T10:00:00+07:00",
    ],
)
def test_a_device_time_no_clock_can_have_is_a_field_error(operator, mlt, occurred_at):
    response = api(operator).post(
        "/api/v1/gate/mlt/events", [event(occurred_at)], content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert [item["loc"] for item in response.json()["detail"]] == [["body", 0, "occurred_at"]]


def test_a_device_time_without_its_offset_is_refused_as_the_service_refuses_it(operator, mlt):
    naive = timezone.localtime(timezone.now()).replace(tzinfo=None).isoformat()
    with pytest.raises(gate.FieldErrors):
        gate._event_time(naive)  # the service says: give it with its UTC offset
    response = api(operator).post(
        "/api/v1/gate/mlt/events", [event(naive)], content_type="application/json"
    )
    assert response.status_code == 422, response.content
