"""Booking slots, the waiting area and call-forward: the live side of ``slots.rules``.

Every decision (does a truck fit an hour, is it early or late, who is called next) is taken by
``rules``; these functions load the facts, lock what a decision depends on, record the change
with who and when, and tell the driver.

Overbooking is impossible because a booking locks its hour's ``Slot`` row before it counts the
seats taken: two bookings of the same hour run one after the other (PostgreSQL row lock; SQLite
takes the database's write lock at BEGIN IMMEDIATE), and the second sees the first's row.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from cuakhau.core.context import SYSTEM, Channel, RequestContext
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.prepared import Prepared
from cuakhau.core.retry import lock_rows, retry_on_conflict
from cuakhau.core.statemachine import StateMachine, Transition, history_row
from cuakhau.core.wording import join_words
from cuakhau.core.zones import clock_time
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip

from . import rules
from .models import (
    HOLDING,
    OPEN,
    ArrivalKind,
    Booking,
    BookingStatus,
    BookingTransition,
    PriorityClass,
    Slot,
    SlotCapacity,
    WaitingArea,
    WaitingEntry,
    WaitingStatus,
)

logger = logging.getLogger(__name__)

B = BookingStatus
DECLARE = "trips.declare_trip"
OPERATE = "trips.operate_gate"
MANAGE = "slots.manage_capacity"

# What each step of a booking is called where a person reads it (a refusal, the history).
BOOKING_ACTIONS = {
    "book": gettext_lazy("book a slot"),  # the first row of every booking's history
    "move": gettext_lazy("move to another hour"),
    "cancel": gettext_lazy("cancel"),
    "arrive": gettext_lazy("report at the waiting area"),
    "no_show": gettext_lazy("mark as not come"),
    "enter": gettext_lazy("enter the gate"),
    "call": gettext_lazy("call forward"),
    "move_up": gettext_lazy("move up to a free seat"),
    "withdraw": gettext_lazy("withdraw with its trip"),
    "miss_call": gettext_lazy("let the call lapse"),
    "amend": gettext_lazy("follow the amended trip"),
}
BOOKING_MACHINE = StateMachine(
    "booking",
    [
        Transition(B.BOOKED, "move", B.MOVED, permission=DECLARE),
        Transition(B.BOOKED, "cancel", B.CANCELLED, permission=DECLARE),
        # The trip's amendment changed its direction or its cargo's priority class: the same
        # hour is booked again as the trip now is (``follow_amendment``).
        Transition(B.BOOKED, "amend", B.MOVED, permission=DECLARE),
        Transition(B.BOOKED, "arrive", B.WAITING, permission=OPERATE),
        Transition(B.BOOKED, "no_show", B.NO_SHOW),
        Transition(B.BOOKED, "enter", B.ENTERED),
        Transition(B.WAITING, "call", B.CALLED, permission=OPERATE),
        # Waiting for a later hour, it takes a seat of the current one nobody holds.
        Transition(B.WAITING, "move_up", B.WAITING),
        Transition(B.WAITING, "enter", B.ENTERED),
        Transition(B.CALLED, "enter", B.ENTERED),
        # Called but not at the gate by the deadline (``expire_calls``): the truck is no longer
        # in the waiting area. Its booking stands as before it reported, until its own grace
        # runs out; once that has, the booking is a no-show at once.
        Transition(B.CALLED, "miss_call", B.BOOKED),
        Transition(B.CALLED, "no_show", B.NO_SHOW),
        # A tablet's check-in queued offline, timed within the grace, reached the server after
        # the booking was given up (``release_no_shows``): the truck did come, in time.
        Transition(B.NO_SHOW, "enter", B.ENTERED),
        # The trip itself was cancelled or rejected: its booking goes with it.
        Transition(B.BOOKED, "withdraw", B.CANCELLED),
        Transition(B.WAITING, "withdraw", B.CANCELLED),
        Transition(B.CALLED, "withdraw", B.CANCELLED),
    ],
    states=B,
    actions=BOOKING_ACTIONS,
)

# Trips that may hold a slot: declared, fees paid or not yet.
BOOKABLE = [TripStatus.SUBMITTED, TripStatus.PAID]
# How far ahead a slot can be booked.
HORIZON = dt.timedelta(days=14)
# How far ahead a manager may set one date's own capacity.
CAPACITY_AHEAD = dt.timedelta(days=366)
RULES = rules.DEFAULT_RULES


class SlotPermissionDenied(trips.TripPermissionDenied):
    """The caller may not do this to this booking (HTTP 403)."""


# ---------------------------------------------------------------------------------------------
# Capacity


def priority_classes() -> list[rules.PriorityClass]:
    return [c.as_rule() for c in PriorityClass.objects.all()]


def priority_label(code: str, classes: dict[str, PriorityClass] | None = None) -> str:
    """A priority class as the reader calls it (never its code): the built-in perishable and
    general goods, or a manager's class by its name in the reader's language."""
    if code == rules.PERISHABLE:
        return _("perishable")
    if code == rules.GENERAL:
        return _("general")
    if classes is None:
        found = PriorityClass.objects.filter(code=code).first()
    else:
        found = classes.get(code)
    if found is None:
        return code  # a class deleted since: its code is all there is
    language = get_language() or "vi"
    if language.startswith("zh") and found.name_zh:
        return found.name_zh
    if language.startswith("en") and found.name_en:
        return found.name_en
    return found.name_vi or code


def quotas_in_words(quotas: dict, classes: dict[str, PriorityClass] | None = None) -> str:
    """An hour's reserved seats as the reader says them: each class by its name and its seats
    ("perishable: 3 seats"), perishable goods first then the classes by rank; a class with no
    seat is left out, and none at all is said in words, never as ``{}``."""
    kept = {
        code: n
        for code, n in (quotas or {}).items()
        if isinstance(n, int) and not isinstance(n, bool) and n > 0
    }
    if not kept:
        return _("no reserved seats")
    if classes is None:
        classes = priority_classes_by_code(kept)
    order = {rules.PERISHABLE: (0, "")} | {
        code: (1 + c.rank, code) for code, c in classes.items() if code != rules.PERISHABLE
    }
    return "; ".join(
        ngettext("%(class)s: %(count)d seat", "%(class)s: %(count)d seats", n)
        % {"class": priority_label(code, classes), "count": n}
        for code, n in sorted(kept.items(), key=lambda item: order.get(item[0], (10**6, item[0])))
    )


def priority_classes_by_code(codes=None) -> dict[str, PriorityClass]:
    """The classes managers defined, by code, for ``priority_label``; no query when ``codes``
    (those about to be named) are all built in."""
    if codes is not None and set(codes) <= {rules.PERISHABLE, rules.GENERAL}:
        return {}
    return {c.code: c for c in PriorityClass.objects.all()}


def class_of(trip: Trip, classes=None) -> rules.PriorityClass:
    codes = [line.hs_code for line in trip.cargo_lines.all()]
    return rules.priority_class(codes, priority_classes() if classes is None else classes)


def local(moment: dt.datetime, gate: Gate) -> dt.datetime:
    return timezone.localtime(moment, ZoneInfo(gate.time_zone))


def hour_start(moment: dt.datetime, gate: Gate) -> dt.datetime:
    """The start of the gate's local hour holding ``moment``."""
    return local(moment, gate).replace(minute=0, second=0, microsecond=0)


def capacity_for(gate: Gate, direction: str, start: dt.datetime) -> SlotCapacity | None:
    """The capacity of one hour: that date's own, else its weekday's."""
    at = local(start, gate)
    rows = SlotCapacity.objects.filter(gate=gate, direction=direction, hour=at.hour)
    return (
        rows.filter(date=at.date()).first()
        or rows.filter(date__isnull=True, weekday=at.weekday()).first()
    )


def _capacities_of_day(gate: Gate, direction: str, day: dt.date) -> dict[int, SlotCapacity]:
    """``capacity_for`` of every hour of a day (the gate's date), by hour, in one query."""
    rows = SlotCapacity.objects.filter(gate=gate, direction=direction).filter(
        Q(date=day) | Q(date__isnull=True, weekday=day.weekday())
    )
    by_hour: dict[int, SlotCapacity] = {}
    # The weekday's rows first, so that a date's own row replaces its weekday's.
    for row in sorted(rows, key=lambda r: r.date is not None):
        by_hour[row.hour] = row
    return by_hour


def _counts_of_hours(
    gate: Gate, direction: str, starts: list[dt.datetime]
) -> dict[dt.datetime, dict[str, int]]:
    """``counts_at`` of many hours, by start, in one query."""
    rows = (
        Booking.objects.filter(
            slot__gate=gate, slot__direction=direction, slot__start__in=starts, status__in=HOLDING
        )
        .values("slot__start", "priority_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[dt.datetime, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["slot__start"], {})[row["priority_class"]] = row["n"]
    return counts


def _counts(slot: Slot) -> dict[str, int]:
    rows = (
        Booking.objects.filter(slot=slot, status__in=HOLDING)
        .values("priority_class")
        .annotate(n=Count("id"))
    )
    return {r["priority_class"]: r["n"] for r in rows}


def counts_at(gate: Gate, direction: str, start: dt.datetime) -> dict[str, int]:
    slot = Slot.objects.filter(gate=gate, direction=direction, start=start).first()
    return _counts(slot) if slot else {}


def may_manage(user, gate: Gate) -> bool:
    return user.has_perm(MANAGE) and trips.works_at(user, gate) or _is_admin(user)


def _is_admin(user) -> bool:
    from cuakhau.accounts import roles

    return roles.ADMINISTRATOR in roles.roles_of(user)


def quota_errors(
    quotas, lanes: int | None, trucks_per_lane_hour: int | None
) -> dict[str, list[str]]:
    """What is wrong with an hour's reserved seats (``{"perishable": 4}``), by field: the
    administration's form asks too (it stored a list, a text or -5 seats, and every page
    that reads the hour's capacity failed). Without the lanes or their trucks (refused
    already), the seats are not weighed against the hour's total."""
    if not isinstance(quotas, dict):
        return {"quotas": [_('Give the reserved seats per priority class: {"perishable": 4}.')]}
    errors: dict[str, list[str]] = {}
    classes = priority_classes_by_code()
    known = [rules.PERISHABLE, *classes]
    for code, seats in quotas.items():
        # A class's code is at most 24 characters: a longer one is not echoed whole.
        said = str(code)[: PriorityClass._meta.get_field("code").max_length]
        if code not in known:
            # The classes as a person calls them, never their codes (the path names the key).
            errors[f"quotas.{said}"] = [
                _("There is no priority class by this name: seats can be reserved for %(classes)s.")
                % {"classes": join_words(priority_label(c, classes) for c in known)}
            ]
        elif isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            errors[f"quotas.{said}"] = [_("Give a whole number of seats, 0 or more.")]
    if not errors and lanes is not None and trucks_per_lane_hour is not None:
        taken = {str(k): v for k, v in quotas.items() if v}
        rule = rules.HourCapacity(lanes, trucks_per_lane_hour, taken)
        if "quotas_above_total" in rule.problems():
            errors["quotas"] = [
                _("The reserved seats (%(reserved)d) are more than the hour holds (%(total)d).")
                % {"reserved": rule.reserved, "total": rule.total}
            ]
    return errors


def capacity_errors(
    gate: Gate,
    *,
    lanes: int | None = None,
    trucks_per_lane_hour: int | None = None,
    quotas: dict | None = None,
    weekday: int | None = None,
    date: dt.date | None = None,
    refused: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Every refusal of an hour's capacity at once, by field; writes nothing. ``refused``: the
    fields a schema refused already (sent, but not readable): not checked again, and a
    refused weekday or date still counts as given."""
    refused = set(refused)
    errors: dict[str, list[str]] = {}
    if not any(path.split(".")[0] == "quotas" for path in refused):
        errors.update(quota_errors(quotas or {}, lanes, trucks_per_lane_hour))
    has_weekday = weekday is not None or "weekday" in refused
    has_date = date is not None or "date" in refused
    if has_weekday == has_date:
        errors["date" if "weekday" in refused else "weekday"] = [
            _("Give either a weekday or a date.")
        ]
    if date is not None and "date" not in refused:
        first = local(timezone.now(), gate).date()
        last = local(timezone.now() + CAPACITY_AHEAD, gate).date()
        if not first <= date <= last:
            errors.setdefault("date", []).append(
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": _day(first), "last": _day(last)}
            )
    return errors


def set_capacity(
    actor,
    gate: Gate,
    direction: str,
    hour: int,
    *,
    lanes: int,
    trucks_per_lane_hour: int,
    quotas: dict | None = None,
    weekday: int | None = None,
    date: dt.date | None = None,
) -> SlotCapacity:
    """Create or change the capacity of a weekday's (or a date's) hour."""
    if not may_manage(actor, gate):
        raise SlotPermissionDenied(_("Only a manager of this gate sets its slot capacity."))
    errors = capacity_errors(
        gate,
        lanes=lanes,
        trucks_per_lane_hour=trucks_per_lane_hour,
        quotas=quotas,
        weekday=weekday,
        date=date,
    )
    if errors:
        raise FieldErrors(errors)
    quotas = {str(k): v for k, v in (quotas or {}).items() if v}
    row, _created = SlotCapacity.objects.update_or_create(
        gate=gate,
        direction=direction,
        hour=hour,
        weekday=weekday,
        date=date,
        defaults={
            "lanes": lanes,
            "trucks_per_lane_hour": trucks_per_lane_hour,
            "quotas": quotas,
            "updated_by": actor,
        },
    )
    return row


@dataclass(frozen=True)
class OverCapacity:
    """A coming hour that holds more bookings than the capacity just set lets it take."""

    start: dt.datetime
    booked: int
    capacity: int
    gate: Gate

    def __str__(self):
        return _("%(hour)s: %(booked)d booked for %(capacity)d") % {
            "hour": date_format(local(self.start, self.gate), "SHORT_DATETIME_FORMAT"),
            "booked": self.booked,
            "capacity": self.capacity,
        }


def over_capacity(rows: list[SlotCapacity], now=None) -> list[OverCapacity]:
    """The coming hours ``rows`` govern (each its date's, or its weekday's without a date's own
    row), all of one gate and direction, whose bookings already pass the capacity: a lane
    closed is a fact, not refused, but the manager is told which bookings no longer fit rather
    than finding out at the gate. One query for the hours however many rows were set (the page
    sets a range of hours and weekdays at once); the hour's own capacity is read only for an
    hour that does hold more than a row lets in."""
    if not rows:
        return []
    now = now or timezone.now()
    gate, direction = rows[0].gate, rows[0].direction
    slots = (
        Slot.objects.filter(gate=gate, direction=direction, start__gt=now)
        .annotate(booked=Count("bookings", filter=Q(bookings__status__in=HOLDING)))
        .filter(booked__gt=min(row.as_rule().total for row in rows))
        .order_by("start")
    )
    found = []
    for slot in slots:
        at = local(slot.start, gate)
        for row in rows:
            if at.hour != row.hour or slot.booked <= row.as_rule().total:
                continue
            if row.date is not None and at.date() != row.date:
                continue
            if row.date is None and (
                at.weekday() != row.weekday or capacity_for(gate, direction, slot.start) != row
            ):
                continue
            found.append(OverCapacity(slot.start, slot.booked, row.as_rule().total, gate))
    return found


# ---------------------------------------------------------------------------------------------
# Booking, moving, cancelling


def _record(booking, action, from_status, actor, context: RequestContext, reason="") -> None:
    history_row(
        BookingTransition,
        booking=booking,
        action=action,
        from_status=from_status,
        to_status=booking.status,
        actor=actor,
        context=context,
        reason=reason,
    ).save()


def _may_take(user, booking: Booking, transition: Transition) -> bool:
    if transition.permission == DECLARE:
        return trips.can_declare_for(user, booking.trip) or _is_admin(user)
    if transition.permission == OPERATE:
        return user.has_perm(OPERATE) and trips.works_at(user, booking.gate)
    return False


def _transition(booking: Booking, action: str, actor, context=SYSTEM, reason="") -> None:
    """The only writer of ``Booking.status``."""
    transition = BOOKING_MACHINE.get(booking.status, action)
    if actor is not None:
        if transition.permission is None:
            raise SlotPermissionDenied(_("Only the system takes this step."))
        if not _may_take(actor, booking, transition):
            raise SlotPermissionDenied(_("You may not change this booking."))
    from_status = booking.status
    booking.status = transition.target
    booking.save(update_fields=["status"])
    _record(booking, action, from_status, actor, context, reason)


def _slot_start(value, gate: Gate, now, field: str = "slot_start") -> dt.datetime:
    """The hour ``value`` names, in the gate's time; refused unless it is a whole hour that has
    not passed and lies within the booking horizon.

    ``value`` is compared with ``now`` before anything converts it: a moment of year 1 or 9999
    cannot be taken into the gate's time zone, nor an hour added to it (``OverflowError``).
    """
    if not isinstance(value, dt.datetime):
        raise FieldErrors({field: [_("Give a date and an hour.")]})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ZoneInfo(gate.time_zone))
    if value <= now - RULES.slot_length:
        raise FieldErrors({field: [_("This hour has passed.")]})
    if value > now + HORIZON:
        raise FieldErrors(
            {field: [_("Slots can be booked up to %(days)d days ahead.") % {"days": HORIZON.days}]}
        )
    at = local(value, gate)
    if at.minute or at.second or at.microsecond:
        raise FieldErrors({field: [_("A slot starts on the hour (e.g. 08:00).")]})
    return at


def _locked_slot(gate: Gate, direction: str, start: dt.datetime) -> Slot:
    """The hour's row, created once and then locked: concurrent bookings queue here."""
    try:
        with transaction.atomic():
            Slot.objects.get_or_create(gate=gate, direction=direction, start=start)
    except IntegrityError:
        pass  # another booking created it at the same moment
    return lock_rows(Slot.objects.filter(gate=gate, direction=direction, start=start)).get()


def _take_seat(trip: Trip, start: dt.datetime, klass: str, now, field="slot_start") -> Slot:
    """A seat of the hour ``start`` (from ``_slot_start``: within the horizon, not passed)."""
    if not rules.takes_bookings(start, now, RULES):
        closed = local(rules.no_show_after(start, RULES), trip.gate)
        raise FieldErrors(
            {
                field: [
                    _("This hour took bookings until %(time)s; choose a later one.")
                    % {"time": closed.strftime("%H:%M")}
                ]
            }
        )
    capacity = capacity_for(trip.gate, trip.direction, start)
    if capacity is None or not (capacity.lanes and capacity.trucks_per_lane_hour):
        # An hour of no lanes is closed, not full: another day's same hour may take it.
        raise FieldErrors({field: [_("The gate takes no bookings for this hour.")]})
    slot = _locked_slot(trip.gate, trip.direction, start)
    released = rules.quotas_released(start, now, RULES)
    fit = rules.allocate(capacity.as_rule(), _counts(slot), klass, quotas_released=released)
    if not fit.fits:
        raise FieldErrors({field: [_("This hour is fully booked; choose another.")]})
    return slot


def _check_trip(actor, trip: Trip) -> None:
    if not (trips.can_declare_for(actor, trip) or _is_admin(actor)):
        raise SlotPermissionDenied(_("Only the trip's enterprise books its slot."))
    if trip.status not in BOOKABLE:
        raise FieldErrors(
            {"trip": [_("Only a submitted or paid trip can book a slot.")]}, location="path"
        )


_OPEN_BOOKING = Prepared(
    lambda trip: (
        Booking.objects.filter(trip_id=trip, status__in=OPEN)
        .select_related("gate")
        .order_by("pk")[:1]
    ),
    trip=int,
)


def open_booking(trip: Trip) -> Booking | None:
    booking = _OPEN_BOOKING.first(trip=trip.pk)
    if booking is not None:
        booking.trip = trip  # as ``trip.bookings`` would have set it
    return booking


@retry_on_conflict
@transaction.atomic
def book_slot(actor, trip: Trip, start, context: RequestContext = SYSTEM) -> Booking:
    trip = trips._locked(trip)
    _check_trip(actor, trip)
    now = timezone.now()
    start = _slot_start(start, trip.gate, now)
    if open_booking(trip) is not None:
        raise FieldErrors({"slot_start": [_("This trip has a slot already: move it instead.")]})
    klass = class_of(trip).code
    slot = _take_seat(trip, start, klass, now)
    booking = Booking.objects.create(
        trip=trip,
        slot=slot,
        gate=trip.gate,
        direction=trip.direction,
        slot_start=start,
        priority_class=klass,
        created_by=actor,
    )
    _record(booking, "book", "", actor, context)
    return booking


@retry_on_conflict
@transaction.atomic
def move_booking(actor, booking: Booking, start, context: RequestContext = SYSTEM) -> Booking:
    trip = trips._locked(booking.trip)
    booking = lock_rows(Booking.objects.filter(pk=booking.pk)).get()
    _check_trip(actor, trip)
    now = timezone.now()
    start = _slot_start(start, trip.gate, now)
    if not rules.can_move_or_cancel(booking.slot_start, now, RULES):
        raise FieldErrors({"slot_start": [_("This booking can no longer be moved.")]})
    if start == booking.slot_start:
        raise FieldErrors({"slot_start": [_("The booking is already for this hour.")]})
    _transition(booking, "move", actor, context, reason=start.isoformat())
    slot = _take_seat(trip, start, booking.priority_class, now)
    moved = Booking.objects.create(
        trip=trip,
        slot=slot,
        gate=trip.gate,
        direction=trip.direction,
        slot_start=start,
        priority_class=booking.priority_class,
        moved_from=booking,
        created_by=actor,
    )
    _record(moved, "book", "", actor, context, reason=booking.slot_start.isoformat())
    return moved


@retry_on_conflict
@transaction.atomic
def cancel_booking(
    actor, booking: Booking, reason: str = "", context: RequestContext = SYSTEM
) -> Booking:
    booking = lock_rows(Booking.objects.select_related("trip").filter(pk=booking.pk)).get()
    if not (trips.can_declare_for(actor, booking.trip) or _is_admin(actor)):
        raise SlotPermissionDenied(_("Only the trip's enterprise cancels its booking."))
    if not rules.can_move_or_cancel(booking.slot_start, timezone.now(), RULES):
        raise FieldErrors({"slot_start": [_("This booking can no longer be cancelled.")]})
    _transition(booking, "cancel", actor, context, reason=(reason or "").strip())
    return booking


def change_refusal(booking: Booking, now=None) -> str | None:
    """Why the booking can no longer be moved or cancelled; None while it can (what the slot
    page asks before it offers either)."""
    now = now or timezone.now()
    if booking.status != B.BOOKED:
        return _(
            "The truck has reported at the waiting area: its booking can no longer be moved "
            "or cancelled."
        )
    if not rules.can_move_or_cancel(booking.slot_start, now, RULES):
        closed = local(rules.no_show_after(booking.slot_start, RULES), booking.gate)
        return _(
            "This booking can no longer be moved or cancelled: changes were possible until "
            "%(time)s, %(minutes)d minutes after the slot's start."
        ) % {"time": closed.strftime("%H:%M"), "minutes": RULES.grace // dt.timedelta(minutes=1)}
    return None


def bookable_days(gate: Gate, now=None) -> tuple[dt.date, dt.date]:
    """The first and the last day (the gate's dates) with hours within the booking horizon."""
    now = now or timezone.now()
    return local(now, gate).date(), local(now + HORIZON, gate).date()


def _day(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def day_outside_horizon(first: dt.date, last: dt.date) -> str:
    """The refusal of a day outside ``bookable_days``, which it names."""
    return _(
        "Choose a day from %(first)s to %(last)s: slots can be booked up to %(days)d days ahead."
    ) % {"first": _day(first), "last": _day(last), "days": HORIZON.days}


def check_day(gate: Gate, day: dt.date, now=None, *, location: str | None = None) -> dt.date:
    """``day`` if it is one of ``bookable_days``; else a field error on ``day``."""
    first, last = bookable_days(gate, now)
    if not first <= day <= last:
        raise FieldErrors({"day": [day_outside_horizon(first, last)]}, location=location)
    return day


def arrival_day(trip: Trip) -> dt.date | None:
    """The day (the gate's date) the trip declared it arrives."""
    try:
        return local(trip.expected_arrival, trip.gate).date()
    except OverflowError:  # a moment no time zone can take (the declaration refuses them)
        return None


def first_day_shown(trip: Trip, now=None) -> dt.date:
    """The day the slot page opens on: the declared arrival day when it can be booked, else
    today (the gate's date)."""
    first, last = bookable_days(trip.gate, now)
    arrival = arrival_day(trip)
    return arrival if arrival is not None and first <= arrival <= last else first


def arrival_mismatch(trip: Trip, booking: Booking | None) -> str | None:
    """A warning when the booked slot is not on the day the trip declared it arrives."""
    arrival = arrival_day(trip)
    if booking is None or arrival is None:
        return None
    slot_day = local(booking.slot_start, trip.gate).date()
    if slot_day == arrival:
        return None
    return _(
        "The slot is on %(slot_day)s, but the trip declares its arrival on %(arrival_day)s."
    ) % {"slot_day": _day(slot_day), "arrival_day": _day(arrival)}


def free_hours(trip: Trip, day: dt.date, now=None) -> list[tuple[dt.datetime, int]]:
    """The hours of ``day`` (gate's time) this trip could book, with the seats its class has;
    a field error on ``day`` (in the query) outside ``bookable_days``."""
    now = now or timezone.now()
    gate = trip.gate
    check_day(gate, day, now, location="query")
    klass = class_of(trip).code
    zone = ZoneInfo(gate.time_zone)
    starts = [
        start
        for start in (dt.datetime(day.year, day.month, day.day, h, tzinfo=zone) for h in range(24))
        if rules.takes_bookings(start, now, RULES) and start <= now + HORIZON
    ]
    # The day's capacities and bookings in two queries, not two per hour.
    capacities = _capacities_of_day(gate, trip.direction, day)
    booked = _counts_of_hours(gate, trip.direction, starts)
    found = []
    for start in starts:
        capacity = capacities.get(start.hour)
        if capacity is None:
            continue
        counts = booked.get(start, {})
        released = rules.quotas_released(start, now, RULES)
        left = rules.seats_left(capacity.as_rule(), counts, klass, quotas_released=released)
        if left:
            found.append((start, left))
    return found


# ---------------------------------------------------------------------------------------------
# The waiting area


def waiting_area(gate: Gate) -> WaitingArea | None:
    return WaitingArea.objects.filter(gate=gate).first()


@retry_on_conflict
@transaction.atomic
def record_arrival(
    actor,
    gate: Gate,
    trip: Trip,
    *,
    at: dt.datetime | None = None,
    context: RequestContext = SYSTEM,
    device=None,
) -> WaitingEntry:
    """A truck reported at the waiting area (an operator, or a camera there: ``actor`` None
    and the ``device`` named)."""
    if actor is not None and not (actor.has_perm(OPERATE) and trips.works_at(actor, gate)):
        raise SlotPermissionDenied(_("Only an operator of this gate records arrivals."))
    trip = trips._locked(trip)
    if trip.gate_id != gate.pk or trip.status not in BOOKABLE:
        raise FieldErrors({"scan": [_("This truck is not expected at this gate's waiting area.")]})
    if WaitingEntry.objects.filter(trip=trip, status__in=_WAITING).exists():
        raise StateRefused(_("This truck is already in the waiting area."))
    arrived_at = at or timezone.now()
    booking = open_booking(trip)
    if booking is not None and booking.status != B.BOOKED:
        booking = None
    kind = rules.classify_arrival(booking.slot_start if booking else None, arrived_at, RULES)
    if booking is None and _released_as_late(trip, arrived_at):
        kind = rules.LATE  # the tick released its booking before it came
    classes = priority_classes()
    klass = class_of(trip, classes)
    if kind == rules.LATE and booking is not None:
        # Its seat went back to others when the grace ran out; it is booked again as a walk-in.
        _transition(booking, "no_show", None, context)
        booking = None
    if booking is None:
        booking = _book_on_arrival(actor, trip, klass.code, arrived_at, context)
    if booking is not None:
        _transition(booking, "arrive", actor, context)
    entry = WaitingEntry.objects.create(
        gate=gate,
        direction=trip.direction,
        trip=trip,
        booking=booking,
        kind=kind,
        priority_class=booking.priority_class if booking else klass.code,
        priority_rank=rules.rank_of(booking.priority_class, classes) if booking else klass.rank,
        slot_start=booking.slot_start if booking else None,
        arrived_at=arrived_at,
        recorded_by=actor,
        recorded_by_device=device,
        source=context.channel,
    )
    _after_commit_call_forward(gate, someone_waits=True)  # this truck, at least
    return entry


_WAITING = [WaitingStatus.WAITING, WaitingStatus.CALLED]


def _released_as_late(trip: Trip, arrived_at) -> bool:
    last = trip.bookings.filter(status=B.NO_SHOW).order_by("-slot_start").first()
    return last is not None and rules.classify_arrival(last.slot_start, arrived_at) == rules.LATE


def _capacity_table(gate: Gate, direction: str):
    """``capacity_for`` over many hours with one query: start → HourCapacity or None."""
    by_date, by_weekday = {}, {}
    for row in SlotCapacity.objects.filter(gate=gate, direction=direction):
        if row.date is not None:
            by_date[(row.date, row.hour)] = row.as_rule()
        else:
            by_weekday[(row.weekday, row.hour)] = row.as_rule()

    def lookup(start: dt.datetime) -> rules.HourCapacity | None:
        at = local(start, gate)
        found = by_date.get((at.date(), at.hour))
        return found if found is not None else by_weekday.get((at.weekday(), at.hour))

    return lookup


def _counts_between(gate: Gate, direction: str, first, last) -> dict:
    """Seats held per hour start and class, for the hours from ``first`` up to ``last``."""
    rows = (
        Booking.objects.filter(
            gate=gate,
            direction=direction,
            status__in=HOLDING,
            slot_start__gte=first,
            slot_start__lte=last,
        )
        .values("slot_start", "priority_class")
        .annotate(n=Count("id"))
    )
    counts: dict = {}
    for r in rows:
        counts.setdefault(r["slot_start"], {})[r["priority_class"]] = r["n"]
    return counts


def _book_on_arrival(actor, trip: Trip, klass: str, arrived_at, context) -> Booking | None:
    """A truck without a booking (a walk-in, or late) gets the earliest hour with a seat of
    its class from the current one on, as if it had booked it now; None when no hour within
    the booking horizon has one (it then waits for spare seats of the current hour)."""
    gate, direction = trip.gate, trip.direction
    now = max(arrived_at, timezone.now())  # an hour already over cannot be booked
    first = hour_start(now, gate).astimezone(dt.UTC)
    hours = [first + n * RULES.slot_length for n in range(int(HORIZON / RULES.slot_length) + 1)]
    capacity = _capacity_table(gate, direction)
    counts = _counts_between(gate, direction, hours[0], hours[-1])
    candidates = ((h, capacity(h), counts.get(h, {})) for h in hours)
    while (start := rules.earliest_free_hour(candidates, klass, now, RULES)) is not None:
        # Counted without a lock: decide again under the hour's lock, as a booking does.
        slot = _locked_slot(gate, direction, start)
        released = rules.quotas_released(start, now, RULES)
        if rules.allocate(capacity(start), _counts(slot), klass, quotas_released=released).fits:
            booking = Booking.objects.create(
                trip=trip,
                slot=slot,
                gate=gate,
                direction=direction,
                slot_start=start,
                priority_class=klass,
                created_by=actor,
            )
            _record(booking, "book", "", actor, context, reason=rules.WALK_IN)
            return booking
    return None


def record_arrival_scan(actor, gate: Gate, scan: str, *, device=None, context=SYSTEM):
    """An arrival from a scanned trip QR / reference or a plate (typed, or a camera's read)."""
    from cuakhau.gate.services import find

    trip, _token = find(scan, gate)
    if trip is None:
        raise FieldErrors({"scan": [_("No truck expected at this gate matches this.")]})
    return record_arrival(actor, gate, trip, context=context, device=device)


def inside_count(gate: Gate) -> int:
    from cuakhau.gate.models import Visit

    return Visit.objects.filter(gate=gate, exited_at__isnull=True).count()


def free_places(gate: Gate, area: WaitingArea | None = None) -> int:
    """Places inside the gate for trucks not yet called: those inside and those called but
    not yet in take theirs."""
    area = area or waiting_area(gate)
    if area is None:
        return 0
    called = WaitingEntry.objects.filter(gate=gate, status=WaitingStatus.CALLED).count()
    return max(0, area.gate_places - inside_count(gate) - called)


def walk_in_seats(gate: Gate, now) -> dict[str, int]:
    """Per direction, seats of the current hour that its bookings do not hold and walk-ins
    without a booking called this hour have not taken: what trucks waiting for a later hour
    may take now (``rules.SEAT``)."""
    start = hour_start(now, gate)
    seats = {}
    # Ordered by direction alone: the model's ordering (date, weekday, hour) would make
    # DISTINCT return one row per hour of the week, and this loop run 168 times.
    directions = (
        SlotCapacity.objects.filter(gate=gate)
        .order_by("direction")
        .values_list("direction", flat=True)
        .distinct()
    )
    for direction in directions:
        capacity = capacity_for(gate, direction, start)
        if capacity is None:
            continue
        held = sum(counts_at(gate, direction, start).values())
        # A walk-in that missed its call never took the seat it was called for.
        walked = (
            WaitingEntry.objects.filter(
                gate=gate, direction=direction, slot_start__isnull=True, called_at__gte=start
            )
            .exclude(status=WaitingStatus.MISSED)
            .count()
        )
        seats[direction] = max(0, capacity.as_rule().total - held - walked)
    return seats


def _has_capacity(gate: Gate) -> bool:
    return SlotCapacity.objects.filter(gate=gate).exists()


def waiting_now(gate: Gate):
    return WaitingEntry.objects.filter(gate=gate, status=WaitingStatus.WAITING).select_related(
        "trip"
    )


@retry_on_conflict
@transaction.atomic
def call_forward(gate: Gate, *, actor=None, now=None, context=SYSTEM) -> list[WaitingEntry]:
    """Call trucks forward while the gate has room, in the rules' order; tell each driver."""
    if actor is not None and not (actor.has_perm(OPERATE) and trips.works_at(actor, gate)):
        raise SlotPermissionDenied(_("Only an operator of this gate calls trucks forward."))
    area = lock_rows(WaitingArea.objects.filter(gate=gate)).first()
    if area is None:
        return []
    now = now or timezone.now()
    entries = {e.pk: e for e in waiting_now(gate)}
    seats = walk_in_seats(gate, now) if _has_capacity(gate) else None
    calls = rules.plan_calls(
        [e.as_rule() for e in entries.values()],
        free_places(gate, area),
        now,
        RULES,
        free_seats=seats,
    )
    called = []
    for call in calls:
        entry = entries[call.entry.key]
        if call.reason == rules.SEAT and entry.booking_id and not _move_up(entry, now, context):
            continue
        entry.status = WaitingStatus.CALLED
        entry.called_at = now
        entry.called_by = actor
        entry.save(update_fields=["status", "called_at", "called_by"])
        if entry.booking_id and entry.booking.status == B.WAITING:
            _transition(entry.booking, "call", actor, context)
        called.append(entry)
        transaction.on_commit(lambda e=entry: _tell_safely(e))
        transaction.on_commit(lambda e=entry: _lapse_at_deadline(e, gate.code))
    return called


# ---------------------------------------------------------------------------------------------
# Telling the driver (``trips.tell_driver``: the notifier is another app's)


# A called truck comes to the gate within this (the driver is told the moment); later, its call
# lapses and its place goes to the next truck (``expire_calls``).
CALL_DEADLINE = dt.timedelta(minutes=30)


def call_deadline(entry: WaitingEntry) -> dt.datetime | None:
    """The moment a called truck must be at the gate by (None: it was never called)."""
    return entry.called_at + CALL_DEADLINE if entry.called_at else None


def called_now(gate: Gate, now=None) -> list[tuple[WaitingEntry, dt.datetime, bool]]:
    """Trucks called forward and not yet at the gate, first called first: each with the moment
    it must be there by, and whether that moment has passed (the lapse queued for that moment
    takes the call back, ``tasks.lapse_calls_task``)."""
    now = now or timezone.now()
    entries = (
        WaitingEntry.objects.filter(gate=gate, status=WaitingStatus.CALLED)
        .select_related("trip")
        .order_by("called_at", "pk")
    )
    return [(e, call_deadline(e), call_deadline(e) <= now) for e in entries]


# How long a lapsed call stays on the waiting area's page: the trucks that may come back.
MISSED_SHOWN = dt.timedelta(hours=12)
MISSED_SHOWN_AT_MOST = 20


def missed_lately(gate: Gate, now=None) -> list[WaitingEntry]:
    """Calls that lapsed in the last ``MISSED_SHOWN``, the latest first."""
    now = now or timezone.now()
    return list(
        WaitingEntry.objects.filter(
            gate=gate, status=WaitingStatus.MISSED, left_at__gte=now - MISSED_SHOWN
        )
        .select_related("trip")
        .order_by("-left_at", "-pk")[:MISSED_SHOWN_AT_MOST]
    )


def tell_driver(entry: WaitingEntry, template: str = "truck_called_forward") -> None:
    """Tell the driver of a called truck (``truck_called_forward``) or of a lapsed call
    (``truck_call_missed``): the same facts, the moment to be at the gate by among them."""
    trip = entry.trip
    deadline = local(call_deadline(entry), entry.gate)
    trips.tell_driver(
        trip,
        template,
        {
            "plate": trip.tractor_plate,
            "reference": trip.reference,
            "gate": entry.gate,
            # Whose clock, in each language: a Chinese driver's phone runs an hour ahead, and a
            # bare "02:39" read on it is an hour after the call has gone to the next truck.
            "deadline": lambda: clock_time(deadline, deadline.tzinfo),
        },
        dedupe_key=f"slots.{'called' if template == 'truck_called_forward' else 'missed'}:{entry.pk}",
    )


def _move_up(entry: WaitingEntry, now, context) -> bool:
    """Move a waiting truck's booking into the current hour, on a seat nobody holds: under the
    hour's lock and through ``rules.allocate``, like any booking; its later seat is freed."""
    booking = lock_rows(Booking.objects.filter(pk=entry.booking_id)).get()
    if booking.status != B.WAITING:
        return False
    start = hour_start(now, entry.gate)
    capacity = capacity_for(entry.gate, entry.direction, start)
    if capacity is None:
        return False
    slot = _locked_slot(entry.gate, entry.direction, start)
    released = rules.quotas_released(start, now, RULES)
    fit = rules.allocate(
        capacity.as_rule(), _counts(slot), booking.priority_class, quotas_released=released
    )
    if not fit.fits:
        return False
    was = booking.slot_start
    booking.slot, booking.slot_start = slot, start
    booking.save(update_fields=["slot", "slot_start"])
    _transition(booking, "move_up", None, context, reason=local(was, entry.gate).isoformat())
    entry.booking, entry.slot_start = booking, start
    entry.save(update_fields=["slot_start"])
    return True


def _tell_safely(entry: WaitingEntry, template: str = "truck_called_forward") -> None:
    # The call is recorded and on the board whatever the notifier does; a notifier that fails
    # here (not its delivery, which it retries itself) must not turn the call into an error.
    try:
        tell_driver(entry, template)
    except Exception:  # noqa: BLE001
        logger.exception("%s of %s: the driver could not be told", template, entry.trip_id)


def _lapse_at_deadline(entry: WaitingEntry, gate_code: str) -> None:
    # The place a call holds goes to the next truck the moment the call lapses. Should the
    # queue refuse this, the tick still takes the call back, later: the call stands either way.
    from . import tasks

    try:
        tasks.schedule_lapse(gate_code, call_deadline(entry) + dt.timedelta(seconds=1))
    except Exception:  # noqa: BLE001
        logger.exception("the lapse of the call of %s could not be queued", entry.trip_id)


# What a check-in changes here, in one statement: whether the truck was waiting (or called),
# whether another truck waits at the gate, the truck's open booking, and its latest booking given
# up as a no-show (a queued check-in may prove it came in time).
_AT_CHECK_IN = Prepared(
    lambda trip, gate: (
        Gate.objects.filter(pk=gate)
        .annotate(
            was_waiting=Exists(WaitingEntry.objects.filter(trip_id=trip, status__in=_WAITING)),
            someone_waits=Exists(
                WaitingEntry.objects.filter(gate_id=gate, status=WaitingStatus.WAITING).exclude(
                    trip_id=trip
                )
            ),
            booking_id=Subquery(
                Booking.objects.filter(trip_id=trip, status__in=OPEN)
                .order_by("pk")
                .values("pk")[:1]
            ),
            missed_id=Subquery(
                Booking.objects.filter(trip_id=trip, status=B.NO_SHOW)
                .order_by("-slot_start", "-pk")
                .values("pk")[:1]
            ),
        )
        .values_list("was_waiting", "someone_waits", "booking_id", "missed_id")
    ),
    trip=int,
    gate=int,
)
# Whether a truck waits to be called at a gate: asked after every exit.
_WAITING_AT = Prepared(
    lambda gate: WaitingEntry.objects.filter(gate_id=gate, status=WaitingStatus.WAITING).only("pk")[
        :1
    ],
    gate=int,
)


def _after_commit_call_forward(gate: Gate, *, someone_waits: bool | None = None) -> None:
    """After the commit, a call-forward at ``gate`` if a truck waits to be called there;
    ``someone_waits``: whether one does, when the caller already knows."""
    from .tasks import enqueue_call_forward

    # Room at the gate matters only to a truck waiting to be called: with none, a check-in or
    # exit queues no task (a truck arriving later is called by its own arrival's task).
    def if_someone_waits():
        # Asked once committed, not in the transaction: on SQLite an exit's writes hold the
        # database's one write lock, and each statement inside keeps the other booths waiting.
        if _WAITING_AT.first(gate=gate.pk) is not None:
            enqueue_call_forward(gate.code)

    if someone_waits:
        transaction.on_commit(lambda: enqueue_call_forward(gate.code))
    elif someone_waits is None:
        transaction.on_commit(if_someone_waits)


# ---------------------------------------------------------------------------------------------
# The gate's own events: check-in, exit, a trip cancelled


def on_trip_transition(trip: Trip, action: str, to_status: str, actor=None, at=None) -> None:
    """Follow the trip: checked in → the truck entered; cancelled / rejected → withdrawn;
    amended → booked again as it now is; out of the gate → room for the next. ``at``: when
    the truck checked in, if not now (a tablet's check-in queued offline, delivered later)."""
    if action == "amend":
        follow_amendment(actor, trip)
    elif action == "check_in":
        # The truck entered when the check-in says, not when its event reached the server.
        entered_at = at or timezone.now()
        was_waiting, someone_waits, booking_id, missed_id = _AT_CHECK_IN.values(
            trip=trip.pk, gate=trip.gate_id
        )[0]
        if was_waiting:
            WaitingEntry.objects.filter(trip=trip, status__in=_WAITING).update(
                status=WaitingStatus.ENTERED, left_at=entered_at
            )
        booking = open_booking(trip) if booking_id is not None else None
        if booking is None and missed_id is not None and at is not None:
            booking = _given_up_too_soon(missed_id, trip, entered_at)
        if booking is not None:
            _enter(booking, trip.gate, entered_at)
        _after_commit_call_forward(trip.gate, someone_waits=bool(someone_waits))
    elif action == "turn_back":
        # A truck rejected inside left the way it came: its place is free.
        _after_commit_call_forward(trip.gate)
    elif to_status in (TripStatus.CANCELLED, TripStatus.REJECTED):
        WaitingEntry.objects.filter(trip=trip, status__in=_WAITING).update(
            status=WaitingStatus.LEFT, left_at=timezone.now()
        )
        booking = open_booking(trip)
        if booking is not None:
            _transition(booking, "withdraw", None, reason=to_status)
    elif to_status == TripStatus.EXITED:
        _after_commit_call_forward(trip.gate)


def _given_up_too_soon(booking_id: int, trip: Trip, entered_at: dt.datetime) -> Booking | None:
    """The booking marked a no-show while its truck's check-in, queued on a tablet offline, was
    on its way, when that check-in was timed before the grace ran out: the truck came in time
    and its booking was used, not missed (it counted as a no-show, its company's record too)."""
    booking = lock_rows(Booking.objects.filter(pk=booking_id, status=B.NO_SHOW)).first()
    if booking is None or rules.is_no_show(booking.slot_start, entered_at, RULES):
        return None
    booking.trip = trip
    return booking


def _enter(booking: Booking, gate: Gate, entered_at: dt.datetime) -> None:
    """The booked truck entered at ``entered_at``: its booking is used. Entered before its hour
    (straight to the gate, or called early by an idle gate), the seat it used is the hour's it
    entered in: the booking moves there, under that hour's lock, and its later hour's seat is
    free for another truck (an entered booking holds its hour's seat, so that hour stayed full
    of a truck gone). A tablet's queued check-in reaches the server later: its own hour still."""
    booked, reason = booking.slot_start, ""
    start = hour_start(entered_at, gate)
    if start < booked:
        slot = _locked_slot(gate, booking.direction, start)
        booking.slot, booking.slot_start = slot, start
        booking.save(update_fields=["slot", "slot_start"])
        reason = local(booked, gate).isoformat()  # the hour it had booked, as ``_move_up`` says
    _transition(booking, "enter", None, reason=reason)


def follow_amendment(actor, trip: Trip) -> None:
    """An amendment may change the trip's direction or its cargo's priority class: its open
    booking would then hold a seat of the other direction's hour, or a class's reserved seat
    the trip no longer has a right to (or lack the one it now has). The same hour is booked
    again as the trip now is, the old booking recorded as moved by whoever amended; where
    that hour has no seat for it, the amendment is refused beside the field that changed (the
    caller's transaction undoes it), saying what to do first."""
    booking = open_booking(trip)
    if booking is None:
        return
    klass = class_of(trip).code
    if booking.direction == trip.direction and booking.priority_class == klass:
        return
    field = "direction" if booking.direction != trip.direction else "cargo_lines"
    slot = date_format(local(booking.slot_start, trip.gate), "SHORT_DATETIME_FORMAT")
    booking = lock_rows(Booking.objects.filter(pk=booking.pk)).get()
    booking.trip = trip
    if booking.status != B.BOOKED:
        raise FieldErrors(
            {
                field: [
                    _(
                        "The truck has reported at the waiting area for its slot of %(slot)s: "
                        "its direction and the priority of its cargo stay as booked until it "
                        "has entered the gate."
                    )
                    % {"slot": slot}
                ]
            }
        )
    now = timezone.now()
    if rules.is_no_show(booking.slot_start, now, RULES):
        # Its truck did not come in time: the seat is released now rather than at the tick.
        _transition(booking, "no_show", None)
        return
    _transition(booking, "amend", actor)
    try:
        seat = _take_seat(trip, booking.slot_start, klass, now)
    except FieldErrors as exc:
        why = " ".join(str(e) for errors in exc.errors.values() for e in errors)
        raise FieldErrors(
            {
                field: [
                    _(
                        "The trip's slot of %(slot)s cannot follow this change (%(why)s). "
                        "Cancel the slot first, then book an hour for the amended trip."
                    )
                    % {"slot": slot, "why": why.rstrip(".")}
                ]
            }
        ) from None
    moved = Booking.objects.create(
        trip=trip,
        slot=seat,
        gate=trip.gate,
        direction=trip.direction,
        slot_start=booking.slot_start,
        priority_class=klass,
        moved_from=booking,
        created_by=actor,
    )
    _record(moved, "book", "", actor, SYSTEM, reason=booking.slot_start.isoformat())


@retry_on_conflict
@transaction.atomic
def release_no_shows(now=None) -> int:
    """Bookings whose truck did not arrive by the slot's start plus the grace become no-shows:
    their seats are free again within their own hour."""
    now = now or timezone.now()
    latest = now - RULES.grace
    due = lock_rows(Booking.objects.filter(status=B.BOOKED, slot_start__lte=latest))
    n = 0
    for booking in due:
        _transition(booking, "no_show", None, SYSTEM)
        n += 1
    return n


# Trips checked in at the gate, or further: their truck came, whatever its waiting entry says.
CHECKED_IN = [TripStatus.ARRIVED, TripStatus.CLEARED, TripStatus.EXITED]


@retry_on_conflict
@transaction.atomic
def expire_calls(now=None) -> int:
    """Called trucks not checked in at the gate by the call's deadline lose their call: the
    entry is ``MISSED`` (out of the waiting area), its place inside the gate is free for the
    next call-forward, and its booking (if still ``CALLED``) goes back to ``BOOKED``, or is a
    no-show when the slot's grace has run out too (``rules.is_no_show``), recorded as the
    system's. A truck that comes back reports again (``record_arrival``) and waits anew; one
    that drives to the gate checks in as usual. Returns how many calls lapsed; safe to repeat.

    The trips are locked first, as a check-in locks its trip before it ends the truck's wait:
    a check-in at this very moment either came first (its entry is no longer ``CALLED`` and is
    left alone) or waits, and then finds the booking this leaves."""
    now = now or timezone.now()
    lapsed = WaitingEntry.objects.filter(
        status=WaitingStatus.CALLED, called_at__lte=now - CALL_DEADLINE
    ).exclude(trip__status__in=CHECKED_IN)
    trip_ids = list(lapsed.order_by("trip_id").values_list("trip_id", flat=True))
    if not trip_ids:
        return 0
    list(lock_rows(Trip.objects.filter(pk__in=trip_ids).order_by("pk")).values_list("pk"))
    n = 0
    # Read again under the locks: a check-in or another sweep may have come first.
    # With the trip and gate the driver's message names (``lock_rows`` locks the entries only).
    locked = lapsed.filter(trip_id__in=trip_ids).select_related("trip", "gate").order_by("pk")
    for entry in lock_rows(locked):
        entry.status = WaitingStatus.MISSED
        entry.left_at = now
        entry.save(update_fields=["status", "left_at"])
        if entry.booking_id:
            booking = lock_rows(Booking.objects.filter(pk=entry.booking_id)).get()
            if booking.status == B.CALLED:
                late = rules.is_no_show(booking.slot_start, now, RULES)
                _transition(booking, "no_show" if late else "miss_call", None, SYSTEM)
        transaction.on_commit(lambda e=entry: _tell_safely(e, "truck_call_missed"))
        n += 1
    return n


# ---------------------------------------------------------------------------------------------
# What drivers, enterprises and the public see


def trucks_per_hour(gate: Gate, direction: str | None, now) -> int:
    start = hour_start(now, gate)
    directions = (
        [direction]
        if direction
        else SlotCapacity.objects.filter(gate=gate).values_list("direction", flat=True).distinct()
    )
    total = 0
    for d in set(directions):
        capacity = capacity_for(gate, d, start)
        if capacity is not None:
            total += capacity.as_rule().total
    return total


def queue(gate: Gate, now=None) -> list[tuple[WaitingEntry, int, dt.datetime | None]]:
    """Everyone waiting at the gate, in call order: (entry, position from 1, expected call)."""
    now = now or timezone.now()
    entries = {e.pk: e for e in waiting_now(gate)}
    ordered = rules.queue_order([e.as_rule() for e in entries.values()], now, RULES)
    times = rules.expected_call_times(
        ordered, now, trucks_per_hour(gate, None, now), free_places(gate), RULES
    )
    return [(entries[w.key], i + 1, t) for i, (w, t) in enumerate(zip(ordered, times, strict=True))]


def standing(trip: Trip, now=None) -> dict:
    """The trip's slot and, in the waiting area, its position and expected call time."""
    now = now or timezone.now()
    booking = trip.bookings.exclude(status=B.MOVED).order_by("-created_at", "-id").first()
    entry = trip.waiting_entries.order_by("-arrived_at", "-id").first()
    result = {
        "booking": booking,
        "entry": entry,
        "position": None,
        "expected_call": None,
        "waiting_count": None,
        # Called (or called and missed): the moment the truck had to be at the gate by.
        "call_deadline": (
            call_deadline(entry)
            if entry is not None and entry.status in (WaitingStatus.CALLED, WaitingStatus.MISSED)
            else None
        ),
    }
    if entry is not None and entry.status == WaitingStatus.WAITING:
        line = queue(trip.gate, now)
        result["waiting_count"] = len(line)
        for e, position, expected in line:
            if e.pk == entry.pk:
                result["position"], result["expected_call"] = position, expected
    return result


def wait_times(now=None) -> list[dict]:
    """Per gate and direction: trucks waiting, the current wait of those called in the last
    two hours, and what a truck arriving now without a slot should expect."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=2)
    gate_ids = set(WaitingArea.objects.values_list("gate_id", flat=True)) | set(
        SlotCapacity.objects.values_list("gate_id", flat=True)
    )
    rows = []
    for gate in Gate.objects.filter(pk__in=gate_ids).order_by("code"):
        directions = sorted(
            set(SlotCapacity.objects.filter(gate=gate).values_list("direction", flat=True))
            | set(
                WaitingEntry.objects.filter(gate=gate, arrived_at__gte=since).values_list(
                    "direction", flat=True
                )
            )
        )
        for direction in directions:
            waiting = WaitingEntry.objects.filter(
                gate=gate, direction=direction, status=WaitingStatus.WAITING
            )
            recent = WaitingEntry.objects.filter(
                gate=gate, direction=direction, called_at__gte=since
            ).values_list("arrived_at", "called_at")
            waits = sorted((called - arrived).total_seconds() / 60 for arrived, called in recent)
            per_hour = trucks_per_hour(gate, direction, now)
            n = waiting.count()
            rows.append(
                {
                    "gate": gate,
                    "direction": direction,
                    "waiting": n,
                    "recent_called": len(waits),
                    # The middle two's mean for an even count (the upper one alone said 50
                    # minutes of waits of 10 and 50).
                    "median_wait_minutes": round(statistics.median(waits)) if waits else None,
                    "longest_waiting_minutes": _longest(waiting, now),
                    "expected_wait_minutes": round(n * 60 / per_hour) if per_hour else None,
                    "trucks_per_hour": per_hour,
                }
            )
    return rows


def _longest(waiting, now) -> int | None:
    first = waiting.order_by("arrived_at").values_list("arrived_at", flat=True).first()
    return round((now - first).total_seconds() / 60) if first else None


def reason_shown(step: BookingTransition) -> str:
    """A step's reason as a person reads it. The system writes codes there: a walk-in's
    booking (``walk_in``), the hour a move, a move up or an early entry left or took (its
    ISO time), the trip's state that withdrew it; a person's reason (a cancellation) is shown as
    typed."""
    reason = step.reason
    if reason == rules.WALK_IN:
        return str(ArrivalKind.WALK_IN.label)
    if reason in TripStatus.values:
        return str(TripStatus(reason).label)
    try:
        moment = dt.datetime.fromisoformat(reason)
    except ValueError:
        return reason
    if moment.tzinfo is None:
        return reason
    return date_format(local(moment, step.booking.gate), "SHORT_DATETIME_FORMAT")


def entries_of(booking: Booking) -> list:
    return list(booking.transitions.all())


def channel_of_device() -> RequestContext:
    return RequestContext(channel=Channel.DEVICE)
