"""Pages: a trip's slot, the waiting area at the gate, capacity, and the public wait times."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cuakhau.core import listing
from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.core.wording import join_words
from cuakhau.core.zones import utc_offset
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips
from cuakhau.trips.choices import Direction

from . import services
from .forms import ArrivalForm, CancelForm, CapacityForm, DayForm, SlotForm
from .models import SlotCapacity


def gate_name(gate: Gate) -> str:
    language = translation.get_language() or "vi"
    if language.startswith("zh") and gate.name_zh:
        return gate.name_zh
    if language.startswith("en") and gate.name_en:
        return gate.name_en
    return gate.name_vi


def _errors_into(form, exc: FieldErrors) -> None:
    for errors in exc.errors.values():
        for error in errors:
            form.add_error(None, error)


# The capacity service's paths on the page's form: its quotas are the perishable seats here.
CAPACITY_FIELDS = {
    "quotas": "perishable",
    "quotas.perishable": "perishable",
    "lanes": "lanes",
    "trucks_per_lane_hour": "trucks_per_lane_hour",
}


def _capacity_errors_into(form, errors: dict[str, list[str]]) -> None:
    """The capacity service's refusals beside the page's fields (another class's seats, kept
    from the API, at the top)."""
    for path, messages_ in errors.items():
        field = CAPACITY_FIELDS.get(path)
        for message in messages_:
            form.add_error(field if field not in form.errors else None, message)


def _may_book(user, trip) -> bool:
    return trips.can_declare_for(user, trip) and trip.status in services.BOOKABLE


def trip_slot(request, reference):
    """The trip's slot: book, move or cancel it (its enterprise); position when waiting."""
    trip = trips.find_trip(request.user, reference)
    now = timezone.now()
    days = services.bookable_days(trip.gate, now)
    booking = services.open_booking(trip)
    form = SlotForm(request.POST or None, days=days) if _may_book(request.user, trip) else None
    if request.method == "POST" and form is not None:
        zone = ZoneInfo(trip.gate.time_zone)
        if form.is_valid():
            try:
                if booking is None:
                    services.book_slot(
                        request.user, trip, form.slot_start(zone), context_of(request)
                    )
                    messages.success(request, _("Slot booked."))
                else:
                    services.move_booking(
                        request.user, booking, form.slot_start(zone), context_of(request)
                    )
                    messages.success(request, _("Booking moved."))
                # Back to the booked day's hours, where the seat just taken shows.
                return redirect(_on_day(trip, form.cleaned_data["day"]))
            except FieldErrors as exc:
                _errors_into(form, exc)
            except IllegalTransition as exc:  # the truck reported meanwhile
                form.add_error(None, str(exc))
        if booking is None:
            messages.error(request, _("No slot was booked: see the form."))
        else:
            messages.error(request, _("The booking was not moved: see the form."))
    return _trip_page(request, trip, booking, form, now=now, days=days)


def _trip_page(request, trip, booking, form, *, now, days, cancel=None):
    """The slot page: the trip's standing and, for its enterprise, the hours of one day to book
    or move to, and the cancellation; only the actions that can succeed."""
    zone = ZoneInfo(trip.gate.time_zone)
    refusal = services.change_refusal(booking, now) if booking is not None else None
    day, day_value, day_errors = None, "", []
    if form is not None and form.is_bound:
        # After a refused booking or move: the hours of the day it named, and why.
        day = getattr(form, "cleaned_data", {}).get("day")
        day_value = day.isoformat() if day else form["day"].value() or ""
        # Shown beside the day, the only field typed: another field's refusal (the hour of a
        # button) is named by its label.
        day_errors = [
            str(e)
            if name not in form.fields or name == "day"
            else f"{form.fields[name].label}: {e}"
            for name, errors in form.errors.items()
            for e in errors
        ]
    elif "day" in request.GET:
        shown = DayForm(request.GET, days=days)
        if shown.is_valid():
            day = shown.cleaned_data["day"]
        else:
            day_errors = [str(e) for e in shown.errors["day"]]
        day_value = day.isoformat() if day else shown["day"].value() or ""
    else:
        day = services.first_day_shown(trip, now)
        day_value = day.isoformat()
    hours = []
    if form is not None and day is not None and refusal is None:
        hours = [(timezone.localtime(s, zone), n) for s, n in services.free_hours(trip, day, now)]
    return render(
        request,
        "slots/trip.html",
        {
            "trip": trip,
            "gate_name": gate_name(trip.gate),
            "form": form,
            "cancel": cancel or CancelForm(),
            "booking": booking,
            "booked_at": timezone.localtime(booking.slot_start, zone) if booking else None,
            "refusal": refusal,
            "mismatch": services.arrival_mismatch(trip, booking),
            "standing": services.standing(trip, now),
            "hours": hours,
            "day": day,
            "day_value": day_value,
            "day_errors": day_errors,
            "first_day": days[0],
            "last_day": days[1],
        },
        status=_status(form, day_errors),
    )


def _status(form, day_errors) -> int:
    """422 for a refused booking or move; 400 for a day in the address that is no bookable day
    (said beside the field, no hours shown), as a list answers a filter it cannot read
    (``core.listing``)."""
    if form is not None and form.is_bound:
        return 422 if form.errors else 200
    return listing.status_of(bool(day_errors))


def _on_day(trip, day) -> str:
    return f"{reverse('slots:trip', args=[trip.reference])}?day={day.isoformat()}"


@require_POST
def cancel_slot(request, reference):
    trip = trips.find_trip(request.user, reference)
    booking = services.open_booking(trip)
    form = CancelForm(request.POST)
    if booking is None:
        messages.error(request, _("This trip has no booking to cancel."))
    elif not form.is_valid():
        # The reason refused: the page again, with why next to it.
        messages.error(request, _("The booking was not cancelled: see the form."))
        now = timezone.now()
        days = services.bookable_days(trip.gate, now)
        slot_form = SlotForm(days=days) if _may_book(request.user, trip) else None
        return _trip_page(request, trip, booking, slot_form, now=now, days=days, cancel=form)
    else:
        try:
            services.cancel_booking(
                request.user, booking, form.cleaned_data["reason"], context_of(request)
            )
            messages.success(request, _("Booking cancelled."))
        except FieldErrors as exc:
            for errors in exc.errors.values():
                for error in errors:
                    messages.error(request, error)
        except IllegalTransition as exc:  # the truck reported meanwhile
            messages.error(request, str(exc))
        except services.SlotPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
    return redirect("slots:trip", reference=trip.reference)


def waiting_area(request, code):
    """The gate's waiting area: record arrivals, call forward, see the queue."""
    gate = get_object_or_404(Gate, code=code.lower(), handles_freight=True)
    form = ArrivalForm(request.POST or None)
    if request.method == "POST":
        if "call" in request.POST:
            try:
                called = services.call_forward(
                    gate, actor=request.user, context=context_of(request)
                )
            except services.SlotPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
            if called:
                messages.success(
                    request,
                    _("Called forward: %(plates)s.")
                    % {"plates": join_words(e.trip.tractor_plate for e in called)},
                )
            else:
                messages.info(request, _("Nobody to call: the gate is full or nobody waits."))
            return redirect("slots:waiting", code=gate.code)
        if form.is_valid():
            try:
                entry = services.record_arrival_scan(
                    request.user, gate, form.cleaned_data["scan"], context=context_of(request)
                )
                messages.success(
                    request,
                    _("%(plate)s is in the waiting area (%(kind)s).")
                    % {"plate": entry.trip.tractor_plate, "kind": entry.get_kind_display()},
                )
                return redirect("slots:waiting", code=gate.code)
            except StateRefused as exc:
                form.add_error(None, str(exc))
            except FieldErrors as exc:
                _errors_into(form, exc)
            except services.SlotPermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
    area = services.waiting_area(gate)
    zone = ZoneInfo(gate.time_zone)
    waiting = services.queue(gate)
    classes = services.priority_classes_by_code(e.priority_class for e, _p, _t in waiting)
    line = []
    for e, p, t in waiting:
        e.priority_label = services.priority_label(e.priority_class, classes)
        line.append((e, p, timezone.localtime(t, zone) if t else None))
    return render(
        request,
        "slots/waiting.html",
        {
            "gate": gate,
            "gate_name": gate_name(gate),
            "area": area,
            "form": form,
            "queue": line,
            "inside": services.inside_count(gate),
            "free": services.free_places(gate, area),
            "called": services.called_now(gate),
            "missed": services.missed_lately(gate),
        },
    )


def capacity(request, code):
    """A gate manager sets the trucks an hour takes, for a range of hours."""
    gate = get_object_or_404(Gate, code=code.lower(), handles_freight=True)
    form = CapacityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        weekdays = [data["weekday"]] if data["weekday"] is not None else list(range(7))
        hours = range(data["hour_from"], data["hour_to"] + 1)
        # The seats other priority classes hold in each hour (set over the API or in the
        # administration) stay as they are: the form sets the perishable ones only.
        rows = SlotCapacity.objects.filter(
            gate=gate, direction=data["direction"], date__isnull=True, hour__in=hours
        )
        kept = {(row.weekday, row.hour): row.quotas for row in rows}
        # A class deleted since is dropped with its seats (they would refuse the hour).
        known = services.priority_classes_by_code(c for q in kept.values() for c in q)
        kept = {
            key: {c: n for c, n in quotas.items() if c == "perishable" or c in known}
            for key, quotas in kept.items()
        }
        rows_set = []
        try:
            # Every hour of the range, or none: a refused one leaves the others as they were.
            with transaction.atomic():
                for weekday in weekdays:
                    for hour in hours:
                        quotas = {**kept.get((weekday, hour), {}), "perishable": data["perishable"]}
                        row = services.set_capacity(
                            request.user,
                            gate,
                            data["direction"],
                            hour,
                            lanes=data["lanes"],
                            trucks_per_lane_hour=data["trucks_per_lane_hour"],
                            quotas=quotas,
                            weekday=weekday,
                        )
                        rows_set.append(row)
        except FieldErrors as exc:
            _capacity_errors_into(form, exc.errors)
        except services.SlotPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            messages.success(request, _("Capacity saved."))
            over = services.over_capacity(rows_set)
            if over:
                messages.warning(
                    request,
                    _(
                        "These coming hours now hold more bookings than their capacity: "
                        "%(hours)s. Move or cancel those bookings, or tell their drivers."
                    )
                    % {"hours": _hours_listed(over)},
                )
            return redirect("slots:capacity", code=gate.code)
    elif request.method == "POST":
        # An hour range the form refused does not hide more perishable seats than the hour
        # holds: what it read is weighed as the service would, beside its field.
        data = form.cleaned_data
        if "perishable" in data:
            _capacity_errors_into(
                form,
                services.quota_errors(
                    {"perishable": data["perishable"]},
                    data.get("lanes"),
                    data.get("trucks_per_lane_hour"),
                ),
            )
    rows = list(
        SlotCapacity.objects.filter(gate=gate).order_by("direction", "date", "weekday", "hour")
    )
    classes = services.priority_classes_by_code(c for row in rows for c in row.quotas)
    for row in rows:
        # Every class's reserved seats, by the name the reader knows it by.
        row.reserved = [
            (services.priority_label(code, classes), seats)
            for code, seats in sorted(row.quotas.items())
            if seats
        ]
    return render(
        request,
        "slots/capacity.html",
        {"gate": gate, "gate_name": gate_name(gate), "form": form, "rows": rows},
    )


@require_safe
def wait_times(request):
    """Public: the current waiting time at each gate, per direction."""
    labels = dict(Direction.choices)
    rows = [
        {
            **row,
            "gate_name": gate_name(row["gate"]),
            "direction_label": labels.get(row["direction"], row["direction"]),
        }
        for row in services.wait_times()
    ]
    # The moment is said on the gates' clock, with its offset: the page is public, and a driver
    # from China reads it on a phone an hour ahead.
    named = {row["gate"].time_zone for row in rows}
    zone = ZoneInfo(named.pop() if len(named) == 1 else settings.TIME_ZONE)
    now = timezone.now()
    said = date_format(timezone.localtime(now, zone), "SHORT_DATETIME_FORMAT")
    return render(
        request,
        "slots/wait_times.html",
        {"rows": rows, "now": f"{said} ({utc_offset(zone, now)})"},
    )


def _hours_listed(over: list, shown: int = 10) -> str:
    said = join_words([str(o) for o in over[:shown]])
    if len(over) > shown:
        rest = len(over) - shown
        said += " " + ngettext("and %(n)d more hour", "and %(n)d more hours", rest) % {"n": rest}
    return said
