import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from cuakhau.core.api_support import TextOf, context_of
from cuakhau.trips import services as trips

from . import services
from .models import Agency, Inspection, QuarantineSample, Result, SampleResult

router = Router(tags=["inspections"])


class ResultIn(Schema):
    result: Result
    notes: TextOf(Inspection, "notes", multiline=True) = ""
    agency: Agency | None = None


class StartIn(Schema):
    agency: Agency | None = None
    kind: TextOf(Inspection, "kind") = ""


class SampleIn(Schema):
    sample_code: TextOf(QuarantineSample, "sample_code")
    description: TextOf(QuarantineSample, "description")
    laboratory: TextOf(QuarantineSample, "laboratory") = ""


class SampleResultIn(Schema):
    result: SampleResult
    finding: TextOf(QuarantineSample, "finding") = ""


class InspectionOut(Schema):
    agency: str
    kind: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    result: str
    # None to the enterprise and its drivers: an officer's notes are for the gate's staff and
    # auditors, as on the pages.
    notes: str | None
    automatic: bool


class TripInspectionsOut(Schema):
    trip: str
    status: str
    channel: str | None
    required: list[str]
    outstanding: list[str]
    inspections: list[InspectionOut]


def summary(trip, reader) -> dict:
    shown = trips.sees_gate_details(reader)
    trip.refresh_from_db(fields=["status"])
    return {
        "trip": trip.reference,
        "status": trip.status,
        "channel": services.current_channel(trip),
        "required": services.required_agencies(trip),
        "outstanding": services.outstanding(trip) if trip.status == "arrived" else [],
        "inspections": [
            {
                "agency": i.agency,
                "kind": i.kind,
                "started_at": i.started_at,
                "ended_at": i.ended_at,
                "result": i.result,
                "notes": i.notes if shown else None,
                "automatic": i.automatic,
            }
            for i in trip.inspections.all()
        ],
    }


@router.get("/trips/{reference}/inspections", response=TripInspectionsOut)
def list_inspections(request: HttpRequest, reference: str):
    return summary(trips.find_trip(request.auth, reference), request.auth)


@router.post("/trips/{reference}/inspections/start", response=TripInspectionsOut)
def start(request: HttpRequest, reference: str, payload: StartIn):
    trip = trips.find_trip(request.auth, reference)
    services.start_inspection(request.auth, trip, payload.agency, payload.kind)
    return summary(trip, request.auth)


@router.post(
    "/trips/{reference}/inspections", response=TripInspectionsOut, summary="Record a result"
)
def record(request: HttpRequest, reference: str, payload: ResultIn):
    trip = trips.find_trip(request.auth, reference)
    services.record_result(
        request.auth, trip, payload.result, payload.notes, payload.agency, context_of(request)
    )
    return summary(trip, request.auth)


@router.post("/trips/{reference}/samples", response=dict)
def take_sample(request: HttpRequest, reference: str, payload: SampleIn):
    trip = trips.find_trip(request.auth, reference)
    sample = services.take_sample(
        request.auth, trip, payload.sample_code, payload.description, payload.laboratory
    )
    return {"id": sample.pk, "sample_code": sample.sample_code, "result": sample.result}


@router.post("/samples/{sample_id}/result", response=dict)
def sample_result(request: HttpRequest, sample_id: int, payload: SampleResultIn):
    sample = QuarantineSample.objects.select_related("inspection__trip").get(
        trips.of_visible_trip(request.auth, "inspection__trip"), pk=sample_id
    )
    sample = services.record_sample_result(request.auth, sample, payload.result, payload.finding)
    return {"id": sample.pk, "sample_code": sample.sample_code, "result": sample.result}
