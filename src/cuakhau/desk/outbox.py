"""The portal outbox: every status change of an application becomes an ``OutboxEvent`` written
in the change's own transaction (a transactional outbox: the change and its event commit or
roll back together), then published in sequence order through a backend
(``outbox_backends``) that a connector to the provincial or national public-service portal
consumes. ``docs/desk-outbox.md`` documents the record and its mapping to the portal's fields.

Writing: ``record_event`` listens to ``services.application_transitioned`` (sent by filing and
by ``_transition``, the only writer of the status). Publishing: ``publish_pending`` (the
command ``cuakhau desk_outbox publish``, and ``publish_outbox_task`` queued after each change).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Application, ApplicationStatus, FilingChannel, OutboxEvent, OutboxSequence
from .outbox_backends import OutboxBackend, get_backend

logger = logging.getLogger("cuakhau.desk.outbox")

S = ApplicationStatus
FORMAT = "cuakhau.desk.status/1"
SEQUENCE = "portal"
PUBLISHER = "publisher"
BATCH = 500

# Our status → the national public-service portal's file status code (TrangThaiHoSo), as
# recalled from provincial systems' synchronisation; ASSUMED, see docs/desk-outbox.md.
PORTAL_STATUS = {
    S.RECEIVED: "2",  # Đã tiếp nhận
    S.TRANSFERRED: "4",  # Đang xử lý (handed to the processing agency)
    S.PROCESSING: "4",  # Đang xử lý
    S.SUPPLEMENT_REQUESTED: "5",  # Yêu cầu bổ sung hồ sơ
    S.SUPPLEMENT_RECEIVED: "4",  # Đang xử lý (again)
    S.RESULT_READY: "9",  # Đã xử lý xong (result waiting at the desk)
    S.RETURNED: "10",  # Đã trả kết quả
    S.REJECTED: "8",  # Dừng xử lý / từ chối giải quyết
    S.WITHDRAWN: "7",  # Công dân yêu cầu rút hồ sơ
}
# Refused at the desk before any processing: "not received" rather than "stopped".
PORTAL_REFUSED_AT_RECEPTION = "3"  # Không được tiếp nhận
# Our filing channel → the portal's channel code (KenhThucHien); ASSUMED.
PORTAL_CHANNEL = {FilingChannel.COUNTER: "1", FilingChannel.ONLINE: "3"}


def _zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "DESK_TIME_ZONE", "Asia/Ho_Chi_Minh"))


def _when(value: dt.datetime | None) -> str | None:
    """ISO 8601 in Vietnam's time with its offset: what the portal shows, and unambiguous."""
    if value is None:
        return None
    return value.astimezone(_zone()).isoformat(timespec="seconds")


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def portal_status(from_status: str, to_status: str) -> str:
    if to_status == S.REJECTED and from_status == S.RECEIVED:
        return PORTAL_REFUSED_AT_RECEPTION
    return PORTAL_STATUS[S(to_status)]


def _officer(actor) -> dict | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return {"username": actor.username, "name": actor.get_full_name() or actor.username}


def build_payload(
    sequence: int,
    application: Application,
    action: str,
    from_status: str,
    actor,
    at: dt.datetime,
    reason: str,
) -> dict:
    """The published record: the file's state after the change, complete enough for a status
    sync (code, procedure, status in both vocabularies, dates, officer, agency, reason)."""
    procedure = application.procedure
    return {
        "format": FORMAT,
        "sequence": sequence,
        "occurred_at": _when(at),
        "action": action,
        "tracking_code": application.code,
        "procedure": {
            "key": procedure.key,
            "national_code": procedure.national_code or None,
            "name_vi": procedure.name_vi,
            "version": application.procedure_version,
        },
        "agency": procedure.agency,
        "status": application.status,
        "previous_status": from_status or None,
        "portal_status": portal_status(from_status, application.status),
        "channel": application.channel,
        "portal_channel": PORTAL_CHANNEL.get(application.channel),
        "applicant": {
            "name": application.applicant_name,
            "organisation": application.organisation_name or None,
            "id_number": application.id_number or None,
        },
        "officer": _officer(actor),
        "assignee": application.assignee.username if application.assignee_id else None,
        "received_at": _when(application.received_at),
        "receipt_day": _day(application.receipt_day),
        "processing_days": application.processing_days,
        "processing_hours": application.processing_hours,
        "due_date": _day(application.due_date),
        "due_at": _when(application.due_moment),
        "new_due_date": _day(application.new_due_date),
        "appointment_date": _day(application.appointment_date),
        "clock_stopped_since": _day(application.paused_since),
        "pauses": application.pauses,
        "result_at": _when(application.result_at),
        "closed_at": _when(application.closed_at),
        "reason": reason or None,
        "supplement_request": (
            application.supplement_request if application.status == S.SUPPLEMENT_REQUESTED else None
        ),
    }


def _next_sequence() -> int:
    """The next number, from the counter row locked until this transaction ends (see
    ``OutboxSequence``). The migration creates the row; ``get_or_create`` covers a flushed
    test database."""
    counter = OutboxSequence.objects.select_for_update().filter(name=SEQUENCE).first()
    if counter is None:
        counter, _created = OutboxSequence.objects.get_or_create(name=SEQUENCE)
        counter = OutboxSequence.objects.select_for_update().get(name=SEQUENCE)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def record_event(
    sender=None,
    *,
    application: Application,
    action: str,
    from_status: str,
    to_status: str,
    actor=None,
    transition=None,
    **kwargs,
) -> OutboxEvent:
    """The receiver of ``application_transitioned``: one event, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        # An event outside the change's transaction could survive a change that did not.
        raise RuntimeError("an outbox event must be written inside the change's transaction")
    at = transition.at if transition is not None else application.received_at
    reason = transition.reason if transition is not None else ""
    sequence = _next_sequence()
    event = OutboxEvent.objects.create(
        sequence=sequence,
        application=application,
        tracking_code=application.code,
        action=action,
        status=to_status,
        portal_status=portal_status(from_status, to_status),
        occurred_at=at,
        payload=build_payload(sequence, application, action, from_status, actor, at, reason),
    )
    if getattr(settings, "DESK_OUTBOX_AUTOPUBLISH", True):
        transaction.on_commit(enqueue_publication)
    return event


# ---------------------------------------------------------------------------------------------
# Publishing


def pending():
    return OutboxEvent.objects.filter(published_at__isnull=True).order_by("sequence")


@dataclass
class Publication:
    published: int = 0
    pending: int = 0
    error: str = ""


def _publisher_lock() -> None:
    # One publisher at a time (worker, command): a second waits rather than sending the same
    # events again. Its own row, so filing and transitions never wait for a slow backend.
    OutboxSequence.objects.get_or_create(name=PUBLISHER)
    OutboxSequence.objects.select_for_update().get(name=PUBLISHER)


def publish_batch(backend: OutboxBackend, limit: int = BATCH) -> Publication:
    """Send the oldest pending events to ``backend``; mark the acknowledged ones in order. An
    event is marked only when every earlier one is, so a portal never sees a gap that stays."""
    result = Publication()
    with transaction.atomic():
        _publisher_lock()
        events = list(pending()[:limit])
        if not events:
            return result
        try:
            acknowledged = set(backend.publish([e.payload for e in events]))
        except Exception as exc:  # noqa: BLE001 - any failure of a backend keeps them pending
            logger.warning("desk outbox: the backend failed: %s", exc, exc_info=True)
            acknowledged, result.error = set(), f"{type(exc).__name__}: {exc}"[:1000]
        done = []
        for event in events:
            if event.sequence not in acknowledged:
                break
            done.append(event.pk)
        now = timezone.now()
        OutboxEvent.objects.filter(pk__in=done).update(published_at=now, last_error="")
        failed = [e.pk for e in events if e.pk not in set(done)]
        if failed:
            error = result.error or "not acknowledged by the backend"
            for event in events[len(done) :]:
                OutboxEvent.objects.filter(pk=event.pk).update(
                    attempts=event.attempts + 1, last_error=error
                )
            result.error = error
        result.published = len(done)
    return result


def publish_pending(backend: OutboxBackend | None = None, *, batch: int = BATCH) -> Publication:
    """Publish every pending event in order, batch after batch, until none is left or a batch
    does not go through entirely (the rest waits for the next run)."""
    backend = backend or get_backend()
    total = Publication()
    while True:
        step = publish_batch(backend, batch)
        total.published += step.published
        if step.error or step.published < batch:
            total.error = step.error
            break
    total.pending = pending().count()
    return total


@task()
def publish_outbox_task() -> int:
    result = publish_pending()
    if result.error:
        # Raised so the task shows FAILED; the events stay pending for the next change, the
        # command or a retry.
        raise RuntimeError(result.error)
    return result.published


def enqueue_publication() -> None:
    """After a change commits: queue one publication unless one already waits."""
    try:
        from django_tasks_db.models import DBTaskResult

        path = f"{publish_outbox_task.func.__module__}.{publish_outbox_task.func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
            return
    except Exception:  # noqa: BLE001 - another task backend keeps its own queue
        logger.debug("desk outbox: cannot look for a queued publication", exc_info=True)
    try:
        publish_outbox_task.enqueue()
    except Exception:  # noqa: BLE001 - the change stands; the command or the next change sends
        logger.warning("desk outbox: could not queue the publication", exc_info=True)
