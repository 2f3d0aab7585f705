"""Every enumeration of the cooperation register, with the words a person reads."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    MEMORANDUM = "memorandum", _("Memorandum of understanding")
    MINUTES = "minutes", _("Signed minutes")
    TWINNING = "twinning", _("Twinning agreement")


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    FULFILLED = "fulfilled", _("Fulfilled")
    DROPPED = "dropped", _("Dropped")


class CommitmentAction(models.TextChoices):
    # Its first step in the history: who recorded the promise, when, and how.
    RECORD = "record", _("recorded")
    START = "start", _("start work")
    FULFIL = "fulfil", _("mark fulfilled")
    DROP = "drop", _("drop")
    REOPEN = "reopen", _("reopen")


class Side(models.TextChoices):
    VIETNAM = "vn", _("Vietnamese side")
    COUNTERPART = "counterpart", _("Counterpart")
    BOTH = "both", _("Both sides")


class AidSector(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    AGRICULTURE = "agriculture", _("Agriculture and rural development")
    ENVIRONMENT = "environment", _("Environment and climate")
    SOCIAL = "social", _("Social welfare")
