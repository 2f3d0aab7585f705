"""A procedure measured in working hours (the C/O form E: about 6) is filed, and due at a moment.

The desk is open 07:30-11:30 and 13:30-17:00 on working days (``calendar.OFFICE_HOURS``): a file
received at 16:00 on Monday with 6 working hours has 1 hour that day, 4 the next morning and 1
after lunch, so it is due on Tuesday at 14:30 on the desk's clock. It was listed as "not known"
and could not be filed at all.
"""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cuakhau.accounts.services import issue_token
from cuakhau.desk import calendar as wd
from cuakhau.desk import reports, services
from cuakhau.desk.models import Application, Procedure
from cuakhau.desk.models import ApplicationStatus as S

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db
D = dt.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PLAIN = wd.WorkingCalendar()


def vn(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def wall(day: D, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute)


MON, TUE, WED, FRI = D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 6)


@pytest.mark.parametrize(
    "start, hours, due",
    [
        (wall(MON, 16), 6, wall(TUE, 14, 30)),  # 1 h today, 4 h the morning, 1 h after lunch
        (wall(MON, 18), 6, wall(TUE, 15, 30)),  # closed: counted from 07:30 next day
        (wall(MON, 12), 2, wall(MON, 15, 30)),  # at lunch: from 13:30
        (wall(MON, 7, 30), 4, wall(MON, 11, 30)),  # ends at closing, not at the next opening
        (wall(FRI, 16), 6, wall(D(2026, 3, 9), 14, 30)),  # over the weekend
        (wall(MON, 9), 0, wall(MON, 9)),
    ],
)
def test_working_hours_count_the_desks_office_hours(start, hours, due):
    assert wd.add_working_hours(start, hours, PLAIN) == due


def test_a_pause_stops_the_hours():
    # Asked at Tue 09:00 for a supplement that came Wed 10:00: 2 h 30 were counted, the 3 h 30
    # left run from then (1 h 30 to 11:30, 2 h after lunch).
    pauses = [(wall(TUE, 9), wall(WED, 10))]
    assert wd.add_working_hours(wall(MON, 16), 6, PLAIN, pauses) == wall(WED, 15, 30)


def test_a_public_holiday_is_no_working_hour():
    # Thursday 30 April and Friday 1 May 2026 are holidays: a file of Wednesday 16:00 runs on
    # to Monday 4 May.
    calendar = wd.build_calendar([2026])
    assert wd.add_working_hours(wall(D(2026, 4, 29), 16), 6, calendar) == wall(
        D(2026, 5, 4), 14, 30
    )


@pytest.fixture
def form_e(catalogue):
    procedure = Procedure.objects.get(name_en__contains="form E")
    assert procedure.processing_hours == 6 and procedure.processing_days is None
    return procedure


def file_form_e(form_e, moment):
    return services.file_application(applicant_data(form_e), [pdf()], now=moment)


def test_the_c_o_form_e_is_filed_and_due_at_a_moment(form_e):
    assert form_e.can_be_filed
    assert services.fileable_procedures().filter(pk=form_e.pk).exists()
    a = file_form_e(form_e, vn(MON, 16))
    assert (a.processing_hours, a.processing_days) == (6, None)
    assert a.receipt_day == MON
    assert a.due_at == vn(TUE, 14, 30) and a.due_date == TUE
    assert Application.objects.get(pk=a.pk).due_moment == vn(TUE, 14, 30)


def test_the_file_is_overdue_from_its_moment_in_the_queue_and_the_counts(form_e):
    a = file_form_e(form_e, vn(MON, 16))
    files = Application.objects.filter(pk=a.pk)
    before, after = vn(TUE, 14), vn(TUE, 15)
    s = services.standing(a, on=TUE, now=before)
    assert not s.overdue and s.soon_due and s.due_moment == vn(TUE, 14, 30)
    assert services.queue_counts(files, TUE, now=before) == (0, 1)
    s = services.standing(a, on=TUE, now=after)
    assert s.overdue and s.late_by == 0
    assert services.queue_counts(files, TUE, now=after) == (1, 0)


def test_a_supplement_wait_stops_the_hours(form_e, desk_officer):
    a = file_form_e(form_e, vn(MON, 16))
    for action in ("transfer", "start"):
        a = services.act(desk_officer, a, action)
    with mock.patch.object(timezone, "now", return_value=vn(TUE, 9)):
        a = services.act(desk_officer, a, "request_supplement", reason="Thiếu vận đơn")
    with mock.patch.object(timezone, "now", return_value=vn(WED, 10)):
        a = services.act(desk_officer, a, "receive_supplement")
    # 3 h 30 were left at 09:00 on Tuesday: from Wednesday 10:00, 1 h 30 to 11:30, 2 h after.
    assert a.due_at == vn(WED, 15, 30) and a.due_date == WED


def test_the_report_counts_on_time_by_the_moment(form_e):
    early, late = (file_form_e(form_e, vn(MON, 16)) for _ in range(2))
    Application.objects.filter(pk=early.pk).update(
        status=S.RETURNED, result_at=vn(TUE, 14), closed_at=vn(TUE, 16)
    )
    Application.objects.filter(pk=late.pk).update(
        status=S.RETURNED, result_at=vn(TUE, 15), closed_at=vn(TUE, 16)
    )
    open_ = file_form_e(form_e, vn(MON, 16))
    report = reports.build_report(MON, TUE, today=TUE, now=vn(TUE, 15))
    assert (report.total.on_time, report.total.late) == (1, 1)
    assert report.total.overdue_now == 1 == int(open_.status == S.RECEIVED)


def test_pages_and_api_show_the_moment_on_the_desks_clock(form_e, desk_officer):
    applicant = Client()
    response = applicant.post(
        "/desk/apply/",
        {**applicant_data(form_e), "documents": pdf()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302, response.content[:2000]
    a = Application.objects.get()
    Application.objects.filter(pk=a.pk).update(
        received_at=vn(MON, 16), due_at=vn(TUE, 14, 30), due_date=TUE
    )
    page = applicant.get(f"/desk/track/{a.code}/").content.decode()
    assert "14:30" in page and "desk's clock" in page, page[page.find("<main") :]
    for language, words in [("vi", "giờ của bộ phận một cửa"), ("zh-hans", "时间")]:
        page = applicant.get(f"/desk/track/{a.code}/", HTTP_ACCEPT_LANGUAGE=language)
        assert "14:30" in page.content.decode() and words in page.content.decode()
    catalogue = Client().get(f"/desk/procedures/{form_e.key}/").content.decode()
    assert "6 working hours" in catalogue and "not known" not in catalogue

    officer = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 'hours')[1]}")
    body = officer.get(f"/api/v1/desk/applications/{a.code}").json()
    assert (body["processing_hours"], body["processing_days"]) == (6, None)
    assert body["due_at"] == "2026-03-03T14:30:00+07:00"
    procedures = Client().get("/api/v1/desk/procedures").json()
    listed = next(p for p in procedures if p["key"] == form_e.key)
    assert listed["processing_hours"] == 6 and listed["can_be_filed"]
    filed = Client().post(
        "/api/v1/desk/applications", {**applicant_data(form_e), "documents": pdf()}
    )
    assert filed.status_code == 201, filed.content
    assert filed.json()["processing_hours"] == 6 and filed.json()["due_at"]


def test_a_procedure_is_given_days_or_hours_not_both(form_e):
    form_e.processing_days = 1
    with pytest.raises(ValidationError) as refused:
        form_e.full_clean()
    assert "not both" in str(refused.value)
    form_e.processing_days, form_e.processing_hours = None, 41
    with pytest.raises(ValidationError) as refused:
        form_e.full_clean()
    assert "processing_hours" in refused.value.message_dict


def test_a_long_supplement_wait_counts_on_the_holidays_of_its_years(form_e, desk_officer):
    # Asked on Tuesday 3 March 2026 at 09:00, brought on Monday 31 December 2029 at 16:00:
    # 1 hour that day, then 1 January 2030 is New Year's Day; due Wednesday 2 January 10:00.
    # (The calendar stopped at 2028 and the count gave up after three years: a 500.)
    a = file_form_e(form_e, vn(MON, 16))
    for action in ("transfer", "start"):
        a = services.act(desk_officer, a, action)
    with mock.patch.object(timezone, "now", return_value=vn(TUE, 9)):
        a = services.act(desk_officer, a, "request_supplement", reason="Thiếu vận đơn")
    with mock.patch.object(timezone, "now", return_value=vn(D(2029, 12, 31), 16)):
        a = services.act(desk_officer, a, "receive_supplement")
    assert a.due_at == vn(D(2030, 1, 2), 10)


def test_the_report_says_how_a_file_timed_in_hours_is_counted(form_e, supervisor):
    client = Client()
    client.force_login(supervisor)
    for language, words in [
        ("en", "due at a moment of the desk's office hours"),
        ("vi", "thời hạn tính bằng giờ làm việc"),
        ("zh-hans", "以工作小时计时"),
    ]:
        page = client.get("/desk/reports/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words in page.replace("&#x27;", "'")


def test_the_queue_puts_a_file_due_at_a_moment_before_those_due_at_closing(
    form_e, catalogue, desk_officer
):
    by_day = services.file_application(applicant_data(catalogue), [pdf()], now=vn(MON, 9))
    by_hours = file_form_e(form_e, vn(MON, 16))
    Application.objects.filter(pk=by_day.pk).update(due_date=TUE)  # due the same day
    queue = list(services.desk_queue(desk_officer).values_list("code", flat=True))
    assert queue == [by_hours.code, by_day.code]


def test_the_administration_refuses_days_and_hours_together(admin_client, form_e):
    from .test_processing_days_bound import _admin_post

    url = f"/admin/desk/procedure/{form_e.pk}/change/"
    page = admin_client.post(url, _admin_post(form_e, processing_days="2"))
    assert page.status_code == 200
    assert "not both" in str(page.context["adminform"].form.errors)
    saved = admin_client.post(url, _admin_post(form_e, processing_hours="8"))
    assert saved.status_code == 302
    form_e.refresh_from_db()
    assert form_e.processing_hours == 8 and form_e.version == 2


@pytest.mark.parametrize(
    "days, hours, said",
    [("", "0", "out of range"), ("", "41", "out of range"), ("3", "6", "not both")],
)
def test_the_loader_names_the_row_of_a_wrong_time_in_hours(
    reference_data, tmp_path, days, hours, said
):
    import csv

    from cuakhau.core.spreadsheets import DataFileError
    from cuakhau.desk.loading import DATA, load_procedures

    with open(DATA / "procedures.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    rows[1].update(processing_days=days, processing_hours=hours)
    path = tmp_path / "procedures.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(DataFileError) as refused:
        load_procedures(path)
    assert "row 3" in str(refused.value) and said in str(refused.value)


def test_the_badge_of_a_moment_gone_says_its_day_too():
    # On the weekend after a Friday 14:30 due moment: late by no working day, but which 14:30.
    from django.template.loader import render_to_string
    from django.utils import translation

    late = services.Standing(True, False, False, 0, FRI, vn(FRI, 14, 30))
    with translation.override("en"):
        badge = render_to_string("desk/_deadline.html", {"standing": late})
    assert "overdue: it was due at" in badge and "14:30" in badge and "2026" in badge
