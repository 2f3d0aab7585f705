"""The economic zone's register of investment projects.

Capital is kept in đồng as the investment registration certificate states it (whole đồng, a
``Decimal``: never a float); its US-dollar value is derived with the exchange rate noted on
the project (VND per USD and the date of that rate), because the province reports both.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cuakhau.core.context import Channel
from cuakhau.core.inputs import AtLeast, AtMost, exactly_stored, plausible_day
from cuakhau.reference.validators import validate_country

from .choices import MilestoneStatus, ProjectAction, ProjectStatus, Sector

# A project's code is a segment of its address (``/investment/<code>/``, and over the API):
# letters, digits, "-", "." and "_", never "/".
PROJECT_CODE = r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}"
CODE_MESSAGE = _("“%(value)s” is not a project code (letters, digits, - . _; up to 20).")


class InvestmentProject(models.Model):
    code = models.CharField(
        _("project code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(rf"\A{PROJECT_CODE}\Z", CODE_MESSAGE)],
    )
    name = models.CharField(_("project name"), max_length=300)
    investor = models.CharField(_("investor"), max_length=300)
    investor_country = models.CharField(
        _("investor's country"), max_length=2, validators=[validate_country]
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    # As the register's import checks them (``imports``), for every form that writes a row:
    # a rate of 0 once made every page of the register fail.
    registered_capital_vnd = models.DecimalField(
        _("registered capital (VND)"),
        max_digits=18,
        decimal_places=0,
        validators=[exactly_stored, AtLeast(1)],
    )
    disbursed_capital_vnd = models.DecimalField(
        _("disbursed capital (VND)"),
        max_digits=18,
        decimal_places=0,
        default=0,
        validators=[exactly_stored, AtLeast(0)],
    )
    usd_rate = models.DecimalField(
        _("exchange rate (VND per USD)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[AtLeast(Decimal(1000)), AtMost(Decimal(100000))],
    )
    usd_rate_date = models.DateField(_("date of the exchange rate"), null=True, blank=True)
    area_ha = models.DecimalField(
        _("area (ha)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[AtLeast(0)],
    )
    location = models.CharField(_("location"), max_length=300)
    certificate_number = models.CharField(
        _("investment registration certificate number"), max_length=40, blank=True
    )
    certificate_date = models.DateField(_("certificate date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.REGISTERED
    )
    # Rows of the shipped example file: real-looking, not real; pages say so.
    is_example = models.BooleanField(_("example data"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        permissions = [("manage_projects", _("Can keep the investment project register"))]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        # Codes are looked up in capitals (``/investment/MLT-001/``): "mlt-001" could never
        # be opened.
        self.code = (self.code or "").strip().upper()
        errors = {}
        registered, disbursed = self.registered_capital_vnd, self.disbursed_capital_vnd
        if registered is not None and disbursed is not None and disbursed > registered:
            errors["disbursed_capital_vnd"] = [
                _("Disbursed capital cannot exceed registered capital.")
            ]
        if self.usd_rate and not self.usd_rate_date:
            errors["usd_rate_date"] = [_("Say on which date the exchange rate was taken.")]
        if errors:
            raise ValidationError(errors)


class LicenceAmendment(models.Model):
    """An amended investment registration certificate (capital, area, schedule…)."""

    project = models.ForeignKey(
        InvestmentProject,
        on_delete=models.CASCADE,
        related_name="amendments",
        verbose_name=_("project"),
    )
    number = models.PositiveSmallIntegerField(_("amendment number"))
    date = models.DateField(_("date"))
    summary = models.CharField(_("what changed"), max_length=300)

    class Meta:
        ordering = ["project", "number"]
        unique_together = [("project", "number")]
        verbose_name = _("certificate amendment")
        verbose_name_plural = _("certificate amendments")

    def __str__(self):
        return f"{self.project_id} #{self.number}"

    def clean(self):
        _check_days(self, {"date": self.date}, done={"date"})


class Milestone(models.Model):
    project = models.ForeignKey(
        InvestmentProject,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("project"),
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"))
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )

    class Meta:
        ordering = ["project", "due_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self):
        return self.title

    def clean(self):
        if self.status == MilestoneStatus.ACHIEVED and not self.achieved_on:
            raise ValidationError({"achieved_on": [_("Say when the milestone was achieved.")]})
        if self.status != MilestoneStatus.ACHIEVED and self.achieved_on:
            raise ValidationError(
                {"achieved_on": [_("Only an achieved milestone has a day it was achieved.")]}
            )
        _check_days(
            self, {"due_date": self.due_date, "achieved_on": self.achieved_on}, done={"achieved_on"}
        )


def _check_days(row, days: dict, done: set) -> None:
    """A milestone's or an amendment's days as the register can hold them: within the days
    every form takes (``plausible_day``), not before the certificate they belong to, and a day
    something was done (an amendment dated, a milestone achieved) not after today, in the
    zone's time. The administration, their only form, took a milestone due in year 1 and an
    amendment dated before the certificate it amends."""
    errors = {}
    certificate = row.project.certificate_date if row.project_id else None
    today = timezone.localdate()
    for name, day in days.items():
        if day is None:
            continue
        try:
            plausible_day(day)
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        if certificate and day < certificate:
            errors[name] = [
                _("This is before the investment registration certificate (%(day)s).")
                % {"day": formats.date_format(certificate, "SHORT_DATE_FORMAT")}
            ]
        elif name in done and day > today:
            errors[name] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)


class ProjectTransition(models.Model):
    """Every change of a project's status: who, when, from where, why."""

    project = models.ForeignKey(
        InvestmentProject,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("project"),
    )
    action = models.CharField(_("action"), max_length=20, choices=ProjectAction.choices)
    source = models.CharField(
        _("from status"), max_length=20, choices=ProjectStatus.choices, blank=True
    )
    target = models.CharField(_("to status"), max_length=20, choices=ProjectStatus.choices)
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
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["project", "at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.project_id} {self.get_action_display()}"
