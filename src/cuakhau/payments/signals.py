from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned

from . import services


@receiver(trip_transitioned, dispatch_uid="payments_settle_after_amendment")
def settle_after_amendment(sender, trip, action, **kwargs):
    # The fees app reassessed the trip first (its receiver is connected earlier): money already
    # received may now cover the new fee, and then the trip is paid without a further transfer.
    if action == "amend" and services.settle_after_reassessment(trip) is not None:
        trip.refresh_from_db(fields=["status"])
