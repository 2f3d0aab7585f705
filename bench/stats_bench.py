"""Five years of a busy gate on PostgreSQL: how long each dashboard query takes.

Run on demand, never from the tests:

    .venv/bin/python bench/stats_bench.py                 # ~600 trucks a day, 5 years
    .venv/bin/python bench/stats_bench.py --per-day 900 --keep

It creates a PostgreSQL database (DATABASE_URL, default …/cuakhau_statsbench; dropped at the
end unless --keep), runs `cuakhau setup`, declares one real trip through the services (check-in,
inspections, exit, receipt) and copies its rows in SQL (`INSERT … SELECT generate_series`) into
five years of exited trips for Hữu Nghị: 1–3 cargo lines a trip with realistic HS codes and
currencies (≥ 1 million cargo lines at the default), their visits, risk channels and receipts.
Then it builds the summaries (`stats.services.rebuild`) and times every query the dashboard
makes — for the gate and for the zone, for the latest year — against the 300 ms goal, plus the
cost of keeping the summaries current after one more exit. Exit code 1 when one is over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://cuakhau:cuakhau@127.0.0.1:5432/cuakhau_statsbench"
GOAL_MS = 300
GATE = "hng"
YEARS = 5
# (HS code, currency, value per tonne in that currency): Hữu Nghị's trade — fruit and
# vegetables out, machinery, steel, fabrics, electronics in.
PRODUCTS = [
    ("08109010", "USD", 1100),  # fresh durian / dragon fruit family
    ("08039010", "USD", 450),  # bananas
    ("08045020", "CNY", 6800),  # mangoes
    ("07141011", "VND", 6_000_000),  # cassava chips
    ("85177900", "USD", 42000),  # telephone parts
    ("84295200", "CNY", 210000),  # excavators
    ("72085100", "USD", 650),  # hot-rolled steel
    ("52083900", "CNY", 31000),  # cotton fabrics
    ("39011099", "USD", 1200),  # polyethylene
    ("87089999", "CNY", 52000),  # vehicle parts
    ("03028900", "VND", 95_000_000),  # fresh fish
    ("44123900", "USD", 380),  # plywood
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-day", type=int, default=600, help="trucks a day (default 600)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per query (default 7)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    if not 50 <= args.per_day <= 5000:
        parser.error("--per-day must be between 50 and 5000")
    if not 1 <= args.runs <= 100:
        parser.error("--runs must be between 1 and 100")
    return args


def _admin(url: str):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params["dbname"] = "postgres"
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def recreate_database(url: str, name: str, *, drop_only=False) -> None:
    from psycopg import sql

    with _admin(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("CUAKHAU_DATA_DIR", tempfile.mkdtemp(prefix="cuakhau-statsbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
    sys.path.insert(0, str(CHECKOUT / "src"))
    import django

    django.setup()


def one_real_trip():
    """A trip that went through every service: its rows are the templates of the copies."""
    from cuakhau.accounts import roles
    from cuakhau.accounts.models import Organisation
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import declaration, steel_line
    from cuakhau.gate import services as gate_services
    from cuakhau.inspections import services as inspections
    from cuakhau.payments import services as payments
    from cuakhau.reference.models import Gate
    from cuakhau.trips import services as trips

    gate = Gate.objects.get(code=GATE)
    org = Organisation.objects.create(
        name="Công ty TNHH Thương mại Đồng Đăng", country="VN", tax_code="4900123457"
    )
    password = "bench-thong-ke-mat-khau"
    enterprise = create_user("bench_dn", password, roles.ENTERPRISE, organisation=org)
    operator = create_user("bench_vh", password, roles.GATE_OPERATOR, gates=[gate])
    officers = {
        agency: create_user(f"bench_{agency}", password, role, gates=[gate])
        for agency, role in (
            ("customs", roles.CUSTOMS),
            ("border_guard", roles.BORDER_GUARD),
            ("quarantine", roles.QUARANTINE),
        )
    }
    data = declaration(
        gate=GATE,
        direction="import",
        tractor_plate="12C-123.45",
        trailer_plate="",
        cargo_lines=[steel_line()],
    )
    trip = trips.save_and_submit(enterprise, None, data)
    payments.simulate_bank_transfer(trip)
    gate_services.check_in(operator, gate, trip.reference)
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    gate_services.exit_truck(operator, gate, trip.reference)
    return trip


def copy_rows(model, where: str, overrides: dict[str, str], source: str, params=()) -> int:
    """INSERT INTO model's table SELECT every column of a template row, some replaced by SQL
    expressions over `source` (a FROM clause that names the template `tpl`)."""
    from django.db import connection

    columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
    select = [overrides.get(c, f"tpl.{connection.ops.quote_name(c)}") for c in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    query = f"INSERT INTO {table} ({names}) SELECT {', '.join(select)} FROM {source} WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


def generate(per_day: int, template_trip) -> dict:
    from django.db import connection, transaction

    from cuakhau.gate.models import Visit
    from cuakhau.receipts.models import Receipt
    from cuakhau.risk.models import RiskAssessment
    from cuakhau.trips.models import CargoLine, Trip

    today = dt.date.today()
    first = dt.date(today.year - YEARS, today.month, 1)
    days = (today - first).days
    total = days * per_day
    seconds_apart = 86400 / per_day
    codes = "ARRAY[" + ",".join(f"'{c}'" for c, _, _ in PRODUCTS) + "]"
    currencies = "ARRAY[" + ",".join(f"'{c}'" for _, c, _ in PRODUCTS) + "]"
    prices = "ARRAY[" + ",".join(str(p) for _, _, p in PRODUCTS) + "]::numeric[]"
    n = len(PRODUCTS)
    counts = {}
    with transaction.atomic():
        started = time.perf_counter()
        # Trips: 40 % export, 50 % import, 10 % temporary import / re-export; arrivals spread
        # evenly over the days in the gate's time zone (UTC+7).
        counts["trips"] = copy_rows(
            Trip,
            "tpl.id = %s",
            {
                "reference": "'B' || lpad(g.i::text, 11, '0')",
                "direction": "CASE WHEN mod(g.i, 10) < 4 THEN 'export' WHEN mod(g.i, 10) < 9 THEN 'import' "
                "ELSE 'tntx' END",
                "expected_arrival": f"%s::timestamptz + make_interval(secs => g.i * {seconds_apart})",
                "tractor_plate": "'12C-' || lpad(mod(g.i, 1000)::text, 3, '0') || '.' || lpad(mod(g.i, 97)::text, 2, '0')",
                "status": "'exited'",
            },
            "trips_trip tpl, generate_series(1, %s) AS g(i)",
            [
                dt.datetime.combine(first, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=7))),
                total,
                template_trip.pk,
            ],
        )
        # The parameter order follows the query text: the SELECT's then FROM's then WHERE's.
        bench_trips = "SELECT id, reference, direction, expected_arrival FROM trips_trip WHERE reference LIKE 'B%%'"
        template_line = CargoLine.objects.filter(trip=template_trip).values_list("pk", flat=True)[0]
        counts["cargo lines"] = copy_rows(
            CargoLine,
            "tpl.id = %s",
            {
                "trip_id": "t.id",
                "line_no": "l.n",
                "hs_code": f"({codes})[1 + mod(t.id * 7 + l.n * 5, {n})]",
                "value": f"round((({prices})[1 + mod(t.id * 7 + l.n * 5, {n})]) * (8 + mod(t.id, 17)), 2)",
                "currency": f"({currencies})[1 + mod(t.id * 7 + l.n * 5, {n})]",
                "net_weight_kg": "(8 + mod(t.id, 17)) * 1000",
                "gross_weight_kg": "(8 + mod(t.id, 17)) * 1000 + 150",
                "origin_country": "CASE WHEN t.direction = 'export' THEN 'VN' "
                "WHEN mod(t.id, 23) = 0 THEN 'TH' ELSE 'CN' END",
            },
            f"trips_cargoline tpl, ({bench_trips}) t, "
            "LATERAL generate_series(1, 1 + (mod(t.id, 3) = 0)::int + (mod(t.id, 7) = 0)::int) AS l(n)",
            [template_line],
        )
        visit = Visit.objects.get(trip=template_trip)
        counts["visits"] = copy_rows(
            Visit,
            "tpl.id = %s",
            {
                "trip_id": "t.id",
                "arrived_at": "t.expected_arrival",
                "cleared_at": "t.expected_arrival + make_interval(mins => (20 + mod(t.id * 37, 240)::int))",
                "exited_at": "t.expected_arrival + make_interval(mins => (30 + mod(t.id * 37, 240)::int))",
            },
            f"gate_visit tpl, ({bench_trips}) t",
            [visit.pk],
        )
        assessment = RiskAssessment.objects.get(trip=template_trip, is_current=True)
        counts["risk assessments"] = copy_rows(
            RiskAssessment,
            "tpl.id = %s",
            {
                "trip_id": "t.id",
                "channel": "CASE WHEN mod(t.id, 20) = 0 THEN 'red' WHEN mod(t.id, 5) = 0 THEN 'yellow' "
                "ELSE 'green' END",
                "assessed_at": "t.expected_arrival",
            },
            f"risk_riskassessment tpl, ({bench_trips}) t",
            [assessment.pk],
        )
        receipt = Receipt.objects.get(trip=template_trip)
        counts["receipts"] = copy_rows(
            Receipt,
            "tpl.id = %s",
            {
                "number": "'HN-B' || t.reference",
                "trip_id": "t.id",
                "year": "extract(year FROM t.expected_arrival)::int",
                "sequence": "1000000 + t.id",
                "issued_at": "t.expected_arrival - interval '3 hours'",
                "amount_vnd": "CASE WHEN t.direction = 'tntx' THEN 4000000 ELSE 1500000 END",
                "used_at": "NULL",
            },
            f"receipts_receipt tpl, ({bench_trips}) t",
            [receipt.pk],
        )
        counts["seconds"] = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")) or not name:
        sys.exit("DATABASE_URL must be a PostgreSQL URL naming a database.")
    recreate_database(url, name)
    try:
        return run(url, args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            recreate_database(url, name, drop_only=True)


def run(url: str, args) -> int:
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("setup", verbosity=0, stdout=io.StringIO())
    from django.db.models import Sum

    from cuakhau.stats import services as stats
    from cuakhau.stats.choices import Measure, TargetKind
    from cuakhau.stats.models import GateMonth, Target, TradeMonth

    template = one_real_trip()
    print(
        f"set-up (migrations, reference data, one real trip): {time.perf_counter() - started:.1f} s"
    )
    counts = generate(args.per_day, template)
    print(
        f"generated in {counts.pop('seconds'):.1f} s: "
        + ", ".join(f"{count:,} {what}" for what, count in counts.items())
    )
    if counts["cargo lines"] < 1_000_000:
        print("note: fewer than a million cargo lines (raise --per-day)")

    started = time.perf_counter()
    months = stats.rebuild()
    print(
        f"summaries built in {time.perf_counter() - started:.1f} s: {months} gate-months, "
        f"{TradeMonth.objects.count():,} trade rows, {GateMonth.objects.count():,} gate rows"
    )

    from cuakhau.reference.models import Gate

    gate = Gate.objects.get(code=GATE)
    year = dt.date.today().year
    for scope in (gate, None):
        Target.objects.create(
            gate=scope, year=year, measure=Measure.EXPORT_USD, kind=TargetKind.GROWTH, value=5
        )
        Target.objects.create(
            gate=scope, year=year, measure=Measure.FEE_VND, kind=TargetKind.GROWTH, value=3
        )
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    today = dt.date.today()
    rates = stats.Rates.load()
    queries = []
    for label, scope in ((f"gate {GATE}", gate), ("zone", None)):
        queries += [
            (label, "turnover_by_month", lambda s=scope: stats.turnover_by_month(s, year, rates)),
            (label, "top_products (heading)", lambda s=scope: stats.top_products(s, first, last, rates=rates)),
            (label, "top_products (chapter)", lambda s=scope: stats.top_products(s, first, last, level="chapter", rates=rates)),
            (label, "by_partner", lambda s=scope: stats.by_partner(s, first, last, rates=rates)),
            (label, "gate_figures_by_month", lambda s=scope: stats.gate_figures_by_month(s, first, last)),
            (label, "trucks_per_day (90 days)", lambda s=scope: stats.trucks_per_day(s, today - dt.timedelta(days=89), today)),
            (label, "trucks_per_day (year)", lambda s=scope: stats.trucks_per_day(s, first, dt.date(year, 12, 31))),
            (label, "clearance_percentiles", lambda s=scope: stats.clearance_percentiles(s, first, last)),
            (label, "channel_shares", lambda s=scope: stats.channel_shares(s, first, last)),
            (label, "target_progress", lambda s=scope: stats.target_progress(s, year, today, rates)),
            (label, "rates_used", lambda s=scope: stats.rates_used(s, stats.months_between(first, last), rates)),
        ]  # fmt: skip
    queries.append(("-", "refresh_stale (nothing stale)", stats.refresh_stale))
    queries.append(("-", "pending_since", stats.pending_since))
    queries.append(("-", "Rates.load", stats.Rates.load))

    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user

    board = create_user("bench_board", "bench-bang-quan-ly", roles.BOARD)
    client = Client()
    client.force_login(board)
    for scope_name, kwargs in ((f"gate {GATE}", {"gate": GATE}), ("zone", {})):
        try:
            path = reverse("stats:gate" if kwargs else "stats:zone", kwargs=kwargs)
        except NoReverseMatch:
            break
        queries.append(
            (scope_name, f"whole page GET {path}", lambda p=path: client.get(p, {"year": year}))
        )

    print()
    print(f"{'scope':<10} {'query':<40} {'median ms':>10} {'max ms':>8}  goal {GOAL_MS} ms")
    over = 0
    for scope, label, fn in queries:
        fn()  # warm the caches a real dashboard would have warm
        median, worst = timed(fn, args.runs)
        verdict = "ok" if median < GOAL_MS else "OVER"
        over += median >= GOAL_MS
        print(f"{scope:<10} {label:<40} {median:>10.1f} {worst:>8.1f}  {verdict}")
    # Not a page's cost: the worker's, once a minute after exits (the page never recounts).
    month = stats.month_of(today)
    median, worst = timed(lambda: stats.refresh_month(gate.pk, month), args.runs)
    trucks = GateMonth.objects.filter(gate=gate, month=month).aggregate(n=Sum("trucks"))["n"]
    print(
        f"{'worker':<10} {'recount this month (' + str(trucks) + ' trucks)':<40} "
        f"{median:>10.1f} {worst:>8.1f}  (background, once a minute)"
    )
    print()
    print(
        f"{len(queries)} measurements on PostgreSQL "
        f"{connection.pg_version // 10000}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}: "
        + ("all under the goal." if not over else f"{over} over the goal.")
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
