"""Versioned, effective-dated fee schedules per gate, and the assessments made under them."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuakhau.reference.localize import LocalizedText, localized
from cuakhau.reference.models import Confidence, Gate

from .choices import GoodsCategory, RateUnit, Regime, ScheduleStatus, VehicleClass

# How far ahead a schedule may take effect: a legal instrument is announced months ahead.
MAX_YEARS_AHEAD = 10


def gate_today(gate: Gate) -> dt.date:
    """Today at ``gate``, whose day its fees follow (a schedule's dates, an arrival's day):
    not the server's, which a host kept on UTC puts seven hours behind a gate's."""
    return timezone.localdate(timezone=ZoneInfo(gate.time_zone))


class FeeSchedule(models.Model):
    """One version of a gate's fee table under one legal instrument.

    A schedule that an assessment was made under is frozen: a change is a new version that
    takes effect from a date, so every receipt keeps pointing at the rates it was issued under.
    A new version is a draft, never used to assess, until an administrator publishes it: a trip
    submitted meanwhile could otherwise freeze it at the rates it was copied with.
    """

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="fee_schedules", verbose_name=_("gate")
    )
    key = models.SlugField(_("schedule"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    # The instrument's own words: Vietnamese law exists only in Vietnamese, and pages say so.
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    basis_date = models.DateField(_("date of the instrument"), null=True, blank=True)
    effective_from = models.DateField(_("effective from"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    source = models.TextField(_("source"), blank=True)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Written only by ``services.publish_schedule`` (and the loaders, which publish what they
    # load): never a field of the admin's form.
    status = models.CharField(
        _("state"),
        max_length=10,
        choices=ScheduleStatus.choices,
        default=ScheduleStatus.DRAFT,
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["gate", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["gate", "key", "version"], name="fee_schedule_version")
        ]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")

    def __str__(self):
        return f"{self.gate.code.upper()} {self.key} v{self.version} ({self.effective_from})"

    @property
    def title(self) -> LocalizedText:
        return localized(self.title_vi, self.title_en, self.title_zh)

    def clean(self):
        super().clean()
        errors = self.date_errors()
        if errors:
            raise ValidationError({"effective_from": errors})

    def date_errors(self) -> list[str]:
        """Why this schedule cannot take effect on its date at its gate (none: it can).

        The schedule in force on a day is the gate's latest one by date (``schedule_for``):
        two schedules of a gate from the same day would leave the fee to a tie-break, a version
        dated before the one it replaces would bring older rates back between two dates, and a
        date decades ahead is a typing slip, not an instrument.
        """
        if self.gate_id is None or self.effective_from is None:
            return []
        errors = []
        horizon = gate_today(self.gate) + dt.timedelta(days=366 * MAX_YEARS_AHEAD)
        if self.effective_from > horizon:
            errors.append(
                _("A schedule takes effect at most %(n)d years ahead.") % {"n": MAX_YEARS_AHEAD}
            )
        if self.supersedes_id and self.effective_from <= self.supersedes.effective_from:
            errors.append(_("A new version must take effect after the version it replaces."))
        same_day = FeeSchedule.objects.filter(
            gate_id=self.gate_id, effective_from=self.effective_from
        ).exclude(pk=self.pk)
        if same_day.exists():
            errors.append(
                _("Another schedule of this gate takes effect on %(date)s: one per day.")
                % {"date": self.effective_from.isoformat()}
            )
        return errors

    @property
    def is_draft(self) -> bool:
        return self.status == ScheduleStatus.DRAFT

    @property
    def is_frozen(self) -> bool:
        return self.pk is not None and self.assessments.exists()


class FeeRate(models.Model):
    schedule = models.ForeignKey(
        FeeSchedule, on_delete=models.CASCADE, related_name="rates", verbose_name=_("fee schedule")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    item_code = models.CharField(_("item"), max_length=8)
    label_vi = models.CharField(_("label (Vietnamese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200, blank=True)
    vehicle = models.CharField(_("vehicle"), max_length=12, choices=VehicleClass.choices)
    tonnage_min = models.DecimalField(
        _("minimum tonnage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tonnage_max = models.DecimalField(
        _("maximum tonnage"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    container_size = models.CharField(
        _("container size"),
        max_length=3,
        blank=True,
        help_text=_('"20", "40", "any" or empty (no container criterion)'),
    )
    regime = models.CharField(_("regime"), max_length=16, choices=Regime.choices)
    goods = models.CharField(_("goods"), max_length=16, choices=GoodsCategory.choices)
    unit = models.CharField(_("unit"), max_length=12, choices=RateUnit.choices)
    amount_vnd = models.PositiveBigIntegerField(_("amount (VND)"))
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        # The primary key last: rates added in the admin all default to position 0, and a
        # database returns equal rows in any order (PostgreSQL does).
        ordering = ["schedule", "position", "pk"]
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")

    def __str__(self):
        return f"{self.item_code} {self.label}: {self.amount_vnd} VND/{self.get_unit_display()}"

    def save(self, *args, **kwargs):
        # Rates a receipt was issued under never change: the schedule must be versioned.
        if self.schedule_id and self.schedule.is_frozen:
            raise ValidationError(
                _("This schedule has assessments; create a new version instead of editing it.")
            )
        super().save(*args, **kwargs)

    @property
    def label(self) -> LocalizedText:
        return localized(self.label_vi, self.label_en, self.label_zh)


class FeeAssessment(models.Model):
    """The fee of one version of a trip's declaration, item by item, in whole đồng."""

    trip = models.ForeignKey(
        "trips.Trip", on_delete=models.CASCADE, related_name="assessments", verbose_name=_("trip")
    )
    trip_version = models.PositiveIntegerField(_("trip version"))
    schedule = models.ForeignKey(
        FeeSchedule,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("fee schedule"),
    )
    total_vnd = models.PositiveBigIntegerField(_("total (VND)"))
    items = models.JSONField(_("items"))
    explanation = models.JSONField(_("explanation"), default=dict)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("previous assessment"),
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["trip", "-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trip"],
                condition=models.Q(is_current=True),
                name="one_current_assessment",
                violation_error_message=_("This trip already has a current fee assessment."),
            )
        ]
        verbose_name = _("fee assessment")
        verbose_name_plural = _("fee assessments")

    def __str__(self):
        return f"{self.trip_id} v{self.trip_version}: {self.total_vnd} VND"

    @property
    def difference_vnd(self) -> int | None:
        return None if self.previous is None else self.total_vnd - self.previous.total_vnd
