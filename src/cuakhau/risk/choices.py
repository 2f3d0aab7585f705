from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskChannel(models.TextChoices):
    GREEN = "green", _("Green: release")
    YELLOW = "yellow", _("Yellow: document check")
    RED = "red", _("Red: physical inspection")


# Channels are ordered: a reassessment compares ranks, never names.
RANK = {RiskChannel.GREEN: 0, RiskChannel.YELLOW: 1, RiskChannel.RED: 2}


def higher(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b


class RuleKind(models.TextChoices):
    HS_WATCH = "hs_watch", _("Watched HS codes")
    UNDERVALUATION = "undervaluation", _("Undervaluation")
    FAILED_INSPECTIONS = "failed_inspections", _("Failed inspections")
    FIRST_TIME_DECLARANT = "first_time_declarant", _("First-time declarant")
    WEIGHT_DIFFERENCE = "weight_difference", _("Weight difference")
    RANDOM = "random", _("Random selection")
