"""Per-request CPU time of the bare transactional check-in (``bench/bare``), in-process through
the test client: the figure to set beside ``gate_loop.py``'s check-in, measured the same way; then
the transaction alone, called directly, to split the request into its transaction and the stack.

    .venv/bin/python bench/bare_loop.py 500

Uses a SQLite database of its own in ``$BARE_DATA_DIR`` (``/tmp/gatebare-loop`` by default),
made on first use.
"""

import sys
import time

import bare_project  # noqa: E402, F401  (Django set up for bench/bare)
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from gatebare.api import lock_update_insert  # noqa: E402
from gatebare.models import Slot  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
call_command("migrate", verbosity=0)
missing = n - Slot.objects.count()
if missing > 0:
    Slot.objects.bulk_create([Slot(state="waiting") for _ in range(missing)])
ids = list(Slot.objects.order_by("pk").values_list("pk", flat=True)[:n])
client = Client()
for slot in ids[:50]:  # warm-up
    client.post(f"/check-in/{slot}")
start, cpu = time.perf_counter(), time.process_time()
for slot in ids:
    assert client.post(f"/check-in/{slot}").status_code == 200
wall, used = time.perf_counter() - start, time.process_time() - cpu
print(
    f"bare check-in: {wall / len(ids) * 1000:.2f} ms wall, {used / len(ids) * 1000:.2f} ms CPU "
    f"per request over {len(ids)}"
)
# The same slots again, the transaction called directly: what of the request is its transaction
# (the rest is Django's handler, the URL, django-ninja and the answer's JSON).
cpu = time.process_time()
for slot in ids:
    lock_update_insert(slot)
alone = (time.process_time() - cpu) / len(ids)
print(
    f"  of which the transaction alone: {alone * 1000:.2f} ms CPU; around it "
    f"{(used / len(ids) - alone) * 1000:.2f} ms"
)
