"""Lookups that answer "nothing" or "everything" for a value no row can hold.

Django refuses an out-of-range integer itself only for ``exact``, ``gt``… on an integer field;
a foreign key (``gate=10**20``, ``gate__gte=10**20``) or a list (``pk__in=[10**20]``) reached
SQLite's driver, which cannot bind an integer past 64 bits. A moment at the calendar's edge
(``date_joined__gte=0001-01-01`` in UTC+7 is in year 0 in UTC) could not be turned into UTC for
SQLite, and a year outside the calendar (``__year=0``) could not be made into its bounds on
either database. The administration's filters answered 500 for all of these; here each one
matches what a row could match: nothing for ``exact`` and ``in``, everything or nothing for an
order, as Django's own ``IntegerFieldOverflow`` does.
"""

import datetime

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import DateTimeField, ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.functions import ExtractIsoYear, ExtractYear
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    LessThan,
    LessThanOrEqual,
    Range,
    YearExact,
    YearGt,
    YearGte,
    YearLt,
    YearLte,
)

# What every database's widest integer column holds.
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1


def _beyond(value) -> bool:
    return isinstance(value, int) and not _LOWEST <= value <= _HIGHEST


class _InInRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            # Dropped: they match nothing; an empty list is Django's own EmptyResultSet.
            self.rhs = [value for value in self.rhs if not _beyond(value)]
        return super().process_rhs(compiler, connection)


class KeyInInRange(_InInRange, RelatedIn):
    pass


class IntegerInInRange(_InInRange, In):
    pass


# What an order answers for a value past the lowest or the highest end any row can hold.
_PAST_THE_ENDS = {
    "exact": (EmptyResultSet, EmptyResultSet),
    "gt": (FullResultSet, EmptyResultSet),
    "gte": (FullResultSet, EmptyResultSet),
    "lt": (EmptyResultSet, FullResultSet),
    "lte": (EmptyResultSet, FullResultSet),
}


def _past_the_end(lookup, low: bool):
    below, above = _PAST_THE_ENDS[lookup.lookup_name]
    return below if low else above


class _KeyOrderInRange:
    def process_rhs(self, compiler, connection):
        if _beyond(self.rhs):
            raise _past_the_end(self, self.rhs < 0)
        return super().process_rhs(compiler, connection)


KEY_ORDERS = [
    type(f"Key{order.__name__}", (_KeyOrderInRange, order), {})
    for order in (RelatedExact, RelatedGreaterThan, RelatedGreaterThanOrEqual, RelatedLessThan,
                  RelatedLessThanOrEqual)
]  # fmt: skip


# The moments every database can hold: Python's calendar, in UTC.
_FIRST_MOMENT = datetime.datetime.min.replace(tzinfo=datetime.UTC)
_LAST_MOMENT = datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _in_utc(moment):
    """The moment itself, or the calendar's edge in UTC it lies beyond; anything that is not a
    moment in a time zone (an expression, a naive value Django already warned of) as it is."""
    if not isinstance(moment, datetime.datetime) or moment.tzinfo is None:
        return moment
    try:
        moment.astimezone(datetime.UTC)
    except OverflowError:
        return _FIRST_MOMENT if moment.year < 5000 else _LAST_MOMENT
    return moment


class MomentExact(Exact):
    def process_rhs(self, compiler, connection):
        if _in_utc(self.rhs) is not self.rhs:
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class _MomentOrder:
    # Past the edge, an order is the same as at the edge: nothing stored lies beyond it.
    def process_rhs(self, compiler, connection):
        self.rhs = _in_utc(self.rhs)
        return super().process_rhs(compiler, connection)


MOMENT_ORDERS = [
    type(f"Moment{order.__name__}", (_MomentOrder, order), {})
    for order in (GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual)
]


class MomentRange(Range):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            self.rhs = [_in_utc(moment) for moment in self.rhs]
        return super().process_rhs(compiler, connection)


class MomentIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            self.rhs = [moment for moment in self.rhs if _in_utc(moment) is moment]
        return super().process_rhs(compiler, connection)


class _YearInCalendar:
    """A year whose bounds cannot be written (0, 99999, or year 1 seen from UTC+7) holds no
    stored row: the lookup answers as past the calendar's end on that side."""

    def year_lookup_bounds(self, connection, year):
        try:
            return super().year_lookup_bounds(connection, year)
        except (OverflowError, ValueError):
            raise _past_the_end(self, year < 5000) from None


YEARS_IN_CALENDAR = [
    type(f"InCalendar{year.__name__}", (_YearInCalendar, year), {})
    for year in (YearExact, YearGt, YearGte, YearLt, YearLte)
]


def register() -> None:
    for lookup in (KeyInInRange, *KEY_ORDERS):
        ForeignObject.register_lookup(lookup)
    IntegerField.register_lookup(IntegerInInRange)
    for lookup in (MomentExact, *MOMENT_ORDERS, MomentRange, MomentIn):
        DateTimeField.register_lookup(lookup)
    for extract in (ExtractYear, ExtractIsoYear):
        for lookup in YEARS_IN_CALENDAR:
            extract.register_lookup(lookup)
