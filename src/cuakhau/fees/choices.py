from django.db import models
from django.utils.translation import gettext_lazy as _


class VehicleClass(models.TextChoices):
    TRUCK = "truck", _("truck (by capacity bracket)")
    CONTAINER = "container", _("container truck")
    PASSENGER = "passenger", _("passenger or other vehicle")
    ANY = "any", _("any vehicle")


class Regime(models.TextChoices):
    EXPORT_IMPORT = "export_import", _("export / import")
    TNTX = "tntx", _("temporary import / re-export")
    TRANSIT = "transit", _("transit")
    TNTX_TRANSIT = "tntx_transit", _("temporary import / re-export or transit")
    ANY = "any", _("any")


class GoodsCategory(models.TextChoices):
    AGRICULTURAL = "agricultural", _("agricultural products")
    PETROLEUM = "petroleum", _("petroleum products")
    OTHER = "other", _("other goods")
    EMPTY = "empty", _("empty vehicle")
    ANY = "any", _("any goods")


class RateUnit(models.TextChoices):
    VEHICLE = "vehicle", _("per vehicle per trip")
    CONTAINER = "container", _("per container")
    TONNE = "tonne", _("per tonne")


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", _("draft (not in force)")
    PUBLISHED = "published", _("published")


class ScheduleAction(models.TextChoices):
    PUBLISH = "publish", _("publish")


# The schedule's state machine: a draft is edited, never used to assess; publishing makes it
# count from its effective day (``services.publish_schedule``); nothing goes back to draft.
SCHEDULE_TRANSITIONS = {
    (ScheduleStatus.DRAFT, ScheduleAction.PUBLISH): ScheduleStatus.PUBLISHED,
}
