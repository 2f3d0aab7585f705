"""Mark a gate-month stale when something it counts changes (one cheap insert, no recount).

Bulk loads (the demo generator) bypass signals and call `services.rebuild()` instead.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cuakhau.gate.models import Visit
from cuakhau.receipts.models import Receipt

from .services import mark_stale, root_issued_at


@receiver(post_save, sender=Visit, dispatch_uid="stats-visit")
def visit_saved(sender, instance: Visit, **kwargs):
    # A check-in alone changes no figure: a truck counts in the month it leaves.
    if instance.exited_at is not None:
        mark_stale(instance.gate_id, instance.exited_at)


COUNTED_RECEIPT_FIELDS = {"status", "amount_vnd", "issued_at", "gate", "gate_id"}


@receiver(post_save, sender=Receipt, dispatch_uid="stats-receipt")
def receipt_saved(sender, instance: Receipt, update_fields=None, **kwargs):
    # Marking a receipt used at the exit changes no amount.
    if update_fields is not None and not COUNTED_RECEIPT_FIELDS & set(update_fields):
        return
    mark_stale(instance.gate_id, instance.issued_at)
    if instance.replaces_id is not None:
        # A replacement's fee counts in the month of the receipt it replaces (``_fee_receipts``).
        mark_stale(instance.gate_id, root_issued_at(instance))
