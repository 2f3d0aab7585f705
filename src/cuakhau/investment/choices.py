"""Every enumeration of the investment register, with the words a person reads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    # The groups the province's reports use for the economic zone's projects.
    AGRICULTURE = "agriculture", _("Agriculture and forestry")
    PROCESSING = "processing", _("Processing and manufacturing")
    LOGISTICS = "logistics", _("Logistics and warehousing")
    TRADE = "trade", _("Trade and services")
    TOURISM = "tourism", _("Tourism")
    ENERGY = "energy", _("Energy")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")


class ProjectStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class ProjectAction(models.TextChoices):
    IMPORT = "import", _("imported from a spreadsheet")
    # Entered by hand (the administration): the history starts there, as an import's does.
    RECORD = "record", _("entered in the register")
    START_CONSTRUCTION = "start_construction", _("start construction")
    START_OPERATION = "start_operation", _("start operation")
    SUSPEND = "suspend", _("suspend")
    RESUME_CONSTRUCTION = "resume_construction", _("resume construction")
    RESUME_OPERATION = "resume_operation", _("resume operation")
    TERMINATE = "terminate", _("terminate")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")
