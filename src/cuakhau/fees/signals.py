from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned

from . import services


@receiver(trip_transitioned, dispatch_uid="fees_assess_on_submit")
def assess_submitted_trip(sender, trip, action, **kwargs):
    # The fee is fixed by what was submitted; an amendment reassesses and keeps the old one.
    if action in ("submit", "amend"):
        services.record_assessment(trip)
