from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned

from . import services


@receiver(trip_transitioned, dispatch_uid="payments_settle_after_amendment")
def settle_after_amendment(sender, trip, action, **kwargs):
    # The fees app assessed the trip first (its receiver is connected earlier): money already
    # received may now cover the new fee, and then the trip is paid without a further transfer.
    # A submission too: money that came while the trip was a draft counts towards its fee, and
    # a trip it covers would otherwise show nothing due and no receipt.
    if action == "submit" and not trip.payments.exists():
        return  # nearly every submission: nothing received yet, nothing to settle
    if (
        action in ("submit", "amend")
        and services.settle_after_reassessment(trip, action) is not None
    ):
        trip.refresh_from_db(fields=["status"])
