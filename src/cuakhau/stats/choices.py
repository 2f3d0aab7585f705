"""Every enumeration of the statistics, with the words a person reads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    # Where a summary row's figures come from: computed from the platform's own trips, or
    # imported from the board's spreadsheets for months before the platform (never both).
    PLATFORM = "platform", _("Recorded by the platform")
    IMPORTED = "imported", _("Imported from a spreadsheet")


class Measure(models.TextChoices):
    EXPORT_USD = "export_usd", _("Exports (USD)")
    IMPORT_USD = "import_usd", _("Imports (USD)")
    TURNOVER_USD = "turnover_usd", _("Import-export turnover (USD)")
    FEE_VND = "fee_vnd", _("Gate fee revenue (VND)")
    TRUCKS = "trucks", _("Trucks crossed")


class TargetKind(models.TextChoices):
    GROWTH = "growth", _("Growth on the previous year (%)")
    ABSOLUTE = "absolute", _("Fixed amount")


class Verdict(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    NO_BASE = "no_base", _("No figure for the previous year")
    TOO_EARLY = "too_early", _("Too early to tell")
    UNKNOWN = "unknown", _("Not known: an exchange rate is missing")
