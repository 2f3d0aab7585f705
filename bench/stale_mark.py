"""CPU of the stale-month mark every exit leaves (``stats.services.mark_stale``), against the
``bulk_create(ignore_conflicts=True)`` it replaced, in one process inside one transaction. A
quick local loop, not a benchmark: CPU time per mark is the figure.

    CUAKHAU_DATA_DIR=<a set-up data dir> .venv/bin/python bench/stale_mark.py [marks]

(``DATABASE_URL=…`` for PostgreSQL.) The data directory needs the reference data (gate
``mlt``): ``cuakhau setup`` once.
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
import django  # noqa: E402

django.setup()
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cuakhau.reference.models import Gate  # noqa: E402
from cuakhau.stats.models import StaleMonth  # noqa: E402
from cuakhau.stats.services import gate_zone, mark_stale, month_of  # noqa: E402


def as_before(gate_id, moment):
    month = month_of(moment.astimezone(gate_zone(gate_id)).date())
    StaleMonth.objects.bulk_create(
        [StaleMonth(gate_id=gate_id, month=month)], ignore_conflicts=True
    )


n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
gate = Gate.objects.get(code="mlt")
now = timezone.now()
for _round in range(3):
    for name, mark in (("mark_stale (compiled once)", mark_stale), ("bulk_create", as_before)):
        with transaction.atomic():
            started = time.process_time()
            for _ in range(n):
                mark(gate.pk, now)
            spent = time.process_time() - started
            transaction.set_rollback(True)
        print(f"{name}: {spent / n * 1e6:.1f} µs of CPU a mark over {n}")
