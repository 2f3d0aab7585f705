"""Counterpart authorities, agreements, meetings with their minutes, the commitments made in
them, delegations received and international aid projects — the board's external relations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.context import Channel
from cuakhau.core.inputs import AtLeast, AtMost, exactly_stored
from cuakhau.reference.validators import validate_country, validate_currency

from .choices import AgreementKind, AidSector, CommitmentAction, CommitmentStatus, Side

NOT_NEGATIVE = AtLeast(0, message=_("An amount cannot be negative."))


def not_after_today(name: str, day) -> None:
    """A day something happened (an agreement signed, a meeting held, a delegation received)
    is not after today in the zone's time (Asia/Ho_Chi_Minh: just after midnight there, the
    day is already the next one while it is still the previous one in UTC). An agreement
    "signed" next year was taken, and sat first in every list."""
    if day is not None and day > timezone.localdate():
        raise ValidationError(
            {name: ValidationError(_("This date is in the future."), code="future_day")}
        )


class Counterpart(models.Model):
    """An authority on the other side (or a donor's agency): names in Vietnamese, English and
    Chinese, as the reference data carries them (``reference.localize``)."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["country", "name_vi"]
        verbose_name = _("counterpart authority")
        verbose_name_plural = _("counterpart authorities")

    def __str__(self):
        # In the reader's language (a choice list, an admin page), Vietnamese when it has none.
        from cuakhau.reference.localize import localized_name

        return str(localized_name(self))


class Agreement(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    parties = models.ManyToManyField(
        Counterpart, related_name="agreements", verbose_name=_("parties")
    )
    subject = models.TextField(_("subject"), blank=True)
    # Where the signed text is kept (file number, archive): the scan stays in the archive.
    document = models.CharField(_("document"), max_length=200, blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-signed_on", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        not_after_today("signed_on", self.signed_on)


class Meeting(models.Model):
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    counterparts = models.ManyToManyField(
        Counterpart, related_name="meetings", verbose_name=_("counterparts")
    )
    agreement = models.ForeignKey(
        Agreement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        verbose_name=_("agreement signed"),
    )
    # Contexts: "minutes" (of a meeting) and "from" (where a delegation came from) are, in
    # other catalogues, a duration and a start date.
    minutes = models.TextField(pgettext_lazy("meeting record", "minutes"), blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    def clean(self):
        # Its minutes and the commitments made in it are what was said: it has been held.
        super().clean()
        not_after_today("held_on", self.held_on)


class Commitment(models.Model):
    """What one side promised at a meeting: who carries it, by when, and the proof it was done."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("meeting")
    )
    subject = models.CharField(_("commitment"), max_length=300)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices, default=Side.BOTH)
    owner = models.CharField(_("owner"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    evidence = models.TextField(_("evidence"), blank=True)
    done_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        permissions = [("manage_cooperation", _("Can keep the cooperation register"))]

    def __str__(self):
        return self.subject

    def clean(self):
        # A promise made at a meeting falls due after it: a due date before the meeting is a
        # typing error, and would make the commitment late from the day it was recorded.
        super().clean()
        if self.meeting_id and self.due_date and self.due_date < self.meeting.held_on:
            held_on = formats.date_format(self.meeting.held_on, "SHORT_DATE_FORMAT")
            raise ValidationError(
                {
                    "due_date": ValidationError(
                        _("The due date is before the meeting where it was promised (%(day)s)."),
                        code="due_before_meeting",
                        params={"day": held_on},
                    )
                }
            )


class CommitmentTransition(models.Model):
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("commitment"),
    )
    action = models.CharField(_("action"), max_length=10, choices=CommitmentAction.choices)
    # Empty for the commitment's recording: it had no status before.
    source = models.CharField(
        _("from status"), max_length=12, choices=CommitmentStatus.choices, blank=True
    )
    target = models.CharField(_("to status"), max_length=12, choices=CommitmentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("performed by"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)
    channel = models.CharField(
        _("channel used"), max_length=10, choices=Channel.choices, default=Channel.SYSTEM
    )
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["commitment", "at", "pk"]
        verbose_name = _("commitment status change")
        verbose_name_plural = _("commitment status changes")

    def __str__(self):
        return f"{self.commitment_id} {self.get_action_display()}"


class Delegation(models.Model):
    """A foreign delegation received by the province or the zone."""

    received_on = models.DateField(_("date"))
    from_name = models.CharField(pgettext_lazy("delegation origin", "from"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    # A delegation is a handful to a few hundred people: more is a typing error.
    visitors = models.PositiveIntegerField(_("visitors"), validators=[AtLeast(1), AtMost(5000)])
    purpose = models.CharField(_("purpose"), max_length=300)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-received_on", "pk"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self):
        return f"{self.received_on} {self.from_name}"

    def clean(self):
        super().clean()
        not_after_today("received_on", self.received_on)


class AidProject(models.Model):
    """An international aid project: amount as committed, in its currency, and in đồng at the
    rate noted (the province totals aid in đồng)."""

    title = models.CharField(_("title"), max_length=300)
    donor = models.CharField(_("donor"), max_length=200)
    donor_country = models.CharField(
        _("donor's country"), max_length=2, validators=[validate_country]
    )
    sector = models.CharField(_("sector"), max_length=16, choices=AidSector.choices)
    # Aid committed is never negative (a negative row once lowered the province's aid total).
    amount = models.DecimalField(
        _("amount"), max_digits=18, decimal_places=2, validators=[NOT_NEGATIVE, exactly_stored]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    amount_vnd = models.DecimalField(
        _("amount (VND)"),
        max_digits=18,
        decimal_places=0,
        validators=[NOT_NEGATIVE, exactly_stored],
    )
    rate_note = models.CharField(_("exchange rate used"), max_length=120, blank=True)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("aid project")
        verbose_name_plural = _("aid projects")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {
                    "ends_on": ValidationError(
                        _("The end date is before the start date."), code="ends_before_start"
                    )
                }
            )
