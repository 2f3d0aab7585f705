"""The floor under issue 13's goal: what the check-in's statements cost with none of its rules.

A real check-in runs 13 statements inside the request (``bench/gate_loop.py`` with ``SQL=1``:
7 reads — token, gate, receipt with its trip, rule sets, cargo lines, current assessment, the
waiting area — and 6 writes — trip, transition, visit, old and new assessment, green-channel
inspection) and verifies one Ed25519 signature; the bare check-in (``bench/bare``) runs 3.
This adds, to the bare project and in this process only, two endpoints that do just that many
one-row statements on the bare tables and one signature check, nothing else — one through the
ORM as plain Django code writes them, one through a raw cursor — and times them against the bare
check-in, alternating in batches in one process, through the test client:

    .venv/bin/python bench/floor_loop.py 1000

The ratios are CPU per request against the bare check-in's. The goal (check-in at x0.75 of the
bare throughput under ``gate_bench``) needs about x1.45 of the bare CPU in one process
(``bench/README.md``): a floor above that leaves no room for the rules themselves.
"""

import statistics
import sys
import time

import bare_project  # noqa: E402, F401  (Django set up for bench/bare)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import clear_url_caches  # noqa: E402
from django.utils import timezone  # noqa: E402
from gatebare.api import CheckedIn, api  # noqa: E402
from gatebare.models import Event, Slot  # noqa: E402

_KEY = Ed25519PrivateKey.generate()
_SIGNED = b'{"number":"HN-2026-000123","gate":"hn","amount_vnd":150000}' * 4
_SIGNATURE = _KEY.sign(_SIGNED)
_PUBLIC = _KEY.public_key()
# The check-in's reads before its transaction and inside it (the waiting area), its updates (the
# trip, the assessment it replaces) and inserts (transition, visit, assessment, inspection).
READS, UPDATES, WRITES = 7, 2, 4


@api.post("/floor-orm/{slot_id}", response=CheckedIn)
def floor_orm(request, slot_id: int):
    _PUBLIC.verify(_SIGNATURE, _SIGNED)
    for _ in range(READS - 1):
        Slot.objects.get(pk=slot_id)
    with transaction.atomic():
        slot = Slot.objects.select_for_update().get(pk=slot_id)
        now = timezone.now()
        slot.state = "arrived" if slot.state != "arrived" else "waiting"
        for _ in range(UPDATES):
            Slot.objects.filter(pk=slot_id).update(state=slot.state, updated_at=now)
        for _ in range(WRITES):
            Event.objects.create(slot=slot, state=slot.state, at=now)
    return {"id": slot.pk, "state": slot.state}


@api.post("/floor-raw/{slot_id}", response=CheckedIn)
def floor_raw(request, slot_id: int):
    _PUBLIC.verify(_SIGNATURE, _SIGNED)
    read = 'SELECT "id", "state", "updated_at" FROM "gatebare_slot" WHERE "id" = %s'
    with connection.cursor() as cursor:
        for _ in range(READS - 1):
            cursor.execute(read, [slot_id])
            cursor.fetchone()
        with transaction.atomic():
            cursor.execute(read, [slot_id])
            state = "arrived" if cursor.fetchone()[1] != "arrived" else "waiting"
            now = timezone.now()
            for _ in range(UPDATES):
                cursor.execute(
                    'UPDATE "gatebare_slot" SET "state" = %s, "updated_at" = %s WHERE "id" = %s',
                    [state, now, slot_id],
                )
            for _ in range(WRITES):
                cursor.execute(
                    'INSERT INTO "gatebare_event" ("slot_id", "state", "at") VALUES (%s, %s, %s)',
                    [slot_id, state, now],
                )
    return {"id": slot_id, "state": state}


clear_url_caches()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
call_command("migrate", verbosity=0)
missing = n - Slot.objects.count()
if missing > 0:
    Slot.objects.bulk_create([Slot(state="waiting") for _ in range(missing)])
ids = list(Slot.objects.order_by("pk").values_list("pk", flat=True)[:n])
client = Client()
paths = {"bare": "/check-in/", "floor, ORM": "/floor-orm/", "floor, raw SQL": "/floor-raw/"}
for path in paths.values():  # warm-up
    for slot in ids[:50]:
        assert client.post(f"{path}{slot}").status_code == 200
cpu = {name: [] for name in paths}
for start in range(0, len(ids), 20):
    batch = ids[start : start + 20]
    for name, path in paths.items():
        used = time.process_time()
        for slot in batch:
            client.post(f"{path}{slot}")
        cpu[name].append((time.process_time() - used) / len(batch))
bare = statistics.median(cpu["bare"])
for name, values in cpu.items():
    median = statistics.median(values)
    print(
        f"{name:16} {median * 1000:6.2f} ms CPU a request (median of {len(values)} batches)  x{median / bare:.2f}"
    )
