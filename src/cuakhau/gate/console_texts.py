"""Every text the console's script shows, translated on the server in the page's language.

The script holds no words of its own: the console page hands it this table (a JSON script tag),
so the offline answers, the queue and the network state speak the operator's language as the
rest of the page does. Placeholders are Python's ``%(name)s``; the script fills them.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cuakhau.core.inputs import separators_refusal
from cuakhau.trips.choices import Direction, TripStatus

from . import services
from .models import WeighbridgeReading
from .services import WEIGHT_LIMITS


def _plural(singular: str, plural: str) -> dict[str, str]:
    # The console's languages need at most two forms: one, and any other number.
    return {"one": ngettext(singular, plural, 1), "other": ngettext(singular, plural, 2)}


def console_texts() -> dict:
    return {
        "online": _("Online"),
        "offline": _("Offline: look-ups answer from this console's copy, actions are queued"),
        "back_online": _("Back online"),
        "offline_answer": _("Offline answer"),
        "snapshot_age": _(
            "From this console's copy of the gate's trucks, made %(age)s ago (%(time)s)."
        ),
        "snapshot_saved": _("Copy of the gate's trucks for offline use: %(time)s, %(count)s."),
        "trucks": _plural("%(n)s truck", "%(n)s trucks"),
        "age_now": _("less than a minute"),
        "minutes": _plural("%(n)s minute", "%(n)s minutes"),
        "hours": _plural("%(n)s hour", "%(n)s hours"),
        "no_snapshot": _(
            "Offline, and this console has no copy of the gate's trucks yet: it cannot answer."
        ),
        "not_found": _("No truck of this gate in the offline copy for: %(text)s"),
        "unpaid": _("Fees not paid."),
        "inside": _("Inside since %(at)s."),
        "no_receipt": _("No valid receipt for this trip."),
        "expected": _("Expected %(at)s"),
        "plate_mismatch": _("Plate %(seen)s does not match the declaration (%(declared)s)."),
        "receipt_verified": _("Receipt %(n)s: signature verified offline."),
        "receipt_not_verified": _(
            "Receipt %(n)s: not verified offline (recognised by its number only)."
        ),
        "receipt_forged": _("The receipt's signature does not match: it was altered or forged."),
        "receipt_revoked_key": _("The receipt was signed with a revoked key."),
        "receipt_unknown_key": _("The receipt's signing key is not known to this console."),
        "receipt_malformed": _("This code is not a readable receipt."),
        "receipt_wrong_gate": _("Receipt issued for another gate (%(gate)s)."),
        "receipt_revoked": _("Receipt %(n)s has been revoked."),
        "receipt_used": _("Receipt %(n)s has already been used."),
        "receipt_unknown": _("Receipt %(n)s is not one of this gate's trucks of today."),
        "check_in_offline": _("Check in (sent when online)"),
        "exit_offline": _("Let out (sent when online)"),
        "check_in_lane": _("Check-in of %(plate)s at lane %(lane)s, queued %(time)s"),
        "check_in": _("Check-in of %(plate)s, queued %(time)s"),
        "exit_lane": _("Exit of %(plate)s at lane %(lane)s, queued %(time)s"),
        "exit": _("Exit of %(plate)s, queued %(time)s"),
        "waiting": _plural("%(n)s action waiting to be sent", "%(n)s actions waiting to be sent"),
        "queued": _("Queued: %(what)s. It is sent when the network is back."),
        # The copy still shows the truck as it was before its action queued here: no second
        # one (its exit, refused when sent, flagged the receipt as presented again).
        "already_queued": _(
            "Already queued on this console: %(what)s. It is sent when the network is back."
        ),
        "confirmed": _("Confirmed: %(what)s"),
        "refused": _("Refused: %(what)s. Reason: %(why)s"),
        # An action queued by another operator on this tablet: sent only under their session.
        "queued_by_other": _("queued by %(name)s: sign in as them to send it"),
        "sent_heading": _("Sent while offline"),
        "dismiss": _("Clear this list"),
        "sign_in_again": _(
            "The server did not take the queued actions: sign in again, they are kept."
        ),
        "signed_out": _(
            "No one is signed in on this console any more: nothing can be queued. Sign in "
            "again when the network is back; the actions already queued are kept."
        ),
        # A weight typed while offline is checked before it is queued, as the booth's form
        # checks it online: a truck's check-in refused once the network is back is a truck
        # inside the gate with no visit.
        "number_separators": separators_refusal(),
        "enter_number": _("Enter a number."),
        "decimal_places": _("At most %(places)d decimal places.")
        % {"places": WeighbridgeReading._meta.get_field("gross_kg").decimal_places},
        "weight_range": {name: services.weight_out_of_range(name) for name in WEIGHT_LIMITS},
        "gross_too": _("Enter the weighbridge reading too."),
        "tare_below": _("The tare must be below the weighbridge reading."),
        "statuses": {value: str(label) for value, label in TripStatus.choices},
        "directions": {value: str(label) for value, label in Direction.choices},
    }
