from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Schema

api = NinjaAPI(title="bare check-in", docs_url=None)


class CheckedIn(Schema):
    id: int
    state: str


def lock_update_insert(slot_id: int) -> dict:
    """Lock, update, insert: the transaction at the heart of a gate check-in, nothing around it.

    (SQLite ignores FOR UPDATE; its IMMEDIATE transaction takes the write lock at BEGIN.)
    ``bare_loop.py`` times it alone too: the share of the bare request that is its transaction.
    """
    from gatebare.models import Event, Slot

    with transaction.atomic():
        slot = get_object_or_404(Slot.objects.select_for_update(), pk=slot_id)
        now = timezone.now()
        slot.state = "arrived" if slot.state != "arrived" else "waiting"
        slot.updated_at = now
        slot.save(update_fields=["state", "updated_at"])
        Event.objects.create(slot=slot, state=slot.state, at=now)
    return {"id": slot.pk, "state": slot.state}


@api.post("/check-in/{slot_id}", response=CheckedIn)
def check_in(request, slot_id: int):
    return lock_update_insert(slot_id)
