"""The desk over the API: the catalogue (public), online filing with documents (public,
multipart, the same checks as the page ``desk:apply``), the applicant's look-up by code and
phone (public, throttled), and the officers' queue, files and actions (their gates' only)."""

import datetime as dt
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.decorators import decorate_view

from cuakhau.core.api_support import (
    MAX_PAGE_SIZE,
    CodeOf,
    OneOf,
    PageNumber,
    PageSize,
    Text,
    checked_further,
    context_of,
    error_items,
    label_of,
    page_of,
)
from cuakhau.core.errors import FieldErrors

from . import services
from .forms import QueueFilterForm
from .models import Application, ApplicationStatus, Confidence, FilingChannel
from .multipart import api_reads_uploads, refusal_of

router = Router(tags=["one-stop desk"])

Action = OneOf(
    services.action_labels,
    only=[
        "transfer",
        "start",
        "request_supplement",
        "receive_supplement",
        "resume",
        "ready",
        "return",
        "reject",
        "withdraw",
        "apologise",
    ],
)


class ProcedureOut(Schema):
    key: str
    national_code: str
    name_vi: str
    name_en: str
    name_zh: str
    agency: str  # as recorded: the Vietnamese name
    agency_en: str
    agency_zh: str
    # The agency and the stages in the request's language (Vietnamese where not translated).
    agency_name: str
    legal_basis: str
    required_documents: list[str]
    fee_vnd: int | None
    # One of the two: a time in working days, or in the desk's office hours (due at a moment).
    processing_days: int | None
    processing_hours: int | None
    stages: list[str]
    confidence: CodeOf(Confidence)
    confidence_label: str
    source: str
    notes: str
    version: int
    can_be_filed: bool


class FilingIn(Schema):
    """An application's form fields (multipart, beside the ``documents`` files)."""

    procedure: Text(60, min_length=1)
    gate: Text(8) = ""
    applicant_name: Text(200, min_length=1)
    organisation_name: Text(200) = ""
    id_number: Text(20) = ""
    phone: Text(40, min_length=1)
    email: Text(254) = ""
    language: OneOf(lambda: dict(settings.LANGUAGES), only=["vi", "en", "zh-hans"]) = "vi"
    address: Text(300) = ""
    note: Text(2000, multiline=True) = ""


# A browser's form sends its CSRF token beside the fields.
_TOLERATED_FORM_FIELDS = {"csrfmiddlewaretoken"}


def _file_parts(request: HttpRequest) -> set[str]:
    """The names a filing's files come under: ``documents``, and any other file part sent."""
    return {"documents", *request.FILES}


def _unknown_parts(request: HttpRequest, schema=FilingIn) -> list[tuple[str, str]]:
    """The form fields and file parts of a post with documents (a filing, a supplement) that
    its ``schema`` and ``documents`` are not."""
    known = set(schema.model_fields) | _TOLERATED_FORM_FIELDS
    unknown = [("form", name) for name in request.POST if name not in known]
    unknown += [("file", name) for name in request.FILES if name != "documents"]
    return unknown


class FilingOut(Schema):
    code: str
    procedure: str
    gate: str
    status: CodeOf(services.APPLICATION_MACHINE, "state")
    status_label: str
    received_at: dt.datetime
    receipt_day: dt.date
    processing_days: int | None
    processing_hours: int | None
    appointment_date: dt.date
    # A file counted in working hours: the moment it is due, on its desk's clock (the gate's
    # time zone, its offset written); null for a file counted in days.
    due_at: dt.datetime | None
    documents: int


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class FilingRefusal(Schema):
    detail: list[FieldError]


class TrackIn(Schema):
    code: Text(40, min_length=1)
    phone: Text(40, min_length=1)


class TrackOut(Schema):
    code: str
    procedure: str
    status: CodeOf(services.APPLICATION_MACHINE, "state")
    status_label: str
    received_at: dt.datetime
    appointment_date: dt.date
    # A file counted in working hours: the moment it is due, on its desk's clock (the gate's
    # time zone, its offset written); null for a file counted in days.
    due_at: dt.datetime | None
    clock_stopped: bool
    supplement_request: str


class ApplicationTransitionOut(Schema):
    # The history's steps include the desk's own, which no person asks for ("file", "take").
    action: CodeOf(services.APPLICATION_MACHINE, "action")
    action_label: str
    from_status: CodeOf(services.APPLICATION_MACHINE, "state", blank=True)  # "" when filed
    from_status_label: str
    to_status: CodeOf(services.APPLICATION_MACHINE, "state")
    to_status_label: str
    actor: str | None
    at: dt.datetime
    reason: str
    due_date: dt.date | None


class ApplicationActionOut(Schema):
    action: CodeOf(services.APPLICATION_MACHINE, "action")
    label: str


def _say(kind: str, code: str) -> str:
    return str(services.APPLICATION_MACHINE.say(kind, code)) if code else ""


class ApplicationOut(Schema):
    code: str
    procedure: str
    procedure_version: int
    gate: str
    status: CodeOf(services.APPLICATION_MACHINE, "state")
    status_label: str
    channel: CodeOf(FilingChannel)
    channel_label: str
    applicant_name: str
    organisation_name: str
    phone: str
    language: CodeOf(lambda: dict(settings.LANGUAGES))
    assignee: str | None
    received_at: dt.datetime
    receipt_day: dt.date
    processing_days: int | None
    processing_hours: int | None
    due_date: dt.date
    # A file counted in working hours: the moment it is due, on its desk's clock (the gate's
    # time zone, its offset written); null for a file counted in days.
    due_at: dt.datetime | None
    new_due_date: dt.date | None
    overdue: bool
    soon_due: bool
    clock_stopped: bool
    allowed_actions: list[CodeOf(services.APPLICATION_MACHINE, "action")]
    allowed_action_labels: list[ApplicationActionOut]
    history: list[ApplicationTransitionOut] = []


class ActionIn(Schema):
    reason: Text(2000, multiline=True) = ""
    new_date: dt.date | None = None
    result_note: Text(2000, multiline=True) = ""


class SupplementIn(Schema):
    """A received supplement's note (multipart, beside the ``documents`` files)."""

    reason: Text(2000, multiline=True) = ""


class ReassignIn(Schema):
    assignee: Annotated[str, Field(min_length=1, max_length=150)]


class Refusal(Schema):
    detail: str


def _procedure(p) -> dict:
    return {
        **{f: getattr(p, f) for f in services.PROCEDURE_FIELDS if f not in ("active",)},
        "required_documents": p.documents_list,
        "agency_name": p.agency_name,
        "confidence_label": label_of(Confidence, p.confidence),
        "stages": p.stages_list,
        "version": p.version,
        "can_be_filed": p.can_be_filed,
    }


def _application(user, a: Application, with_history=False, calendar=None) -> dict:
    s = services.standing(a, calendar)
    out = {
        "code": a.code,
        "procedure": a.procedure.key,
        "procedure_version": a.procedure_version,
        "gate": a.gate.code,
        "status": a.status,
        "status_label": label_of(ApplicationStatus, a.status),
        "channel": a.channel,
        "channel_label": label_of(FilingChannel, a.channel),
        "applicant_name": a.applicant_name,
        "organisation_name": a.organisation_name,
        "phone": a.phone,
        "language": a.language,
        "assignee": a.assignee.username if a.assignee else None,
        "received_at": a.received_at,
        "receipt_day": a.receipt_day,
        "processing_days": a.processing_days,
        "processing_hours": a.processing_hours,
        "due_date": a.due_date,
        "due_at": a.due_moment,
        "new_due_date": a.new_due_date,
        "overdue": s.overdue,
        "soon_due": s.soon_due,
        "clock_stopped": s.clock_stopped,
    }
    actions = services.allowed_actions(user, a)
    out["allowed_actions"] = actions
    out["allowed_action_labels"] = [{"action": x, "label": _say("action", x)} for x in actions]
    if with_history:
        out["history"] = [
            {
                "action": t.action,
                "action_label": _say("action", t.action),
                "from_status": t.from_status,
                "from_status_label": _say("state", t.from_status),
                "to_status": t.to_status,
                "to_status_label": _say("state", t.to_status),
                "actor": t.actor.username if t.actor else None,
                "at": t.at,
                "reason": t.reason,
                "due_date": t.due_date,
            }
            for t in services.history(a)
        ]
    return out


@router.get(
    "/desk/procedures",
    response=list[ProcedureOut],
    summary="The procedure catalogue",
    description=(
        "Public: every procedure the one-stop desk takes, with its legal basis, documents "
        "required, fee, processing days and stages (`uncertain` marked by `confidence`)."
    ),
)
def list_procedures(request: HttpRequest):
    from .models import Procedure

    return [_procedure(p) for p in Procedure.objects.filter(active=True)]


def too_many(response: HttpResponse, exc: services.TooManyAttempts):
    response["Retry-After"] = str(exc.retry_after)
    return Status(429, {"detail": str(exc)})


# A filing or an action its schema refused in part is still checked by the service, so the
# caller hears of every refused field in one answer, as the pages say them.


def _with_documents(request, check, schema=FilingIn):
    """Every refusal of a post with documents (a filing, a supplement) by path: ``check(files)``
    its service's, the files' under ``documents``, a part the post does not take under its own
    name."""
    refused_upload = refusal_of(request)
    errors = check([] if refused_upload else request.FILES.getlist("documents"))
    if refused_upload:
        # The files could not be read at all: that is what is said of them.
        errors = {k: v for k, v in errors.items() if k.split(".")[0] != "documents"}
        errors["documents"] = [refused_upload]
    for _where, name in _unknown_parts(request, schema):
        # Refused like a JSON body's unknown field: ``status=returned`` filed without a word
        # would let the caller believe it was taken.
        errors[name] = [_("This field is not accepted here.")]
    return errors


def _filing_errors(request, parts, refused=()):
    """Every refusal of a filing's fields and files (``parts``: the fields as read)."""
    return _with_documents(request, lambda documents: services.filing_errors(parts, documents))


def _supplement_errors(request, parts, refused, code):
    """Every refusal of a received supplement's note and files (``parts``: the note as read);
    an application not waiting for a supplement is that (409), whatever its parts say."""
    application = services.find_for_desk(request.user, code)
    return _with_documents(
        request,
        lambda documents: services.action_errors(
            request.user,
            application,
            "receive_supplement",
            reason=parts.get("reason", ""),
            documents=documents,
            refused=refused,
        ),
        SupplementIn,
    )


def _filing_refusal(request: HttpRequest, errors: dict[str, list[str]]):
    # The files were sent as file parts, the rest as form fields: each path says which.
    files = {k: v for k, v in errors.items() if k.split(".")[0] in _file_parts(request)}
    fields = {k: v for k, v in errors.items() if k not in files}
    return Status(422, {"detail": error_items(fields, "form") + error_items(files, "file")})


def _action_errors(request, parts, refused, code, action):
    return services.action_errors(
        request.user,
        services.find_for_desk(request.user, code),
        action,
        reason=parts.get("reason", ""),
        new_date=parts.get("new_date"),
        refused=refused,
    )


@router.post(
    "/desk/applications",
    response={201: FilingOut, 422: FilingRefusal, 429: Refusal},
    summary="File an application online with its documents (multipart)",
)
@decorate_view(api_reads_uploads)
@checked_further(
    _filing_errors, elsewhere=lambda request: dict.fromkeys(_file_parts(request), "file")
)
def file_application(
    request: HttpRequest,
    response: HttpResponse,
    payload: Form[FilingIn],
    documents: File[list[UploadedFile]] = None,
):
    """The fields as form fields and each document as a ``documents`` file part (PDF, JPEG or
    PNG, judged by content, within the upload size limit). Answers the tracking code and the
    result appointment; with the applicant's phone, the code opens ``POST /desk/track``."""
    if _unknown_parts(request) or refusal_of(request):
        return _filing_refusal(request, _filing_errors(request, payload.dict()))
    try:
        a = services.file_application(
            payload.dict(),
            documents or [],
            actor=request.user,
            channel=services.FilingChannel.ONLINE,
            context=context_of(request),
        )
    except services.TooManyAttempts as exc:
        return too_many(response, exc)
    except FieldErrors as exc:
        return _filing_refusal(request, exc.errors)
    return Status(
        201,
        {
            "code": a.code,
            "procedure": a.procedure.key,
            "gate": a.gate.code,
            "status": a.status,
            "status_label": label_of(ApplicationStatus, a.status),
            "received_at": a.received_at,
            "receipt_day": a.receipt_day,
            "processing_days": a.processing_days,
            "processing_hours": a.processing_hours,
            "appointment_date": a.appointment_date,
            "due_at": a.due_moment,
            "documents": a.documents.count(),
        },
    )


@router.post(
    "/desk/track",
    response={200: TrackOut, 404: Refusal, 429: Refusal},
    summary="An application's status by tracking code and the applicant's phone",
    description=(
        "Public, for the applicant: the code and the phone given at filing open the file's "
        "status (a wrong pair is a 404, as an unknown code); too many tries from one address "
        "are a 429."
    ),
)
def track(request: HttpRequest, response: HttpResponse, payload: TrackIn):
    try:
        a = services.track(payload.code, payload.phone, context_of(request))
    except services.TooManyAttempts as exc:
        return too_many(response, exc)
    if a is None:
        return Status(404, {"detail": services.NOT_FOUND_MESSAGE()})
    s = services.standing(a)
    return Status(
        200,
        {
            "code": a.code,
            "procedure": a.procedure.name,
            "status": a.status,
            "status_label": a.get_status_display(),
            "received_at": a.received_at,
            "appointment_date": a.appointment_date,
            "due_at": a.due_moment,
            "clock_stopped": s.clock_stopped,
            "supplement_request": a.supplement_request
            if a.status == services.S.SUPPLEMENT_REQUESTED
            else "",
        },
    )


@router.get(
    "/desk/applications",
    response=list[ApplicationOut],
    summary="The desk's queue",
    description=(
        "Desk officers see the files of their gates' desks (administrators every desk): open, "
        "closed or all, or only their own (`mine`), by pages. `q` finds files by their "
        "tracking code (any case, with or without its dash, or its start), the applicant's "
        "phone (or its last six digits or more) or name (the start of each word; case, tone "
        "marks and đ do not matter); a `q` with nothing to look for is a 422."
    ),
)
def queue(
    request: HttpRequest,
    response: HttpResponse,
    show: OneOf(lambda: dict(QueueFilterForm.SHOW), only=["open", "closed", "all"]) = "open",
    mine: bool = False,
    q: Text() = "",
    page: PageNumber = 1,
    page_size: PageSize = MAX_PAGE_SIZE,
):
    try:
        search = services.queue_search(q)
    except ValidationError as exc:
        raise FieldErrors({"q": exc.messages}, location="query") from None
    # One working calendar for the whole list (it is read from the schedule table).
    calendar = services._calendar_around(services.today())
    files = services.desk_queue(request.user, show=show, mine=mine, search=search)
    return [
        _application(request.user, a, calendar=calendar)
        for a in page_of(files, page, page_size, request, response)
    ]


@router.get(
    "/desk/applications/{code}",
    response=ApplicationOut,
    summary="One application and its history",
    description=(
        "A desk officer of the file's gate (or an administrator): the file, its deadlines and "
        "every step taken. Another gate's file is a 404."
    ),
)
def get_application(request: HttpRequest, code: str):
    a = services.find_for_desk(request.user, code)
    return _application(request.user, a, with_history=True)


@router.post(
    "/desk/applications/{code}/actions/{action}",
    response=ApplicationOut,
    summary="Move an application to its next stage",
    description=(
        "A desk officer of the file's gate takes one of `allowed_actions` (a reason where the "
        "step needs one, a new date for an apology); another action is a 409 naming the "
        "allowed ones. A supplement received with its documents: "
        "`POST /desk/applications/{code}/supplement`."
    ),
)
@checked_further(_action_errors)
def act(request: HttpRequest, code: str, action: Action, payload: ActionIn):
    a = services.find_for_desk(request.user, code)
    a = services.act(
        request.user,
        a,
        action,
        reason=payload.reason,
        new_date=payload.new_date,
        result_note=payload.result_note,
        context=context_of(request),
    )
    return _application(request.user, a, with_history=True)


@router.post(
    "/desk/applications/{code}/supplement",
    response={200: ApplicationOut, 422: FilingRefusal},
    summary="Record a supplement received, with its documents (multipart)",
    description=(
        "A desk officer of the file's gate records the supplement the applicant brought to a "
        "file waiting for one, as on the file's page: each document a `documents` file part "
        "(PDF, JPEG or PNG, judged by content, within the upload size limit), an optional "
        "`reason` form field. The clock restarts; a file not waiting for a supplement is a 409."
    ),
)
@decorate_view(api_reads_uploads)
@checked_further(
    _supplement_errors, elsewhere=lambda request: dict.fromkeys(_file_parts(request), "file")
)
def receive_supplement(
    request: HttpRequest,
    code: str,
    payload: Form[SupplementIn],
    documents: File[list[UploadedFile]] = None,
):
    if _unknown_parts(request, SupplementIn) or refusal_of(request):
        return _filing_refusal(request, _supplement_errors(request, payload.dict(), (), code))
    a = services.find_for_desk(request.user, code)
    try:
        a = services.act(
            request.user,
            a,
            "receive_supplement",
            reason=payload.reason,
            documents=documents or [],
            context=context_of(request),
        )
    except FieldErrors as exc:
        return _filing_refusal(request, exc.errors)
    return _application(request.user, a, with_history=True)


@router.post(
    "/desk/applications/{code}/reassign",
    response=ApplicationOut,
    summary="Hand an application to another desk officer (supervisor)",
    description=(
        "A desk supervisor (permission desk.reassign_application) of the file's gate hands it "
        "to another desk officer, named by username."
    ),
)
def reassign(request: HttpRequest, code: str, payload: ReassignIn):
    a = services.find_for_desk(request.user, code)
    assignee = services.desk_officers().filter(username=payload.assignee).first()
    a = services.reassign(request.user, a, assignee, context_of(request))
    return _application(request.user, a, with_history=True)
