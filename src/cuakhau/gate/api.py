"""Gate devices and consoles over the API: lookups, check-in, exit, device events, cameras."""

import datetime as dt
import uuid
from typing import Annotated

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cuakhau.core.api_support import (
    CodeOf,
    DeviceTime,
    NumberOf,
    OneOf,
    Text,
    TextOf,
    WholeNumber,
    checked_further,
    context_of,
    label_of,
)
from cuakhau.core.errors import FieldErrors
from cuakhau.core.policy import gate_checked_for
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.services import TRIP_MACHINE

from . import services
from .models import (
    Device,
    EventKind,
    GateEvent,
    Lane,
    PlateRead,
    Visit,
    WeighbridgeReading,
)

router = Router(tags=["gate operations"])
User = get_user_model()


# What a console or scanner sends: a receipt's JWS, a trip reference or a typed plate.
Scan = Text(2000)
LaneCode = TextOf(Lane, "code")
PlateText = TextOf(PlateRead, "plate_text")
Kilograms = NumberOf(WeighbridgeReading, "gross_kg")
TareKilograms = NumberOf(WeighbridgeReading, "tare_kg")


class ScanIn(Schema):
    scan: Scan
    plate_seen: PlateText = ""


class CheckInIn(ScanIn):
    lane: LaneCode | None = None
    yard_position: TextOf(Visit, "yard_position") = ""
    gross_kg: Kilograms | None = None
    tare_kg: TareKilograms | None = None


class ExitIn(Schema):
    scan: Scan
    lane: LaneCode | None = None
    plate_seen: PlateText = ""


class ProblemOut(Schema):
    code: str
    message: str
    blocking: bool = True


def _gate_steps() -> list[str]:
    """The steps a check can propose: the trip's transitions a gate operator takes."""
    steps = (t.action for t in TRIP_MACHINE.table.values() if t.permission == "trips.operate_gate")
    return list(dict.fromkeys(steps))


class GateCheckOut(Schema):
    trip: str | None
    status: CodeOf(TRIP_MACHINE, "state", null=True)  # null: no trip found
    status_label: str | None
    plate: str | None
    action: CodeOf(_gate_steps, null=True) = Field(
        ..., description="What the gate can do next with this truck"
    )
    action_label: str | None
    ok: bool
    problems: list[ProblemOut]


class VisitOut(Schema):
    trip: str
    status: CodeOf(TRIP_MACHINE, "state")
    status_label: str
    gate: str
    lane: str | None
    yard_position: str
    arrived_at: dt.datetime
    cleared_at: dt.datetime | None
    exited_at: dt.datetime | None


class RefusedOut(Schema):
    detail: str
    problems: list[ProblemOut]


class EventIn(Schema):
    client_id: uuid.UUID = Field(..., description="Made by the device; each id counts once")
    kind: OneOf(EventKind)
    occurred_at: DeviceTime = Field(..., description="The device's time, with its UTC offset")
    device_id: TextOf(GateEvent, "device_id") = ""
    scan: Scan = ""
    plate_seen: PlateText = ""
    lane: LaneCode | None = None
    yard_position: TextOf(Visit, "yard_position") = ""
    gross_kg: Kilograms | None = None
    tare_kg: TareKilograms | None = None
    operator_id: WholeNumber(1, 2**31 - 1) | None = Field(
        None,
        description=(
            "The id of the person who queued the event (the console sends it): an event "
            "queued by someone else is refused, so that one person's queue sent from a shared "
            "tablet under another's session is never recorded as the sender's. An id, not a "
            "username: a renamed person still sends what they queued. Left out (and without "
            "`operator`), the event is the caller's."
        ),
    )
    operator: TextOf(User, "username") | None = Field(
        None,
        description=(
            "The former way of naming who queued the event, by username (events queued by "
            "consoles before `operator_id`): taken from the person who has that username now."
        ),
    )


class EventOut(Schema):
    client_id: str
    accepted: bool
    duplicate: bool
    trip: str | None
    problems: list[dict] = Field(..., description="Each with its `code` and its `message`")


class PlateIn(Schema):
    camera_id: TextOf(PlateRead, "camera_id") = ""
    plate: PlateText
    lane: LaneCode | None = None
    read_at: DeviceTime | None = None
    confidence: Annotated[NumberOf(PlateRead, "confidence"), Field(ge=0, le=1)] | None = None


class PlateOut(Schema):
    plate: str
    trip: str | None


class WeighOut(Schema):
    trip: str
    gross_kg: str = Field(..., description="As recorded, in kilograms (a decimal as text)")


class WeighIn(Schema):
    scan: Scan
    gross_kg: Kilograms
    tare_kg: TareKilograms | None = None
    device_id: TextOf(WeighbridgeReading, "device_id") = ""
    measured_at: DeviceTime | None = None


def _gate(code: str, request=None) -> Gate:
    # The policy already read the gate it checked the caller against (a person's gate, or the
    # device's own): the same row, not read twice.
    found = gate_checked_for(request, code) if request is not None else None
    if found is None and request is not None:
        device = getattr(request, "device", None)
        if device is not None and device.gate.code == code.lower():
            found = device.gate
    if found is not None and not found.handles_freight:
        found = None
    elif found is None:
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


def _caller(request) -> tuple:
    """(person, device): the policy lets exactly one of them call."""
    caller = request.auth
    return (None, caller) if isinstance(caller, Device) else (caller, None)


def check_out(check: services.GateCheck) -> dict:
    trip = check.trip
    return {
        "trip": trip.reference if trip else None,
        "status": trip.status if trip else None,
        "status_label": label_of(TripStatus, trip.status) if trip else None,
        "plate": trip.tractor_plate if trip else None,
        "action": check.action,
        "action_label": str(TRIP_MACHINE.say("verb", check.action)) if check.action else None,
        "ok": check.ok,
        "problems": [p.__dict__ for p in check.problems],
    }


def visit_out(visit: Visit) -> dict:
    # The trip in hand is the one the service moved (check-in and exit change nothing after
    # their own transition): its status is the stored one.
    return {
        "trip": visit.trip.reference,
        "status": visit.trip.status,
        "status_label": label_of(TripStatus, visit.trip.status),
        "gate": visit.gate.code,
        "lane": visit.entry_lane.code if visit.entry_lane else None,
        "yard_position": visit.yard_position,
        "arrived_at": visit.arrived_at,
        "cleared_at": visit.cleared_at,
        "exited_at": visit.exited_at,
    }


def refused(exc: services.GateRefused):
    return Status(409, {"detail": str(exc), "problems": [p.__dict__ for p in exc.problems]})


@router.post(
    "/gate/{gate}/lookup",
    response=GateCheckOut,
    summary="What is this truck, and what is wrong",
    description=(
        "The gate's officers (or its tablet) scan a receipt's QR, a trip reference or a plate: "
        "the trip, what the gate can do next and every problem (unpaid, another gate, plate "
        "mismatch, market stop, already inside). Changes nothing."
    ),
)
def lookup(request: HttpRequest, gate: str, payload: ScanIn):
    return check_out(
        services.assess(payload.scan, _gate(gate, request), plate_seen=payload.plate_seen)
    )


def _check_in_errors(request, parts, refused, gate):
    # A weight that is no number does not hide a lane the gate has not, nor a tare above the
    # gross: every field of the check-in in one 422, as the console says them.
    gate = _gate(gate, request)
    return services.check_in_errors(
        gate,
        lane=parts.get("lane"),
        yard_position=parts.get("yard_position", ""),
        gross_kg=parts.get("gross_kg"),
        tare_kg=parts.get("tare_kg"),
        refused=refused,
    )


@router.post(
    "/gate/{gate}/check-in",
    response={200: VisitOut, 409: RefusedOut},
    summary="Check a paid truck in at the gate",
    description=(
        "The gate's operator checks in the truck scanned, with its lane, yard position and "
        "weighbridge reading; the risk channel is drawn. A truck that may not enter is a 409 "
        "listing each problem."
    ),
)
@checked_further(_check_in_errors)
def check_in(request: HttpRequest, gate: str, payload: CheckInIn):
    try:
        visit = services.check_in(
            request.auth,
            _gate(gate, request),
            payload.scan,
            lane=payload.lane,
            yard_position=payload.yard_position,
            plate_seen=payload.plate_seen,
            gross_kg=payload.gross_kg,
            tare_kg=payload.tare_kg,
            context=context_of(request),
        )
    except services.GateRefused as exc:
        return refused(exc)
    return visit_out(visit)


@router.post(
    "/gate/{gate}/exit",
    response={200: VisitOut, 409: RefusedOut},
    summary="Let a cleared truck out",
    description=(
        "The gate's operator lets out a cleared truck: its receipt is used, once. A truck "
        "rejected inside the gate is turned back: let out, its trip stays rejected and its "
        "fees are not refunded. A truck that may not leave (not cleared, receipt used or "
        "revoked) is a 409 listing each problem."
    ),
)
def exit_truck(request: HttpRequest, gate: str, payload: ExitIn):
    try:
        visit = services.exit_truck(
            request.auth,
            _gate(gate, request),
            payload.scan,
            lane=payload.lane,
            context=context_of(request),
            plate_seen=payload.plate_seen,
        )
    except services.GateRefused as exc:
        return refused(exc)
    return visit_out(visit)


@router.post(
    "/gate/{gate}/events",
    response=list[EventOut],
    summary="Queued device events (each applied once)",
    description=(
        "A gate device (or the gate's operator) sends the events it queued while offline, "
        "oldest first; each `client_id` counts once, a resent one is answered `duplicate`."
    ),
)
def events(request: HttpRequest, gate: str, payload: list[EventIn]):
    where = _gate(gate, request)
    person, device = _caller(request)
    events = [event.model_dump(exclude_none=True) for event in payload]
    checked = services.check_events(events, where, device, actor=person)
    results = []
    for event, its_check in zip(events, checked, strict=True):
        stored, duplicate = services.apply_event(
            person, where, event, context_of(request), device=device, checked=its_check
        )
        results.append(
            {
                "client_id": str(stored.client_id),
                "accepted": stored.accepted,
                "duplicate": duplicate,
                "trip": stored.trip.reference if stored.trip else None,
                "problems": services.problems_shown(stored.problems),
            }
        )
    return results


def _plate_read_errors(request, parts, refused, gate):
    # A confidence above 1 does not hide a misread plate nor a lane the camera is not at.
    _person, device = _caller(request)
    return services.plate_read_errors(
        _gate(gate, request),
        parts.get("plate", ""),
        lane=parts.get("lane"),
        device=device,
        refused=refused,
    )


@router.post(
    "/gate/{gate}/plates",
    response=PlateOut,
    summary="A plate-reader camera reports a plate",
    description=(
        "Only a plate camera registered at the gate: the plate it read, and the trip at the "
        "gate it matches, if any."
    ),
)
@checked_further(_plate_read_errors)
def plate_read(request: HttpRequest, gate: str, payload: PlateIn):
    _person, device = _caller(request)
    read = services.record_plate_read(
        _gate(gate, request),
        payload.camera_id,
        payload.plate,
        read_at=payload.read_at,
        confidence=payload.confidence,
        lane=payload.lane,
        device=device,
    )
    return {"plate": read.plate_text, "trip": read.trip.reference if read.trip else None}


def _weighing_errors(request, parts, refused, gate):
    # A weight that is no number does not hide a scan that finds no truck, nor a tare above
    # the gross: every field of the reading in one 422.
    return services.weighing_errors(
        _gate(gate, request),
        parts.get("scan", ""),
        gross_kg=parts.get("gross_kg"),
        tare_kg=parts.get("tare_kg"),
        refused=refused,
    )


@router.post(
    "/gate/{gate}/weighbridge",
    response={200: WeighOut, 409: RefusedOut},
    summary="Record a weighbridge reading",
    description=(
        "The gate's operator or its weighbridge records the gross (and tare) weight of a truck "
        "inside the gate and not yet cleared; the truck is named by a scan, as at check-in. A "
        "load far from the declaration raises its risk channel (customs checks it again). A "
        "truck not checked in yet is a 409 (not_checked_in: its check-in takes the weights), "
        "as is a cleared one (already_cleared: a reading would change nothing) and one not "
        "inside the gate at all (not_inside: not yet paid, exited, cancelled)."
    ),
)
@checked_further(_weighing_errors)
def weighbridge(request: HttpRequest, gate: str, payload: WeighIn):
    where = _gate(gate, request)
    person, device = _caller(request)
    try:
        reading = services.weigh(
            person,
            where,
            payload.scan,
            payload.gross_kg,
            tare_kg=payload.tare_kg,
            at=payload.measured_at,
            source="device" if payload.device_id else "manual",
            device_id=payload.device_id,
            device=device,
        )
    except services.GateRefused as exc:
        return refused(exc)
    return {"trip": reading.trip.reference, "gross_kg": str(reading.gross_kg)}
