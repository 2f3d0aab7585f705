from django.dispatch import receiver

from cuakhau.trips.signals import trip_transitioned


@receiver(trip_transitioned, dispatch_uid="slots_follow_trip")
def follow_trip(sender, trip, action, from_status, to_status, actor, at=None, **kwargs):
    from . import services

    services.on_trip_transition(trip, action, to_status, actor, at=at)
