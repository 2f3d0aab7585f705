"""Trips over the JSON API. Handlers translate HTTP to service calls and nothing more."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from cuakhau.core.api_support import (
    Choice,
    CodeOf,
    PageNumber,
    PageSize,
    RecordId,
    Text,
    checked_further,
    context_of,
    error_items,
    label_of,
    paginate,
)
from cuakhau.core.context import Channel
from cuakhau.core.errors import FieldErrors, form_errors
from cuakhau.market.choices import Requirement

from . import services
from .choices import (
    ContainerSize,
    Direction,
    DocumentKind,
    QuantityUnit,
    TripStatus,
    VehicleType,
)
from .filters import TripFilterForm
from .schemas import (
    AmendIn,
    CargoLineOut,
    ReasonIn,
    TransitionOut,
    TripIn,
    TripOut,
    TripPage,
    TripSummaryOut,
)

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


# Every code of a trip with the label its reader sees on the trip's page, in the caller's
# language (the codes stay for programs).
class TripSummaryLabelledOut(TripSummaryOut):
    gate_name: str = Field(..., description="The gate's name in the caller's language")
    status_label: str
    direction_label: str | None
    vehicle_type_label: str
    container_size_label: str


class TripCargoLineOut(CargoLineOut):
    unit_label: str


class TripTransitionOut(TransitionOut):
    actor: str | None = Field(
        ...,
        description="Who did it (null: the system). To the trip's enterprise and its drivers, "
        'an officer or operator is named by their service ("Customs officer"), not by name',
    )
    action_label: str
    from_status_label: str
    to_status_label: str
    channel_label: str


class TripActionOut(Schema):
    action: CodeOf(services.TRIP_MACHINE, "action")
    label: str


class MarketRefusalOut(Schema):
    rule: int
    requirement: CodeOf(Requirement)
    requirement_label: str
    field: str = Field(
        ...,
        description="The path of the declaration's field it is about (`gate`, "
        "`cargo_lines.0.hs_code`: a cargo line by its index from 0)",
    )
    field_label: str
    message: str = Field(..., description="Why, with the rule's legal basis, as the page says")


class MarketWarningOut(Schema):
    title: str
    text: str
    refusals: list[MarketRefusalOut]


def market_warning_out(warning) -> dict | None:
    if warning is None:
        return None
    return {
        "title": warning.title,
        "text": warning.text,
        "refusals": [
            {
                "rule": refusal.rule_id,
                "requirement": refusal.requirement,
                "requirement_label": label_of(Requirement, refusal.requirement),
                "field": refusal.path,
                "field_label": services.path_label(refusal.path),
                "message": refusal.message,
            }
            for refusal in warning.refusals
        ],
    }


class TripDetailOut(TripOut, TripSummaryLabelledOut):
    cargo_lines: list[TripCargoLineOut]
    timeline: list[TripTransitionOut]
    allowed_actions: list[CodeOf(services.TRIP_MACHINE, "action")] = Field(
        ..., description="The actions the caller may take now"
    )
    allowed_action_labels: list[TripActionOut]
    market_warning: MarketWarningOut | None = Field(
        ...,
        description="The trip page's warning while the truck is not yet inside: the gate will "
        "refuse it under the market-access rules now in force, whether or not the fees are "
        "paid (null: nothing stops it)",
    )


class TripDocumentOut(Schema):
    id: int
    kind: CodeOf(DocumentKind)
    kind_label: str
    original_name: str = Field(..., description="The file's name as handed back on download")
    size: int = Field(..., description="In bytes")
    content_type: str
    uploaded_at: dt.datetime


class TripListOut(TripPage):
    items: list[TripSummaryLabelledOut]


def _say_state(code: str) -> str:
    return str(services.TRIP_MACHINE.say("state", code)) if code else ""


def _say_action(code: str) -> str:
    return str(services.TRIP_MACHINE.say("action", code))


def summary(trip) -> dict:
    return {
        "reference": trip.reference,
        "status": trip.status,
        "status_label": label_of(TripStatus, trip.status),
        "version": trip.version,
        "gate": trip.gate.code,
        "gate_name": str(trip.gate.name),
        "direction": trip.direction or None,
        "direction_label": label_of(Direction, trip.direction or None),
        "expected_arrival": trip.expected_arrival,
        "organisation": trip.organisation.name,
        "tractor_plate": trip.tractor_plate,
        "trailer_plate": trip.trailer_plate,
        "vehicle_type": trip.vehicle_type,
        "vehicle_type_label": label_of(VehicleType, trip.vehicle_type),
        "capacity_tonnes": trip.capacity_tonnes,
        "container_size": trip.container_size,
        "container_size_label": label_of(ContainerSize, trip.container_size),
        "driver_name": trip.driver_name,
    }


def detail(user, trip) -> dict:
    addresses = services.sees_gate_details(user)
    # Read fresh (an amendment replaced them) once, for the answer and the market's check.
    lines = list(trip.cargo_lines.prefetch_related("containers"))
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
                "unit_label": label_of(QuantityUnit, line.unit),
                "line_no": line.line_no,
                "container_numbers": [c.number for c in line.containers.all()],
            }
            for line in lines
        ],
        timeline=[
            {
                "action": t.action,
                "action_label": _say_action(t.action),
                "from_status": t.from_status,
                "from_status_label": _say_state(t.from_status),
                "to_status": t.to_status,
                "to_status_label": _say_state(t.to_status),
                "actor": t.shown_actor,
                "at": t.at,
                "reason": str(t.reason_shown),
                "channel": t.channel,
                "channel_label": label_of(Channel, t.channel),
                "remote_addr": t.remote_addr if addresses else None,
                "version": t.version,
            }
            for t in services.timeline_for(trip, user)
        ],
    )
    actions = services.allowed_actions(user, trip)
    out["allowed_actions"] = actions
    out["allowed_action_labels"] = [
        {"action": a, "label": str(services.TRIP_MACHINE.say("verb", a))} for a in actions
    ]
    out["market_warning"] = market_warning_out(services.market_warning(trip, lines=lines))
    return out


def _declaration(payload: TripIn) -> dict:
    return payload.model_dump()


# A declaration its schema refused in part is still checked whole by the service, so the
# caller hears of the plate and the HS code with the quantity that is no number, as on the page.


def _submitting(request) -> bool:
    try:
        return TypeAdapter(bool).validate_python(request.GET.get("submit") or False)
    except PydanticError:  # refused beside the body already
        return False


def _errors(actor, trip, data, refused, **how) -> dict[str, list[str]]:
    try:
        return services.declaration_errors(actor, trip, data, refused=refused, **how)
    except services.TripPermissionDenied:
        return {}  # the schema's refusal stands alone: the caller learns the rest on sending


def _creation_errors(request, parts, refused):
    return _errors(request.auth, None, parts, refused, submitting=_submitting(request))


def _replacement_errors(request, parts, refused, reference):
    return _errors(request.auth, services.find_trip(request.auth, reference), parts, refused)


# The amendment's own fields, where its body has them; the service names them as the page's
# form does (the trip as read is the page's ``as_read``, the API's ``version``).
_AMENDMENT_FIELDS = {"reason": "reason", "as_read": "version"}


def amendment_paths(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The service's errors of an amendment at their paths in the API's body: a declaration's
    field under ``declaration`` (``declaration.tractor_plate``, where the schema says it too),
    the amendment's own beside it. The service names them from the top, as the page's form
    has them."""
    paths: dict[str, list[str]] = {}
    for path, messages in errors.items():
        head, _dot, rest = path.partition(".")
        if head in _AMENDMENT_FIELDS:
            where = ".".join(filter(None, (_AMENDMENT_FIELDS[head], rest)))
        else:
            where = "declaration" if path == "__all__" else f"declaration.{path}"
        paths.setdefault(where, []).extend(messages)
    return paths


def _amendment_errors(request, parts, refused, reference):
    if "declaration" not in parts:
        return {}  # no declaration to check: not an object
    inside = [p.removeprefix("declaration.") for p in refused if p.startswith("declaration.")]
    errors = _errors(
        request.auth,
        services.find_trip(request.auth, reference),
        parts["declaration"],
        inside,
        amending=True,
        reason=parts.get("reason", ""),
        version=parts.get("version"),
    )
    return amendment_paths(errors)


@router.get(
    "/trips",
    response=TripListOut,
    summary="List the trips you may see",
    description=(
        "An enterprise or driver sees its organisation's trips; a gate officer the submitted "
        "trips of the gates in their profile; the board, auditors and administrators every "
        "trip. Filters: `q` (reference, plate, driver), `gate`, `status`, `direction`, "
        "`date_from` / `date_to` (expected arrival, YYYY-MM-DD)."
    ),
)
def list_trips(request: HttpRequest, response: HttpResponse, filters: Query[TripFilters]):
    form = TripFilterForm(filters.model_dump())
    if not form.is_valid():
        raise FieldErrors(form_errors(form), location="query")
    qs = form.filter(services.visible_trips(request.auth))
    return paginate(qs, filters.page, filters.page_size, summary, response, request)


@router.post(
    "/trips",
    response={201: TripDetailOut},
    summary="Declare a trip (saved as a draft)",
    description=(
        "An enterprise user declares a trip for their own organisation: truck, driver and "
        "cargo lines, checked as a whole (a 422 names every refused field). Saved as a draft; "
        "with `?submit=true` it is also submitted, and its fee assessed."
    ),
)
@checked_further(_creation_errors)
def create_trip(request: HttpRequest, payload: TripIn, submit: bool = False):
    data = _declaration(payload)
    if submit:
        trip = services.save_and_submit(request.auth, None, data, context_of(request))
    else:
        trip = services.create_draft(request.auth, data, context_of(request))
    return Status(201, detail(request.auth, trip))


@router.get(
    "/trips/{reference}",
    response=TripDetailOut,
    summary="A trip, its cargo and its timeline",
    description=(
        "The whole declaration, every step of its timeline (who, when, through which channel) "
        "and the actions the caller may take now. A trip the caller may not see is a 404, as "
        "one that does not exist."
    ),
)
def get_trip(request: HttpRequest, reference: str):
    return detail(request.auth, services.find_trip(request.auth, reference))


@router.put(
    "/trips/{reference}",
    response=TripDetailOut,
    summary="Replace a draft's declaration",
    description=(
        "The enterprise that declared the trip replaces its whole declaration while it is a "
        "draft (a submitted trip is amended instead: 409). A draft moved to another gate gets "
        "a reference of that gate, answered in `reference`."
    ),
)
@checked_further(_replacement_errors)
def update_trip(request: HttpRequest, reference: str, payload: TripIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.update_draft(request.auth, trip, _declaration(payload), context_of(request))
    return detail(request.auth, trip)


@router.post(
    "/trips/{reference}/submit",
    response=TripDetailOut,
    summary="Submit a draft",
    description=(
        "The declaring enterprise submits its draft: the declaration and the market-access "
        "rules are checked (422 per field) and the fee is assessed (`GET .../fees`)."
    ),
)
def submit_trip(request: HttpRequest, reference: str):
    trip = services.find_trip(request.auth, reference)
    return detail(request.auth, services.submit_trip(request.auth, trip, context_of(request)))


@router.post(
    "/trips/{reference}/amend",
    response=TripDetailOut,
    summary="Amend a submitted trip",
    description=(
        "The declaring enterprise replaces a submitted, not yet paid trip's declaration, with a "
        "reason; the old version is kept and the fee assessed again. The gate stays (its "
        "reference names it): another gate is a 422 at `declaration.gate`. Each refused field is "
        "said at its path in this body (`declaration.tractor_plate`, `reason`, `version`)."
    ),
)
@checked_further(_amendment_errors)
def amend_trip(request: HttpRequest, reference: str, payload: AmendIn):
    trip = services.find_trip(request.auth, reference)
    try:
        trip = services.amend_trip(
            request.auth,
            trip,
            _declaration(payload.declaration),
            payload.reason,
            context_of(request),
            version=payload.version,
        )
    except FieldErrors as exc:
        raise FieldErrors(amendment_paths(exc.errors), exc.location) from None
    return detail(request.auth, trip)


@router.post(
    "/trips/{reference}/cancel",
    response=TripDetailOut,
    summary="Cancel a trip",
    description=(
        "The declaring enterprise (or an administrator) cancels a draft, a submitted or a paid "
        "trip (a paid one's receipt is revoked: a refund is due), with a reason; a trip in "
        "another state is a 409 naming the allowed actions."
    ),
)
def cancel_trip(request: HttpRequest, reference: str, payload: ReasonIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.cancel_trip(request.auth, trip, payload.reason, context_of(request))
    return detail(request.auth, trip)


@router.post(
    "/trips/{reference}/reject",
    response=TripDetailOut,
    summary="Reject a trip (the gate's agencies)",
    description=(
        "Customs, border guard or quarantine officers of the trip's gate reject a submitted, "
        "paid or arrived trip, with a reason the enterprise reads."
    ),
)
def reject_trip(request: HttpRequest, reference: str, payload: ReasonIn):
    trip = services.find_trip(request.auth, reference)
    trip = services.reject_trip(request.auth, trip, payload.reason, context_of(request))
    return detail(request.auth, trip)


@router.get(
    "/trips/{reference}/documents",
    response=list[TripDocumentOut],
    summary="The documents attached to a trip",
    description=(
        "Invoices, certificates and other papers the enterprise attached, oldest first, for "
        "whoever may read the trip (the file itself is on the trip's page)."
    ),
)
def list_documents(request: HttpRequest, reference: str):
    trip = services.find_trip(request.auth, reference)
    return [_document(d) for d in trip.documents.order_by("uploaded_at", "id")]


def _document(d) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": label_of(DocumentKind, d.kind),
        "original_name": d.original_name,
        "size": d.size,
        "content_type": d.content_type,
        "uploaded_at": d.uploaded_at,
    }


class DocumentIn(Schema):
    kind: CodeOf(DocumentKind)


def _document_errors(request, parts, refused, reference):
    # A kind that is not one does not hide a file that is no document: both in one 422.
    trip = services.find_trip(request.auth, reference)
    if not services.may_attach(request.auth, trip):
        return {}  # the schema's refusal stands alone: a 403 or 409 would come after it anyway
    return services.document_errors(trip, parts.get("kind"), request.FILES.get("file"), refused)


@router.post(
    "/trips/{reference}/documents",
    response={201: TripDocumentOut},
    summary="Attach a document to a trip (multipart)",
    description=(
        "The declaring enterprise attaches an invoice, a certificate… as the trip's page does: "
        "`kind` as a form field, the file as a `file` part (PDF, JPEG or PNG, judged by its "
        "content, never its name; within the upload size limit). From the declaration until "
        "the truck is cleared at the gate (an officer may ask for one at inspection): after "
        "clearance, exit, cancellation or rejection a 409. A trip holds a limited number of "
        "documents and bytes together: one more is a 422 on the file. The attachment is a "
        "step of the trip's timeline. Another organisation's trip is a 404."
    ),
)
@checked_further(_document_errors, elsewhere={"file": "file"})
def attach_document(
    request: HttpRequest,
    reference: str,
    payload: Form[DocumentIn],
    file: File[UploadedFile],
):
    trip = services.find_trip(request.auth, reference)
    unknown = [n for n in request.POST if n not in DocumentIn.model_fields]
    unknown += [n for n in request.FILES if n != "file"]
    if unknown:
        # Refused as a JSON body's unknown field: a part the caller believes was taken.
        raise FieldErrors({n: [_("This field is not accepted here.")] for n in unknown}, "form")
    try:
        document = services.attach_document(
            request.auth, trip, payload.kind, file, context_of(request)
        )
    except FieldErrors as exc:
        # The file was sent as a file part, the kind as a form field: each path says which.
        files = {k: v for k, v in exc.errors.items() if k == "file"}
        fields = {k: v for k, v in exc.errors.items() if k != "file"}
        return Status(422, {"detail": error_items(fields, "form") + error_items(files, "file")})
    return Status(201, _document(document))


@router.delete(
    "/trips/{reference}/documents/{document_id}",
    response=TripDetailOut,
    summary="Remove a document from a draft",
    description=(
        "The declaring enterprise removes a document it attached by mistake while the trip is "
        "a draft; the removal is a step of its timeline. Once the trip was submitted the "
        "gate's officers may have relied on it: a 409. A document of another trip is a 404."
    ),
)
def remove_document(request: HttpRequest, reference: str, document_id: RecordId):
    trip = services.find_trip(request.auth, reference)
    trip = services.remove_document(request.auth, trip, document_id, context_of(request))
    return detail(request.auth, trip)


__all__ = ["router", "TripSummaryOut"]
