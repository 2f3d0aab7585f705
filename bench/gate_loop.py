"""Per-request CPU time and queries of check-in, exit and /api/v1/me, in-process (the test
Client through the whole middleware stack), on SQLite set up as ``cuakhau setup`` does, with
trips declared and paid by ``gate_bench``'s helpers. A quick local loop, not a benchmark: CPU
time per request is the figure (wall time depends on whoever else uses the machine).

    CUAKHAU_DATA_DIR=/tmp/loop .venv/bin/python bench/gate_loop.py 100 [profile]

With ``profile``, a cProfile of more check-ins, by cumulative time; with ``phases``, the CPU of
each step of a check-in (``PHASES``: the functions timed, nested ones inside their callers), with
no profiler's overhead. The data directory may be used again: the next run declares new trips.
"""

import collections
import cProfile
import functools
import gc
import importlib
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
import django  # noqa: E402

django.setup()
import gate_bench  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import cuakhau  # noqa: E402

print("code from", cuakhau.__file__)
n = int(sys.argv[1])
from django.contrib.auth import get_user_model  # noqa: E402

from cuakhau.accounts.services import issue_token  # noqa: E402
from cuakhau.trips.models import Trip  # noqa: E402

User = get_user_model()
from django.db import connection as _c  # noqa: E402

if (
    "auth_user" in _c.introspection.table_names()
    and User.objects.filter(username="bench_vh").exists()
):
    names = {"customs": "bench_hq", "border_guard": "bench_bp", "quarantine": "bench_kd"}
    actors = gate_bench.Actors(
        User.objects.get(username="bench_dn").pk,
        {k: User.objects.get(username=v).pk for k, v in names.items()},
        issue_token(User.objects.get(username="bench_vh"), "again")[1],
    )
else:
    actors = gate_bench.prepare_base()
first = Trip.objects.count() + 1
made = gate_bench._make_trips((actors.enterprise_id, list(range(first, first + 2 * n))))
# As a server worker after its start (``cuakhau.wsgi``): what lives on is out of the garbage
# collector's sight, so a collection walks only what the requests themselves leave.
gc.collect()
gc.freeze()
client = Client(HTTP_AUTHORIZATION=f"Bearer {actors.token}")
client.get("/api/v1/me")


def check_in(token):
    r = client.post("/api/v1/gate/mlt/check-in", {"scan": token}, content_type="application/json")
    assert r.status_code == 200, r.content


def exit_(token):
    r = client.post("/api/v1/gate/mlt/exit", {"scan": token}, content_type="application/json")
    assert r.status_code == 200, r.content


# warm-up
check_in(made[0][1])
with CaptureQueriesContext(connection) as ctx:
    check_in(made[1][1])
print("check-in queries:", len(ctx.captured_queries))
if os.environ.get("SQL"):  # each statement, to see what a check-in asks the database
    for q in ctx.captured_queries:
        print("  ", q["sql"][:300])
tokens = [t for _ref, t in made[2 : n + 2]]
start, cpu = time.perf_counter(), time.process_time()
for t in tokens:
    check_in(t)
per = (time.perf_counter() - start) / len(tokens)
per_cpu = (time.process_time() - cpu) / len(tokens)
print(
    f"check-in: {per * 1000:.2f} ms wall, {per_cpu * 1000:.2f} ms CPU per request over {len(tokens)}"
)
with CaptureQueriesContext(connection) as ctx:
    client.get("/api/v1/me")
print("me queries:", len(ctx.captured_queries))
start, cpu = time.perf_counter(), time.process_time()
for _ in range(200):
    client.get("/api/v1/me")
print(
    f"me: {(time.perf_counter() - start) / 200 * 1000:.2f} ms wall, {(time.process_time() - cpu) / 200 * 1000:.2f} ms CPU per request"
)
gate_bench._clear((actors.officer_ids, [ref for ref, _t in made[: n + 2]]))
exit_(made[0][1])
with CaptureQueriesContext(connection) as ctx:
    exit_(made[1][1])
print("exit queries:", len(ctx.captured_queries))
start, cpu = time.perf_counter(), time.process_time()
for t in tokens:
    exit_(t)
print(
    f"exit: {(time.perf_counter() - start) / len(tokens) * 1000:.2f} ms wall, {(time.process_time() - cpu) / len(tokens) * 1000:.2f} ms CPU per request"
)
# Each step of a check-in, timed where it is looked up (a module's own attribute), from the
# outside in: "module:function" or "module:Class.method".
PHASES = [
    "cuakhau.core.policy:authenticate_request",
    "cuakhau.gate.services:_check_in",
    "cuakhau.gate.services:assess",
    "cuakhau.gate.services:_find",
    "cuakhau.gate.services:_receipt_problems",
    "cuakhau.receipts.services:verify_receipt",
    "cuakhau.gate.services:_market_problems",
    "cuakhau.risk.services:plan",
    "cuakhau.risk.services:_previous_and_failures",
    "cuakhau.trips.services:gate_transition",
    "cuakhau.trips.services:_record",
    "cuakhau.gate.services:insert",
    "cuakhau.risk.services:record",
    "cuakhau.inspections.services:release_green_channel",
    "django.db.backends.base.base:BaseDatabaseWrapper.commit",
    "cuakhau.gate.api:visit_out",
]


def timed_phases(names: list[str], spent: collections.Counter) -> None:
    for name in names:
        module_name, _, attribute = name.partition(":")
        owner = importlib.import_module(module_name)
        *path, leaf = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        function = getattr(owner, leaf)

        def timed(*args, __function=function, __name=name, **kwargs):
            started = time.process_time()
            try:
                return __function(*args, **kwargs)
            finally:
                spent[__name] += time.process_time() - started

        setattr(owner, leaf, functools.wraps(function)(timed))


if len(sys.argv) > 2 and sys.argv[2] == "phases":
    rest = [t for _ref, t in made[n + 2 :]]
    spent = collections.Counter()
    timed_phases(PHASES, spent)
    cpu = time.process_time()
    for t in rest:
        check_in(t)
    whole = (time.process_time() - cpu) / len(rest)
    print(
        f"check-in by step, CPU ms per request over {len(rest)} (a step's time includes the steps it calls):"
    )
    print(f"  {'the whole request (test client, middleware, API)':58s} {whole * 1000:6.3f}  100 %")
    for name in PHASES:
        share = spent[name] / len(rest)
        print(f"  {name:58s} {share * 1000:6.3f} {share / whole * 100:4.0f} %")
    around = whole - spent["cuakhau.gate.services:_check_in"] / len(rest)
    print(f"  {'around the service (client, middleware, ninja, token)':58s} {around * 1000:6.3f}")
elif len(sys.argv) > 2:
    rest = [t for _ref, t in made[n + 2 :]]
    profiler = cProfile.Profile()
    profiler.enable()
    for t in rest:
        check_in(t)
    profiler.disable()
    if os.environ.get("DUMP"):  # the raw profile, for pstats or snakeviz
        profiler.dump_stats(os.environ["DUMP"])
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("TOP", "45")))
    if os.environ.get("CALLERS"):  # e.g. CALLERS=_get_pk_val: who calls it, how often
        stats.print_callers(os.environ["CALLERS"])
