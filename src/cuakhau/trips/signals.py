from django.dispatch import Signal

# Sent inside the transaction of every trip transition, after the new status is saved:
# other apps (fees, receipts, gate) react without the trip code knowing them.
# Arguments: trip, action, from_status, to_status, actor, and at: when the act happened if it
# was not now (a check-in a gate tablet queued offline), else None.
trip_transitioned = Signal()
