from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cuakhau.core.context import Channel  # noqa: F401  (re-exported for trip code)
from cuakhau.core.wording import kilograms


class Direction(models.TextChoices):
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    TEMPORARY_IMPORT_REEXPORT = "tntx", _("Temporary import / re-export")
    TRANSIT = "transit", _("Transit")
    EMPTY_RETURN = "empty_return", _("Empty return")


class TripStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PAID = "paid", _("Fees paid")
    ARRIVED = "arrived", _("Checked in")
    CLEARED = "cleared", _("Cleared")
    EXITED = "exited", _("Exited")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


# Statuses in which a trip still holds its containers: a container cannot be declared on two
# of these at once.
ACTIVE_STATUSES = [
    TripStatus.DRAFT,
    TripStatus.SUBMITTED,
    TripStatus.PAID,
    TripStatus.ARRIVED,
    TripStatus.CLEARED,
]


class QuantityUnit(models.TextChoices):
    # UN/ECE Recommendation 20 codes, as customs declarations use them.
    KGM = "KGM", _("kilogram")
    TNE = "TNE", _("tonne")
    CT = "CT", _("carton")
    BG = "BG", _("bag")
    PCE = "PCE", _("piece")
    LTR = "LTR", _("litre")
    MTQ = "MTQ", _("cubic metre")
    SET = "SET", _("set")
    C62 = "C62", _("unit")


def counted(unit: str, n) -> str:
    """``n`` of ``unit`` as the reader says it ("1 kilogram", "10 kilograms", "10 千克"), with
    ``n`` already written as the page writes numbers; unknown units as their label."""
    count = 1 if str(n) == "1" else 2
    said = {
        "TNE": ngettext("%(n)s tonne", "%(n)s tonnes", count),
        "CT": ngettext("%(n)s carton", "%(n)s cartons", count),
        "BG": ngettext("%(n)s bag", "%(n)s bags", count),
        "PCE": ngettext("%(n)s piece", "%(n)s pieces", count),
        "LTR": ngettext("%(n)s litre", "%(n)s litres", count),
        "MTQ": ngettext("%(n)s cubic metre", "%(n)s cubic metres", count),
        "SET": ngettext("%(n)s set", "%(n)s sets", count),
        "C62": ngettext("%(n)s unit", "%(n)s units", count),
        "packages": ngettext("%(n)s package", "%(n)s packages", count),
    }.get(unit)
    if unit == "KGM":
        # As the line's gross and net weights beside it are said: one unit word a language.
        return kilograms(n)
    if said is None:
        return f"{n} {dict(QuantityUnit.choices).get(unit, unit)}"
    return said % {"n": n}


class DocumentKind(models.TextChoices):
    PHYTOSANITARY = "phyto", _("Phytosanitary certificate")
    INVOICE = "invoice", _("Commercial invoice")
    PACKING_LIST = "packing", _("Packing list")
    CONTRACT = "contract", _("Sales contract")
    OTHER = "other", _("Other")


class VehicleType(models.TextChoices):
    TRUCK = "truck", _("Truck")
    CONTAINER_TRUCK = "container_truck", _("Container truck")
    TRACTOR_TRAILER = "tractor_trailer", _("Tractor-trailer")
    PASSENGER = "passenger", _("Passenger vehicle")
    OTHER = "other", _("Other vehicle")


class ContainerSize(models.TextChoices):
    NONE = "", _("no container")
    FT20 = "20", _("20 feet")
    FT40 = "40", _("40 feet")


class TripAction(models.TextChoices):
    """The steps of a trip's timeline (``TripTransition.action``), as its reader says them."""

    CREATE = "create", _("Declaration started")
    SUBMIT = "submit", _("Declaration submitted")
    AMEND = "amend", _("Declaration amended")
    CANCEL = "cancel", _("Trip cancelled")
    REJECT = "reject", _("Trip rejected")
    PAY = "pay", _("Fees paid, receipt issued")
    CHECK_IN = "check_in", _("Checked in at the gate")
    CLEAR = "clear", _("Cleared by every agency")
    EXIT = "exit", _("Left through the gate")
    TURN_BACK = "turn_back", _("Turned back: left the gate after its rejection")
    REISSUE_RECEIPT = "reissue_receipt", _("Receipt re-issued")
    RECEIPT_REVOKED = "receipt_revoked", _("Receipt revoked, fees due again")
    # Not transitions of the machine: the trip stays as it was, the step is their record.
    REMOVE_DOCUMENT = "remove_document", _("Document removed")
    ATTACH_DOCUMENT = "attach_document", _("Document attached")
