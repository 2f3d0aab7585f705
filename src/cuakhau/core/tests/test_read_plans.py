"""Reads that grow with the history are answered by walking an index in order, not by sorting
or scanning everything: SQLite, with statistics as ``ANALYZE`` left them on the 90-day demo."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.conftest import banana_line, declaration
from cuakhau.core.testing.sqlite_statistics import query_plan, write_statistics
from cuakhau.receipts import services as receipts
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and statistics"),
]

# sqlite_stat1 as ``ANALYZE`` left it on the 90-day demo (84,759 trips of 43 companies at 24
# gates; 78,629 receipts, 268 of them revoked): rows, then rows per value of each leading run of
# the index's columns; an index not named here counts its rows and one per value.
ROWS = {
    "trips_trip": 84_759,
    "receipts_receipt": 78_629,
    "accounts_organisation": 43,
    "reference_gate": 24,
}
DEMO = {
    ("trips_trip", ("expected_arrival", "id")): "84759 2 1",
    ("trips_trip", ("organisation_id", "status")): "84759 1972 326",
    ("trips_trip", ("gate_id", "status", "expected_arrival")): "84759 21190 2923 2",
    ("trips_trip", ("created_by_id",)): "84759 1972",
    ("receipts_receipt", "receipt_revoked_number"): "268 1",  # a partial index: its rows only
    ("receipts_receipt", ("gate_id", "issued_at")): "78629 19658 1",
    ("receipts_receipt", ("gate_id", "year", "sequence")): "78629 19658 19658 1",
}


def _statistics_as_on_the_demo():
    write_statistics(ROWS, DEMO)


@pytest.mark.parametrize("reader", ["auditor", "officer_of_four_gates"])
def test_a_long_trip_list_is_read_in_its_order(client, reader, enterprise, mlt, hng, request):
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import PASSWORD
    from cuakhau.reference.models import Gate

    for _ in range(2):
        trips.save_and_submit(
            enterprise, None, declaration(cargo_lines=[banana_line(container_numbers=[])])
        )
    if reader == "auditor":
        user = request.getfixturevalue("auditor")
    else:  # as the demo's officers, at its four gates
        gates = [mlt, hng, *Gate.objects.exclude(pk__in=[mlt.pk, hng.pk]).order_by("code")[:2]]
        user = create_user("haiquan_4", PASSWORD, roles.CUSTOMS, gates=gates)
    _statistics_as_on_the_demo()
    client.force_login(user)
    with CaptureQueriesContext(connection) as read:
        assert client.get("/trips/").status_code == 200
    (page,) = [
        q["sql"]
        for q in read.captured_queries
        if q["sql"].startswith('SELECT "trips_trip"."id"') and "LIMIT" in q["sql"]
    ]
    steps = query_plan(page)
    # Sorting every trip the reader may see, for each page, took 110-420 ms on the demo.
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in steps), steps
    assert any("trip_list_order" in step for step in steps), steps
    assert Trip._meta.ordering == ["-expected_arrival", "-id"]  # the index's order


def test_the_revocation_list_reads_only_the_revoked_receipts(client):
    _statistics_as_on_the_demo()
    with CaptureQueriesContext(connection) as read:
        receipts.revocation_list()
    (listing,) = [q["sql"] for q in read.captured_queries if "receipts_receipt" in q["sql"]]
    steps = query_plan(listing)
    # Through every receipt's number instead: 50-90 ms on the demo.
    assert steps and all("receipt_revoked_number" in step for step in steps), steps
