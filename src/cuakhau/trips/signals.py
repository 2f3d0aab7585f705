from django.dispatch import Signal

# Sent inside the transaction of every trip transition, after the new status is saved:
# other apps (fees, receipts, gate) react without the trip code knowing them.
# Arguments: trip, action, from_status, to_status, actor.
trip_transitioned = Signal()
