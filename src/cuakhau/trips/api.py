"""Trips over the JSON API. Handlers translate HTTP to service calls and nothing more."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from cuakhau.core.api_support import (
    Choice,
    PageNumber,
    PageSize,
    Text,
    context_of,
    paginate,
)
from cuakhau.core.errors import FieldErrors, form_errors

from . import services
from .choices import Direction, TripStatus
from .filters import TripFilterForm
from .schemas import AmendIn, ReasonIn, TripIn, TripOut, TripPage, TripSummaryOut

router = Router(tags=["trips"])


class TripFilters(Schema):
    q: Text(100) = ""
    gate: Text(8) = ""
    status: Choice(TripStatus) = None
    direction: Choice(Direction) = None
    date_from: Text(10) = Field("", description="YYYY-MM-DD")
    date_to: Text(10) = Field("", description="YYYY-MM-DD")
    page: PageNumber = 1
    page_size: PageSize = 50


def summary(trip) -> dict:
    return {
        "reference": trip.reference,
        "status": trip.status,
        "version": trip.version,
        "gate": trip.gate.code,
        "direction": trip.direction or None,
        "expected_arrival": trip.expected_arrival,
        "organisation": trip.organisation.name,
        "tractor_plate": trip.tractor_plate,
        "trailer_plate": trip.trailer_plate,
        "vehicle_type": trip.vehicle_type,
        "capacity_tonnes": trip.capacity_tonnes,
        "container_size": trip.container_size,
        "driver_name": trip.driver_name,
    }


def detail(user, trip) -> dict:
    addresses = services.sees_gate_details(user)
    out = summary(trip)
    out.update(
        driver_nationality=trip.driver_nationality,
        driver_document_number=trip.driver_document_number,
        driver_phone=trip.driver_phone,
        created_at=trip.created_at,
        submitted_at=trip.submitted_at,
        container_numbers=[c.number for c in trip.containers.all()],
        cargo_lines=[
            {
                **{f: getattr(line, f) for f in services.LINE_FIELDS},
                "line_no": line.line_no,
                "container_numbers": [c.number for c in line.containers.all()],
            }
            for line in trip.cargo_lines.prefetch_related("containers")
        ],
        timeline=[
            {
                "action": t.action,
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": t.actor.get_username() if t.actor else None,
                "at": t.at,
                "reason": t.reason,
                "channel": t.channel,
                "remote_addr": t.remote_addr if addresses else None,
                "version": t.version,
            }
            for t in services.timeline(trip)
        ],
        allowed_actions=services.allowed_actions(user, trip),
    )
    return out


def _declaration(payload: TripIn) -> dict:
    return payload.model_dump()


@router.get("/trips", response=TripPage, summary="List the trips you may see")
def list_trips(request: HttpRequest, filters: Query[TripFilters]):
    form = TripFilterForm(filters.model_dump())
    if not form.is_valid():
        raise FieldErrors(form_errors(form), location="query")
    qs = form.filter(services.visible_trips(request.auth))
    return paginate(qs, filters.page, filters.page_size, summary)


@router.post("/trips", response={201: TripOut}, summary="Declare a trip (saved as a draft)")
def create_trip(request: HttpRequest, payload: TripIn, submit: bool = False):
    data = _declaration(payload)
    if submit:
        trip = services.save_and_submit(request.auth, None, data, context_of(request))
    else:
        trip = services.create_draft(request.auth, data, context_of(request))
    return Status(201, detail(request.auth, trip))


@router.get("/trips/{reference}", response=TripOut)
def get_trip(request: HttpRequest, reference: str):
    return detail(request.auth, services.find_trip(request.auth, reference))


@router.put("/trips/{reference}", response=TripOut, summary="Replace a draft's declaration")
def update_trip(request: HttpRequest, reference: str, payload: TripIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.update_draft(request.auth, trip, _declaration(payload), context_of(request))
    return detail(request.auth, trip)


@router.post("/trips/{reference}/submit", response=TripOut)
def submit_trip(request: HttpRequest, reference: str):
    trip = services.find_trip(request.auth, reference)
    return detail(request.auth, services.submit_trip(request.auth, trip, context_of(request)))


@router.post("/trips/{reference}/amend", response=TripOut, summary="Amend a submitted trip")
def amend_trip(request: HttpRequest, reference: str, payload: AmendIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.amend_trip(
        request.auth, trip, _declaration(payload.declaration), payload.reason, context_of(request)
    )
    return detail(request.auth, trip)


@router.post("/trips/{reference}/cancel", response=TripOut)
def cancel_trip(request: HttpRequest, reference: str, payload: ReasonIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.cancel_trip(request.auth, trip, payload.reason, context_of(request))
    return detail(request.auth, trip)


@router.post("/trips/{reference}/reject", response=TripOut)
def reject_trip(request: HttpRequest, reference: str, payload: ReasonIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.reject_trip(request.auth, trip, payload.reason, context_of(request))
    return detail(request.auth, trip)


__all__ = ["router", "TripSummaryOut"]
