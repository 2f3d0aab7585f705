"""Statements and CPU time of declaring, submitting and paying one trip, in-process, through
the services every channel calls (``trips.services.save_and_submit``, then
``payments.services.simulate_bank_transfer``: the bank's notification of the transfer), with
``gate_bench``'s declaration. A quick local loop, not a benchmark: CPU time is the figure.

    CUAKHAU_DATA_DIR=/tmp/declare .venv/bin/python bench/declare_loop.py 60

The data directory may be used again (a copy of one with thousands of trips gives the price
history its realistic length). To compare two commits, run each on its own copy of the same
data directory, alternately, with ``PYTHONPATH=<a checkout of the other>/src``.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")
import django  # noqa: E402

django.setup()
import gate_bench  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

import cuakhau  # noqa: E402
from cuakhau.payments import services as payments  # noqa: E402
from cuakhau.trips import services as trips  # noqa: E402
from cuakhau.trips.models import Trip  # noqa: E402

print("code from", cuakhau.__file__)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 60
User = get_user_model()
if "auth_user" in connection.introspection.table_names() and (
    User.objects.filter(username="bench_dn").exists()
):
    enterprise = User.objects.get(username="bench_dn")
else:
    enterprise = User.objects.get(pk=gate_bench.prepare_base().enterprise_id)
# Numbers no earlier run used: each gives its trip a plate of its own.
first = Trip.objects.count() + 10_000


def declare_and_pay(number: int) -> None:
    trip = trips.save_and_submit(enterprise, None, gate_bench.declaration(number))
    payments.simulate_bank_transfer(trip)


for number in range(first - 5, first):  # warm-up: compiled queries, the year's receipt series
    declare_and_pay(number)
with CaptureQueriesContext(connection) as statements:
    declare_and_pay(first)
start = time.process_time()
for number in range(first + 1, first + 1 + n):
    declare_and_pay(number)
used = time.process_time() - start
print(
    f"declare, submit and pay: {len(statements.captured_queries)} statements, "
    f"{used / n * 1000:.1f} ms of CPU a trip over {n}"
)
