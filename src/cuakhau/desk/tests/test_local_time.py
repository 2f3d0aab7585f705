"""The desk's days are Vietnam's (its gate's clock), whatever zone the server keeps.

A file sent online at 00:30 on a Saturday in Lai Châu (17:30 UTC on the Friday) arrived on a
day off: it is received on Monday and its clock counts from Tuesday. So is one sent at 23:30 on
a Friday, after the desk closed: it is received when the desk next opens (a file sent at 23:30
was counted from that day, a working day the desk was closed for all of it). Deadlines skip weekends, public holidays (Tết) and run into the next year.
"""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from cuakhau.core.errors import FieldErrors
from cuakhau.desk import reports, services
from cuakhau.desk.models import ApplicationStatus as S

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db
D = dt.date


def utc(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def server_on_utc(settings):
    settings.TIME_ZONE = "UTC"  # the server's clock is not the desk's


def file_at(catalogue, moment: dt.datetime):
    # Amendment of an investment certificate: 10 working days.
    return services.file_application(applicant_data(catalogue), [pdf()], now=moment)


@pytest.mark.parametrize("server_zone", ["Asia/Ho_Chi_Minh", "UTC"])
def test_a_file_sent_at_half_past_midnight_on_saturday_is_received_on_monday(
    catalogue, settings, server_zone
):
    settings.TIME_ZONE = server_zone
    # 00:30 on Saturday 7 March 2026 in Lai Châu is 17:30 UTC on Friday 6 March.
    a = file_at(catalogue, utc(2026, 3, 6, 17, 30))
    assert a.receipt_day == D(2026, 3, 9)  # Monday
    assert a.due_date == D(2026, 3, 23)  # 10 working days from Tuesday 10 March


@pytest.mark.parametrize("server_zone", ["Asia/Ho_Chi_Minh", "UTC"])
def test_a_file_sent_after_office_hours_is_received_at_the_next_opening(
    catalogue, settings, server_zone
):
    settings.TIME_ZONE = server_zone
    # 23:30 on Friday 6 March 2026 (16:30 UTC): received on Monday 9 March, counted from Tuesday.
    a = file_at(catalogue, utc(2026, 3, 6, 16, 30))
    assert a.receipt_day == D(2026, 3, 9)
    assert a.due_date == D(2026, 3, 23)
    # 17:10 that Friday, the desk just closed: the same.
    assert file_at(catalogue, utc(2026, 3, 6, 10, 10)).receipt_day == D(2026, 3, 9)
    # 16:50, before closing, and 07:00 before opening: Friday's.
    assert file_at(catalogue, utc(2026, 3, 6, 9, 50)).receipt_day == D(2026, 3, 6)
    assert file_at(catalogue, utc(2026, 3, 6, 0, 0)).receipt_day == D(2026, 3, 6)


def test_a_deadline_runs_over_new_year_and_its_holiday(catalogue, server_on_utc):
    # Thursday 31 December 2026 at 23:30, the desk closed: received when it opens on Monday
    # 4 January (1 January is New Year's Day, then the weekend), counted from Tuesday 5 →
    # 5–8 and 11–15 and 18 January.
    eve = file_at(catalogue, utc(2026, 12, 31, 16, 30))
    assert (eve.receipt_day, eve.due_date) == (D(2027, 1, 4), D(2027, 1, 18))
    # 00:30 on 1 January 2027 (still 2026 in UTC): a holiday, received Monday 4 January.
    new_year = file_at(catalogue, utc(2026, 12, 31, 17, 30))
    assert (new_year.receipt_day, new_year.due_date) == (D(2027, 1, 4), D(2027, 1, 18))


def test_tet_is_not_counted_and_a_file_sent_during_it_waits_for_the_desk(catalogue, server_on_utc):
    # Tết Bính Ngọ: the desks are closed Monday 16 – Friday 20 February 2026.
    before = file_at(catalogue, utc(2026, 2, 13, 2))  # Friday 13 Feb, 09:00
    assert (before.receipt_day, before.due_date) == (D(2026, 2, 13), D(2026, 3, 6))
    during = file_at(catalogue, utc(2026, 2, 17, 2))  # mùng 1 Tết, 09:00
    assert (during.receipt_day, during.due_date) == (D(2026, 2, 23), D(2026, 3, 9))


def test_the_desks_today_is_vietnams_not_the_servers(catalogue, desk_officer, server_on_utc):
    a = file_at(catalogue, utc(2026, 3, 2, 2))  # Monday 2 March, due Monday 16 March
    # 00:30 on Tuesday 17 March in Vietnam is still Monday 16 March in UTC: overdue by one day.
    with mock.patch.object(timezone, "now", return_value=utc(2026, 3, 16, 17, 30)):
        assert services.today(a.gate) == D(2026, 3, 17) == services.today()
        standing = services.standing(a)
        assert standing.overdue and standing.late_by == 1
        report = reports.build_report(D(2026, 3, 1), D(2026, 3, 31))
        assert report.today == D(2026, 3, 17) and report.total.overdue_now == 1


def test_a_supplement_received_after_midnight_restarts_the_clock_the_next_day(
    catalogue, desk_officer, server_on_utc
):
    a = file_at(catalogue, utc(2026, 3, 2, 2))  # due Monday 16 March
    a = services.act(desk_officer, a, "transfer")
    a = services.act(desk_officer, a, "start")
    with mock.patch.object(timezone, "now", return_value=utc(2026, 3, 4, 3)):  # Wed 4, 10:00
        a = services.act(desk_officer, a, "request_supplement", reason="Thiếu báo cáo")
    # 00:30 on Wednesday 11 March at the desk (Tuesday 10 March in UTC).
    with mock.patch.object(timezone, "now", return_value=utc(2026, 3, 10, 17, 30)):
        a = services.act(desk_officer, a, "receive_supplement", documents=[pdf("bao-cao.pdf")])
    assert a.pauses == [["2026-03-04", "2026-03-11"]]
    # Thursday 5 – Wednesday 11 March (5 working days) are not counted → Monday 23 March.
    assert a.due_date == D(2026, 3, 23)
    assert a.status == S.SUPPLEMENT_RECEIVED


def test_an_apology_cannot_give_a_day_the_desk_is_closed(catalogue, desk_officer):
    a = file_at(catalogue, utc(2026, 2, 2, 2))  # Monday 2 February 2026: due Monday 23 Feb
    assert a.due_date == D(2026, 2, 23)
    with mock.patch.object(services, "today", return_value=D(2026, 2, 24)):
        for closed in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 4, 27)):  # Sat, Sun, Giỗ Tổ
            with pytest.raises(FieldErrors) as refused:
                services.act(desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=closed)
            assert list(refused.value.errors) == ["new_date"]
            assert "closed" in refused.value.errors["new_date"][0]
        a = services.act(
            desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=D(2026, 3, 2)
        )
    assert a.appointment_date == D(2026, 3, 2)


def test_the_report_counts_a_file_of_half_past_midnight_in_the_new_month(catalogue, server_on_utc):
    # 00:30 on Wednesday 1 April 2026 in Vietnam is 17:30 UTC on 31 March.
    file_at(catalogue, utc(2026, 3, 31, 17, 30))
    march = reports.build_report(D(2026, 3, 1), D(2026, 3, 31), today=D(2026, 4, 2))
    april = reports.build_report(D(2026, 4, 1), D(2026, 4, 30), today=D(2026, 4, 2))
    assert (march.total.received, april.total.received) == (0, 1)
    assert [r.key for r in april.by_month if r.counts.received] == ["2026-04"]


# ---------------------------------------------------------------------------------------------
# Dates as officers and clients type them


@pytest.mark.parametrize(
    "new_date",
    ["9999-12-31", "10000-01-01", "0001-01-01", "٢٠٢٦-٠٣-٢٥", "2026-02-30", "25/03/2026"],
)
def test_an_apology_date_no_desk_can_keep_is_a_field_error_of_the_api(
    catalogue, desk_officer, new_date
):
    from django.test import Client

    from cuakhau.accounts.services import issue_token

    a = file_at(catalogue, utc(2026, 3, 2, 2))
    officer = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 't')[1]}")
    response = officer.post(
        f"/api/v1/desk/applications/{a.code}/actions/apologise",
        {"reason": "Chờ ý kiến Sở", "new_date": new_date},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert [item["loc"][-1] for item in response.json()["detail"]] == ["new_date"]
    a.refresh_from_db()
    assert a.new_due_date is None


@pytest.mark.parametrize(
    "period, field",
    [
        ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "date_to"),
        ({"date_from": "٢٠٢٦-٠١-٠١", "date_to": "2026-03-01"}, "date_from"),
        ({"date_from": "2026-01-01", "date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01", "date_to": "2026-03-01"}, "date_from"),
        ({"date_from": "2026-01-01", "date_to": "10000-01-01"}, "date_to"),
    ],
)
def test_a_report_period_no_calendar_has_is_refused_beside_its_field(
    client, catalogue, supervisor, period, field
):
    client.force_login(supervisor)
    response = client.get("/desk/reports/", period)
    assert response.status_code == 400
    assert field in response.context["form"].errors and response.context["report"] is None
