from django.dispatch import receiver

from cuakhau.core.phrases import Phrase
from cuakhau.trips.choices import TripAction
from cuakhau.trips.signals import trip_transitioned

from . import services
from .models import RevokeKind


@receiver(trip_transitioned, dispatch_uid="receipts_revoke_on_cancel")
def revoke_receipt_of_cancelled_trip(sender, trip, action, from_status, actor, **kwargs):
    # A paid trip that will not cross is refunded: its receipt must stop verifying.
    if from_status == "paid" and action in ("cancel", "reject"):
        receipt = services.valid_receipt_of(trip)
        if receipt is not None:
            reason = (
                trip.transitions.order_by("-at", "-id").values_list("reason", flat=True).first()
            )
            # Without a reason typed, what happened to the trip, as a person reads it (never
            # its code, "cancel"), in each reader's language.
            reason = reason or Phrase(dict(TripAction.choices)[action])
            services.revoke_receipt(receipt, actor, RevokeKind.REFUNDED, reason)
