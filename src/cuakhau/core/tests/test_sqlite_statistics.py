"""A migration that rebuilds a SQLite table puts its planner statistics back
(``core.sqlite.statistics.analyze_again``), on a database that had them only."""

from types import SimpleNamespace

import pytest
from django.db import connection

from cuakhau.core.sqlite.statistics import analyze_again

pytestmark = pytest.mark.django_db


def _run(operation):
    operation.code(None, SimpleNamespace(connection=connection))


def _statistics_of(table: str) -> list | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s ORDER BY idx", [table])
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statistics table")
def test_a_rebuilt_table_is_analysed_again_where_statistics_were_kept(reference_data):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reference_gate")
    analysed = _statistics_of("reference_gate")
    assert analysed  # the gates' code index, with its row count
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'reference_gate'")  # as a rebuild
    _run(analyze_again("reference_gate"))
    assert _statistics_of("reference_gate") == analysed

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE sqlite_stat1")  # a database never analysed
    _run(analyze_again("reference_gate"))
    assert _statistics_of("reference_gate") is None


def test_elsewhere_it_does_nothing(reference_data):
    operation = analyze_again("reference_gate")
    assert operation.reversible and operation.elidable
    if connection.vendor != "sqlite":
        _run(operation)  # PostgreSQL keeps its statistics when an index goes


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own statistics table")
def test_an_index_whose_column_is_mostly_null_keeps_no_misleading_statistics(reference_data):
    """SQLite's statistics count every NULL as one value: receipts' ``replaces`` (NULL but for
    replacements) looked as if a lookup matched every receipt, and the QR scan's read scanned
    them all. ``analyze`` keeps the other indexes' statistics and drops those."""
    from cuakhau.core.sqlite.statistics import analyze
    from cuakhau.reference.models import Gate

    Gate.objects.update(notes="")  # the gates' code index: a column never NULL
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE t_receipt (id integer PRIMARY KEY, replaces integer UNIQUE)")
        cursor.executemany(
            "INSERT INTO t_receipt (id, replaces) VALUES (%s, %s)",
            [(n, 1 if n == 2 else None) for n in range(1, 201)],
        )
    analyze(connection)
    assert _statistics_of("t_receipt") == []
    assert _statistics_of("reference_gate")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT r.id FROM t_receipt r"
            " LEFT JOIN t_receipt n ON n.replaces = r.id WHERE r.id = 5"
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SCAN" not in plan, plan
