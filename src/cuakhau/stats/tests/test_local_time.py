"""A month of the statistics is the gate's calendar month, whatever the server's clock says.

Ma Lù Thàng is on Vietnam's clock (UTC+7): a truck paid at 23:30 on 31 March and leaving at
00:30 on 1 April (17:30 UTC on 31 March) has its fee in March and its crossing in April.
"""

import datetime as dt
from decimal import Decimal

import pytest

from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.testing.clock import set_clock
from cuakhau.gate import services as gate
from cuakhau.inspections import services as inspections
from cuakhau.payments import services as payments
from cuakhau.stats import dashboard
from cuakhau.stats import services as stats
from cuakhau.stats.models import GateDay, GateMonth, StaleMonth, TradeMonth
from cuakhau.trips import services as trips

PAID_2330_31_MARCH = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
EXITED_0030_1_APRIL = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)
MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture
def clock(monkeypatch):
    return set_clock(monkeypatch, PAID_2330_31_MARCH)


@pytest.mark.parametrize("server_zone", ["Asia/Ho_Chi_Minh", "UTC"])
def test_a_truck_leaving_at_half_past_midnight_on_the_first_counts_in_the_new_month(
    enterprise, operator, officers, mlt, clock, settings, server_zone
):
    settings.TIME_ZONE = server_zone
    trip = trips.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-401.10", cargo_lines=[cassava_line()])
    )
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    clock.moment = EXITED_0030_1_APRIL
    gate.exit_truck(operator, mlt, trip.reference)

    # The receipt marked March, the exit April: each month is counted again from its rows.
    assert set(StaleMonth.objects.filter(gate=mlt).values_list("month", flat=True)) == {
        MARCH,
        APRIL,
    }
    stats.refresh_stale()
    march = GateMonth.objects.get(gate=mlt, month=MARCH, direction="export")
    april = GateMonth.objects.get(gate=mlt, month=APRIL, direction="export")
    assert (march.trucks, march.receipts, march.fee_vnd > 0) == (0, 1, True)
    assert (april.trucks, april.receipts, april.clearance_minutes) == (1, 0, 60)
    assert TradeMonth.objects.get(gate=mlt, month=APRIL).value == Decimal("2240")
    assert not TradeMonth.objects.filter(gate=mlt, month=MARCH).exists()
    assert list(GateDay.objects.filter(gate=mlt).values_list("day", "trucks")) == [
        (dt.date(2026, 4, 1), 1)
    ]

    # The gate's dashboard opens on its own today: April has begun there and is shown.
    board = dashboard.build(mlt, 2026)
    assert board.today == dt.date(2026, 4, 1)
    assert board.months[-1] == APRIL
    trucks = {row["day"]: row["total"] for row in board.tables["trucks"].rows}
    assert trucks[dt.date(2026, 4, 1)] == 1 and trucks[dt.date(2026, 3, 31)] == 0


def test_the_gates_today_is_its_own_date_not_the_servers(mlt, clock, settings):
    settings.TIME_ZONE = "UTC"
    clock.moment = EXITED_0030_1_APRIL
    assert stats.local_today(mlt) == dt.date(2026, 4, 1)
    assert stats.local_today() == dt.date(2026, 3, 31)  # the installation's clock, as set
    # Marking a moment takes the gate's month, never the server's.
    stats.mark_stale(mlt.pk, EXITED_0030_1_APRIL)
    assert StaleMonth.objects.filter(gate=mlt, month=APRIL).exists()


# ---------------------------------------------------------------------------------------------
# Years and months as people and clients type them


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("year", ["10000", "-1", "1999", "2026.5", "٢٠٢٦.٠", "+2026", "2_026"])
def test_a_year_no_report_can_have_is_a_field_error_of_the_api(board, year):
    refused = signed_in(board).get("/api/v1/stats/summary", {"year": year})
    assert refused.status_code == 422, (year, refused.content)
    assert [item["loc"] for item in refused.json()["detail"]] == [["query", "year"]]


@pytest.mark.parametrize("year", ["٢٠٢٦", "２０２６"])
def test_a_year_in_other_digits_is_the_year_as_on_the_page(board, year):
    # The dashboard's year box read "٢٠٢٦" as 2026 where the API refused it.
    answer = signed_in(board).get("/api/v1/stats/summary", {"year": year})
    assert answer.status_code == 200, answer.content
    assert answer.json()["year"] == 2026


def test_year_zero_is_refused_not_read_as_this_year(board):
    refused = signed_in(board).get("/api/v1/stats/summary", {"year": "0"})
    assert refused.status_code == 422


def test_a_month_in_other_digits_is_refused_as_a_day_in_them_is(db):
    from django.core.exceptions import ValidationError

    from cuakhau.core.inputs import DayField
    from cuakhau.stats.forms import MonthField

    with pytest.raises(ValidationError):
        DayField().clean("٢٠٢٦-٠٣-٠١")
    with pytest.raises(ValidationError):
        MonthField().clean("٢٠٢٦-٠٣")


def test_a_refusal_names_an_earlier_imports_day_on_vietnams_clock(board, mlt, clock):
    from cuakhau.stats import imports
    from cuakhau.stats.tests.test_import import GOOD, HEADER, read

    clock.moment = EXITED_0030_1_APRIL  # 00:30 on 1 April 2026 in Vietnam
    imports.import_history(board, read([HEADER, *GOOD[:2]], "thang-3.csv"))
    errors = imports.check(read([HEADER, GOOD[0]], "thang-3-sua.csv")).errors
    assert "thang-3.csv" in errors[0].message
    assert "1 Apr 2026" in errors[0].message, errors[0].message
    assert "31 Mar" not in errors[0].message
