"""Notify a person once, on the channel that reaches them, and record everything.

``notify`` is the one entry point for every app (slots call trucks forward, receipts tell
drivers of a replaced or revoked receipt, the desk tells applicants): it records a ``Message``
and enqueues its sending.
``send_message`` (run by the task worker) is the only code that talks to providers:

- a message is sent at most once: its row is locked and its status checked before an attempt;
  the attempt is recorded *before* the provider is called and completed after; an accepted
  attempt (with the provider's id) is final;
- a transient error is tried again on the same channel after an exponential back-off
  (``backoff_seconds`` × 2^(n-1), capped), up to ``max_attempts``; a permanent error (or the
  last transient one) moves on to the next channel (ZNS → SMS → e-mail), and when none is left
  the message has failed;
- an attempt left "in flight" by a worker that died is never repeated blindly: when the
  provider refuses repeated request ids (eSMS) the message is tried again, otherwise it is
  marked "outcome unknown" for a person to decide.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import shown
from cuakhau.core.phrases import Phrase, as_stored
from cuakhau.core.statemachine import StateMachine, Transition

from . import adapters
from .messages import TEMPLATES, normalise_language, prepare_context
from .models import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    FailureReason,
    Message,
    MessageStatus,
)
from .recipients import normalise_phone

logger = logging.getLogger("cuakhau.notify")

S = MessageStatus
# What each step of a message's delivery is called where a person reads it (a refusal).
MESSAGE_ACTIONS = {
    "send": gettext_lazy("send"),
    "accepted": gettext_lazy("accepted by the provider"),
    "retry": gettext_lazy("try again later"),
    "fail": gettext_lazy("fail"),
    "lost": gettext_lazy("lose track of it"),
    "delivered": gettext_lazy("delivered"),
    "undelivered": gettext_lazy("not delivered"),
    "resend": gettext_lazy("send again"),
    "expire": gettext_lazy("give up: too late to be of use"),
}
MESSAGE_MACHINE = StateMachine(
    "message",
    [
        Transition(S.QUEUED, "send", S.SENDING),
        Transition(S.RETRY, "send", S.SENDING),
        Transition(S.SENDING, "accepted", S.SENT),
        Transition(S.SENDING, "retry", S.RETRY),
        Transition(S.SENDING, "fail", S.FAILED),
        Transition(S.SENDING, "lost", S.UNKNOWN),
        # Not sent before its template's ``expires_after`` ran out (retries, a stopped worker).
        Transition(S.QUEUED, "expire", S.FAILED),
        Transition(S.RETRY, "expire", S.FAILED),
        Transition(S.SENT, "delivered", S.DELIVERED),
        Transition(S.SENT, "undelivered", S.FAILED),
        # A person's decision after checking with the provider that nothing reached them.
        Transition(S.UNKNOWN, "resend", S.RETRY, permission="notify.change_message"),
        Transition(S.FAILED, "resend", S.RETRY, permission="notify.change_message"),
    ],
    states=S,
    actions=MESSAGE_ACTIONS,
)

CHANNEL_ORDER = (Channel.ZNS, Channel.SMS, Channel.EMAIL)

# The system's own sentences about a failure (a provider's answer is kept as it gave it): kept
# in each language (``core.phrases``), read back for rows stored before by migration 0004.
TOO_LATE = gettext_noop("Not sent: too late to be of use after %(time)s.")
NOT_CONFIGURED = gettext_noop("Channel not configured for this recipient: %(channel)s.")
WORKER_STOPPED = gettext_noop("The worker stopped before the provider's answer was recorded.")
NOT_A_PHONE = gettext_noop("Not a phone number: %(given)s")
NOT_AN_EMAIL = gettext_noop("Not an e-mail address: %(given)s")
NO_CHANNEL_TAKES = gettext_noop("No configured channel takes %(address)s.")


def _at(moment: dt.datetime):
    """A time written as the reader's language writes it, on the platform's clock."""
    return lambda: date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _stored(phrase: Phrase) -> tuple[str, dict]:
    text, texts = as_stored(phrase)
    return text[:300], {key: value[:300] for key, value in texts.items()}


def options() -> dict:
    return settings.CUAKHAU_NOTIFY


def _transition(message: Message, action: str) -> None:
    message.status = MESSAGE_MACHINE.get(message.status, action).target


def notify(
    *,
    recipient: dict | str,
    language: str,
    template: str,
    context: dict,
    dedupe_key: str,
    channel: str | None = None,
) -> Message:
    """Record a message for one person and enqueue its sending; returns the ``Message``.

    ``recipient``: ``{"phone": ..., "email": ...}`` (either or both), or a phone number.
    ``language``: vi, en or zh-hans (anything else falls back to vi). ``template``: a code in
    ``messages.TEMPLATES``; ``context`` must give each of its parameters. Give a gate, a
    record with names, a lazy translation or a datetime as itself, not as text in the
    language this code runs in: it is kept in each language (``messages.prepare_context``).
    ``dedupe_key``: the event this message is about ("slots:call:4711"); a second call with
    the same key returns the first message and sends nothing.
    ``channel``: "zns", "sms" or "email" to use only that channel; None chooses (ZNS for a
    Vietnamese phone when configured, else SMS, e-mail when there is an address), falling back
    to the next on a permanent failure.

    An address that is not one (a malformed phone) or that no configured channel takes (a
    foreign phone where only brandname SMS is set up) is recorded on the message as a
    delivery not tried, with its reason; the other address still gets the message.

    Raises ``FieldErrors`` for an unknown template, a missing parameter or a recipient none of
    whose addresses can be used.
    """
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    if isinstance(recipient, str):
        recipient = {"phone": recipient}
    errors: dict[str, list[str]] = {}
    if template not in TEMPLATES:
        errors["template"] = [_("No message template by that name.")]
    else:
        # A parameter given as nothing is missing too: the message would read "None" or
        # leave a hole where the plate or the gate should be.
        missing = [p for p in TEMPLATES[template].params if _is_blank(context.get(p))]
        if missing:
            errors["context"] = [_("Missing: %(names)s.") % {"names": ", ".join(missing)}]
    raw_phone, raw_email = recipient.get("phone"), (recipient.get("email") or "").strip()
    # One unusable address does not stop the message on the other: it is recorded with the
    # message (a delivery not tried, with its reason), and refused only when none is left.
    unusable: list[_Unusable] = []
    try:
        phone = normalise_phone(raw_phone)
    except ValueError:
        phone = ""
        unusable.append(
            _Unusable(
                "recipient.phone",
                Channel.SMS,
                FailureReason.BAD_PHONE,
                Phrase(NOT_A_PHONE, given=shown(str(raw_phone))),
                _("Not a phone number."),
            )
        )
    email = raw_email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""
            unusable.append(
                _Unusable(
                    "recipient.email",
                    Channel.EMAIL,
                    FailureReason.BAD_EMAIL,
                    Phrase(NOT_AN_EMAIL, given=shown(raw_email)),
                    _("Not an e-mail address."),
                )
            )
    only = channel
    if only:
        # The caller chose the channel: an address it does not use is not missed.
        unusable = [u for u in unusable if _ADDRESS_OF.get(only) == _ADDRESS_OF[u.channel]]
    if not dedupe_key or len(dedupe_key) > 200:
        errors["dedupe_key"] = [_("Give a key of 1 to 200 characters.")]
    if errors:
        if not (phone or email):
            errors.update({u.field: [u.error] for u in unusable})
        raise FieldErrors(errors)

    message = Message(
        dedupe_key=dedupe_key,
        template=template,
        language=normalise_language(language),
        # Each value that a language changes is kept in each language: the message is sent in
        # the recipient's, whatever language this request runs in.
        context=prepare_context(template, context),
        recipient_phone=phone,
        recipient_email=email,
    )
    message.channels = choose_channels(message, only=channel)
    reached = {_ADDRESS_OF[c] for c in message.channels}
    for address, value, field in (("phone", phone, "phone"), ("email", email, "email")):
        wanted = not only or _ADDRESS_OF.get(only) == address
        if value and wanted and address not in reached:
            unusable.append(
                _Unusable(
                    f"recipient.{field}",
                    Channel.SMS if address == "phone" else Channel.EMAIL,
                    FailureReason.NO_CHANNEL,
                    Phrase(NO_CHANNEL_TAKES, address=value),
                    _("No configured channel reaches this recipient."),
                )
            )
    if not message.channels:
        if any(u.reason != FailureReason.NO_CHANNEL for u in unusable):
            raise FieldErrors(
                {u.field: [u.error] for u in unusable if u.reason != FailureReason.NO_CHANNEL}
            )
        raise FieldErrors({"recipient": [_("No configured channel reaches this recipient.")]})
    message.next_attempt_at = timezone.now()
    try:
        with transaction.atomic():
            message.save()
            DeliveryAttempt.objects.bulk_create(
                DeliveryAttempt(
                    message=message,
                    channel=u.channel,
                    provider="",
                    started_at=message.created_at,
                    finished_at=message.created_at,
                    outcome=AttemptOutcome.SKIPPED,
                    error=_stored(u.detail)[0],
                    error_texts=_stored(u.detail)[1],
                    reason=u.reason,
                )
                for u in unusable
            )
            # Enqueued inside the transaction: with the database backend the task row commits
            # or rolls back with the message, so neither exists without the other.
            _enqueue(message.pk)
    except IntegrityError:
        # The same event notified at the same moment by another process: theirs stands.
        return Message.objects.get(dedupe_key=dedupe_key)
    return message


# Which of a recipient's addresses each channel writes to.
_ADDRESS_OF = {Channel.ZNS: "phone", Channel.SMS: "phone", Channel.EMAIL: "email"}


@dataclass(frozen=True)
class _Unusable:
    """An address of the recipient the message cannot use, and why."""

    field: str  # as a refusal names it
    channel: str  # the channel it would have taken
    reason: str  # FailureReason
    detail: Phrase  # what was given, kept in each language
    error: str  # the refusal's words, when no address is left


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def choose_channels(message: Message, only: str | None = None) -> list[str]:
    chosen = []
    for channel in CHANNEL_ORDER:
        if only and channel != only:
            continue
        adapter = adapters.get_adapter(channel)
        if adapter is not None and adapter.accepts(message):
            chosen.append(str(channel))
    return chosen


def _enqueue(message_id: int, at: dt.datetime | None = None) -> None:
    from django_tasks import default_task_backend

    from .tasks import send_message_task

    if at is not None and at > timezone.now():
        if not default_task_backend.supports_defer:
            return  # the worker's sweep (resume_due_messages) picks it up when due
        send_message_task.using(run_after=at).enqueue(message_id)
    else:
        send_message_task.enqueue(message_id)


def backoff(attempt: int) -> dt.timedelta:
    """The wait after the ``attempt``-th transient failure on a channel: 30 s, 60 s, 120 s…"""
    opts = options()
    seconds = opts["backoff_seconds"] * 2 ** (attempt - 1)
    return dt.timedelta(seconds=min(seconds, opts["backoff_cap_seconds"]))


def send_message(message_id: int) -> str:
    """Try to send one message now (the task's body). Returns the message's status after."""
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status == S.SENDING and not _recover_lost_attempt(message, now):
            return message.status
        if message.status not in (S.QUEUED, S.RETRY):
            return message.status  # already sent, delivered, failed or unknown: never again
        if message.next_attempt_at and message.next_attempt_at > now:
            return message.status  # an early duplicate of a deferred task
        if _expired(message, now):
            _transition(message, "expire")
            message.next_attempt_at = None
            message.last_error, message.last_error_texts = _stored(
                Phrase(TOO_LATE, time=_at(message.created_at))
            )
            message.failure_reason = FailureReason.EXPIRED
            message.save(
                update_fields=[
                    "status",
                    "next_attempt_at",
                    "last_error",
                    "last_error_texts",
                    "failure_reason",
                ]
            )
            return message.status
        channel = message.current_channel
        adapter = adapters.get_adapter(channel) if channel else None
        # The channels were chosen when the message was queued; the configuration may have
        # changed since (the console's SMS replaced by eSMS on going live): a channel now off,
        # or a provider that does not take this recipient (a Chinese number), is passed over
        # for the next one, never called.
        while not (adapter and adapter.accepts(message)) and message.channel_index + 1 < len(
            message.channels
        ):
            message.channel_index += 1
            message.attempts_on_channel = 0
            channel = message.current_channel
            adapter = adapters.get_adapter(channel)
        if adapter is None or not adapter.accepts(message):
            message.last_error, message.last_error_texts = _stored(
                Phrase(NOT_CONFIGURED, channel=dict(Channel.choices).get(channel, channel or "—"))
            )
            message.failure_reason = FailureReason.NO_CHANNEL
            _transition(message, "send")
            _transition(message, "fail")
            message.save()
            return message.status
        attempt = DeliveryAttempt.objects.create(
            message=message, channel=channel, provider=adapter.name, started_at=now
        )
        _transition(message, "send")
        message.attempts_on_channel += 1
        message.save(update_fields=["status", "attempts_on_channel", "channel_index"])

    try:
        result = adapter.send(message)
    except Exception as exc:  # an adapter bug must not leave the attempt in flight forever
        logger.exception("notify: %s adapter raised", adapter.name)
        result = adapters.SendResult.transient(f"{type(exc).__name__}: {exc}")

    next_at = None
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        finished = timezone.now()
        attempt.finished_at = finished
        attempt.provider_id = result.provider_id[:100]
        attempt.error = result.error[:300]
        attempt.outcome = result.error_kind or AttemptOutcome.SENT
        attempt.reason = _reason_of(result)
        attempt.save(update_fields=["finished_at", "provider_id", "error", "outcome", "reason"])
        if result.ok:
            _transition(message, "accepted")
            message.sent_at = finished
            message.channel = channel
            message.provider = adapter.name
            message.provider_id = attempt.provider_id
            message.last_error, message.last_error_texts = "", {}
            message.failure_reason = ""
        else:
            # The provider's answer as it gave it, no sentence of ours.
            message.last_error, message.last_error_texts = f"{channel}: {result.error}"[:300], {}
            message.failure_reason = attempt.reason
            next_at = _after_failure(message, result.error_kind, finished)
        message.save()
    if next_at is not None:
        _enqueue(message_id, next_at)
    return message.status


def _reason_of(result: adapters.SendResult) -> str:
    """A provider's failure as a person reads it: gone for now (a timeout, a 5xx, a rate
    limit) or refused (this channel will not take it); "" when it was accepted."""
    if result.ok:
        return ""
    if result.error_kind == adapters.TRANSIENT:
        return FailureReason.UNAVAILABLE
    return FailureReason.REFUSED


def _expired(message: Message, now: dt.datetime) -> bool:
    template = TEMPLATES.get(message.template)
    limit = template.expires_after if template is not None else None
    return limit is not None and message.created_at + limit <= now


def _after_failure(message: Message, kind: str, now: dt.datetime) -> dt.datetime | None:
    """Schedule the next try (same channel, later; or the next channel, now), or fail."""
    if kind == adapters.TRANSIENT and message.attempts_on_channel < options()["max_attempts"]:
        _transition(message, "retry")
        message.next_attempt_at = now + backoff(message.attempts_on_channel)
        return message.next_attempt_at
    if message.channel_index + 1 < len(message.channels):
        _transition(message, "retry")
        message.channel_index += 1
        message.attempts_on_channel = 0
        message.next_attempt_at = now
        return now
    _transition(message, "fail")
    message.next_attempt_at = None
    return None


def _recover_lost_attempt(message: Message, now: dt.datetime) -> bool:
    """A message found "sending": is its attempt still running, or did its worker die?

    Returns True when the message may be tried again now.
    """
    attempt = message.attempts.filter(outcome=AttemptOutcome.IN_FLIGHT).last()
    timeout = dt.timedelta(seconds=options()["in_flight_timeout_seconds"])
    if attempt is not None and attempt.started_at > now - timeout:
        return False  # another worker is sending it right now
    adapter = adapters.get_adapter(attempt.channel) if attempt else None
    if attempt is not None:
        attempt.outcome = AttemptOutcome.UNKNOWN
        attempt.finished_at = now
        attempt.error, attempt.error_texts = _stored(Phrase(WORKER_STOPPED))
        attempt.reason = FailureReason.INTERRUPTED
        attempt.save(update_fields=["outcome", "finished_at", "error", "error_texts", "reason"])
    if attempt is None or (adapter is not None and adapter.idempotent):
        # The provider refuses a repeated request id: asking again cannot send it twice.
        _transition(message, "retry")
        message.next_attempt_at = now
        message.save(update_fields=["status", "next_attempt_at"])
        return True
    _transition(message, "lost")
    message.last_error, message.last_error_texts = attempt.error, attempt.error_texts
    message.failure_reason = FailureReason.INTERRUPTED
    message.save(update_fields=["status", "last_error", "last_error_texts", "failure_reason"])
    logger.warning("notify: message %s may or may not have been sent", message.pk)
    return False


def resume_due_messages(now: dt.datetime | None = None) -> int:
    """Enqueue every message whose sending is due but has no task (lost or never deferred).

    Run by the worker every minute; a duplicate task is harmless (it finds the message no
    longer due). Returns how many were enqueued.
    """
    now = now or timezone.now()
    grace = dt.timedelta(seconds=options()["resume_grace_seconds"])
    stuck_before = now - dt.timedelta(seconds=options()["in_flight_timeout_seconds"])
    due = Message.objects.filter(
        status__in=[S.QUEUED, S.RETRY], next_attempt_at__lte=now - grace
    ).values_list("pk", flat=True)
    stuck = Message.objects.filter(
        status=S.SENDING,
        attempts__outcome=AttemptOutcome.IN_FLIGHT,
        attempts__started_at__lt=stuck_before,
    ).values_list("pk", flat=True)
    ids = sorted(set(due) | set(stuck))
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def record_delivery(provider: str, report: adapters.DeliveryReport) -> Message | None:
    """Apply a provider's delivery receipt to the message it names (None if we know none)."""
    with transaction.atomic():
        attempt = (
            DeliveryAttempt.objects.select_for_update()
            .filter(provider=provider, provider_id=report.provider_id)
            .select_related("message")
            .first()
        )
        if attempt is None:
            return None
        at = _delivery_moment(report.at_ms, attempt.started_at, timezone.now())
        # The first final receipt stands: a repeated callback (or a replay) never moves the
        # delivery time recorded; a receipt "on its way" gives way to the final one.
        final = adapters.delivery_meaning(attempt.delivery_status) is not None
        if not (final and attempt.delivery_at):
            attempt.delivery_status = report.status[:40]
            attempt.delivery_at = at
            attempt.save(update_fields=["delivery_status", "delivery_at"])
        message = Message.objects.select_for_update().get(pk=attempt.message_id)
        if message.status == S.SENT and report.delivered is True:
            _transition(message, "delivered")
            message.delivered_at = at
            message.save(update_fields=["status", "delivered_at"])
        elif message.status == S.SENT and report.delivered is False:
            _transition(message, "undelivered")
            message.last_error, message.last_error_texts = f"{provider}: {report.status}"[:300], {}
            message.failure_reason = FailureReason.NOT_DELIVERED
            message.save(
                update_fields=["status", "last_error", "last_error_texts", "failure_reason"]
            )
        # A receipt for a message already delivered or failed changes nothing (providers
        # repeat their callbacks).
        return message


# How far a provider's clock may be from ours: a delivery reported further before its sending,
# or later than now, is a wrong clock (or a wrong field), and is recorded as received now.
DELIVERY_CLOCK_SKEW = dt.timedelta(minutes=5)


def _delivery_moment(at_ms: int | None, sent: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When the provider says the message reached the person, if that can be true; else now."""
    if not at_ms:
        return now
    try:
        at = dt.datetime.fromtimestamp(at_ms / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):  # beyond any calendar the platform keeps
        return now
    if at < sent - DELIVERY_CLOCK_SKEW or at > now + DELIVERY_CLOCK_SKEW:
        return now
    return at


def resend(message: Message, actor) -> Message:
    """A person's decision to try a failed or uncertain message again (admin action)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        transition = MESSAGE_MACHINE.get(message.status, "resend")
        if transition.permission and not actor.has_perm(transition.permission):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("You may not send this message again."))
        message.status = transition.target
        message.channel_index = 0
        message.attempts_on_channel = 0
        message.next_attempt_at = timezone.now()
        message.save()
        _enqueue(message.pk)
    return message
