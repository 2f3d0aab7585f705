"""Check-in and exit on the product's own demo data: what a gate does on a database with history.

``gate_bench`` runs on a fresh, small database that SQLite never analysed; the demo database
(``cuakhau demo``, 90 days, analysed) is where a bad plan shows. On a copy of a demo data
directory (never the original: trucks are checked in and let out), this checks in ``N`` paid
demo trucks and lets ``N`` cleared ones out through ``gate.services``, as an operator of each
truck's gate, and prints the median and worst time of each and its slowest statements.

    cp -r /tmp/cuakhau-pages-bench /tmp/demo-copy      # pages_bench's demo data, or any demo's
    CUAKHAU_DATA_DIR=/tmp/demo-copy .venv/bin/python bench/demo_gate.py [N]

Run by hand, never by the tests; times in one process (no HTTP, no server).
"""

import collections
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from cuakhau.gate import services  # noqa: E402
from cuakhau.receipts.models import Receipt  # noqa: E402
from cuakhau.trips import services as trips  # noqa: E402
from cuakhau.trips.models import Trip  # noqa: E402


def operators():
    found = {}

    def of(gate):
        if gate.pk not in found:
            found[gate.pk] = next(
                (
                    user
                    for user in get_user_model().objects.filter(is_active=True).order_by("pk")
                    if user.has_perm("trips.operate_gate") and trips.works_at(user, gate)
                ),
                None,
            )
        return found[gate.pk]

    return of


def trucks(status: str, n: int) -> list:
    operator_of = operators()
    work = []
    for trip in Trip.objects.filter(status=status).select_related("gate").order_by("pk")[: n + 1]:
        receipt = Receipt.objects.filter(trip=trip, status="valid").first()
        operator = operator_of(trip.gate)
        if receipt is not None and operator is not None:
            work.append((trip, receipt.token, operator))
    return work


def timed(label: str, action, work: list) -> None:
    if len(work) < 2:
        print(f"{label}: fewer than 2 trucks to act on")
        return
    action(*work[0])  # the process's first: caches filled, as in a running server
    statements = collections.defaultdict(list)

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements[sql[:90]].append(time.perf_counter() - start)

    times = []
    with connection.execute_wrapper(wrapper):
        for item in work[1:]:
            start = time.perf_counter()
            action(*item)
            times.append(time.perf_counter() - start)
    print(
        f"{label}: {len(times)} trucks, median {statistics.median(times) * 1000:.2f} ms, "
        f"worst {max(times) * 1000:.2f} ms"
    )
    slowest = sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:5]
    for sql, spent in slowest:
        print(f"  {statistics.mean(spent) * 1000:7.3f} ms avg  x{len(spent):<4} {sql}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    print(f"data: {connection.settings_dict['NAME']} ({connection.vendor})")
    timed(
        "check-in",
        lambda trip, token, operator: services.check_in(operator, trip.gate, token),
        trucks("paid", n),
    )
    timed(
        "exit",
        lambda trip, token, operator: services.exit_truck(operator, trip.gate, token),
        trucks("cleared", n),
    )


if __name__ == "__main__":
    main()
