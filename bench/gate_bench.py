"""Gate check-in and exit against a bare transactional check-in, driven by wrk (issue 13).

Run on demand, never from the tests:

    .venv/bin/python bench/gate_bench.py [--db sqlite|postgres|both] [--duration 10s]
        [--connections 16]

For each database it prepares a fresh one (SQLite in a temporary data directory; PostgreSQL
``cuakhau_bench`` and ``cuakhau_bench_bare`` on the local server, dropped and created), sets it
up as ``cuakhau setup`` does, declares and pays trips for gate ``mlt``, and starts two servers
with the same gunicorn settings: the product (``cuakhau serve --workers 2``) and the bare
reference of ``bench/bare/`` (django-ninja, ``SELECT … FOR UPDATE`` + ``UPDATE`` + ``INSERT``).
Debian's ``wrk`` then drives, for the same duration each: ``GET /healthz``, ``GET /api/v1/me``
with a token, the bare ``POST /check-in/<id>``, ``POST /api/v1/gate/mlt/check-in`` (a different
paid trip every request, by its receipt QR), and, after every trip is cleared in this process
(untimed), ``POST /api/v1/gate/mlt/exit``. It prints req/s, p50 and p99 per endpoint and the
check-in / bare and exit / bare ratios. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CHECKOUT = BENCH.parent
LUA = BENCH / "wrk" / "slices.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
GATE = "mlt"
HOST = "127.0.0.1"  # loopback only: the bench never talks to another machine
PG_URL = "postgres://cuakhau:cuakhau@127.0.0.1:5432/cuakhau_bench"
# Trips prepared for every trip the warm-up says a timed phase will use: rates move on a
# shared machine, the warm-up runs cold (a warm check-in ran at twice its rate), and a timed
# phase that runs out of trips is void.
HEADROOM = 2.5
GOAL_THROUGHPUT = 0.75  # issue 13: check-in and exit at least 75 % of the bare transaction
GOAL_P99 = 2.0  # ... with a p99 at most twice the bare one's

ENDPOINTS = {
    "healthz": "GET /healthz",
    "me": "GET /api/v1/me (token)",
    "check_in": f"POST /api/v1/gate/{GATE}/check-in",
    "exit": f"POST /api/v1/gate/{GATE}/exit",
    "bare": "POST /check-in/<id> (bare)",
    "bare_again": "POST /check-in/<id> (bare, again)",
}
# The bare transaction is timed before the check-in and again after the exit: on a shared machine
# whose speed moves within minutes, the product's phases are compared with the mean of the two,
# and a run whose two bare rates differ by more than this is said to be unsteady.
STEADY_DRIFT = 0.15
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


class BenchFailed(RuntimeError):
    """A run whose figures would be wrong: it stops, loudly."""


def duration(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*(s|m)?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError("a duration like 10s or 1m")
    seconds = int(match[1]) * (60 if match[2] == "m" else 1)
    if not 2 <= seconds <= 600:
        raise argparse.ArgumentTypeError("between 2 s and 10 min")
    return seconds


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=duration, default=10, help="per timed phase (10s)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of both (2)")
    parser.add_argument(
        "--max-trips",
        type=int,
        default=6000,
        help="at most this many trips per database; timed trip phases shorten to fit (6000)",
    )
    parser.add_argument(
        "--prep-processes", type=int, default=2, help="processes preparing trips (2)"
    )
    parser.add_argument(
        "--postgres-url", default=PG_URL, help=f"its database is dropped and created ({PG_URL})"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", choices=list(DATABASES), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.threads <= args.connections <= 256:
        parser.error("need 1 <= --threads <= --connections <= 256")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    if not 1 <= args.prep_processes <= 8:
        parser.error("--prep-processes must be between 1 and 8")
    if args.max_trips < 10 * args.connections:
        parser.error("--max-trips must be at least 10 x --connections")
    return args


# ---------------------------------------------------------------------------------------------
# wrk: running it and reading its report


@dataclass
class ThreadReport:
    """One ``bench-thread`` line of bench/wrk/slices.lua's done()."""

    thread: int
    lines: int
    issued: int
    answered: int
    bad: int
    exhausted: bool
    seconds: float
    first_bad: str


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    rate: float = 0.0  # wrk's Requests/sec: completed requests / the run's wall time
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    non_2xx: int = 0  # wrk's count (status >= 400)
    socket_errors: dict[str, int] = field(default_factory=dict)
    threads: list[ThreadReport] = field(default_factory=list)

    @property
    def bad(self) -> int:
        """Answers outside 2xx, as the Lua script counts them (3xx included)."""
        return max(self.non_2xx, sum(t.bad for t in self.threads))

    @property
    def exhausted(self) -> bool:
        return any(t.exhausted for t in self.threads)

    @property
    def drained_rate(self) -> float:
        """Answers per second while the threads were sending (for runs stopped by the script)."""
        busy = max((t.seconds for t in self.threads), default=0.0)
        return sum(t.answered for t in self.threads) / busy if busy > 0 else 0.0


_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"not a wrk time: {text!r}")
    return float(match[1]) * _TIME_UNITS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    """What ``wrk --latency`` with bench/wrk/slices.lua printed, as numbers."""
    result = WrkResult()
    if match := re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output, re.M):
        result.requests = int(match[1])
        result.seconds = _ms(match[2] + match[3]) / 1000
    else:
        raise ValueError("no 'N requests in T' line in wrk's output")
    if match := re.search(r"^Requests/sec:\s*([\d.]+)", output, re.M):
        result.rate = float(match[1])
    for percent, attribute in (("50", "p50_ms"), ("99", "p99_ms")):
        if match := re.search(rf"^\s*{percent}(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m|h))", output, re.M):
            setattr(result, attribute, _ms(match[1]))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.non_2xx = int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.socket_errors = dict(
            zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True)
        )
    for line in output.splitlines():
        if line.startswith("bench-thread\t"):
            parts = line.split("\t", 8)
            parts += [""] * (9 - len(parts))
            result.threads.append(
                ThreadReport(
                    thread=int(parts[1]),
                    lines=int(parts[2]),
                    issued=int(parts[3]),
                    answered=int(parts[4]),
                    bad=int(parts[5]),
                    exhausted=parts[6] == "1",
                    seconds=float(parts[7]),
                    first_bad=parts[8],
                )
            )
    return result


def write_lines(path: Path, lines: list[tuple[str, str]]) -> Path:
    """The request file of slices.lua: ``<path>\\t<body>`` a line."""
    with path.open("w") as out:
        for url_path, body in lines:
            if "\t" in url_path + body or "\n" in url_path + body:
                raise ValueError("a request line may hold no tab or newline")
            out.write(f"{url_path}\t{body}\n")
    return path


def run_wrk(
    args,
    port: int,
    lines_file: Path,
    method: str,
    mode: str,
    seconds: int,
    *,
    headers: dict[str, str] | None = None,
    until=None,
) -> WrkResult:
    """Run wrk for ``seconds``; with ``until`` (a callable), stop it as soon as that says so."""
    command = [
        WRK,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        # A slow answer is a slow answer, not a socket timeout (wrk's default is 2 s).
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += [f"http://{HOST}:{port}", "--", str(lines_file), method, mode, str(args.threads)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if until is not None:
        # wrk sleeps out its whole duration even when every thread has stopped; SIGINT ends
        # that sleep and it reports at once.
        while process.poll() is None:
            time.sleep(0.5)
            if until():
                time.sleep(0.5)  # the last answers reach wrk after the commit
                process.send_signal(signal.SIGINT)
                break
    output, _ = process.communicate(timeout=seconds + 60)
    if process.returncode != 0:
        raise BenchFailed(f"wrk failed ({process.returncode}):\n{output}")
    try:
        return parse_wrk(output)
    except ValueError as exc:
        raise BenchFailed(f"{exc}:\n{output}") from None


def check_clean(name: str, result: WrkResult, *, strict: bool) -> None:
    """Fail loudly on any answer outside 2xx, any socket error, or (timed) too few trips."""
    problems = []
    if result.bad:
        first = next((t.first_bad for t in result.threads if t.first_bad), "")
        problems.append(f"{result.bad} answers outside 2xx (first: {first})")
    # An untimed drain leaves a thread's spent connections idle until its last answer, and
    # gunicorn closes a keep-alive connection idle for 2 s: wrk counts that as a read error.
    if strict and any(result.socket_errors.values()):
        problems.append(f"socket errors {result.socket_errors}")
    if strict and result.exhausted:
        problems.append(
            "ran out of trips before the end (the rate rose above the warm-up's estimate); "
            "run again, or with a shorter --duration"
        )
    if not result.requests:
        problems.append("no request completed")
    if problems:
        raise BenchFailed(f"{name}: " + "; ".join(problems))


# ---------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_args(module: str, port: int, workers: int) -> list[str]:
    # The same server settings as `cuakhau serve` (core/management/commands/serve.py).
    return [
        "gunicorn",
        module,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "2",
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ]


def start_server(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        # A session of its own, so the gunicorn master and its workers can be stopped together.
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailed(f"{command[:4]} stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    raise BenchFailed(f"{command[:4]} did not answer within 120 s")


def server_cpu(session: int, backends: set[int] = frozenset()) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process of a server: the live
    processes of its session (gunicorn's master, its workers, the product's task worker) and
    the given PostgreSQL backends. Unlike req/s, CPU per request hardly moves when other work
    shares the machine.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone since the listing
            continue
        pid = int(stat.parent.name)
        if int(fields[3]) == session or pid in backends:
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU used between two readings: a process that ended in between is left out (its last
    moments are lost, a small undercount), one that started counts whole."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())


ROLES = ("web", "tasks", "database")


def cpu_by_role(
    before: dict[int, float], now: dict[int, float], backends: set[int]
) -> dict[str, float]:
    """``cpu_since`` split by who used it: the web server (gunicorn's master and workers), the
    product's task worker (``cuakhau worker``) and the database server's backends."""
    split = dict.fromkeys(ROLES, 0.0)
    for pid, seconds in now.items():
        if pid in backends:
            role = "database"
        else:
            try:
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:  # gone since the reading
                words = []
            role = "tasks" if b"worker" in words else "web"
        split[role] += seconds - before.get(pid, 0.0)
    return split


def backends_of(url: str | None, database: str) -> set[int]:
    """The PostgreSQL server processes serving ``database`` (none without PostgreSQL)."""
    if not url:
        return set()
    with _admin_connection(url) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
        return {pid for (pid,) in rows}


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers gracefully
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session this script started, nothing else
        server.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# PostgreSQL databases of the bench


def _admin_connection(url: str):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    # The server's maintenance database, with the same role: CREATE/DROP DATABASE cannot run
    # inside the database they act on.
    params = conninfo_to_dict(url)
    params["dbname"] = "postgres"
    return psycopg.connect(make_conninfo(**params), autocommit=True, connect_timeout=5)


def recreate_database(url: str, name: str) -> None:
    from psycopg import sql

    _dropped(url, name)
    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _dropped(url: str, name: str, attempts: int = 10) -> None:
    """Drop the bench's database.

    FORCE ends sessions a crashed earlier run may have left on it, but the bench's role may
    not end the server's own autovacuum worker, which may be analysing the thousands of trips
    just made: wait for it a little, as long as it takes (a few seconds at most)."""
    import psycopg
    from psycopg import sql

    for attempt in range(attempts):
        try:
            with _admin_connection(url) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)


def drop_database(url: str, name: str) -> None:
    """Drop it after a run; a database still busy is left for the next run (which drops it
    first) rather than throwing away the run's figures."""
    import psycopg

    try:
        _dropped(url, name)
    except psycopg.Error as exc:
        say(f"database {name} left in place ({exc}); the next run drops it")


def refresh_statistics(url: str | None, databases: list[str], bare_file: Path) -> None:
    """Both databases analysed: the planner's statistics as the server's own maintenance
    (autovacuum) would have them a minute after thousands of trips were declared and paid, not
    as they stood before. On SQLite, the product's as its demo analyses its own
    (``core.sqlite.statistics.analyze``: a plain ``ANALYZE`` misleads SQLite's planner about a
    mostly-NULL index, and a QR scan then reads every receipt)."""
    if url:
        import psycopg

        for name in databases:
            with psycopg.connect(with_database(url, name), autocommit=True) as conn:
                conn.execute("ANALYZE")
        return
    import sqlite3

    from django.db import connection

    from cuakhau.core.sqlite.statistics import analyze

    analyze(connection)
    with contextlib.closing(sqlite3.connect(bare_file, timeout=30)) as conn:
        conn.execute("ANALYZE")
        conn.commit()


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


# ---------------------------------------------------------------------------------------------
# The product's data (runs in the child process, after django.setup())


@dataclass
class Actors:
    enterprise_id: int
    officer_ids: dict[str, int]
    token: str


def prepare_base() -> Actors:
    from django.core.management import call_command

    from cuakhau.accounts import roles
    from cuakhau.accounts.models import Organisation
    from cuakhau.accounts.services import create_user, issue_token
    from cuakhau.gate.models import Lane
    from cuakhau.reference.models import Gate

    # The same set-up as a real installation: migrations and every shipped reference set,
    # market-access and risk rules included, so check-in does all its real work.
    call_command("setup", verbosity=0, stdout=io.StringIO())
    gate = Gate.objects.get(code=GATE)
    for n in range(1, 5):
        Lane.objects.get_or_create(gate=gate, code=f"L{n}")
    org = Organisation.objects.create(
        name="Công ty TNHH Thép Bench", country="VN", tax_code="0109876543"
    )
    password = "bench-mat-khau-2026"
    enterprise = create_user("bench_dn", password, roles.ENTERPRISE, organisation=org)
    operator = create_user("bench_vh", password, roles.GATE_OPERATOR, gates=[gate])
    officers = {
        "customs": create_user("bench_hq", password, roles.CUSTOMS, gates=[gate]),
        "border_guard": create_user("bench_bp", password, roles.BORDER_GUARD, gates=[gate]),
        "quarantine": create_user("bench_kd", password, roles.QUARANTINE, gates=[gate]),
    }
    _token, raw = issue_token(operator, "gate bench")
    return Actors(enterprise.pk, {k: u.pk for k, u in officers.items()}, raw)


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


def _make_trips(job: tuple[int, list[int]]) -> list[tuple[str, str]]:
    """Declare, submit and pay one trip per number: (reference, receipt QR) each."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from cuakhau.payments import services as payments
    from cuakhau.receipts import services as receipts
    from cuakhau.trips import services as trip_services

    enterprise_id, numbers = job
    enterprise = get_user_model().objects.get(pk=enterprise_id)
    made = []
    for n in numbers:
        trip = trip_services.save_and_submit(enterprise, None, declaration(n))
        payments.simulate_bank_transfer(trip)
        receipt = receipts.valid_receipt_of(trip)
        if receipt is None:
            raise BenchFailed(f"trip {trip.reference} has no valid receipt after payment")
        made.append((trip.reference, receipt.token))
    connections.close_all()
    return made


def _clear(job: tuple[dict[str, int], list[str]]) -> int:
    """Record a pass for every outstanding agency of these arrived trips (as officers would)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from cuakhau.inspections import services as inspections
    from cuakhau.trips.models import Trip

    officer_ids, references = job
    users = get_user_model().objects.in_bulk(list(officer_ids.values()))
    officers = {agency: users[pk] for agency, pk in officer_ids.items()}
    cleared = 0
    for trip in Trip.objects.filter(reference__in=references, status="arrived"):
        for agency in inspections.outstanding(trip):
            inspections.record_result(officers[agency], trip, "pass", agency=agency)
        cleared += 1
    connections.close_all()
    return cleared


def in_processes(function, payload, items: list, processes: int) -> list:
    """``function((payload, chunk))`` over ``items`` split across forked processes, in order."""
    import multiprocessing

    from django.db import connections

    if processes <= 1 or len(items) < 20:
        return [function((payload, items))]
    size = math.ceil(len(items) / processes)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    connections.close_all()  # a forked child must open its own connection, never share one
    with multiprocessing.get_context("fork").Pool(len(chunks)) as pool:
        return pool.map(function, [(payload, chunk) for chunk in chunks])


def status_count(references: list[str], status: str) -> int:
    from cuakhau.trips.models import Trip

    total = 0
    for i in range(0, len(references), 500):  # SQLite caps the parameters of one query
        total += Trip.objects.filter(reference__in=references[i : i + 500], status=status).count()
    return total


def references_in(references: list[str], status: str) -> set[str]:
    from cuakhau.trips.models import Trip

    found: set[str] = set()
    for i in range(0, len(references), 500):
        found.update(
            Trip.objects.filter(reference__in=references[i : i + 500], status=status).values_list(
                "reference", flat=True
            )
        )
    return found


def settled(references: list[str], status: str) -> set[str]:
    """The trips in ``status`` once the requests wrk left in flight at its deadline are done."""
    before, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline:
        now = references_in(references, status)
        if now == before:
            return now
        before = now
        time.sleep(2)
    raise BenchFailed(f"trips still changing to {status} two minutes after the phase")


# ---------------------------------------------------------------------------------------------
# One database: the child process


@dataclass
class Phase:
    name: str
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    seconds: float
    cpu_ms: float = math.nan  # the server's CPU per completed request
    cpu_split: dict[str, float] = field(default_factory=dict)  # cpu_ms by role (cpu_by_role)


@dataclass
class DatabaseRun:
    database: str
    version: str
    phases: dict[str, Phase] = field(default_factory=dict)
    trips: int = 0
    notes: list[str] = field(default_factory=list)
    load: list[float] = field(default_factory=list)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", flush=True)


def run_database(args, db: str) -> DatabaseRun:
    data_dir = Path(tempfile.mkdtemp(prefix=f"cuakhau-gate-bench-{db}-"))
    env = dict(os.environ)
    env.update(
        CUAKHAU_DATA_DIR=str(data_dir),
        CUAKHAU_PLAIN_STATIC="1",
        DJANGO_SETTINGS_MODULE="cuakhau.settings",
    )
    env.pop("DEBUG", None)
    env.pop("DATABASE_URL", None)
    bare_env = {
        **env,
        "BARE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "gatebare.settings",
        "PYTHONPATH": str(BENCH / "bare"),
    }
    url = args.postgres_url
    product_db = urllib.parse.urlsplit(url).path.lstrip("/") or "cuakhau_bench"
    bare_db = f"{product_db}_bare"
    if db == "postgres":
        recreate_database(url, product_db)
        recreate_database(url, bare_db)
        env["DATABASE_URL"] = with_database(url, product_db)
        bare_env["DATABASE_URL"] = with_database(url, bare_db)
    os.environ.clear()
    os.environ.update(env)
    servers: list[subprocess.Popen] = []
    failed = True
    try:
        import django

        django.setup()
        from django.db import connection, connections

        if db == "postgres":
            v = connection.cursor().connection.info.server_version
            version = f"PostgreSQL {v // 10000}.{v % 10000}"
        else:
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
        run = DatabaseRun(DATABASES[db], version, load=list(os.getloadavg()))
        say(f"{run.database}: {version}; data in {data_dir}")

        began = time.perf_counter()
        actors = prepare_base()
        say(f"set up (migrate, reference data, users) in {time.perf_counter() - began:.0f} s")

        warm_count = max(64, 4 * args.connections)
        began = time.perf_counter()
        warm = make_trips(args, actors, range(0, warm_count))
        per_trip = (time.perf_counter() - began) / warm_count
        say(f"{warm_count} warm-up trips declared and paid ({per_trip * 1000:.0f} ms a trip)")

        subprocess.run(
            [sys.executable, "-m", "django", "migrate", "-v0"],
            env=bare_env,
            check=True,
            cwd=BENCH / "bare",
        )
        connections.close_all()
        bare_port, port = free_port(), free_port()
        servers.append(
            start_server(
                [
                    sys.executable,
                    "-m",
                    *gunicorn_args("gatebare.wsgi:application", bare_port, args.workers),
                ],
                bare_env,
                bare_port,
                data_dir / "bare.log",
            )
        )
        cuakhau = Path(sys.executable).parent / "cuakhau"
        command = [str(cuakhau)] if cuakhau.exists() else [sys.executable, "-m", "cuakhau.cli"]
        command += ["serve", "--host", HOST, "--port", str(port), "--workers", str(args.workers)]
        servers.append(start_server(command, env, port, data_dir / "server.log"))
        say(
            f"servers: cuakhau serve on :{port}, bare on :{bare_port} ({args.workers} workers x 2 threads each)"
        )

        files = data_dir / "wrk"
        files.mkdir()
        auth = {"Authorization": f"Bearer {actors.token}"}
        post = {**auth, "Content-Type": "application/json"}
        per_thread = [("/healthz", "")] * args.threads
        healthz_file = write_lines(files / "healthz", per_thread)
        me_file = write_lines(files / "me", [("/api/v1/me", "")] * args.threads)
        bare_file = write_lines(files / "bare", [(f"/check-in/{n}", "") for n in range(1, 4097)])

        def scans(action: str, tokens: list[str]) -> list[tuple[str, str]]:
            return [(f"/api/v1/gate/{GATE}/{action}", json.dumps({"scan": t})) for t in tokens]

        def drain(action: str, pairs: list[tuple[str, str]], status: str, name: str) -> WrkResult:
            """Send each trip once, untimed, until all reached ``status``."""
            references = [r for r, _t in pairs]
            lines = write_lines(files / f"{name}", scans(action, [t for _r, t in pairs]))
            progress = {"count": -1, "since": time.monotonic()}

            def finished() -> bool:
                # All there, or no trip moved for 30 s: refused requests leave trips behind,
                # and wrk's report (read next) says why.
                count = status_count(references, status)
                if count != progress["count"]:
                    progress.update(count=count, since=time.monotonic())
                return count >= len(references) or time.monotonic() - progress["since"] > 30

            result = run_wrk(args, port, lines, "POST", "drain", 600, headers=post, until=finished)
            check_clean(name, result, strict=False)
            if (done := status_count(references, status)) < len(references):
                raise BenchFailed(f"{name}: {done} of {len(references)} trips reached {status}")
            return result

        def clear(references: list[str]) -> list[str]:
            began = time.perf_counter()
            chunks = in_processes(_clear, actors.officer_ids, references, args.prep_processes)
            say(
                f"cleared {sum(chunks)} arrived trips in {time.perf_counter() - began:.0f} s (untimed)"
            )
            return sorted(references_in(references, "cleared"))

        # Warm-up, not reported: each worker imports its code and opens its connection, and the
        # check-in and exit rates tell how many trips the timed phases need.
        say("warm-up")
        run_wrk(args, port, me_file, "GET", "cycle", 2, headers=auth)
        run_wrk(
            args,
            bare_port,
            bare_file,
            "POST",
            "cycle",
            2,
            headers={"Content-Type": "application/json"},
        )
        ci = drain("check-in", warm, "arrived", "warm-check-in")
        cleared = set(clear([r for r, _t in warm]))
        ex = drain("exit", [p for p in warm if p[0] in cleared], "exited", "warm-exit")
        say(f"warm-up rates: check-in {ci.drained_rate:.0f}/s, exit {ex.drained_rate:.0f}/s")

        def prepare_trips() -> tuple[list[tuple[str, str]], int]:
            """The trips the timed check-in and exit need, and how long those phases run.

            Sized after the bare transaction's timed phase, never below its rate: 64 cold
            trips once put the check-in at 177/s while its timed phase ran past 495/s (out of
            trips, the run void); a check-in doing all the bare one does and more is not
            expected to outrun it on the same machine a minute later.
            """
            bare_rate = run.phases["bare"].rate
            rate = max(HEADROOM * max(ci.drained_rate, ex.drained_rate), bare_rate)
            seconds = args.duration
            needed = math.ceil(rate * seconds) + 2 * args.connections
            if needed > args.max_trips:
                seconds = max(2, math.floor((args.max_trips - 2 * args.connections) / rate))
                needed = math.ceil(rate * seconds) + 2 * args.connections
                run.notes.append(
                    f"check-in and exit ran {seconds} s (not {args.duration} s) to fit "
                    f"--max-trips {args.max_trips}"
                )
            say(
                f"declaring and paying {needed} trips for {rate:.0f}/s (about "
                f"{needed * per_trip:.0f} s, {args.prep_processes} processes; untimed)"
            )
            began = time.perf_counter()
            made = make_trips(args, actors, range(warm_count, warm_count + needed))
            say(f"{needed} trips ready in {time.perf_counter() - began:.0f} s")
            waited = wait_for_tasks()
            say(f"the task worker sent their payments' messages in {waited:.0f} s more")
            began = time.perf_counter()
            refresh_statistics(pg_url, [product_db, bare_db], data_dir / "bare.sqlite3")
            say(f"both databases analysed in {time.perf_counter() - began:.1f} s")
            run.trips = needed
            return made, seconds

        def timed(key: str, result: WrkResult, cpu: dict[str, float], sent: int) -> None:
            phase = Phase(
                ENDPOINTS[key],
                result.rate,
                result.p50_ms,
                result.p99_ms,
                result.requests,
                result.seconds,
                1000 * sum(cpu.values()) / sent,
                {role: 1000 * seconds / sent for role, seconds in cpu.items()},
            )
            run.phases[key] = phase
            say(
                f"{phase.name}: {phase.rate:.1f} req/s, p50 {phase.p50_ms:.1f} ms, "
                f"p99 {phase.p99_ms:.1f} ms, {phase.cpu_ms:.1f} CPU ms a request "
                f"({phase.requests} requests)"
            )

        pg_url = url if db == "postgres" else None

        def measure(key, server, server_port, lines, method, mode, seconds, headers=None):
            database = bare_db if server is servers[0] else product_db
            db_pids = backends_of(pg_url, database)
            start = server_cpu(server.pid, db_pids)
            result = run_wrk(args, server_port, lines, method, mode, seconds, headers=headers)
            # The requests wrk left in flight at its deadline still run: wait for the server to
            # go quiet, and divide by every request sent, answered or not. Django replaces a
            # connection older than CONN_MAX_AGE: the backends are listed again each time.
            for _ in range(60):
                db_pids |= backends_of(pg_url, database)
                before = server_cpu(server.pid, db_pids | set(start))
                time.sleep(0.5)
                if cpu_since(before, server_cpu(server.pid, db_pids | set(start))) < 0.05:
                    break
            db_pids |= backends_of(pg_url, database)
            cpu = cpu_by_role(start, server_cpu(server.pid, db_pids | set(start)), db_pids)
            check_clean(ENDPOINTS[key], result, strict=True)
            timed(key, result, cpu, sum(t.issued for t in result.threads) or result.requests)

        d = args.duration
        product, bare = servers[1], servers[0]
        json_post = {"Content-Type": "application/json"}
        wait_for_tasks()  # the warm-up trips' messages
        measure("healthz", product, port, healthz_file, "GET", "cycle", d)
        measure("me", product, port, me_file, "GET", "cycle", d, auth)
        measure("bare", bare, bare_port, bare_file, "POST", "cycle", d, json_post)
        trips, trip_seconds = prepare_trips()

        check_in_file = write_lines(files / "check-in", scans("check-in", [t for _r, t in trips]))
        measure("check_in", product, port, check_in_file, "POST", "strict", trip_seconds, post)
        # The trips the timed phase did not reach are checked in too (untimed): the exit phase
        # needs as many cleared trucks as it can let out.
        references = [r for r, _t in trips]
        arrived = settled(references, "arrived")
        rest = [p for p in trips if p[0] not in arrived]
        if rest:
            began = time.perf_counter()
            drain("check-in", rest, "arrived", "top-up")
            say(
                f"checked in the other {len(rest)} trips in {time.perf_counter() - began:.0f} s (untimed)"
            )
        cleared = set(clear(references))
        exit_file = write_lines(
            files / "exit", scans("exit", [t for r, t in trips if r in cleared])
        )
        # The warm-up's 64 trips say little of a steady exit rate (309/s against 470-520/s): the
        # exit phase is sized again from the check-in just measured, as the warm-up's exits
        # were to its check-ins, so that it does not run out of cleared trucks.
        check_in_rate = run.phases["check_in"].rate
        expected = max(ex.drained_rate, check_in_rate * ex.drained_rate / max(ci.drained_rate, 1))
        exit_seconds = min(
            trip_seconds,
            # A margin of half the rate: the estimate rests on a measured rate, not on 64 trips.
            max(2, math.floor((len(cleared) - 2 * args.connections) / (expected * 1.5))),
        )
        if exit_seconds < trip_seconds:
            run.notes.append(
                f"exit ran {exit_seconds} s (not {trip_seconds} s) to fit the "
                f"{len(cleared)} cleared trips"
            )
        measure("exit", product, port, exit_file, "POST", "strict", exit_seconds, post)
        measure("bare_again", bare, bare_port, bare_file, "POST", "cycle", d, json_post)
        for server in servers:
            if server.poll() is not None:
                raise BenchFailed("a server stopped during the run")
        run.load += list(os.getloadavg())
        failed = False
        return run
    finally:
        for server in servers:
            stop_server(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 (Django may not have started)
            pass
        if db == "postgres":
            drop_database(url, product_db)
            drop_database(url, bare_db)
        if failed:
            # Kept for the post-mortem: the data directory itself goes.
            for log in ("server.log", "bare.log"):
                if (data_dir / log).exists():
                    kept = Path(tempfile.gettempdir()) / f"gate-bench-{db}-{int(time.time())}-{log}"
                    shutil.copy(data_dir / log, kept)
                    print(f"{log}: {kept}", file=sys.stderr)
        shutil.rmtree(data_dir, ignore_errors=True)


def wait_for_tasks(limit: float = 900) -> float:
    """Wait until the product's task worker has run every task due (above all the messages
    telling each driver their fees are paid): the timed phases measure the gate, not a
    backlog of the untimed preparation."""
    from django_tasks_db.models import DBTaskResult

    began = time.perf_counter()
    while DBTaskResult.objects.ready().exists():
        if time.perf_counter() - began > limit:
            raise BenchFailed(f"the task worker still had tasks due after {limit:.0f} s")
        time.sleep(0.5)
    return time.perf_counter() - began


def make_trips(args, actors: Actors, numbers: range) -> list[tuple[str, str]]:
    chunks = in_processes(_make_trips, actors.enterprise_id, list(numbers), args.prep_processes)
    return [pair for chunk in chunks for pair in chunk]


# ---------------------------------------------------------------------------------------------
# The report


def versions() -> str:
    from importlib.metadata import version

    wrk = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split(" [")[0]
    commit = subprocess.run(
        ["git", "-C", str(CHECKOUT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("Django", "django-ninja", "gunicorn")
    )
    return f"Python {platform.python_version()}, {packages}, {wrk}; commit {commit}"


def report(args, runs: list[DatabaseRun], started: str) -> str:
    out = [
        f"gate_bench {started} UTC: {os.cpu_count()} CPUs, load average "
        + "/".join(f"{x:.1f}" for x in os.getloadavg())
        + " at the end",
        versions(),
        f"wrk {args.threads} threads x {args.connections} connections, {args.duration} s a phase; "
        f"both servers gunicorn {args.workers} workers x 2 threads",
    ]
    verdicts = []
    for run in runs:
        out += [
            "",
            f"{run.database} ({run.version}; {run.trips} trips; load average "
            f"{run.load[0]:.1f} before, {run.load[-3]:.1f} after)",
            f"  {'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}"
            f"{'CPU ms/req':>12}  (web + tasks + database)",
        ]
        for key in ("healthz", "me", "check_in", "exit", "bare", "bare_again"):
            p = run.phases[key]
            out.append(
                f"  {p.name:<34}{p.rate:>9.1f}{p.p50_ms:>9.1f}{p.p99_ms:>9.1f}{p.requests:>10}"
                f"{p.cpu_ms:>12.1f}  ("
                + " + ".join(f"{p.cpu_split.get(r, math.nan):.2f}" for r in ROLES)
                + ")"
            )
        before, after = run.phases["bare"], run.phases["bare_again"]
        bare = Phase(
            "bare (mean of the two)",
            (before.rate + after.rate) / 2,
            (before.p50_ms + after.p50_ms) / 2,
            (before.p99_ms + after.p99_ms) / 2,
            before.requests + after.requests,
            before.seconds + after.seconds,
            (before.cpu_ms + after.cpu_ms) / 2,
        )
        drift = abs(after.rate - before.rate) / max(before.rate, after.rate)
        out.append(
            f"  bare before / after the gate's phases: {before.rate:.0f} / {after.rate:.0f} req/s, "
            + (
                f"{drift:.0%} apart: steady enough to compare"
                if drift <= STEADY_DRIFT
                else f"{drift:.0%} apart: the machine's speed moved during the run (over "
                f"{STEADY_DRIFT:.0%}), these ratios are not to be trusted; run again"
            )
        )
        if drift > STEADY_DRIFT:
            run.notes.append(f"unsteady: the two bare phases differ by {drift:.0%}")
        for key in ("check_in", "exit"):
            p = run.phases[key]
            throughput = p.rate / bare.rate
            p99 = p.p99_ms / bare.p99_ms
            ok = throughput >= GOAL_THROUGHPUT and p99 <= GOAL_P99
            out.append(
                f"  {key.replace('_', '-')} / bare: throughput x{throughput:.2f} "
                f"(goal >= {GOAL_THROUGHPUT}), p99 x{p99:.1f} (goal <= {GOAL_P99:g}): "
                + ("meets the goal" if ok else "misses the goal")
                + f"; server CPU a request x{p.cpu_ms / bare.cpu_ms:.1f}"
            )
            verdicts.append(
                f"{run.database} {key.replace('_', '-')} x{throughput:.2f}"
                + (" (unsteady)" if drift > STEADY_DRIFT else "")
            )
        me, healthz = run.phases["me"], run.phases["healthz"]
        out.append(
            f"  me / healthz: throughput x{me.rate / healthz.rate:.2f}, "
            f"server CPU a request x{me.cpu_ms / healthz.cpu_ms:.1f}"
        )
        out += [f"  note: {note}" for note in run.notes]
    out += ["", "throughput vs bare: " + ", ".join(verdicts)]
    return "\n".join(out)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not Path(WRK).exists():
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    sys.path.insert(0, str(CHECKOUT / "src"))
    if args.child:
        try:
            run = run_database(args, args.child)
        except BenchFailed as exc:
            print(f"! {exc}", file=sys.stderr)
            return 1
        args.result.write_text(json.dumps(asdict(run)))
        return 0

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M")
    runs = []
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        with tempfile.NamedTemporaryFile(suffix=".json") as result:
            command = [
                sys.executable,
                __file__,
                *(argv or sys.argv[1:]),
                "--child",
                db,
                "--result",
                result.name,
            ]
            # One process per database: Django's settings are read once per process.
            code = subprocess.run(command).returncode
            if code != 0:
                print(f"! the {DATABASES[db]} run failed", file=sys.stderr)
                return code
            data = json.loads(Path(result.name).read_text())
        data["phases"] = {k: Phase(**v) for k, v in data["phases"].items()}
        runs.append(DatabaseRun(**data))
    text = report(args, runs, started)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
