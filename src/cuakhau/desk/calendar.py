"""Working days of the one-stop desk: the pure arithmetic behind every deadline.

A day is a working day when it is a weekday that is not a public holiday or an official day
off, or when the year's official schedule makes it one (a make-up Saturday, "làm bù"). The
public holidays come from the ``holidays`` package's Vietnam calendar (Labour Code 2019
Art. 112, the Prime Minister's Tết days, weekend make-ups of Art. 111(3)); the year's official
schedule — swapped days off and make-up Saturdays of the civil-service notice — comes from the
``ScheduleDay`` table administrators edit (``calendar_for`` joins the two).

Counting (Decree 61/2018 as amended, restated in provincial procedure publications): the clock
starts on the working day a complete file is received — a file that arrives on a day off is
received on the next working day — and the first day counted is the working day after it. While
the file waits for a supplement the clock stops: the working days from the day after the request
up to and including the day the supplement arrives are not counted.

Office hours (``OFFICE_HOURS``: 07:30–11:30 and 13:30–17:00, the civil service's usual day under
Decision 188/1999/QĐ-TTg's 40-hour week) are the same calendar's hours: a file that arrives after
the desk closes is received at its next opening, so on the next working day, and a procedure whose
time is given in working hours (a C/O form E: about 6) is due at a moment — received at 16:00 with
6 hours, due the next working day at 14:30. While it waits for a supplement its clock stops from
the request to the supplement's arrival. Times here are the desk's wall clock (naive); the
services put them on the gate's clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Vietnamese Culture Day (Resolution 28/2026/QH16 Art. 2): a paid day off every 24 November from
# 2026. ``holidays`` 0.108 has it; kept here too so an older or changed package cannot drop it.
CULTURE_DAY_FROM = 2026


# The desk's opening hours on every working day (a make-up Saturday too): morning and afternoon.
OFFICE_HOURS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)


@dataclass(frozen=True)
class WorkingCalendar:
    """Days off and extra working days; everything else follows the Monday–Friday week."""

    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)
    office_hours: tuple[tuple[dt.time, dt.time], ...] = OFFICE_HOURS

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def open_periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The desk's opening periods on ``day`` (none on a day off), as wall-clock moments."""
        if not self.is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, start), dt.datetime.combine(day, end))
            for start, end in self.office_hours
        ]


def next_working_day(day: dt.date, calendar: WorkingCalendar) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(
    start: dt.date,
    n: int,
    calendar: WorkingCalendar,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
) -> dt.date:
    """The ``n``-th counted working day after ``start`` (``start`` itself when ``n`` is 0 and it
    is a working day).

    ``pauses``: ``(stopped, resumed)`` day pairs; a working day ``d`` with
    ``stopped < d <= resumed`` is not counted (the file was waiting for the applicant).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    pauses = list(pauses)
    day = start
    if n == 0:
        return next_working_day(day, calendar)
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if not calendar.is_working_day(day):
            continue
        if any(stopped < day <= resumed for stopped, resumed in pauses):
            continue
        counted += 1
    return day


def working_days_between(
    start: dt.date,
    end: dt.date,
    calendar: WorkingCalendar,
    pauses: Iterable[tuple[dt.date, dt.date]] = (),
) -> int:
    """Counted working days ``d`` with ``start < d <= end`` (0 when ``end`` is not later)."""
    pauses = list(pauses)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day) and not any(s < day <= r for s, r in pauses):
            count += 1
    return count


# Far enough for any bounded processing time and supplement wait the calendar was built for.
_SEARCH_DAYS = 3 * 366


def next_opening(moment: dt.datetime, calendar: WorkingCalendar) -> dt.datetime:
    """``moment`` itself while the desk is open, else the next moment it opens."""
    day = moment.date()
    for _ in range(_SEARCH_DAYS):
        for start, end in calendar.open_periods(day):
            if moment < end:
                return max(moment, start)
        day += dt.timedelta(days=1)
    raise ValueError("no opening within the calendar")


def receipt_day_of(moment: dt.datetime, calendar: WorkingCalendar) -> dt.date:
    """The working day a file arriving at ``moment`` is received: the day of the desk's next
    opening (after closing time, or on a day off, the next working day)."""
    return next_opening(moment, calendar).date()


def _minus_pauses(
    start: dt.datetime, end: dt.datetime, pauses: list[tuple[dt.datetime, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The parts of ``[start, end)`` outside every pause."""
    parts = [(start, end)]
    for stopped, resumed in pauses:
        kept = []
        for a, b in parts:
            if resumed <= a or stopped >= b:
                kept.append((a, b))
                continue
            if a < stopped:
                kept.append((a, stopped))
            if resumed < b:
                kept.append((resumed, b))
        parts = kept
    return parts


def add_working_hours(
    start: dt.datetime,
    hours: int,
    calendar: WorkingCalendar,
    pauses: Iterable[tuple[dt.datetime, dt.datetime]] = (),
) -> dt.datetime:
    """The moment ``hours`` working hours after ``start`` (counted from the next opening when
    the desk is closed); ``pauses``: ``(stopped, resumed)`` moments not counted. Time that ends
    exactly at closing is due at closing, not at the next opening."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    pauses = sorted(pauses)
    left = dt.timedelta(hours=hours)
    moment = next_opening(start, calendar)
    if not left:
        return moment
    day = moment.date()
    # However long a supplement wait, the search goes on past its end.
    waited = max([(b.date() - day).days for _a, b in pauses] + [0])
    for _ in range(waited + _SEARCH_DAYS):
        for opens, closes in calendar.open_periods(day):
            if closes <= moment:
                continue
            for a, b in _minus_pauses(max(opens, moment), closes, pauses):
                if b - a >= left:
                    return a + left
                left -= b - a
        day += dt.timedelta(days=1)
    raise ValueError("the time runs past the calendar")


def vietnam_days_off(years: Iterable[int]) -> set[dt.date]:
    """Vietnam's public holidays and their make-ups from the ``holidays`` package."""
    import holidays

    years = sorted(set(years))
    days = set(holidays.country_holidays("VN", years=years))
    days |= {dt.date(y, 11, 24) for y in years if y >= CULTURE_DAY_FROM}
    return days


def build_calendar(
    years: Iterable[int],
    extra_days_off: Iterable[dt.date] = (),
    extra_working_days: Iterable[dt.date] = (),
) -> WorkingCalendar:
    """The package's holidays for ``years`` plus the official schedule's swaps."""
    working = frozenset(extra_working_days)
    days_off = (vietnam_days_off(years) | set(extra_days_off)) - working
    return WorkingCalendar(days_off=frozenset(days_off), working_days=working)
