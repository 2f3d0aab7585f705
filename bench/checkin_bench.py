"""Check-in and exit throughput of the gate API on PostgreSQL, against a nearly empty endpoint.

Run on demand, never from the tests:

    DATABASE_URL=postgres://cuakhau:cuakhau@127.0.0.1:5432/cuakhau_bench \\
        .venv/bin/python bench/checkin_bench.py --trips 200 --clients 16

It prepares the database (created if missing, dropped at the end only if it created it),
declares and pays N trips, starts the product's server (``cuakhau serve``, gunicorn) on a free
loopback port, and drives C concurrent clients through, in order:

1. the baseline: ``GET /healthz`` (an empty endpoint of the same server: no database, no auth);
2. an authenticated baseline: ``GET /api/v1/me`` (token lookup + a tiny answer);
3. ``POST /api/v1/gate/mlt/check-in`` once per trip;
4. (untimed) every trip is cleared here, in this process, through ``record_result``;
5. ``POST /api/v1/gate/mlt/exit`` once per trip.

It prints requests per second and p50/p99 latency for each, and check-in and exit against the
baseline. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
GATE = "mlt"
HOST = "127.0.0.1"  # loopback only: the bench never talks to another machine
MAX_TRIPS = 5000
MAX_CLIENTS = 64

HOW_TO_START = """\
This benchmark needs PostgreSQL: set DATABASE_URL, e.g.

    pg_ctlcluster 15 main start        # if the cluster is not running (pg_lsclusters)
    DATABASE_URL=postgres://cuakhau:cuakhau@127.0.0.1:5432/cuakhau_bench \\
        .venv/bin/python bench/checkin_bench.py --trips 200 --clients 16

The role needs CREATEDB (the role cuakhau/cuakhau here has it); the database is created if
missing and dropped at the end only if this run created it (--keep-db keeps it).
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trips", type=int, default=200, help="trips (default 200)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=600, help="stop sending after this many seconds"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep a database it created")
    args = parser.parse_args(argv)
    if not 1 <= args.trips <= MAX_TRIPS:
        parser.error(f"--trips must be between 1 and {MAX_TRIPS}")
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be between 1 and {MAX_CLIENTS}")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    return args


# ---------------------------------------------------------------------------------------------
# Database


def database_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit("DATABASE_URL must be a PostgreSQL URL (postgres://...).\n\n" + HOW_TO_START)
    name = parts.path.lstrip("/")
    if not name:
        sys.exit("DATABASE_URL must name a database (…/cuakhau_bench).")
    return name


def _admin_connection(url: str):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    # The server's maintenance database, with the same role: CREATE/DROP DATABASE cannot run
    # inside the database they act on.
    params = conninfo_to_dict(url)
    params["dbname"] = "postgres"
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def ensure_database(url: str, name: str) -> bool:
    """Create the database if it does not exist; True if this run created it."""
    import psycopg
    from psycopg import sql

    try:
        with _admin_connection(url) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.OperationalError as exc:
        sys.exit(f"Cannot reach PostgreSQL: {exc}\n\n{HOW_TO_START}")


def drop_database(url: str, name: str) -> None:
    from psycopg import sql

    with _admin_connection(url) as conn:
        # FORCE ends the sessions the server's workers may still hold on the bench's own DB.
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# ---------------------------------------------------------------------------------------------
# Data


def plate(n: int) -> str:
    # 25 is Lai Châu's plate code, where Ma Lù Thàng is; one plate per truck.
    return f"25C-{100 + n // 100:03d}.{n % 100:02d}"


def declaration(n: int) -> dict:
    # The tests' realistic declaration: hot-rolled steel imported from China (no containers,
    # which may be on one active trip only; no quarantine), one plate and driver per truck.
    from cuakhau.conftest import declaration as realistic
    from cuakhau.conftest import steel_line

    return realistic(
        gate=GATE,
        direction="import",
        expected_arrival=(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).replace(
            second=0, microsecond=0
        ),
        tractor_plate=plate(n),
        trailer_plate="",
        driver_document_number=f"{10**11 + n:012d}",
        cargo_lines=[steel_line()],
    )


@dataclass
class Setup:
    token: str
    references: list[str]
    officers: dict


def prepare(trips: int) -> Setup:
    from django.core.management import call_command

    from cuakhau.accounts import roles
    from cuakhau.accounts.models import Organisation
    from cuakhau.accounts.services import create_user, issue_token
    from cuakhau.gate.models import Lane
    from cuakhau.payments import services as payments
    from cuakhau.reference.models import Gate
    from cuakhau.trips import services as trip_services

    started = time.perf_counter()
    quiet = io.StringIO()  # the loaders print their counts; the bench prints its own lines
    # The same set-up as a real installation: migrations and every shipped reference set,
    # market-access and risk rules included, so check-in does all its real work.
    call_command("setup", verbosity=0, stdout=quiet)
    gate = Gate.objects.get(code=GATE)
    for n in range(1, 5):
        Lane.objects.get_or_create(gate=gate, code=f"L{n}")
    # A reused database keeps earlier runs' users and trips: this run's names are its own.
    run = f"{int(time.time()) % 10**8:08d}"
    org = Organisation.objects.create(
        name=f"Công ty TNHH Bench {run}", country="VN", tax_code=f"01{run}"
    )
    password = f"bench-{run}-mat-khau"
    enterprise = create_user(f"bench_dn_{run}", password, roles.ENTERPRISE, organisation=org)
    operator = create_user(f"bench_vh_{run}", password, roles.GATE_OPERATOR, gates=[gate])
    officers = {
        "customs": create_user(f"bench_hq_{run}", password, roles.CUSTOMS, gates=[gate]),
        "border_guard": create_user(f"bench_bp_{run}", password, roles.BORDER_GUARD, gates=[gate]),
        "quarantine": create_user(f"bench_kd_{run}", password, roles.QUARANTINE, gates=[gate]),
    }
    _token, raw = issue_token(operator, "checkin bench")
    references = []
    for n in range(trips):
        trip = trip_services.save_and_submit(enterprise, None, declaration(n))
        payments.simulate_bank_transfer(trip)
        references.append(trip.reference)
    print(f"prepared {trips} paid trips in {time.perf_counter() - started:.1f} s", flush=True)
    return Setup(token=raw, references=references, officers=officers)


def clear_all(references: list[str], officers: dict) -> int:
    from cuakhau.inspections import services as inspections
    from cuakhau.trips.models import Trip

    cleared = 0
    for trip in Trip.objects.filter(reference__in=references, status="arrived"):
        for agency in inspections.outstanding(trip):
            inspections.record_result(officers[agency], trip, "pass", agency=agency)
        cleared += 1
    return cleared


# ---------------------------------------------------------------------------------------------
# Server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    cuakhau = Path(sys.executable).parent / "cuakhau"
    command = [str(cuakhau)] if cuakhau.exists() else [sys.executable, "-m", "cuakhau.cli"]
    command += ["serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        # A session of its own, so the gunicorn master and its workers can be stopped together.
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            sys.exit(f"the server stopped at start-up:\n{tail}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    sys.exit("the server did not answer within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers gracefully
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session this script started, nothing else
        server.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# Load


class ServerDied(RuntimeError):
    pass


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    planned: int = 0

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return 1000 * percentile(sorted(self.latencies), p)


def percentile(xs: list[float], p: float) -> float:
    # Linear interpolation between closest ranks, as cuakhau.gate.kpi.percentile.
    if not xs:
        return math.nan
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    return xs[lo] + (h - lo) * (xs[min(lo + 1, len(xs) - 1)] - xs[lo])


def run_phase(name: str, port: int, requests: list[tuple], clients: int, deadline: float) -> Phase:
    """Send ``requests`` (method, path, body, headers) from ``clients`` threads, each with
    one keep-alive connection; stop starting new ones after ``deadline`` (monotonic)."""
    phase = Phase(name, planned=len(requests))
    lock = threading.Lock()
    position = iter(range(len(requests)))

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                index = next(position, None)
            if index is None:
                break
            method, path, body, headers = requests[index]
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                status, content = 0, repr(exc).encode()
            elapsed = time.perf_counter() - began
            with lock:
                phase.latencies.append(elapsed)
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                if status != 200 and len(phase.errors) < 3:
                    phase.errors.append(f"{status} {path}: {content[:300]!r}")
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def report(phases: list[Phase], baseline: Phase) -> None:
    print()
    print(f"{'endpoint':<34}{'requests':>9}{'ok':>7}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for phase in phases:
        print(
            f"{phase.name:<34}{phase.done:>9}{phase.ok:>7}{phase.rate:>9.1f}"
            f"{phase.ms(50):>9.1f}{phase.ms(99):>9.1f}"
        )
    print()
    for phase in phases:
        if phase is baseline:
            continue
        print(
            f"{phase.name} / baseline: throughput x{phase.rate / baseline.rate:.3f}, "
            f"p50 latency x{phase.ms(50) / baseline.ms(50):.1f}, "
            f"p99 latency x{phase.ms(99) / baseline.ms(99):.1f}"
        )
    for phase in phases:
        if phase.done < phase.planned:
            print(f"! {phase.name}: {phase.planned - phase.done} requests not sent (timeout)")
        for error in phase.errors:
            print(f"! {phase.name}: {error}")


# ---------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print(HOW_TO_START, file=sys.stderr)
        return 2
    name = database_name(url)
    created = ensure_database(url, name)
    data_dir = Path(tempfile.mkdtemp(prefix="cuakhau-bench-"))
    # The server and this process share the data directory: the receipts signed here are
    # verified there with the same keys, and sessions use the same secret.
    os.environ["CUAKHAU_DATA_DIR"] = str(data_dir)
    os.environ["CUAKHAU_PLAIN_STATIC"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
    os.environ.pop("DEBUG", None)
    server = None
    failed = True
    try:
        import django

        django.setup()
        from django.db import connection, connections

        version = connection.cursor().connection.info.server_version
        print(
            f"database {name} ({'created' if created else 'existing'}), "
            f"PostgreSQL {version // 10000}.{version % 10000}; "
            f"python {platform.python_version()}, {os.cpu_count()} CPUs",
            flush=True,
        )
        setup = prepare(args.trips)
        connections.close_all()
        port = free_port()
        server = start_server(dict(os.environ), port, args.workers, data_dir / "server.log")
        print(
            f"server: cuakhau serve on {HOST}:{port}, {args.workers} workers x 2 threads; "
            f"{args.clients} clients",
            flush=True,
        )
        deadline = time.monotonic() + args.timeout
        auth = {"Authorization": f"Bearer {setup.token}"}
        post = {**auth, "Content-Type": "application/json"}
        n = len(setup.references)

        def phase(name, requests, clients=args.clients):
            result = run_phase(name, port, requests, clients, deadline)
            if server.poll() is not None:
                raise ServerDied(f"the server stopped during {name!r}")
            return result

        # Warm-up, not measured: each worker imports its code and opens its connection once.
        phase("warm-up", [("GET", "/api/v1/me", None, auth)] * 8 * args.workers, clients=4)
        baseline = phase("GET /healthz", [("GET", "/healthz", None, {})] * n)
        me = phase("GET /api/v1/me (token)", [("GET", "/api/v1/me", None, auth)] * n)
        check_in = phase(
            f"POST /api/v1/gate/{GATE}/check-in",
            [
                ("POST", f"/api/v1/gate/{GATE}/check-in", json.dumps({"scan": ref}), post)
                for ref in setup.references
            ],
        )
        began = time.perf_counter()
        cleared = clear_all(setup.references, setup.officers)
        connections.close_all()
        print(f"cleared {cleared} trips in {time.perf_counter() - began:.1f} s (not timed)")
        exit_phase = phase(
            f"POST /api/v1/gate/{GATE}/exit",
            [
                ("POST", f"/api/v1/gate/{GATE}/exit", json.dumps({"scan": ref}), post)
                for ref in setup.references
            ],
        )
        report([baseline, me, check_in, exit_phase], baseline)
        from cuakhau.trips.models import Trip

        exited = Trip.objects.filter(reference__in=setup.references, status="exited").count()
        print(f"\n{exited} of {n} trips exited")
        connections.close_all()
        failed = exited != n
        return 1 if failed else 0
    except ServerDied as exc:
        failed = True
        print(f"! {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 (Django may not have started)
            pass
        if created and not args.keep_db:
            drop_database(url, name)
            print(f"dropped database {name}")
        log = data_dir / "server.log"
        if failed and log.exists():
            # Kept for the post-mortem: the data directory itself goes.
            kept = Path(tempfile.gettempdir()) / f"cuakhau-bench-server-{int(time.time())}.log"
            shutil.copy(log, kept)
            print(f"server log: {kept}", file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
