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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

# Vietnamese Culture Day (Resolution 28/2026/QH16 Art. 2): a paid day off every 24 November from
# 2026. ``holidays`` 0.108 has it; kept here too so an older or changed package cannot drop it.
CULTURE_DAY_FROM = 2026


@dataclass(frozen=True)
class WorkingCalendar:
    """Days off and extra working days; everything else follows the Monday–Friday week."""

    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.days_off


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
