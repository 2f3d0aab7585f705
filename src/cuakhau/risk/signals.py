from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned

from . import history, services


@receiver(trip_transitioned, dispatch_uid="risk_assess_on_submit")
def assess_submitted_trip(sender, trip, action, from_status, to_status, **kwargs):
    # The price history first (a declaration adds its lines, an amendment or cancellation
    # changes them), in the change's own transaction, so the assessment below reads it current.
    history.follow_transition(trip, action, from_status, to_status)
    # The officers need the channel as soon as the declaration reaches them, and again when it
    # changes; an amendment can raise the channel but never lower it.
    if action in ("submit", "amend"):
        # The transition holds the trip's lock, and its trip is the row as written.
        services.assess(trip, locked=True)
