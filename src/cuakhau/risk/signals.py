from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned

from . import services


@receiver(trip_transitioned, dispatch_uid="risk_assess_on_submit")
def assess_submitted_trip(sender, trip, action, **kwargs):
    # The officers need the channel as soon as the declaration reaches them, and again when it
    # changes; an amendment can raise the channel but never lower it.
    if action in ("submit", "amend"):
        services.assess(trip)
