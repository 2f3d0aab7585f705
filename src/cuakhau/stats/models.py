"""Summary tables of the zone's trade, traffic and fees, kept current as trips change.

The dashboard never scans trips or cargo lines: it reads these tables, which hold one row per
gate × month (× direction, product, partner, currency) — about a hundred thousand rows for five
years of a busy gate against millions of cargo lines. A change to a trip, a visit or a receipt
marks its gate-month stale (`StaleMonth`); `services.refresh_stale()` recomputes each stale
gate-month from the trips in one pass, before a dashboard reads it and every minute in the
worker. Months before the platform come from the board's spreadsheets (`ImportBatch`), marked
as imported; a gate-month is either recorded or imported, never both.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import AtLeast, AtMost, exactly_stored
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import Direction

from .choices import Measure, Source, TargetKind


class ImportBatch(models.Model):
    """One spreadsheet of historical figures, imported whole (or not at all)."""

    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import of historical figures")
        verbose_name_plural = _("imports of historical figures")

    def __str__(self):
        return f"{self.file_name} ({self.rows})"


class TradeMonth(models.Model):
    """Goods that crossed one gate in one month, by direction, HS heading, partner and currency.

    Values stay in the currency they were declared in; the dashboard converts them to USD with
    the month's rate from `ExchangeRate`, so correcting a rate never needs a recount.
    """

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    month = models.DateField(_("month"))  # the first day of the month, in the gate's time zone
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    # The first four digits of the HS code; "" when an imported sheet does not break it down,
    # two digits when it gives chapters only.
    hs_heading = models.CharField(_("HS heading"), max_length=4, blank=True)
    partner = models.CharField(_("partner country"), max_length=2)
    currency = models.CharField(_("currency"), max_length=3)
    value = models.DecimalField(
        _("value"), max_digits=20, decimal_places=2, validators=[exactly_stored]
    )
    net_weight_kg = models.DecimalField(
        _("net weight (kg)"), max_digits=18, decimal_places=3, validators=[exactly_stored]
    )
    lines = models.PositiveIntegerField(_("cargo lines"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="trade",
        verbose_name=_("import batch"),
    )

    class Meta:
        verbose_name = _("monthly trade figure")
        verbose_name_plural = _("monthly trade figures")
        indexes = [models.Index(fields=["month", "gate"]), models.Index(fields=["gate", "month"])]

    def __str__(self):
        return f"{self.gate_id} {self.month:%Y-%m} {self.get_direction_display()} {self.hs_heading} {self.value} {self.currency}"


class GateMonth(models.Model):
    """Trucks, clearance, channels and fees of one gate in one month and one direction."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    month = models.DateField(_("month"))
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    trucks = models.PositiveIntegerField(_("trucks crossed"), default=0)
    # Arrival to exit, in whole minutes, of the trucks that left in the month.
    clearance_minutes = models.BigIntegerField(_("clearance time (minutes)"), default=0)
    green = models.PositiveIntegerField(_("green channel"), default=0)
    yellow = models.PositiveIntegerField(_("yellow channel"), default=0)
    red = models.PositiveIntegerField(_("red channel"), default=0)
    receipts = models.PositiveIntegerField(_("receipts"), default=0)
    fee_vnd = models.BigIntegerField(_("fees collected (VND)"), default=0)
    # Fees are State budget revenue (Law on Fees and Charges); an imported sheet may carry the
    # gate's whole budget contribution (duties and taxes collected there) instead.
    budget_vnd = models.BigIntegerField(_("State budget contribution (VND)"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="months",
        verbose_name=_("import batch"),
    )

    class Meta:
        verbose_name = _("monthly gate figure")
        verbose_name_plural = _("monthly gate figures")
        indexes = [models.Index(fields=["month", "gate"]), models.Index(fields=["gate", "month"])]

    def __str__(self):
        return f"{self.gate_id} {self.month:%Y-%m} {self.get_direction_display()}: {self.trucks}"


class GateDay(models.Model):
    """Trucks that left one gate on one day (the gate's own day), by direction."""

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    day = models.DateField(_("day"))
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    trucks = models.PositiveIntegerField(_("trucks crossed"), default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "gate"]), models.Index(fields=["gate", "day"])]
        verbose_name = _("gate day")
        verbose_name_plural = _("gate days")

    def __str__(self):
        return f"{self.gate_id} {self.day} {self.get_direction_display()}: {self.trucks}"


class ClearanceBin(models.Model):
    """How many trucks of a gate-month took between `minutes` and `minutes + BIN` to clear.

    Percentiles are read from these bins (interpolated inside a bin), so a year's median needs
    a few thousand rows rather than every visit.
    """

    BIN_MINUTES = 5
    LAST_BIN = 24 * 60  # an open last bin: a day or more

    gate = models.ForeignKey(
        Gate, on_delete=models.PROTECT, related_name="+", verbose_name=_("gate")
    )
    month = models.DateField(_("month"))
    minutes = models.PositiveIntegerField(_("from minute"))
    trucks = models.PositiveIntegerField(_("number of trucks"))

    class Meta:
        indexes = [models.Index(fields=["gate", "month"]), models.Index(fields=["month", "gate"])]
        verbose_name = _("clearance time bin")
        verbose_name_plural = _("clearance time bins")

    def __str__(self):
        return f"{self.gate_id} {self.month:%Y-%m} {self.minutes}+: {self.trucks}"


class StaleMonth(models.Model):
    """A gate-month whose summary rows no longer match its trips (a change since)."""

    gate = models.ForeignKey(
        Gate, on_delete=models.CASCADE, related_name="+", verbose_name=_("gate")
    )
    month = models.DateField(_("month"))
    marked_at = models.DateTimeField(_("marked at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gate", "month"], name="stats_stale_month_unique")
        ]
        verbose_name = _("month to recount")
        verbose_name_plural = _("months to recount")

    def __str__(self):
        return f"{self.gate_id} {self.month:%Y-%m}"


class MonthCount(models.Model):
    """The counts of a gate-month's summaries: the last number a count drew when it began, and
    the number of the count whose rows are in place. A count is done outside any transaction
    (on SQLite one would hold the write lock every check-in and exit waits for) and writes its
    rows only over an earlier one's: two counts of one month at once (the worker, a report, an
    import) never leave the older figures last."""

    gate = models.ForeignKey(
        Gate, on_delete=models.CASCADE, related_name="+", verbose_name=_("gate")
    )
    month = models.DateField(_("month"))
    drawn = models.PositiveBigIntegerField(_("count number drawn"), default=0)
    written = models.PositiveBigIntegerField(_("count number written"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gate", "month"], name="stats_month_count_unique")
        ]
        verbose_name = _("month count")
        verbose_name_plural = _("month counts")

    def __str__(self):
        return f"{self.gate_id} {self.month:%Y-%m}: {self.written}/{self.drawn}"


# A rate's bounds, the board's form's and the administration's alike.
RATE_BOUNDS = [AtLeast(Decimal("0.0001")), AtMost(10**9)]


class ExchangeRate(models.Model):
    """Units of a currency per US dollar for a month; a month without a row uses the last one."""

    currency = models.CharField(_("currency"), max_length=3)
    month = models.DateField(_("month"))
    units_per_usd = models.DecimalField(
        _("units per USD"),
        max_digits=14,
        decimal_places=4,
        validators=RATE_BOUNDS,
    )
    source = models.CharField(_("source"), max_length=300)
    is_example = models.BooleanField(_("example data"), default=False)

    class Meta:
        ordering = ["currency", "month"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="stats_rate_unique")
        ]

    def __str__(self):
        return f"{self.currency} {self.month:%Y-%m} {self.units_per_usd}"


class FigureChange(models.Model):
    """Who set or corrected a figure the board keeps, and when; the figure's earlier value is
    kept beside it by each kind of change."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        ordering = ["-changed_at", "-pk"]
        abstract = True


class ExchangeRateChange(FigureChange):
    """A rate the board set or corrected, with the value it replaced, who and when: a correction
    changes every dollar figure of its month at once, so each one can be traced."""

    rate = models.ForeignKey(
        ExchangeRate, on_delete=models.CASCADE, related_name="changes", verbose_name=_("rate")
    )
    previous_units_per_usd = models.DecimalField(
        _("previous units per USD"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=RATE_BOUNDS,
    )
    previous_source = models.CharField(_("previous source"), max_length=300, blank=True)
    units_per_usd = models.DecimalField(
        _("units per USD"), max_digits=14, decimal_places=4, validators=RATE_BOUNDS
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta(FigureChange.Meta):
        verbose_name = _("exchange rate change")
        verbose_name_plural = _("exchange rate changes")

    def __str__(self):
        return f"{self.rate}: {self.previous_units_per_usd} -> {self.units_per_usd}"


# A growth in percent from -100, or an amount of up to a quadrillion in the measure's unit.
TARGET_BOUNDS = [AtLeast(-100), AtMost(10**15), exactly_stored]


class Target(models.Model):
    """What the board aims for in a year, for one gate or (gate empty) the whole zone."""

    gate = models.ForeignKey(
        Gate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gate"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[AtLeast(2000), AtMost(2100)])
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices)
    kind = models.CharField(_("kind of target"), max_length=10, choices=TargetKind.choices)
    # A growth in percent (5 for "+5 % a year") or an amount in the measure's unit.
    value = models.DecimalField(
        _("target"),
        max_digits=18,
        decimal_places=2,
        validators=TARGET_BOUNDS,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        ordering = ["year", "measure"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        permissions = [("manage_statistics", _("Can set targets, rates and import figures"))]
        constraints = [
            models.UniqueConstraint(
                fields=["gate", "year", "measure"], name="stats_target_unique_gate"
            ),
            models.UniqueConstraint(
                fields=["year", "measure"],
                condition=models.Q(gate=None),
                name="stats_target_unique_zone",
                violation_error_message=_(
                    "The zone already has a target for this year and measure."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_measure_display()} {self.value}"


class TargetChange(FigureChange):
    """A target the board set or changed, with what it replaced, who and when: a target moves
    every gate's verdict of its year at once, and was overwritten without a trace."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="changes", verbose_name=_("target")
    )
    # Empty for a target set where none was: nothing was replaced.
    previous_kind = models.CharField(
        _("previous kind of target"), max_length=10, choices=TargetKind.choices, blank=True
    )
    previous_value = models.DecimalField(
        _("previous target"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=TARGET_BOUNDS,
    )
    previous_note = models.CharField(_("previous note"), max_length=300, blank=True)
    kind = models.CharField(_("kind of target"), max_length=10, choices=TargetKind.choices)
    value = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, validators=TARGET_BOUNDS
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(FigureChange.Meta):
        verbose_name = _("target change")
        verbose_name_plural = _("target changes")

    def __str__(self):
        return f"{self.target}: {self.previous_value} -> {self.value}"
