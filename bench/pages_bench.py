"""Server-side time, size and queries of the heavy read pages on the 90-day demo data.

Run on demand, never from the tests:

    .venv/bin/python bench/pages_bench.py                       # SQLite
    DATABASE_URL=postgres://cuakhau:cuakhau@127.0.0.1:5432/cuakhau_pages \\
        .venv/bin/python bench/pages_bench.py                   # PostgreSQL

The pages (issue 13's targets in brackets):

- the daily reconciliation of one full day at Hữu Nghị, the busiest gate (< 150 ms);
- the performance (KPI) page with its default period, all gates (the board's view) and
  Hữu Nghị alone (< 150 ms);
- the yard board's fragment at Hữu Nghị, the part the wall screen polls (< 50 ms);
- the offline receipt verifier (``/receipts/offline/``), which a gate device downloads whole
  with every key, revocation and receipt used at exit (no target: its size is the figure);
- the trip list searched for a word of the cargo (``/trips/?q=thép``) as a customs officer of
  every gate (no target: the search reads every trip once).

Each page is requested through Django's test client in this process (the whole middleware
stack, the view, the template; no HTTP server, so no network or worker time), signed in as a
demo user allowed to read it: once counting its SQL queries, then ``--repeat`` times
timed. It prints the first request's time (as after a restart: nothing kept in the process
but what the server's start does — ``cuakhau.wsgi`` imported as gunicorn's workers import it,
with its warm-up, and each client's middleware chain built — and the finished days of the KPI
kept in the database by earlier page views, see ``ensure_kpi_days``),
the median and 90th percentile in milliseconds, the median CPU time of this process (the
whole request on SQLite, all but the database server's share on PostgreSQL: on a shared
machine the steadier figure), the response size and the query count.

The data: ``CUAKHAU_DATA_DIR`` (default ``/tmp/cuakhau-pages-bench``) holds the SQLite file, or
``DATABASE_URL`` names a PostgreSQL database (created if missing). If it holds no demo trips
yet, ``cuakhau demo --no-serve --days 90`` fills it first (minutes); later runs reuse it.
``--rebuild`` makes it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import statistics
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = "/tmp/cuakhau-pages-bench"
GATE = "hng"  # Hữu Nghị, the busiest gate of the demo


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (20)")
    parser.add_argument("--days", type=int, default=90, help="days of demo traffic (90)")
    parser.add_argument("--rebuild", action="store_true", help="make the demo data again")
    parser.add_argument("--keep-kpi-days", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--page",
        action="append",
        choices=["reconciliation", "kpi", "kpi-gate", "board", "offline", "trip-search"],
        help="only these pages (repeatable)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 1000:
        parser.error("--repeat must be between 1 and 1000")
    return args


def percentile(values, p):
    """Linear interpolation between closest ranks, as ``cuakhau.gate.kpi.percentile``."""
    xs = sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def ensure_postgres_database(url: str) -> None:
    """Create the database of ``url`` if it does not exist (never drops one)."""
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django() -> None:
    sys.path.insert(0, str(CHECKOUT / "src"))
    os.environ.setdefault("CUAKHAU_DATA_DIR", DEFAULT_DATA_DIR)
    Path(os.environ["CUAKHAU_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
    # The test client's host; the server's own hosts stay as configured.
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["ALLOWED_HOSTS"] = f"{hosts},testserver"
    if os.environ.get("DATABASE_URL"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def ensure_demo(days: int, rebuild: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    has_data = False
    if "trips_trip" in connection.introspection.table_names():
        from cuakhau.trips.models import Trip

        has_data = Trip.objects.filter(gate__code=GATE).exists()
    if not has_data or rebuild:
        print(f"building {days} days of demo data (cuakhau demo --no-serve) …", flush=True)
        started = time.perf_counter()
        call_command("demo", no_serve=True, days=days, verbosity=1)
        print(f"demo data made in {time.perf_counter() - started:.0f} s", flush=True)
    # Pages name their static files through the manifest, as under ``cuakhau serve``.
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    # Data made by an older checkout gains the tables added since (the kept KPI days).
    call_command("migrate", interactive=False, verbosity=0)


def ensure_kpi_days() -> None:
    """Keep the KPI's finished days, as the first page view of a running server does.

    Done in a separate process, so this one starts as a restarted server would: nothing in its
    memory, the finished days in the database.
    """
    import subprocess

    from cuakhau.gate.models import KpiDay

    if KpiDay.objects.exists():
        return
    print("keeping the KPI's finished days (the first page view of a running server) …")
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--keep-kpi-days"], check=True)
    print(f"kept {KpiDay.objects.count()} gate-days in {time.perf_counter() - started:.1f} s")


def keep_kpi_days() -> None:
    from cuakhau.gate.kpi import gate_kpis
    from cuakhau.gate.views_board import DEFAULT_KPI_DAYS, _today

    today = _today(None)
    gate_kpis(None, today - dt.timedelta(days=DEFAULT_KPI_DAYS - 1), today, today=today)


def busiest_full_day():
    """The local day before today at Hữu Nghị (a whole day of payments, receipts, exits)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from cuakhau.reference.models import Gate

    gate = Gate.objects.get(code=GATE)
    return timezone.now().astimezone(ZoneInfo(gate.time_zone)).date() - dt.timedelta(days=1)


def pages(selected):
    from django.urls import reverse

    day = busiest_full_day()
    every = [
        (
            "reconciliation",
            f"reconciliation {GATE} {day.isoformat()}",
            "bql",
            f"{reverse('payments:reconciliation')}?gate={GATE}&day={day.isoformat()}",
            {},
            150,
        ),
        ("kpi", "KPI, all gates, default 30 days", "bql", reverse("gate:kpi"), {}, 150),
        (
            "kpi-gate",
            f"KPI, {GATE}, default 30 days",
            "bql",
            f"{reverse('gate:kpi')}?gate={GATE}",
            {},
            150,
        ),
        (
            "board",
            f"board fragment {GATE} (htmx)",
            "vanhanh",
            reverse("gate:board_fragment", args=[GATE]),
            {"HTTP_HX_REQUEST": "true"},
            50,
        ),
        ("offline", "offline receipt verifier", "vanhanh", reverse("receipts:offline"), {}, None),
        # A word of a cargo line's description: no index can serve a search inside texts, so
        # this is the cost of reading every trip of the officer's gates once.
        (
            "trip-search",
            "trip search ?q=thép",
            "haiquan",
            f"{reverse('trips:list')}?q=th%C3%A9p",
            {},
            None,
        ),
    ]
    return [page for page in every if not selected or page[0] in selected]


def measure(client, url, headers, repeat):
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.get(url, **headers)
        first = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    size = len(response.content)
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return first, times, cpu, size, len(queries)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    if args.keep_kpi_days:
        keep_kpi_days()
        return 0
    ensure_demo(args.days, args.rebuild)
    ensure_kpi_days()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = get_user_model().objects
    # The server's start: the WSGI application and its warm-up, as in every gunicorn worker.
    import cuakhau.wsgi  # noqa: F401

    database = connection.vendor
    print(f"database: {database} ({connection.settings_dict['NAME']}), {args.repeat} timed runs")
    print(
        f"{'page':<36}{'first ms':>9}{'median ms':>10}{'p90 ms':>9}{'cpu ms':>8}{'target':>8}"
        f"{'bytes':>10}"
        f"{'queries':>9}"
    )
    clients = {}
    for _key, label, username, url, headers, target in pages(args.page):
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(users.get(username=username))
            # A server builds its middleware chain when it starts, not on the first request.
            clients[username].handler.load_middleware()
        first, times, cpu, size, queries = measure(clients[username], url, headers, args.repeat)
        print(
            f"{label:<36}{first:>9.1f}{statistics.median(times):>10.1f}{percentile(times, 90):>9.1f}"
            f"{statistics.median(cpu):>8.1f}{'<' + str(target) if target else '-':>8}"
            f"{size:>10,}{queries:>9}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
