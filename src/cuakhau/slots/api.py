"""Slots over the API: book / move / cancel, a trip's standing, arrivals and call-forward at the
waiting area, capacity, and the public wait times."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cuakhau.core.api_support import (
    CodeOf,
    OneOf,
    Text,
    WholeNumber,
    checked_further,
    context_of,
)
from cuakhau.core.errors import FieldErrors
from cuakhau.gate.models import Device
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips
from cuakhau.trips.choices import Direction

from . import rules, services
from .models import ArrivalKind, Booking, BookingStatus, WaitingStatus

router = Router(tags=["time slots"])

SlotStart = Annotated[
    dt.datetime, Field(description="The hour's start, e.g. 2026-07-01T08:00:00+07:00")
]


class SlotIn(Schema):
    slot_start: SlotStart


class CancelIn(Schema):
    reason: Text(500) = ""


# Not a fixed set: a manager adds classes beside the two built-in ones (``PriorityClass``),
# so the document names the built-in ones and lists none.
PriorityClassCode = Annotated[
    str,
    Field(
        description=f"`{rules.PERISHABLE}`, `{rules.GENERAL}`, or the code of a class a manager "
        "defined (its name in `priority_class_label`)"
    ),
]


class BookingOut(Schema):
    trip: str
    gate: str
    direction: CodeOf(Direction)
    direction_label: str
    slot_start: dt.datetime
    priority_class: PriorityClassCode
    priority_class_label: str
    status: CodeOf(BookingStatus)
    status_label: str


class StandingOut(Schema):
    booking: BookingOut | None
    # Null: the truck has not reported at the waiting area.
    arrival: CodeOf(ArrivalKind, null=True)
    arrival_label: str | None
    waiting_status: CodeOf(WaitingStatus, null=True)
    waiting_status_label: str | None
    arrived_at: dt.datetime | None
    called_at: dt.datetime | None
    # Called (or called and missed): the moment the truck had to be at the gate by.
    call_deadline: dt.datetime | None
    position: int | None
    waiting_count: int | None
    expected_call: dt.datetime | None


class FreeHourOut(Schema):
    slot_start: dt.datetime
    seats: int


class WaitingArrivalIn(Schema):
    scan: Text(2000)


class WaitingOut(Schema):
    trip: str
    plate: str
    direction: CodeOf(Direction)
    direction_label: str
    arrival: CodeOf(ArrivalKind)
    arrival_label: str
    priority_class: PriorityClassCode
    priority_class_label: str
    slot_start: dt.datetime | None
    arrived_at: dt.datetime
    status: CodeOf(WaitingStatus)
    status_label: str
    position: int | None = None
    expected_call: dt.datetime | None = None


# Whole numbers read as every other the API takes: ``true`` is not one seat, nor 2.5 lanes.
class CapacityIn(Schema):
    direction: OneOf(Direction)
    hour: WholeNumber(0, 23)
    weekday: WholeNumber(0, 6) | None = None
    date: dt.date | None = None
    lanes: WholeNumber(0, 50)
    trucks_per_lane_hour: WholeNumber(0, 120)
    quotas: dict[str, WholeNumber(0, 6000)] = {}


class OverCapacityOut(Schema):
    start: dt.datetime
    booked: int
    trucks_per_hour: int


class CapacityOut(Schema):
    gate: str
    direction: CodeOf(Direction)
    direction_label: str
    hour: int
    weekday: int | None
    date: dt.date | None
    lanes: int
    trucks_per_lane_hour: int
    trucks_per_hour: int
    quotas: dict[str, int]
    over_capacity: list[OverCapacityOut] = Field(
        ...,
        description=(
            "Coming hours this capacity governs that already hold more bookings than it lets "
            "in (a lane closed is taken, not refused): move or cancel those bookings."
        ),
    )


class WaitTimeOut(Schema):
    gate: str
    gate_name: str
    direction: CodeOf(Direction)
    direction_label: str
    waiting: int
    median_wait_minutes: int | None
    longest_waiting_minutes: int | None
    expected_wait_minutes: int | None
    trucks_per_hour: int


def booking_out(booking: Booking | None) -> dict | None:
    if booking is None:
        return None
    return {
        "trip": booking.trip.reference,
        "gate": booking.gate.code,
        "direction": booking.direction,
        "direction_label": str(booking.get_direction_display()),
        "slot_start": booking.slot_start,
        "priority_class": booking.priority_class,
        "priority_class_label": services.priority_label(booking.priority_class),
        "status": booking.status,
        "status_label": str(booking.get_status_display()),
    }


def standing_out(trip) -> dict:
    s = services.standing(trip)
    entry = s["entry"]
    return {
        "booking": booking_out(s["booking"]),
        "arrival": entry.kind if entry else None,
        "arrival_label": str(entry.get_kind_display()) if entry else None,
        "waiting_status": entry.status if entry else None,
        "waiting_status_label": str(entry.get_status_display()) if entry else None,
        "arrived_at": entry.arrived_at if entry else None,
        "called_at": entry.called_at if entry else None,
        "call_deadline": s["call_deadline"],
        "position": s["position"],
        "waiting_count": s["waiting_count"],
        "expected_call": s["expected_call"],
    }


def _gate(code: str) -> Gate:
    found = Gate.objects.filter(code=code.lower(), handles_freight=True).first()
    if found is None:
        raise FieldErrors(
            {
                "gate": [
                    _("%(gate)s is not a border gate that handles freight on cuakhau.")
                    % {"gate": code[:20]}
                ]
            },
            location="path",
        )
    return found


def _booking(trip) -> Booking:
    booking = services.open_booking(trip)
    if booking is None:
        raise Booking.DoesNotExist(_("This trip has no open booking."))
    return booking


@router.get(
    "/trips/{reference}/slot",
    response=StandingOut,
    summary="The trip's slot and place",
    description=(
        "Whoever may see the trip: its booked hour, and at the waiting area its arrival, "
        "place in the line and expected call."
    ),
)
def get_standing(request: HttpRequest, reference: str):
    return standing_out(trips.find_trip(request.auth, reference))


@router.get(
    "/trips/{reference}/slot/free-hours",
    response=list[FreeHourOut],
    summary="Hours of a day the trip can book",
    description=(
        "The trip's enterprise (or an administrator): each hour of `day` at the trip's gate "
        "with seats left for its direction and class."
    ),
)
def free_hours(request: HttpRequest, reference: str, day: dt.date):
    trip = trips.find_trip(request.auth, reference)
    return [{"slot_start": s, "seats": n} for s, n in services.free_hours(trip, day)]


@router.post(
    "/trips/{reference}/slot",
    response={201: StandingOut},
    summary="Book a slot",
    description=(
        "The trip's enterprise (or an administrator) books an hour for a submitted or paid "
        "trip; a full hour is refused at `slot_start` (422)."
    ),
)
def book(request: HttpRequest, reference: str, payload: SlotIn):
    trip = trips.find_trip(request.auth, reference)
    services.book_slot(request.auth, trip, payload.slot_start, context_of(request))
    return Status(201, standing_out(trip))


@router.post(
    "/trips/{reference}/slot/move",
    response=StandingOut,
    summary="Move the booking",
    description="The trip's enterprise (or an administrator) moves its booking to another hour.",
)
def move(request: HttpRequest, reference: str, payload: SlotIn):
    trip = trips.find_trip(request.auth, reference)
    services.move_booking(request.auth, _booking(trip), payload.slot_start, context_of(request))
    return standing_out(trip)


@router.post(
    "/trips/{reference}/slot/cancel",
    response=StandingOut,
    summary="Cancel the booking",
    description="The trip's enterprise (or an administrator) gives its booked hour back.",
)
def cancel(request: HttpRequest, reference: str, payload: CancelIn):
    trip = trips.find_trip(request.auth, reference)
    services.cancel_booking(request.auth, _booking(trip), payload.reason, context_of(request))
    return standing_out(trip)


def waiting_out(entry, position=None, expected=None, classes=None) -> dict:
    return {
        "trip": entry.trip.reference,
        "plate": entry.trip.tractor_plate,
        "direction": entry.direction,
        "direction_label": str(entry.get_direction_display()),
        "arrival": entry.kind,
        "arrival_label": str(entry.get_kind_display()),
        "priority_class": entry.priority_class,
        "priority_class_label": services.priority_label(entry.priority_class, classes),
        "slot_start": entry.slot_start,
        "arrived_at": entry.arrived_at,
        "status": entry.status,
        "status_label": str(entry.get_status_display()),
        "position": position,
        "expected_call": expected,
    }


@router.post(
    "/slots/{gate}/arrivals",
    response={201: WaitingOut},
    summary="A truck reported at the waiting area (operator, or a plate camera there)",
    description=(
        "The gate's operator, or a plate camera registered there, reports a truck at the "
        "waiting area: early, on time, late or walk-in (booked at arrival)."
    ),
)
def arrive(request: HttpRequest, gate: str, payload: WaitingArrivalIn):
    caller = request.auth
    person = None if isinstance(caller, Device) else caller
    entry = services.record_arrival_scan(
        person,
        _gate(gate),
        payload.scan,
        device=caller if person is None else None,
        context=context_of(request),
    )
    # Its place in the line as the queue would show it now (a walk-in's or a late truck's is
    # not the end of the line: the rules order the waiting area).
    place = next(((p, t) for e, p, t in services.queue(entry.gate) if e.pk == entry.pk), None)
    return Status(201, waiting_out(entry, *(place or (None, None))))


@router.get(
    "/slots/{gate}/queue",
    response=list[WaitingOut],
    summary="The waiting area",
    description=(
        "The gate's officers, the board, auditors and administrators: the trucks waiting, in "
        "the order they will be called (a waiting area holds at most a few hundred)."
    ),
)
def queue(request: HttpRequest, gate: str):
    line = services.queue(_gate(gate))
    classes = services.priority_classes_by_code(e.priority_class for e, _p, _t in line)
    return [waiting_out(e, p, t, classes) for e, p, t in line]


@router.post(
    "/slots/{gate}/call-forward",
    response=list[WaitingOut],
    summary="Call trucks forward while the gate has room",
    description=(
        "The gate's operator calls the next trucks in rule order; each driver is told. "
        "Answers the trucks called now."
    ),
)
def call_forward(request: HttpRequest, gate: str):
    called = services.call_forward(_gate(gate), actor=request.auth, context=context_of(request))
    classes = services.priority_classes_by_code(e.priority_class for e in called)
    return [waiting_out(e, classes=classes) for e in called]


def _capacity_errors(request, parts, refused, gate):
    # A capacity its schema refused in part (an hour of 30) is still checked whole: its
    # weekday and date, and its seats against the hour's total, said in the same 422.
    gate = Gate.objects.filter(code=gate.lower(), handles_freight=True).first()
    if gate is None or not services.may_manage(request.auth, gate):
        return {}  # the schema's refusal stands alone: the caller may not set it anyway
    fields = ("lanes", "trucks_per_lane_hour", "quotas", "weekday", "date")
    return services.capacity_errors(
        gate, **{name: parts.get(name) for name in fields}, refused=refused
    )


@router.put(
    "/slots/{gate}/capacity",
    response=CapacityOut,
    summary="Set an hour's capacity",
    description=(
        "Gate managers (permission slots.manage_capacity) set lanes, trucks per lane-hour "
        "and quotas of an hour of a weekday, or of one date."
    ),
)
@checked_further(_capacity_errors)
def set_capacity(request: HttpRequest, gate: str, payload: CapacityIn):
    row = services.set_capacity(
        request.auth,
        _gate(gate),
        payload.direction,
        payload.hour,
        lanes=payload.lanes,
        trucks_per_lane_hour=payload.trucks_per_lane_hour,
        quotas=payload.quotas,
        weekday=payload.weekday,
        date=payload.date,
    )
    return {
        "gate": row.gate.code,
        "direction": row.direction,
        "direction_label": str(row.get_direction_display()),
        "hour": row.hour,
        "weekday": row.weekday,
        "date": row.date,
        "lanes": row.lanes,
        "trucks_per_lane_hour": row.trucks_per_lane_hour,
        "trucks_per_hour": row.as_rule().total,
        "quotas": row.quotas,
        "over_capacity": [
            {"start": o.start, "booked": o.booked, "trucks_per_hour": o.capacity}
            for o in services.over_capacity([row])
        ],
    }


@router.get(
    "/slots/wait-times",
    response=list[WaitTimeOut],
    summary="Current waiting time per gate and direction (public)",
    description="Public: trucks waiting, median and expected wait per gate and direction.",
)
def wait_times(request: HttpRequest):
    from .views import gate_name

    labels = dict(Direction.choices)
    return [
        {
            **{k: v for k, v in row.items() if k != "recent_called"},
            "gate": row["gate"].code,
            "gate_name": gate_name(row["gate"]),
            "direction_label": str(labels.get(row["direction"], row["direction"])),
        }
        for row in services.wait_times()
    ]
