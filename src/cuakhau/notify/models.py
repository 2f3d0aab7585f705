"""Messages to people (drivers, applicants, payers) and every attempt to deliver them.

A ``Message`` is created once per ``dedupe_key`` (a unique column: the same event asked twice
is one message) and moves through ``services.MESSAGE_MACHINE``. A ``DeliveryAttempt`` is written
before the provider is called and completed after it answers, so a crash in between leaves an
attempt "in flight" that is never silently repeated.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    ZNS = "zns", _("Zalo notification (ZNS)")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    RETRY = "retry", _("waiting to retry")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    UNKNOWN = "unknown", _("outcome unknown")


class FailureReason(models.TextChoices):
    """Why a message, or one of its addresses, did not get through, as a person reads it; the
    provider's own words (English, codes) stay in ``last_error``/``error`` for administrators,
    beside the system's own sentences (``last_error_texts``/``error_texts``, in each language)."""

    BAD_PHONE = "bad_phone", _("The phone number is not valid.")
    BAD_EMAIL = "bad_email", _("The e-mail address is not valid.")
    NO_CHANNEL = "no_channel", _("No configured channel reaches this address.")
    UNAVAILABLE = "unavailable", _("The provider could not be reached or was busy.")
    REFUSED = "refused", _("The provider refused the message.")
    NOT_DELIVERED = "not_delivered", _("The provider reports it did not reach the recipient.")
    EXPIRED = "expired", _("Not sent in time: too late to be of use.")
    INTERRUPTED = "interrupted", _("Sending was interrupted: whether it arrived is unknown.")


class Message(models.Model):
    # Also the idempotency key given to providers that accept one (eSMS RequestId, ZNS
    # tracking_id), so a provider can recognise a repeated request as the same message.
    uid = models.UUIDField(_("message ID"), default=uuid.uuid4, unique=True, editable=False)
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=10)
    context = models.JSONField(_("context"), default=dict)
    recipient_phone = models.CharField(_("phone"), max_length=20, blank=True)
    recipient_email = models.EmailField(_("e-mail"), blank=True)
    # The channels to try, in order (ZNS, then SMS, then e-mail), fixed when the message is made.
    channels = models.JSONField(_("channels"), default=list)
    channel_index = models.PositiveSmallIntegerField(_("channel number"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts_on_channel = models.PositiveSmallIntegerField(_("attempts on channel"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # "notify": the way a message travels (ZNS, SMS, e-mail), not a customs risk channel.
    channel = models.CharField(
        pgettext_lazy("notify", "channel"), max_length=10, choices=Channel.choices, blank=True
    )
    provider = models.CharField(_("provider"), max_length=32, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    # The provider's own answer (English, codes: ``texts`` empty), or a sentence of the
    # system's, in the platform's language, with ``last_error_texts`` in each
    # ({"vi", "en", "zh"}: ``core.phrases``).
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_error_texts = models.JSONField(_("last error in each language"), default=dict, blank=True)
    # ``last_error`` as a person reads it; blank when the last try did not fail.
    failure_reason = models.CharField(
        _("reason"), max_length=20, choices=FailureReason.choices, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} → {self.recipient_phone or self.recipient_email} ({self.get_status_display()})"

    @property
    def summary(self) -> str:
        """What the message is about, in the reader's language: its template's subject (the
        template's code is the program's name for it, not a person's)."""
        from .messages import TEMPLATES, localized_context

        template = TEMPLATES.get(self.template)
        if template is None:
            return self.template
        try:
            return str(template.subject) % localized_context(self.context)
        except (KeyError, TypeError, ValueError):
            return str(template.subject)

    @property
    def event(self) -> str:
        """What happened, in the reader's language ("Receipt issued"): the label of the
        message's template (its code and the deduplication key are the program's)."""
        from .messages import event_label

        return event_label(self.template)

    @property
    def provider_label(self) -> str:
        """The provider that accepted the message, by its name for people ("" if none)."""
        from .adapters import provider_label

        return provider_label(self.provider)

    @property
    def failure_label(self) -> str:
        """What went wrong, in the reader's language ("" if nothing did)."""
        if self.failure_reason:
            return self.get_failure_reason_display()
        # A row from before reasons were recorded: its error is the provider's English.
        return str(_("The provider reported an error.")) if self.last_error else ""

    @property
    def error_note(self) -> str:
        """The system's own sentence about the last failure, in the reader's language ("" when
        the last error is the provider's answer, or there is none)."""
        return _note(self.last_error_texts, self.last_error)

    @property
    def provider_answer(self) -> str:
        """The provider's own words about the last failure (English, codes), as it gave them."""
        return "" if self.last_error_texts else self.last_error

    @property
    def current_channel(self) -> str | None:
        if self.channel_index < len(self.channels):
            return self.channels[self.channel_index]
        return None


def _note(texts, stored: str) -> str:
    from cuakhau.core.phrases import in_reader_language

    return in_reader_language(texts, stored) if texts else ""


class AttemptOutcome(models.TextChoices):
    IN_FLIGHT = "in_flight", _("in flight")
    SENT = "sent", _("accepted by the provider")
    TRANSIENT = "transient", _("temporary error")
    PERMANENT = "permanent", _("permanent error")
    UNKNOWN = "unknown", _("outcome unknown")
    # An address of the recipient no channel could use (recorded when the message is made).
    SKIPPED = "skipped", _("not tried: address unusable")


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("message")
    )
    channel = models.CharField(
        pgettext_lazy("notify", "channel"), max_length=10, choices=Channel.choices
    )
    provider = models.CharField(_("provider"), max_length=32)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=AttemptOutcome.choices,
        default=AttemptOutcome.IN_FLIGHT,
    )
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    # As ``Message.last_error``: the provider's answer, or the system's sentence with its texts.
    error = models.CharField(_("error"), max_length=300, blank=True)
    error_texts = models.JSONField(_("error in each language"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=FailureReason.choices, blank=True)
    # What the delivery receipt said, when the provider sent one.
    delivery_status = models.CharField(_("delivery receipt"), max_length=40, blank=True)
    delivery_at = models.DateTimeField(_("delivery receipt at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [models.Index(fields=["provider", "provider_id"])]

    def __str__(self):
        return f"{self.get_channel_display()}/{self.provider} {self.get_outcome_display()} {self.provider_id}"

    @property
    def failure_label(self) -> str:
        if self.reason:
            return self.get_reason_display()
        return str(_("The provider reported an error.")) if self.error else ""

    @property
    def error_note(self) -> str:
        return _note(self.error_texts, self.error)

    @property
    def provider_answer(self) -> str:
        return "" if self.error_texts else self.error

    @property
    def delivery_label(self) -> str:
        """The delivery receipt, as a person reads it (the provider's status is its code)."""
        from .adapters import delivery_meaning

        if not self.delivery_status:
            return ""
        meaning = delivery_meaning(self.delivery_status)
        if meaning is None:
            return str(_("on its way"))
        return str(_("delivered") if meaning else _("not delivered"))

    @property
    def provider_label(self) -> str:
        from .adapters import provider_label

        return provider_label(self.provider)
