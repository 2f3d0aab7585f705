"""Inspections by customs, border guard and quarantine; a trip clears when all required passed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.TextChoices):
    CUSTOMS = "customs", _("Customs")
    BORDER_GUARD = "border_guard", _("Border guard")
    QUARANTINE = "quarantine", _("Quarantine")


class Result(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    HOLD = "hold", _("hold")


class InspectionKind(models.TextChoices):
    """What kind of check an inspection was (stored as free text by older versions)."""

    GREEN_CHANNEL = "green channel", _("green-channel release")
    DOCUMENT_CHECK = "document check", _("document check")
    PHYSICAL = "physical inspection", _("physical inspection")
    SAMPLING = "sampling", _("sampling")


class Inspection(models.Model):
    """One agency's inspection of one trip: when it started, when it ended, and the result.

    A hold is followed by a new record for the same agency; the latest record decides.
    """

    # The trip by the (trip, agency) index; the officer not at all (nothing looks inspections
    # up by officer): an index nobody reads is one more page every green-channel release writes.
    trip = models.ForeignKey(
        "trips.Trip",
        on_delete=models.CASCADE,
        related_name="inspections",
        db_index=False,
        verbose_name=_("trip"),
    )
    agency = models.CharField(_("agency"), max_length=16, choices=Agency.choices)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices, blank=True)
    # Several lines, within the same length on the page and in the API (the column itself
    # has none: a 100,000-character note was stored from the page).
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("officer"),
    )
    # Who started it, when that was someone else than the officer who then recorded the
    # result (``officer``): both are in the record. None for a check the system opened, and
    # for records older than this field.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("started by"),
    )
    automatic = models.BooleanField(
        _("automatic"),
        default=False,
        # Until an officer decides it: a green-channel release, or the customs check the
        # system opened again when the channel was raised.
        help_text=_("Written by the system, not by an officer"),
    )

    class Meta:
        ordering = ["trip", "started_at", "id"]
        # The second serves the risk rule that counts an organisation's recent failures.
        indexes = [
            models.Index(fields=["trip", "agency"]),
            models.Index(fields=["result", "ended_at"]),
        ]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self):
        return f"{self.trip_id} {self.get_agency_display()} {self.get_result_display() or '…'}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class SampleResult(models.TextChoices):
    PENDING = "pending", _("pending")
    NEGATIVE = "negative", _("negative (no pest or disease found)")
    POSITIVE = "positive", _("positive")


class QuarantineSample(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="samples", verbose_name=_("inspection")
    )
    sample_code = models.CharField(_("sample code"), max_length=40)
    description = models.CharField(_("what was sampled"), max_length=200)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("taken by"),
    )
    laboratory = models.CharField(_("laboratory"), max_length=120, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=SampleResult.choices, default=SampleResult.PENDING
    )
    finding = models.CharField(_("pest or disease found"), max_length=200, blank=True)
    result_at = models.DateTimeField(_("result at"), null=True, blank=True)

    class Meta:
        ordering = ["taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "sample_code"], name="sample_code_per_inspection"
            )
        ]
        verbose_name = _("quarantine sample")
        verbose_name_plural = _("quarantine samples")

    def __str__(self):
        return self.sample_code
