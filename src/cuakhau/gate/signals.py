from django.dispatch import receiver
from django.utils import timezone

from cuakhau.trips.signals import trip_transitioned

from .models import Visit


@receiver(trip_transitioned, dispatch_uid="gate_visit_cleared")
def stamp_clearance(sender, trip, action, **kwargs):
    # The visit keeps each stage's end, so the KPI page can say where the time went.
    if action == "clear":
        Visit.objects.filter(trip=trip, cleared_at=None).update(cleared_at=timezone.now())
