"""Working-day arithmetic against Vietnam's real calendars (``holidays`` + the official schedule
seeded from shared/data/desk/vn-public-holidays.md)."""

import datetime as dt

import pytest

from cuakhau.desk import calendar as wd
from cuakhau.desk.loading import load_schedule
from cuakhau.desk.services import calendar_for

D = dt.date


@pytest.fixture
def vn(db):
    load_schedule()
    return calendar_for([2025, 2026, 2027])


def test_a_plain_week_skips_the_weekend():
    cal = wd.WorkingCalendar()
    # Thursday 5 Mar 2026 + 3 working days: Fri, Mon, Tue.
    assert wd.add_working_days(D(2026, 3, 5), 3, cal) == D(2026, 3, 10)
    assert wd.add_working_days(D(2026, 3, 5), 0, cal) == D(2026, 3, 5)
    with pytest.raises(ValueError):
        wd.add_working_days(D(2026, 3, 5), -1, cal)


def test_tet_2026_week_is_not_counted(vn):
    # Tết Bính Ngọ: Mon 16 – Fri 20 Feb 2026 off (Thông báo 9441/TB-BNV).
    for day in range(16, 21):
        assert not vn.is_working_day(D(2026, 2, day))
    # Received Thursday 12 Feb, 5 working days: Fri 13, then 23, 24, 25, 26 Feb.
    assert wd.add_working_days(D(2026, 2, 12), 5, vn) == D(2026, 2, 26)


def test_tet_2025_week(vn):
    # Tết Ất Tỵ: Mon 27 – Fri 31 Jan 2025. Received Friday 24 Jan: 3 days → 3, 4, 5 Feb.
    assert wd.add_working_days(D(2025, 1, 24), 3, vn) == D(2025, 2, 5)


def test_filed_on_a_saturday_is_received_on_monday(vn):
    saturday = D(2026, 3, 7)
    receipt = wd.next_working_day(saturday, vn)
    assert receipt == D(2026, 3, 9)
    # 5 working days from Monday's receipt: Tue..Fri, Mon 16 Mar.
    assert wd.add_working_days(receipt, 5, vn) == D(2026, 3, 16)


def test_national_day_2026_and_its_make_up_saturday(vn):
    # 31 Aug (swapped), 1 and 2 Sep 2026 off; Saturday 22 Aug 2026 worked instead.
    assert not vn.is_working_day(D(2026, 8, 31))
    assert not vn.is_working_day(D(2026, 9, 2))
    assert vn.is_working_day(D(2026, 8, 22))
    # Received Friday 21 Aug, 2 working days: Sat 22 (make-up), Mon 24.
    assert wd.add_working_days(D(2026, 8, 21), 2, vn) == D(2026, 8, 24)
    # Received Friday 28 Aug, 1 working day: Thursday 3 Sep.
    assert wd.add_working_days(D(2026, 8, 28), 1, vn) == D(2026, 9, 3)


def test_make_up_saturday_2025(vn):
    # Saturday 26 Apr 2025 worked for Friday 2 May; 30 Apr and 1 May holidays.
    assert vn.is_working_day(D(2025, 4, 26))
    assert not vn.is_working_day(D(2025, 5, 2))
    # Received Friday 25 Apr, 2 working days: Sat 26 Apr, Mon 28 Apr.
    assert wd.add_working_days(D(2025, 4, 25), 2, vn) == D(2025, 4, 28)
    # Received Tuesday 29 Apr, 1 working day: Monday 5 May.
    assert wd.add_working_days(D(2025, 4, 29), 1, vn) == D(2025, 5, 5)


def test_an_ordinary_saturday_is_not_a_working_day(vn):
    assert not vn.is_working_day(D(2026, 8, 29))


def test_culture_day_from_2026(vn):
    assert not vn.is_working_day(D(2026, 11, 24))
    assert not vn.is_working_day(D(2027, 11, 24))
    assert D(2025, 11, 24) not in calendar_for([2025]).days_off
    # Monday 23 Nov 2026 + 2: Wed 25, Thu 26.
    assert wd.add_working_days(D(2026, 11, 23), 2, vn) == D(2026, 11, 26)


def test_culture_day_is_added_even_without_the_package():
    cal = wd.build_calendar([2026])
    assert D(2026, 11, 24) in cal.days_off


def test_a_supplement_pause_stops_the_clock(vn):
    # Received Mon 2 Mar 2026, 10 working days → Mon 16 Mar without a pause.
    assert wd.add_working_days(D(2026, 3, 2), 10, vn) == D(2026, 3, 16)
    # Supplement requested Wed 4 Mar (2 days used), arrived Tue 10 Mar: Thu 5 .. Tue 10 not
    # counted (4 working days), so the due date moves 4 working days to Fri 20 Mar.
    pauses = [(D(2026, 3, 4), D(2026, 3, 10))]
    assert wd.add_working_days(D(2026, 3, 2), 10, vn, pauses) == D(2026, 3, 20)
    assert wd.working_days_between(D(2026, 3, 2), D(2026, 3, 20), vn, pauses) == 10


def test_a_pause_over_tet(vn):
    # Received Mon 9 Feb 2026 with 5 days; supplement requested Tue 10 Feb, arrived Tue 24 Feb.
    # Counted: Tue 10, then Wed 25, Thu 26, Fri 27, Mon 2 Mar.
    pauses = [(D(2026, 2, 10), D(2026, 2, 24))]
    assert wd.add_working_days(D(2026, 2, 9), 5, vn, pauses) == D(2026, 3, 2)


def test_a_make_up_day_removed_by_an_administrator_counts_no_more(vn):
    from cuakhau.desk.models import ScheduleDay

    ScheduleDay.objects.filter(day=D(2026, 8, 22)).delete()
    cal = calendar_for([2026])
    assert not cal.is_working_day(D(2026, 8, 22))
    assert wd.add_working_days(D(2026, 8, 21), 2, cal) == D(2026, 8, 25)


def test_a_reload_keeps_the_schedule_days_an_administrator_decided(client, admin_user, vn):
    # The New Year 2026 swap is from a single source: an administrator who checked it deletes
    # the make-up Saturday and marks the day off published. ``setup`` reloads on every run, and
    # put both back as shipped: Saturday 10 Jan counted again in every deadline across it.
    from cuakhau.desk.models import ScheduleDay

    client.force_login(admin_user)
    saturday = ScheduleDay.objects.get(day=D(2026, 1, 10))
    response = client.post(f"/admin/desk/scheduleday/{saturday.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    friday = ScheduleDay.objects.get(day=D(2026, 1, 2))
    response = client.post(
        f"/admin/desk/scheduleday/{friday.pk}/change/",
        {
            "day": "2026-01-02",  # read-only once saved: sent as a browser would, ignored
            "kind": "day_off",
            "note": "Nghỉ hoán đổi dịp Tết Dương lịch 2026 (checked)",
            "source": "Công văn 12729/VPCP-KGVX, read on the Government portal",
            "confidence": "published",
        },
    )
    assert response.status_code == 302

    load_schedule()  # as ``setup`` does

    assert not ScheduleDay.objects.filter(day=D(2026, 1, 10)).exists()
    assert not calendar_for([2026]).is_working_day(D(2026, 1, 10))
    assert ScheduleDay.objects.get(day=D(2026, 1, 2)).confidence == "published"
    # The days nobody touched still follow the file.
    ScheduleDay.objects.filter(day=D(2026, 8, 22)).update(note="", confidence="uncertain")
    load_schedule()
    assert ScheduleDay.objects.get(day=D(2026, 8, 22)).confidence == "published"


def test_a_saved_schedule_day_cannot_be_moved_to_another_day(client, admin_user, vn):
    from cuakhau.desk.models import ScheduleDay

    client.force_login(admin_user)
    day = ScheduleDay.objects.get(day=D(2026, 8, 22))
    page = client.get(f"/admin/desk/scheduleday/{day.pk}/change/")
    assert 'name="day"' not in page.content.decode()
