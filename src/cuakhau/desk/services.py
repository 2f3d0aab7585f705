"""The one-stop desk's rules: filing, the stages of a file, deadlines in working days,
reassignment, the applicant's look-up, and the procedure catalogue's history.

``_transition`` is the only writer of ``Application.status``: it checks the table, records who,
when, from where and why (``ApplicationTransition``), tells the applicant, and sends
``application_transitioned`` — the hook for the reports and the portal outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, QuerySet, When
from django.dispatch import Signal
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cuakhau.accounts import roles
from cuakhau.core import inputs
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.statemachine import IllegalTransition, StateMachine, Transition  # noqa: F401
from cuakhau.notify.messages import normalise_language
from cuakhau.notify.recipients import e164, normalise_phone
from cuakhau.reference.models import Gate
from cuakhau.reference.text import fold, is_han, query_words
from cuakhau.reference.validators import canonical_ascii

from . import calendar as wd
from . import codes, uploads
from .models import (
    MAX_PROCESSING_DAYS,
    MAX_PROCESSING_HOURS,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    ApplicationTransition,
    DayKind,
    FilingChannel,
    Procedure,
    ProcedureVersion,
    ScheduleDay,
    TrackingAttempt,
)

logger = logging.getLogger("cuakhau.desk")

# Sent after every status change, inside its transaction (reports, the portal outbox).
application_transitioned = Signal()

S = ApplicationStatus
DESK = "desk"  # a desk officer's action (``may_handle``), as opposed to the system's
OPEN = [
    S.RECEIVED,
    S.TRANSFERRED,
    S.PROCESSING,
    S.SUPPLEMENT_REQUESTED,
    S.SUPPLEMENT_RECEIVED,
]
CLOSED = [S.RETURNED, S.REJECTED, S.WITHDRAWN]
# The clock runs in these (waiting for a supplement stops it; a ready result has met it).
RUNNING = [S.RECEIVED, S.TRANSFERRED, S.PROCESSING, S.SUPPLEMENT_RECEIVED]

_transitions = [
    Transition(S.RECEIVED, "transfer", S.TRANSFERRED, DESK),
    Transition(S.TRANSFERRED, "start", S.PROCESSING, DESK),
    Transition(S.PROCESSING, "request_supplement", S.SUPPLEMENT_REQUESTED, DESK, True),
    Transition(S.SUPPLEMENT_REQUESTED, "receive_supplement", S.SUPPLEMENT_RECEIVED, DESK),
    Transition(S.SUPPLEMENT_RECEIVED, "resume", S.PROCESSING, DESK),
    Transition(S.SUPPLEMENT_RECEIVED, "request_supplement", S.SUPPLEMENT_REQUESTED, DESK, True),
    Transition(S.PROCESSING, "ready", S.RESULT_READY, DESK),
    Transition(S.RESULT_READY, "return", S.RETURNED, DESK),
]
for _state in OPEN:
    _transitions.append(Transition(_state, "reject", S.REJECTED, DESK, True))
    _transitions.append(Transition(_state, "withdraw", S.WITHDRAWN, DESK, True))
    # A late file: an apology with a new date; the status stays.
    _transitions.append(Transition(_state, "apologise", _state, DESK, True))
APPLICATION_MACHINE = StateMachine(
    "application", _transitions, states=S, actions=lambda: action_labels()
)


def action_labels() -> dict[str, str]:
    return {
        "file": _("Application received"),
        "take": _("Taken by an officer"),
        "reassign": _("Reassigned"),
        "transfer": _("Transfer to the processing agency"),
        "start": _("Start processing"),
        "request_supplement": _("Request a supplement"),
        "receive_supplement": _("Supplement received"),
        "resume": _("Resume processing"),
        "ready": _("Result ready"),
        "return": _("Result returned to the applicant"),
        # "desk": refusing to accept a file (不予受理), not a customs officer's rejection.
        "reject": pgettext("desk", "Reject"),
        "withdraw": _("Withdrawn by the applicant"),
        "apologise": _("Apology and new date"),
    }


class DeskPermissionDenied(PermissionDenied):
    """The caller may not act on the desk's files (HTTP 403)."""


# ---------------------------------------------------------------------------------------------
# Who


def may_handle(user) -> bool:
    return bool(roles.roles_of(user) & {roles.DESK, roles.ADMINISTRATOR})


def may_reassign(user) -> bool:
    return may_handle(user) and user.has_perm("desk.reassign_application")


def _gate_ids(user) -> set[int]:
    # Read once per request's user: a queue asks it for every row.
    cached = getattr(user, "_desk_gate_ids", None)
    if cached is None:
        profile = getattr(user, "profile", None) if user.is_authenticated else None
        cached = set(profile.gates.values_list("pk", flat=True)) if profile else set()
        user._desk_gate_ids = cached
    return cached


def works_at(user, gate) -> bool:
    """A desk officer of this gate's desk (administrators work at every desk)."""
    if roles.ADMINISTRATOR in roles.roles_of(user):
        return True
    return may_handle(user) and gate.pk in _gate_ids(user)


def desk_officers(gate=None):
    """Active desk officers (of ``gate``'s desk when given) and administrators."""
    from django.contrib.auth import get_user_model

    officers = Q(groups__name=roles.DESK)
    if gate is not None:
        officers &= Q(profile__gates=gate)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(officers | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


def default_gate() -> Gate | None:
    """The desk a file goes to when none is named: the centre at Ma Lù Thàng."""
    return Gate.objects.filter(code=getattr(settings, "DESK_DEFAULT_GATE", "mlt")).first()


def desk_gates() -> QuerySet[Gate]:
    """The gates that have a one-stop desk: at least one active desk officer works there.

    Only they receive files: a file at another gate would be in no officer's queue (only an
    administrator's) and go overdue unseen. A desk opens when an officer is attached to the
    gate (the profile's gates) and closes when its last one leaves or is deactivated; the
    files it already holds stay with it."""
    from django.contrib.auth import get_user_model

    officers = get_user_model().objects.filter(
        is_active=True, groups__name=roles.DESK, profile__gates=OuterRef("pk")
    )
    return Gate.objects.filter(Exists(officers)).order_by("code")


def visible_applications(user) -> QuerySet[Application]:
    """The files this user's desk may see: their gates' (administrators: every gate's).
    Everything that finds a file for an officer starts here, so another gate's file is not
    refused after loading, it is simply not found."""
    qs = Application.objects.select_related("procedure", "assignee", "gate")
    user_roles = roles.roles_of(user)
    if roles.ADMINISTRATOR in user_roles:
        return qs
    if roles.DESK not in user_roles or not hasattr(user, "profile"):
        return qs.none()
    return qs.filter(gate__in=user.profile.gates.all())


# ---------------------------------------------------------------------------------------------
# Calendar


def calendar_for(years) -> wd.WorkingCalendar:
    """The Vietnamese calendar of ``years`` with the official schedule administrators keep."""
    years = sorted(set(years))
    rows = ScheduleDay.objects.filter(day__year__in=years)
    return wd.build_calendar(
        years,
        extra_days_off=[r.day for r in rows if r.kind == DayKind.DAY_OFF],
        extra_working_days=[r.day for r in rows if r.kind == DayKind.WORKING_DAY],
    )


def _calendar_around(day: dt.date) -> wd.WorkingCalendar:
    # A deadline can run into the next year (and a long supplement wait further).
    return calendar_for(range(day.year - 1, day.year + 3))


def _pauses(application: Application) -> list[tuple[dt.date, dt.date]]:
    # A file counted in hours keeps its waits as moments on the desk's clock: their days here.
    return [
        (dt.date.fromisoformat(a[:10]), dt.date.fromisoformat(b[:10]))
        for a, b in application.pauses
    ]


def _wall_clock(moment: dt.datetime, gate: Gate | None) -> dt.datetime:
    """``moment`` as the desk's clock on the wall reads it (naive, as ``calendar`` counts)."""
    return timezone.localtime(moment, desk_zone(gate)).replace(tzinfo=None)


def _on_desk_clock(wall: dt.datetime, gate: Gate | None) -> dt.datetime:
    return wall.replace(tzinfo=desk_zone(gate))


def _moment_pauses(application: Application) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (
            _wall_clock(dt.datetime.fromisoformat(a), application.gate),
            _wall_clock(dt.datetime.fromisoformat(b), application.gate),
        )
        for a, b in application.pauses
    ]


def counted_in_hours(application: Application) -> bool:
    return application.processing_hours is not None


def compute_due_at(
    application: Application, calendar: wd.WorkingCalendar | None = None
) -> dt.datetime:
    """The moment a file counted in hours is due: its hours of office time from its arrival
    (from the desk's next opening when closed), its supplement waits not counted."""
    gate = application.gate
    start = _wall_clock(application.received_at, gate)
    calendar = calendar or _calendar_around(start.date())
    due = wd.add_working_hours(
        start, application.processing_hours, calendar, _moment_pauses(application)
    )
    return _on_desk_clock(due, gate)


def compute_due(application: Application, calendar: wd.WorkingCalendar | None = None) -> dt.date:
    calendar = calendar or _calendar_around(application.receipt_day)
    if counted_in_hours(application):
        return day_at(compute_due_at(application, calendar), application.gate)
    return wd.add_working_days(
        application.receipt_day, application.processing_days, calendar, _pauses(application)
    )


def _set_due(application: Application, calendar: wd.WorkingCalendar) -> None:
    if counted_in_hours(application):
        application.due_at = compute_due_at(application, calendar)
        application.due_date = day_at(application.due_at, application.gate)
    else:
        application.due_date = compute_due(application, calendar)


def _apology_extra_days(application: Application, calendar: wd.WorkingCalendar) -> int | None:
    """The working days an apology's new date gave beyond the due date (None: no apology)."""
    if application.new_due_date is None:
        return None
    return max(
        1,
        wd.working_days_between(
            application.due_date, application.new_due_date, calendar, _pauses(application)
        ),
    )


def desk_zone(gate: Gate | None = None) -> ZoneInfo:
    """The clock a desk's days are counted on: its gate's, else Vietnam's (the desks are Vietnamese
    offices; the server's own zone is not theirs — a host left on UTC took a file sent at 00:30 on
    Saturday for Friday's, and counted its deadline from the wrong day)."""
    if gate is not None:
        return ZoneInfo(gate.time_zone)
    return ZoneInfo(getattr(settings, "DESK_TIME_ZONE", "Asia/Ho_Chi_Minh"))


def today(gate: Gate | None = None) -> dt.date:
    """Today at the gate's desk (at the desks, without one)."""
    return timezone.localdate(timezone=desk_zone(gate))


def day_at(moment: dt.datetime, gate: Gate | None = None) -> dt.date:
    """The desk's date of ``moment`` (``desk_zone``)."""
    return timezone.localdate(moment, desk_zone(gate))


@dataclass
class Standing:
    """Where a file stands against its deadline, for the queue and the tracking page."""

    overdue: bool
    soon_due: bool
    clock_stopped: bool
    days_left: int | None  # working days left (negative: late by)
    # The appointment it stands against (None when the clock does not run).
    due: dt.date | None = None
    # The moment on the desk's clock, for a file counted in hours (``Application.due_moment``).
    due_moment: dt.datetime | None = None

    @property
    def late_by(self) -> int:
        return -self.days_left if self.overdue and self.days_left else 0


SOON_DUE_WORKING_DAYS = 2


def standing(
    application: Application, calendar=None, on: dt.date | None = None, now=None
) -> Standing:
    """``on``: the desk's today; ``now``: the moment a file counted in hours is weighed at."""
    on = on or today()
    if application.status not in OPEN:
        return Standing(False, False, False, None)
    if application.status == S.SUPPLEMENT_REQUESTED:
        return Standing(False, False, True, None)
    calendar = calendar or _calendar_around(on)
    due = application.appointment_date
    moment = application.due_moment
    if on > due:
        # Late by 0 working days on the weekend after a Friday's due date: still overdue.
        late = -wd.working_days_between(due, on, calendar)
        return Standing(True, False, False, late, due, moment)
    if moment is not None and on == due and (now or timezone.now()) > moment:
        # Due at 14:30 today and it is later: late by the hours, not a day.
        return Standing(True, False, False, 0, due, moment)
    left = wd.working_days_between(on, due, calendar)
    return Standing(False, left <= SOON_DUE_WORKING_DAYS, False, left, due, moment)


# ---------------------------------------------------------------------------------------------
# The procedure catalogue


PROCEDURE_FIELDS = [
    "key",
    "national_code",
    "name_vi",
    "name_en",
    "name_zh",
    "agency",
    "agency_en",
    "agency_zh",
    "legal_basis",
    "required_documents",
    "fee_vnd",
    "processing_days",
    "processing_hours",
    "stages",
    "stages_en",
    "stages_zh",
    "confidence",
    "source",
    "notes",
    "active",
]


def procedure_snapshot(procedure: Procedure) -> dict:
    return {f: getattr(procedure, f) for f in PROCEDURE_FIELDS}


@transaction.atomic
def record_procedure_change(procedure: Procedure, actor, note: str = "") -> None:
    """Before a changed procedure is saved: keep its stored state as a version and count up.
    Called by the admin and the loader; saves nothing when nothing changed."""
    if procedure.pk is None:
        procedure.version = 1
        return
    stored = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure_snapshot(stored) == procedure_snapshot(procedure):
        return
    ProcedureVersion.objects.create(
        procedure=stored,
        version=stored.version,
        snapshot=procedure_snapshot(stored),
        replaced_at=timezone.now(),
        replaced_by=actor,
        note=note[:300],
    )
    procedure.version = stored.version + 1


def fileable_procedures() -> QuerySet[Procedure]:
    # A time beyond the bound (stored before it was kept) is no deadline to count.
    in_days = Q(processing_days__lte=MAX_PROCESSING_DAYS, processing_hours__isnull=True)
    in_hours = Q(
        processing_days__isnull=True,
        processing_hours__gte=1,
        processing_hours__lte=MAX_PROCESSING_HOURS,
    )
    return Procedure.objects.filter(in_days | in_hours, active=True)


# ---------------------------------------------------------------------------------------------
# Filing


def _clean(data: dict, name: str, errors, *, required=False, max_length=200, multiline=False):
    value = data.get(name)
    value = "" if value is None else str(value)
    try:
        value = inputs.clean_text(value.strip(), multiline=multiline, max_length=max_length)
    except Exception as exc:  # ValidationError: its message, on its field
        errors[name] = [str(m) for m in getattr(exc, "messages", [str(exc)])]
        return ""
    if required and not value:
        errors[name] = [_("This field is required.")]
    return value


def _check_documents(documents, errors, path="documents"):
    checked = []
    if len(documents) > uploads.MAX_FILES:
        errors[path] = [_("At most %(n)d files.") % {"n": uploads.MAX_FILES}]
        return []
    for i, uploaded in enumerate(documents):
        try:
            checked.append((uploaded, uploads.check(uploaded)))
        except uploads.UploadRefused as exc:
            errors.setdefault(f"{path}.{i}", []).append(str(exc))
    return checked


def _save_documents(application, checked, actor, purpose="filing"):
    for uploaded, (content_type, extension) in checked:
        stored_name, digest = uploads.store(uploaded, extension)
        ApplicationDocument.objects.create(
            application=application,
            original_name=uploads.kept_name(uploaded.name, extension),
            stored_name=stored_name,
            content_type=content_type,
            size=uploaded.size,
            sha256=digest,
            purpose=purpose,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )


def _default_desk(desks: QuerySet[Gate]) -> Gate | None:
    return desks.filter(code=getattr(settings, "DESK_DEFAULT_GATE", "mlt")).first()


def _gate_for_filing(data: dict, actor, channel: str, errors) -> Gate | None:
    """The desk named in ``data["gate"]`` (a gate code), else: at the counter the officer's
    own desk, online the default desk. Only a gate with a desk (``desk_gates``) receives a
    file; an officer files at the counter only for their gates."""
    code = str(data.get("gate") or "").strip().lower()
    desks = desk_gates()
    if code:
        gate = desks.filter(code=code).first() if Gate.could_be_code(code) else None
        if gate is None:
            errors["gate"] = [_("There is no desk at this gate.")]
            return None
    elif channel == FilingChannel.COUNTER and hasattr(actor, "profile"):
        gate = desks.filter(pk__in=actor.profile.gates.all()).first() or _default_desk(desks)
    else:
        gate = _default_desk(desks)
    if gate is None:
        errors["gate"] = [_("Choose the gate whose desk receives the application.")]
        return None
    if channel == FilingChannel.COUNTER and not works_at(actor, gate):
        errors["gate"] = [_("You work at another gate's desk.")]
        return None
    return gate


@dataclass
class _Filing:
    procedure: Procedure | None
    gate: Gate | None
    values: dict
    documents: list
    errors: dict[str, list[str]]


def _check_filing(data: dict, documents, actor, channel: str) -> _Filing:
    """Every field of a filing as stored, and every refusal at once, by field path."""
    errors: dict[str, list[str]] = {}
    procedure = None
    key = str(data.get("procedure") or "").strip()
    if not key:
        errors["procedure"] = [_("Choose a procedure.")]
    else:
        # A key with a control character names no procedure (PostgreSQL refuses a NUL in
        # the lookup itself).
        readable = not inputs.CONTROL_CHARACTER.search(key)
        procedure = fileable_procedures().filter(key=key).first() if readable else None
        if procedure is None:
            errors["procedure"] = [_("This procedure cannot be filed here.")]
    values = {
        "applicant_name": _clean(data, "applicant_name", errors, required=True),
        "organisation_name": _clean(data, "organisation_name", errors),
        "id_number": canonical_ascii(_clean(data, "id_number", errors, max_length=20)),
        "address": _clean(data, "address", errors, max_length=300),
        "note": _clean(data, "note", errors, max_length=2000, multiline=True),
        "email": _clean(data, "email", errors, max_length=254),
    }
    if values["email"] and "email" not in errors:
        # The page's EmailField's check, for the API too: ``a@b, victim@c`` or ``<x>@y`` is
        # no one address to send the file's messages to.
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    phone = ""
    try:
        phone = normalise_phone(str(data.get("phone") or ""))
    except ValueError:
        errors["phone"] = [_("Enter a phone number, e.g. 0912 345 678.")]
    if not phone and "phone" not in errors:
        errors["phone"] = [_("The phone number is required: it is the second key of tracking.")]
    values["phone"] = phone
    values["language"] = normalise_language(str(data.get("language") or "vi"))
    gate = _gate_for_filing(data, actor, channel, errors)
    documents = list(documents or [])
    checked = _check_documents(documents, errors)
    if channel == FilingChannel.ONLINE and not documents and "documents" not in errors:
        errors["documents"] = [_("Attach the documents the procedure requires.")]
    return _Filing(procedure, gate, values, checked, errors)


def filing_errors(
    data: dict, documents=(), *, actor=None, channel: str = FilingChannel.ONLINE
) -> dict[str, list[str]]:
    """What ``file_application`` would refuse in these fields, all at once; files nothing.
    A form that refused some fields itself asks this for the others' refusals, so that a
    person sees every error of what they typed in one answer, not one round after another."""
    return _check_filing(data, documents, actor, channel).errors


def file_application(
    data: dict,
    documents=(),
    *,
    actor=None,
    channel: str = FilingChannel.ONLINE,
    context: RequestContext = SYSTEM,
    now: dt.datetime | None = None,
) -> Application:
    """Receive a file online (anyone, signed in or not) or at the counter (a desk officer).

    ``data``: procedure (key), gate (code; see ``_gate_for_filing``), applicant_name, phone,
    email, language, organisation_name, id_number, address, note. Raises ``FieldErrors`` with
    the field paths.
    """
    if channel == FilingChannel.COUNTER and not may_handle(actor):
        raise DeskPermissionDenied(_("Only desk officers file applications at the counter."))
    now = now or timezone.now()
    if channel == FilingChannel.ONLINE:
        _throttle_filing(context.remote_addr, now)
    filing = _check_filing(data, documents, actor, channel)
    if filing.errors:
        raise FieldErrors(filing.errors)
    procedure, gate, checked = filing.procedure, filing.gate, filing.documents

    with transaction.atomic():
        arrived = _wall_clock(now, gate)
        calendar = _calendar_around(arrived.date())
        # After closing time, or on a day off, the desk receives it at its next opening.
        receipt_day = wd.receipt_day_of(arrived, calendar)
        application = Application(
            code=codes.new_code(),
            procedure=procedure,
            procedure_version=procedure.version,
            gate=gate,
            status=S.RECEIVED,
            channel=channel,
            **filing.values,
            filed_by=actor if getattr(actor, "is_authenticated", False) else None,
            assignee=actor if channel == FilingChannel.COUNTER else None,
            received_at=now,
            receipt_day=receipt_day,
            processing_days=procedure.processing_days,
            processing_hours=procedure.processing_hours,
        )
        _set_due(application, calendar)
        application.save()
        _save_documents(application, checked, actor)
        _record(application, "file", "", actor, context, "", {"channel": channel})
        _tell(application, "desk_received")
        application_transitioned.send(
            sender=Application,
            application=application,
            action="file",
            from_status="",
            to_status=application.status,
            actor=actor,
        )
    return application


# ---------------------------------------------------------------------------------------------
# Transitions


def _record(application, action, from_status, actor, context, reason, data=None):
    return ApplicationTransition.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
        reason=reason,
        channel=context.channel,
        remote_addr=context.remote_addr,
        due_date=application.appointment_date,
        data=data or {},
    )


def _date_text(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _tell(application: Application, template: str, **extra) -> None:
    """Tell the applicant in their language; a message that cannot be sent never undoes the
    change (it is logged, and the file's page shows the status anyway)."""
    from cuakhau.notify.services import notify

    # The procedure, the status and the date as themselves: the notifier keeps each in every
    # language, so the applicant reads theirs and the notifications page its reader's (text
    # made here in the applicant's language showed a desk officer "正在处理").
    context = {
        "code": application.code,
        "procedure": application.procedure,
        "status": ApplicationStatus(application.status).label,
        # A file counted in hours: the moment it is due, written in its desk's time.
        "due": application.due_moment or application.appointment_date,
        **extra,
    }
    from .messages import DESK_TEMPLATES

    params = next(t.params for t in DESK_TEMPLATES if t.code == template)
    count = application.transitions.count()
    # Stored with its country code and without "+" (``normalise_phone``): given back as such, a
    # foreign number would be refused and take the e-mail down with it.
    # One unusable address does not stop the message on the other: the notifier records it
    # on the message and writes to the one it can use.
    recipient = {"phone": e164(application.phone), "email": application.email}
    try:
        notify(
            recipient=recipient,
            language=application.language,
            template=template,
            context={p: context[p] for p in params},
            dedupe_key=f"desk:{application.code}:{count}:{template}",
        )
    except FieldErrors:
        logger.warning("desk: could not notify the applicant of %s", application.code)


_TEMPLATE_OF = {
    "request_supplement": "desk_supplement",
    # The wait moved the result date: the applicant is told the new one.
    "receive_supplement": "desk_supplement_received",
    "ready": "desk_result_ready",
    "apologise": "desk_apology",
}


def _transition(
    application: Application,
    action: str,
    actor,
    context: RequestContext = SYSTEM,
    reason: str = "",
    data: dict | None = None,
) -> ApplicationTransition:
    """Check and apply one transition of the table; the only writer of the status."""
    transition = APPLICATION_MACHINE.get(application.status, action)
    if transition.permission == DESK and not may_handle(actor):
        raise DeskPermissionDenied(_("Only desk officers move applications."))
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise FieldErrors({"reason": [_("Give a reason.")]})
    from_status = application.status
    application.status = transition.target
    application.save()
    record = _record(application, action, from_status, actor, context, reason, data)
    template = _TEMPLATE_OF.get(action, "desk_status")
    _tell(application, template, reason=reason)
    application_transitioned.send(
        sender=Application,
        application=application,
        action=action,
        from_status=from_status,
        to_status=application.status,
        actor=actor,
        transition=record,
    )
    return record


def _locked(application: Application, actor) -> Application:
    """The file, locked, if ``actor``'s desk may see it (another gate's: DoesNotExist)."""
    found = (
        visible_applications(actor)
        .select_for_update(of=("self",))
        .filter(pk=application.pk)
        .first()
    )
    if found is None:
        raise Application.DoesNotExist(_("No application %(code)s.") % {"code": application.code})
    return found


def _action_documents(action: str, documents, errors, refused=()) -> list:
    """The documents an action brings, checked; their refusal kept in ``errors``."""
    documents = list(documents or [])
    if "documents" in refused:
        return []
    if documents and action != "receive_supplement":
        # Only a received supplement brings files: any other action's would be kept as the
        # applicant's own filing (a crafted post to ``reject`` with files).
        errors["documents"] = [_("Documents are added only when a supplement is received.")]
        return []
    return _check_documents(documents, errors)


def _action_field_errors(
    application: Application, action: str, reason, new_date, day: dt.date, refused=()
) -> dict[str, list[str]]:
    """The reason's and the new date's refusals of ``action`` on ``application`` together,
    never the first alone (``refused``: fields refused already, not checked again)."""
    errors: dict[str, list[str]] = {}
    transition = APPLICATION_MACHINE.table.get((application.status, action))
    needs_reason = transition is not None and transition.reason_required
    if "reason" not in refused and needs_reason and not (reason or "").strip():
        errors["reason"] = [_("Give a reason.")]
    if action == "apologise" and "new_date" not in refused:
        message = _new_date_refusal(application, new_date, day)
        if message:
            errors["new_date"] = [message]
    return errors


def _new_date_refusal(application: Application, new_date, day: dt.date) -> str:
    """Why an apology's new result date is refused; "" for a good one."""
    if application.new_due_date is not None:
        return _("A new date was already given once; it cannot be moved.")
    if new_date is None:
        return _("Give the new result date.")
    if new_date <= application.due_date:
        return _("The new date must be after the due date.")
    if new_date <= day:
        # A day already here or gone: the file would stay overdue under a date the applicant
        # is told and nobody can correct (the new date is given only once).
        return _("The new date must be after today, %(date)s.") % {"date": _date_text(day)}
    if new_date > application.due_date + dt.timedelta(days=366):
        return _("Give a date within a year.")
    if not _calendar_around(new_date).is_working_day(new_date):
        # The applicant comes for the result that day: a Sunday or a Tết day finds the desk
        # closed.
        return _("The desk is closed on %(date)s: give a working day.") % {
            "date": _date_text(new_date)
        }
    return ""


def action_errors(
    actor,
    application: Application,
    action: str,
    *,
    reason="",
    new_date: dt.date | None = None,
    documents=(),
    refused=(),
) -> dict[str, list[str]]:
    """What ``act`` would refuse in these fields, all at once; changes nothing. A form (or the
    API's schema) that refused some fields (``refused``) asks this for the others'."""
    if not may_handle(actor):
        raise DeskPermissionDenied(_("Only desk officers move applications."))
    # An action the file's state does not allow is that (409), whatever its fields say.
    APPLICATION_MACHINE.get(application.status, action)
    errors: dict[str, list[str]] = {}
    _action_documents(action, documents, errors, refused)
    day = today(application.gate)
    errors.update(_action_field_errors(application, action, reason, new_date, day, refused))
    return errors


def act(
    actor,
    application: Application,
    action: str,
    *,
    reason: str = "",
    new_date: dt.date | None = None,
    result_note: str = "",
    documents=(),
    context: RequestContext = SYSTEM,
) -> Application:
    """An officer's action on a file (the table in ``APPLICATION_MACHINE``)."""
    if not may_handle(actor):
        raise DeskPermissionDenied(_("Only desk officers move applications."))
    errors: dict[str, list[str]] = {}
    checked = _action_documents(action, documents, errors)
    with transaction.atomic():
        application = _locked(application, actor)
        # An action the file's state does not allow is that (409), before its fields' refusals:
        # an apology on a returned file without a date was told to give a date.
        APPLICATION_MACHINE.get(application.status, action)
        day = today(application.gate)
        errors.update(_action_field_errors(application, action, reason, new_date, day))
        if errors:
            raise FieldErrors(errors)
        data: dict = {}
        if action == "request_supplement":
            application.paused_since = day
            application.supplement_request = reason.strip()
        elif action == "receive_supplement":
            # Its years from the receipt to past today: a long wait's due date is counted on
            # the holidays of the years it falls in.
            years = range(application.receipt_day.year - 1, day.year + 3)
            calendar = calendar_for(years)
            promised = _apology_extra_days(application, calendar)
            if counted_in_hours(application):
                # Counted in hours, the clock stopped at the request and restarts now.
                pause = [_request_moment(application).isoformat(), _desk_now(application)]
            else:
                # The clock stopped the day after the request and restarts the day after today.
                stopped = application.paused_since or day
                pause = [stopped.isoformat(), day.isoformat()]
            application.pauses = [*application.pauses, pause]
            application.paused_since = None
            _set_due(application, calendar)
            data = {"pause": pause}
            if promised is not None:
                # The wait stops the apology's clock too: the new date keeps the working days
                # it gave beyond the due date (left where it was, it could fall before the
                # recounted due date and make a file on time look late).
                application.new_due_date = wd.add_working_days(
                    application.due_date, promised, calendar, _pauses(application)
                )
                data["new_due"] = application.new_due_date.isoformat()
        elif action == "ready":
            application.result_at = timezone.now()
            application.result_note = result_note.strip()
        elif action in ("return", "reject", "withdraw"):
            application.closed_at = timezone.now()
        elif action == "apologise":
            application.new_due_date = new_date
            data = {"old_due": application.due_date.isoformat(), "new_due": new_date.isoformat()}
        _transition(application, action, actor, context, reason, data)
        if checked:
            _save_documents(
                application,
                checked,
                actor,
                "supplement" if action == "receive_supplement" else "filing",
            )
    return application


def _desk_now(application: Application) -> str:
    return timezone.localtime(timezone.now(), desk_zone(application.gate)).isoformat()


def _request_moment(application: Application) -> dt.datetime:
    """When the supplement the file waits for was requested, on its desk's clock."""
    asked = (
        application.transitions.filter(action="request_supplement").order_by("-at", "-id").first()
    )
    moment = asked.at if asked is not None else timezone.now()
    return timezone.localtime(moment, desk_zone(application.gate))


def reassign(actor, application: Application, assignee, context: RequestContext = SYSTEM):
    """A supervisor hands the file to another desk officer (recorded, status unchanged)."""
    if not may_reassign(actor):
        raise DeskPermissionDenied(_("Only a desk supervisor reassigns applications."))
    if assignee is None or not may_handle(assignee) or not assignee.is_active:
        raise FieldErrors({"assignee": [_("Choose a desk officer.")]})
    with transaction.atomic():
        application = _locked(application, actor)
        if not works_at(assignee, application.gate):
            raise FieldErrors({"assignee": [_("Choose a desk officer of this gate.")]})
        previous = application.assignee
        application.assignee = assignee
        application.save(update_fields=["assignee"])
        _record(
            application,
            "reassign",
            application.status,
            actor,
            context,
            "",
            {"from": previous.username if previous else "", "to": assignee.username},
        )
    return application


def assignee_left(application: Application) -> bool:
    """The file's officer no longer works at its desk (deactivated, moved to another gate, no
    longer a desk officer): the file is nobody's."""
    officer = application.assignee
    if officer is None:
        return False
    return not officer.is_active or not works_at(officer, application.gate)


def may_take(user, application: Application) -> bool:
    """An officer of the file's desk takes a file nobody holds: unassigned, or whose officer
    left the desk (it stayed theirs, and only a supervisor could move it)."""
    if not works_at(user, application.gate):
        return False
    return application.assignee_id is None or assignee_left(application)


def take(actor, application: Application, context: RequestContext = SYSTEM):
    """An officer takes an unassigned file, or one whose officer left the desk."""
    if not may_handle(actor):
        raise DeskPermissionDenied(_("Only desk officers move applications."))
    with transaction.atomic():
        application = _locked(application, actor)
        if application.assignee_id is not None and not assignee_left(application):
            raise StateRefused(_("This file is already assigned."))
        previous = application.assignee
        application.assignee = actor
        application.save(update_fields=["assignee"])
        data = {"to": actor.username}
        if previous is not None:
            data["from"] = previous.username
        _record(application, "take", application.status, actor, context, "", data)
    return application


def allowed_actions(user, application: Application) -> list[str]:
    if not works_at(user, application.gate):
        return []
    actions = APPLICATION_MACHINE.actions_from(application.status)
    if application.new_due_date is not None:
        actions = [a for a in actions if a != "apologise"]
    return actions


# ---------------------------------------------------------------------------------------------
# Finding files


# The longest search the queue reads: a name of 200 characters and a little more.
SEARCH_LENGTH = 200
# A code's start as an officer types it before the end: "MC-YJ7N", "mcyj7n" (at least 3 of
# its 9 characters, fewer would match a good part of the queue).
_CODE_START = re.compile(rf"{codes.PREFIX}([0-9A-Z]{{3,{codes.LENGTH}}})")
# The end of a phone number read out by the applicant ("…345 678"): six digits at least.
_PHONE_END = re.compile(r"[0-9]{6,15}")


def queue_search(text: str) -> Q | None:
    """The files a desk officer's search finds, or None when nothing was typed: by the file's
    code as tracking reads it (any case, with or without its dash; or its start), the
    applicant's phone as filing stores it (or its last digits), or the applicant's or
    organisation's name, each word the start of a word of it, without regard to case, tone
    marks or đ ("nguyen van a" finds "Nguyễn Văn A"; ``Application.search_key``).

    Raises ``ValidationError`` (for the field it was typed in) for a search it cannot read:
    control characters, longer than a name, or nothing to look for ("--", "…")."""
    text = inputs.clean_text(text or "").strip()
    if not text:
        return None
    if len(text) > SEARCH_LENGTH:
        raise ValidationError(
            _("A search is at most %(limit)d characters: a code, a name or a phone number.")
            % {"limit": SEARCH_LENGTH},
            code="max_length",
        )
    folded = fold(text)
    if not folded:
        raise ValidationError(
            _("Type a tracking code, part of the applicant's name or a phone number."),
            code="invalid",
        )
    found = Q(pk__in=[])
    code = codes.normalise_code(text)
    compact = re.sub(r"[\s\-_.]", "", canonical_ascii(text)).upper()
    if code:
        found |= Q(code=code)
    elif m := _CODE_START.fullmatch(compact):
        found |= Q(code__startswith=f"{codes.PREFIX}-{m[1]}")
    try:
        phone = normalise_phone(text)
    except ValueError:
        phone = ""
    if phone:
        found |= Q(phone=phone)
    digits = re.sub(r"[\s\-_.()+]", "", canonical_ascii(text))
    if _PHONE_END.fullmatch(digits):
        found |= Q(phone__endswith=digits.lstrip("0") or digits)
    name = Q()
    for word in query_words(folded):
        # A Latin word begins a word of the name; Han characters stand anywhere (no spaces).
        name &= Q(search_key__contains=word if any(is_han(c) for c in word) else f" {word}")
    return found | name


def desk_queue(
    user, *, show: str = "open", mine: bool = False, search: Q | None = None
) -> QuerySet[Application]:
    """The files a desk officer sees, ``show``-n, ``mine`` only, found by ``search``
    (``queue_search``)."""
    if not may_handle(user):
        raise DeskPermissionDenied(_("Only desk officers see the desk's queue."))
    qs = visible_applications(user)
    if search is not None:
        qs = qs.filter(search)
    if show == "open":
        qs = qs.filter(status__in=[*OPEN, S.RESULT_READY])
    elif show == "closed":
        qs = qs.filter(status__in=CLOSED)
    if mine:
        qs = qs.filter(assignee=user)
    # Files due the same day: one timed in hours by its moment, before those due at closing.
    return qs.order_by("due_date", F("due_at").asc(nulls_last=True), "id")


def queue_counts(
    files: QuerySet[Application], on: dt.date | None = None, calendar=None, now=None
) -> tuple[int, int]:
    """How many of ``files`` are overdue and how many due within ``SOON_DUE_WORKING_DAYS``, as
    ``standing`` says it of each, counted by the database over them all (a queue shows a page)."""
    on = on or today()
    now = now or timezone.now()
    # Due within two working days: before the third working day after today.
    calendar = calendar or _calendar_around(on)
    soon_limit = wd.add_working_days(on, SOON_DUE_WORKING_DAYS + 1, calendar)
    appointment = Case(
        When(new_due_date__gt=F("due_date"), then=F("new_due_date")), default=F("due_date")
    )
    # A file counted in hours is late from its moment (while no apology gave it a day).
    past_moment = Q(new_due_date__isnull=True, due_at__lt=now)
    counts = (
        files.filter(status__in=RUNNING)
        .annotate(appointment=appointment)
        .aggregate(
            overdue=Count("pk", filter=Q(appointment__lt=on) | past_moment),
            soon_due=Count(
                "pk",
                filter=Q(appointment__gte=on, appointment__lt=soon_limit) & ~past_moment,
            ),
        )
    )
    return counts["overdue"], counts["soon_due"]


def find_for_desk(user, code: str) -> Application:
    if not may_handle(user):
        raise DeskPermissionDenied(_("Only desk officers see the desk's files."))
    normal = codes.normalise_code(code)
    application = visible_applications(user).filter(code=normal).first() if normal else None
    if application is None:
        raise Application.DoesNotExist(_("No application %(code)s.") % {"code": code})
    return application


class TooManyAttempts(Exception):
    """Too many look-ups, or online filings, from this address (HTTP 429). ``retry_after``:
    whole seconds until the oldest attempt counted leaves the window (the Retry-After header)."""

    def __init__(self, message, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _seconds_until_out(attempts, window: dt.timedelta, now: dt.datetime) -> int:
    oldest = attempts.aggregate(oldest=Min("at"))["oldest"] or now
    return math.ceil((oldest + window - now).total_seconds())


def _throttle(remote_addr: str | None, code: str = "") -> None:
    limit = getattr(settings, "DESK_TRACKING_LIMIT", 10)
    window = dt.timedelta(seconds=getattr(settings, "DESK_TRACKING_WINDOW_SECONDS", 900))
    now = timezone.now()
    since = now - window
    TrackingAttempt.objects.filter(at__lt=since - window).delete()
    from_address = TrackingAttempt.objects.filter(remote_addr=remote_addr, at__gte=since)
    if from_address.count() >= limit:
        raise TooManyAttempts(
            _("Too many look-ups from this address. Try again later."),
            _seconds_until_out(from_address, window, now),
        )
    # Wrong phones for one code from any addresses (a caller with many of them):
    # guessing a known code's phone stays as slow as from one address.
    code_limit = getattr(settings, "DESK_TRACKING_CODE_LIMIT", limit)
    wrong_for_code = TrackingAttempt.objects.filter(code=code, found=False, at__gte=since)
    if code and wrong_for_code.count() >= code_limit:
        raise TooManyAttempts(
            _("Too many wrong look-ups of this code. Try again later."),
            _seconds_until_out(wrong_for_code, window, now),
        )


def _throttle_filing(remote_addr: str | None, now: dt.datetime) -> None:
    """Online filing is open to anyone, with documents of up to the upload limit each: one
    address filing without end would fill the disk and bury the desk's queue. Counted from the
    filings it made (refused ones store nothing); a desk officer's counter filings never."""
    if remote_addr is None:  # a command or a test, not a caller
        return
    limit = getattr(settings, "DESK_FILING_LIMIT", 20)
    window = dt.timedelta(seconds=getattr(settings, "DESK_FILING_WINDOW_SECONDS", 3600))
    filed = ApplicationTransition.objects.filter(
        action="file",
        remote_addr=remote_addr,
        at__gte=now - window,
        application__channel=FilingChannel.ONLINE,
    )
    if filed.count() >= limit:
        raise TooManyAttempts(
            _("Too many applications filed from this address. Try again in an hour."),
            _seconds_until_out(filed, window, now),
        )


def track(code: str, phone: str, context: RequestContext = SYSTEM) -> Application | None:
    """The application with this code *and* this applicant's phone, else None — the same None
    for an unknown code, a wrong phone or a malformed code, so codes cannot be enumerated.
    Every attempt counts against the caller's address."""
    # An IP address or None (``core.context.client_address``): never a header's text.
    address = context.remote_addr
    normal = codes.normalise_code(code)
    _throttle(address, normal or "")
    try:
        number = normalise_phone(phone)
    except ValueError:
        number = ""
    found = None
    if normal and number:
        found = (
            Application.objects.select_related("procedure")
            .filter(code=normal, phone=number)
            .first()
        )
    TrackingAttempt.objects.create(
        remote_addr=address, at=timezone.now(), found=found is not None, code=normal or ""
    )
    return found


def document_of(application: Application, document_id) -> ApplicationDocument:
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        pk = 0
    document = application.documents.filter(pk=pk).first()
    if document is None:
        raise ApplicationDocument.DoesNotExist(_("No such document."))
    return document


def history(application: Application):
    return application.transitions.select_related("actor").order_by("at", "id")


# Who in the desk holds the file is the desk's own business: the applicant's history showed
# "received" twice, the second time for an officer taking the file.
INTERNAL_STEPS = frozenset({"take", "reassign"})


def applicant_history(application: Application) -> list:
    """The application's history as its applicant reads it: its own steps, not the desk's
    hand-overs between officers."""
    return [t for t in history(application) if t.action not in INTERNAL_STEPS]


def NOT_FOUND_MESSAGE() -> str:  # noqa: N802
    # One message for an unknown code, a wrong phone and a malformed code.
    return _("No application matches this code and phone number.")
