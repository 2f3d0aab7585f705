import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cuakhau.core.api_support import (
    Choice,
    CodeOf,
    OneOf,
    RecordId,
    TextOf,
    checked_further,
    context_of,
    label_of,
)
from cuakhau.risk.choices import RiskChannel
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus

from . import services
from .models import Agency, Inspection, InspectionKind, QuarantineSample, Result, SampleResult

router = Router(tags=["inspections"])


class ResultIn(Schema):
    result: OneOf(Result)
    notes: TextOf(Inspection, "notes", multiline=True) = ""
    agency: Choice(Agency) = None


class StartIn(Schema):
    agency: Choice(Agency) = None
    # A check an officer does; the green-channel release is the system's own.
    kind: Choice(InspectionKind, only=services.MANUAL_KINDS) = None


class SampleIn(Schema):
    sample_code: TextOf(QuarantineSample, "sample_code")
    description: TextOf(QuarantineSample, "description")
    laboratory: TextOf(QuarantineSample, "laboratory") = ""


class SampleResultIn(Schema):
    result: OneOf(SampleResult)
    finding: TextOf(QuarantineSample, "finding") = ""


class InspectionOut(Schema):
    agency: CodeOf(Agency)
    agency_label: str
    # Listed for clients, not checked: older versions stored the kind as free text.
    kind: CodeOf(InspectionKind, blank=True) = Field(
        ...,
        description='The kind of check ("" if none was named); an older record may hold other text',
    )
    kind_label: str = Field(..., description="The kind in words (older records: as written)")
    started_at: dt.datetime
    ended_at: dt.datetime | None
    result: CodeOf(Result, blank=True)  # "" while the inspection is under way
    result_label: str
    # None to the enterprise and its drivers: an officer's notes are for the gate's staff and
    # auditors, as on the pages.
    notes: str | None
    automatic: bool


class AgencyOut(Schema):
    agency: CodeOf(Agency)
    label: str


class TripInspectionsOut(Schema):
    trip: str
    status: CodeOf(trips.TRIP_MACHINE, "state")
    status_label: str
    channel: CodeOf(RiskChannel, null=True)  # null before the risk assessment
    channel_label: str | None
    required: list[CodeOf(Agency)]
    required_labels: list[AgencyOut]
    outstanding: list[CodeOf(Agency)]
    outstanding_labels: list[AgencyOut]
    inspections: list[InspectionOut]


class SampleOut(Schema):
    id: int
    sample_code: str
    result: CodeOf(SampleResult)
    result_label: str


def sample_out(sample) -> dict:
    return {
        "id": sample.pk,
        "sample_code": sample.sample_code,
        "result": sample.result,
        "result_label": label_of(SampleResult, sample.result),
    }


def _agencies(codes) -> list[dict]:
    return [{"agency": a, "label": label_of(Agency, a)} for a in codes]


def summary(trip, reader) -> dict:
    shown = trips.sees_gate_details(reader)
    trip.refresh_from_db(fields=["status"])
    channel = services.current_channel(trip)
    required = services.required_agencies(trip)
    outstanding = services.outstanding(trip) if trip.status == "arrived" else []
    return {
        "trip": trip.reference,
        "status": trip.status,
        "status_label": label_of(TripStatus, trip.status),
        "channel": channel,
        "channel_label": label_of(RiskChannel, channel),
        "required": required,
        "required_labels": _agencies(required),
        "outstanding": outstanding,
        "outstanding_labels": _agencies(outstanding),
        "inspections": [
            {
                "agency": i.agency,
                "agency_label": label_of(Agency, i.agency),
                "kind": i.kind,
                "kind_label": label_of(InspectionKind, i.kind),
                "started_at": i.started_at,
                "ended_at": i.ended_at,
                "result": i.result,
                "result_label": label_of(Result, i.result),
                # The system's own words (an automatic release) in the reader's language, as
                # the page says them; an officer's notes as written.
                "notes": (_(i.notes) if i.automatic and i.notes else i.notes) if shown else None,
                "automatic": i.automatic,
            }
            for i in trip.inspections.all()
        ],
    }


@router.get(
    "/trips/{reference}/inspections",
    response=TripInspectionsOut,
    summary="A trip's inspections and what is still required",
    description=(
        "Whoever may see the trip: its risk channel, the agencies that must pass it, those "
        "still outstanding while it is at the gate, and each inspection (an officer's notes "
        "only to the gate's staff and auditors)."
    ),
)
def list_inspections(request: HttpRequest, reference: str):
    return summary(trips.find_trip(request.auth, reference), request.auth)


@router.post(
    "/trips/{reference}/inspections/start",
    response=TripInspectionsOut,
    summary="Start an inspection",
    description=(
        "A customs, border-guard or quarantine officer of the trip's gate starts their "
        "agency's inspection of a truck inside the gate (an administrator names the agency). "
        "A truck not inside is a 409."
    ),
)
def start(request: HttpRequest, reference: str, payload: StartIn):
    trip = trips.find_trip(request.auth, reference)
    services.start_inspection(request.auth, trip, payload.agency, payload.kind or "")
    return summary(trip, request.auth)


def _result_errors(request, parts, refused, reference):
    # A result the schema refused does not hide a fail without its notes: every field of the
    # result in one 422 (a truck no longer inside is a 409 once the body is right).
    return services.result_errors(
        request.auth,
        trips.find_trip(request.auth, reference),
        parts.get("result"),
        parts.get("notes", ""),
        parts.get("agency"),
        refused=refused,
    )


def _sample_errors(request, parts, refused, reference):
    return services.sample_errors(
        request.auth,
        trips.find_trip(request.auth, reference),
        parts.get("sample_code", ""),
        parts.get("description", ""),
        parts.get("laboratory", ""),
        refused=refused,
    )


def _sample_of(request, sample_id) -> QuarantineSample:
    # The further check gets the path as sent, which its schema may have refused ("x", "٣").
    if not str(sample_id).isascii() or not str(sample_id).isdigit():
        raise QuarantineSample.DoesNotExist(_("No sample %(id)s.") % {"id": str(sample_id)[:20]})
    return QuarantineSample.objects.select_related("inspection__trip").get(
        trips.of_visible_trip(request.auth, "inspection__trip"), pk=sample_id
    )


def _sample_result_errors(request, parts, refused, sample_id):
    return services.sample_result_errors(
        request.auth,
        _sample_of(request, sample_id),
        parts.get("result"),
        parts.get("finding", ""),
        refused=refused,
    )


@router.post(
    "/trips/{reference}/inspections",
    response=TripInspectionsOut,
    summary="Record an inspection's result",
    description=(
        "An officer of the trip's gate records their agency's result (pass, fail, hold); when "
        "every required agency passed, the trip is cleared. A truck not inside is a 409."
    ),
)
@checked_further(_result_errors)
def record(request: HttpRequest, reference: str, payload: ResultIn):
    trip = trips.find_trip(request.auth, reference)
    services.record_result(
        request.auth, trip, payload.result, payload.notes, payload.agency, context_of(request)
    )
    return summary(trip, request.auth)


@router.post(
    "/trips/{reference}/samples",
    response=SampleOut,
    summary="Take a quarantine sample",
    description="A quarantine officer of the trip's gate records a sample sent to a laboratory.",
)
@checked_further(_sample_errors)
def take_sample(request: HttpRequest, reference: str, payload: SampleIn):
    trip = trips.find_trip(request.auth, reference)
    sample = services.take_sample(
        request.auth, trip, payload.sample_code, payload.description, payload.laboratory
    )
    return sample_out(sample)


@router.post(
    "/samples/{sample_id}/result",
    response=SampleOut,
    summary="Record a sample's laboratory result",
    description="A quarantine officer records the laboratory's finding on a sample.",
)
@checked_further(_sample_result_errors)
def sample_result(request: HttpRequest, sample_id: RecordId, payload: SampleResultIn):
    sample = _sample_of(request, sample_id)
    sample = services.record_sample_result(request.auth, sample, payload.result, payload.finding)
    return sample_out(sample)
