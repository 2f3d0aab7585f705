"""Versioned risk rule sets and the assessments made under them.

A rule set is never edited in place: a change is a new version, copied from the active one and
activated in its stead, so every assessment keeps pointing at the exact rules that produced it.
"""

import json
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.inputs import AtLeast, AtMost
from cuakhau.core.stamps import new_stamp
from cuakhau.reference.models import pick_language

from . import params as parameters
from .choices import RiskChannel, RuleKind

RATE_VALIDATORS = [AtLeast(Decimal(0)), AtMost(Decimal(1))]


class RuleSet(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("based on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    note = models.TextField(_("note"))
    is_active = models.BooleanField(pgettext_lazy("the rule set in force", "active"), default=False)
    yellow_threshold = models.PositiveIntegerField(_("yellow threshold (score)"))
    red_threshold = models.PositiveIntegerField(_("red threshold (score)"))
    # Kept so an auditor can recompute every random draw; it must stay out of traders' reach,
    # or a declarant could compute the draw for a reference before submitting.
    random_seed = models.CharField(_("random seed"), max_length=64)
    random_red_rate = models.DecimalField(
        _("random red rate"), max_digits=5, decimal_places=4, validators=RATE_VALIDATORS
    )
    random_yellow_rate = models.DecimalField(
        _("random yellow rate"), max_digits=5, decimal_places=4, validators=RATE_VALIDATORS
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("risk rule set")
        verbose_name_plural = _("risk rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="risk_one_active_ruleset",
                violation_error_message=_(
                    "Another rule set is already active; only one can be in force at a time."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(yellow_threshold__lt=models.F("red_threshold")),
                name="risk_yellow_below_red",
                violation_error_message=_("The yellow threshold must be below the red threshold."),
            ),
            models.CheckConstraint(
                condition=models.Q(random_red_rate__gte=0)
                & models.Q(random_yellow_rate__gte=0)
                & models.Q(random_red_rate__lte=1 - models.F("random_yellow_rate")),
                name="risk_random_rates_within_one",
                violation_error_message=_(
                    "The random red and yellow rates must each be at least 0 and together at most 1."
                ),
            ),
        ]

    def __str__(self):
        return f"v{self.version}{' *' if self.is_active else ''}"


class RiskRule(models.Model):
    ruleset = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set")
    )
    # The same rule across versions, so a change can be traced back to where it started.
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("copied from"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=24, choices=RuleKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    score = models.PositiveIntegerField(_("score"), default=0)
    description_vi = models.TextField(_("description (Vietnamese)"))
    description_en = models.TextField(_("description (English)"))
    # Optional, as a gate's Chinese name is: a rule written without it reads in English on a
    # Chinese page, marked so.
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["ruleset", "position", "id"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "position"], name="risk_rule_position")
        ]

    def __str__(self):
        return f"{self.ruleset} #{self.position} {self.get_kind_display()} ({self.score})"

    @property
    def description(self) -> str:
        return pick_language(self.description_vi, self.description_en, self.description_zh)

    @property
    def params_text(self) -> str:
        return json.dumps(self.params, ensure_ascii=False)

    @property
    def params_shown(self) -> list[tuple[str, str]]:
        """The parameters as (label, value) in the reader's language."""
        return parameters.shown(self.kind, self.params)


class RiskAssessment(models.Model):
    """The channel one trip was given under one rule set, and every reason for it."""

    trip = models.ForeignKey(
        "trips.Trip",
        on_delete=models.CASCADE,
        related_name="risk_assessments",
        verbose_name=_("trip"),
    )
    trip_version = models.PositiveIntegerField(_("trip version"))
    # Not indexed: nothing looks assessments up by their rule set (a check-in writes one less
    # index page; deleting a rule set, which its assessments protect, scans instead).
    ruleset = models.ForeignKey(
        RuleSet,
        on_delete=models.PROTECT,
        related_name="assessments",
        db_index=False,
        verbose_name=_("rule set"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=RiskChannel.choices)
    score = models.PositiveIntegerField(_("score"))
    # [{"rule_id", "kind", "score", "reason_vi", "reason_en", "reason_zh"[, "channel"]}, ...]:
    # every language is stored, so the record reads the same whatever language its reader uses
    # (reason_zh since migration 0009, which wrote it for the assessments made before).
    reasons = models.JSONField(_("reasons"), default=list)
    # The draw rounded down to 10 places; the rates have at most 4, so comparing this stored
    # value gives exactly the same answer as comparing the full fraction.
    random_draw = models.DecimalField(_("random draw"), max_digits=11, decimal_places=10)
    declared_gross_kg = models.DecimalField(
        _("declared gross weight (kg)"), max_digits=14, decimal_places=3
    )
    weighbridge_kg = models.DecimalField(
        _("weighbridge weight (kg)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
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
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["trip"],
                condition=models.Q(is_current=True),
                name="risk_one_current_assessment",
                violation_error_message=_("This trip already has a current risk assessment."),
            )
        ]

    def __str__(self):
        return f"{self.trip_id}: {self.get_channel_display()} ({self.score})"


class UnitValueHistory(models.Model):
    """The declared unit values of one HS subheading, kept up to date as trips are declared.

    The undervaluation rule compares a line's value per kg with what other declarations of
    its subheading said: this row holds, per currency, how many declared lines there are and
    the newest of them (enough to leave out the assessed trip's own lines and still have the
    rule's full window), so an assessment reads one row per subheading instead of scanning
    the cargo of every trip. Kept by ``risk.history`` on every declaration, amendment and
    cancellation; ``rebuild_unit_value_history`` makes it again from the cargo lines.
    """

    hs6 = models.CharField(_("HS subheading"), max_length=6, unique=True)
    # {currency: number of declared lines}
    counts = models.JSONField(_("counts by currency"), default=dict)
    # {currency: [[submitted_at, line id, trip id, value, net kg], ...]}, newest first.
    recent = models.JSONField(_("recent values"), default=dict)
    # Drawn again at every save: a process keeps the parsed row under its stamp, and an
    # assessment reads the row's texts (tens of kB) only when the stamp moved (risk.history).
    stamp = models.BigIntegerField(_("stamp"), default=0)

    class Meta:
        verbose_name = _("unit value history")
        verbose_name_plural = _("unit value histories")

    def __str__(self):
        return self.hs6

    def save(self, *args, **kwargs):
        self.stamp = new_stamp()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "stamp"}
        super().save(*args, **kwargs)
