"""SQLite's planner statistics written by hand, for tests of a statement's plan: ``sqlite_stat1``
as ``ANALYZE`` left it on a big database (the 90-day demo's), so that a test database of a few
rows is planned as that one was."""

from __future__ import annotations

from django.db import connection


def write_statistics(
    tables: dict[str, int],
    indexes: dict[tuple[str, str | tuple[str, ...]], str],
    *,
    per_value: int = 1,
) -> None:
    """Replace the statistics of ``tables`` (name → rows). An index gets the ``stat`` text given
    for (its table, its name) or (its table, its columns); any other index of those tables the
    table's rows, ``per_value`` rows per value of its first column and one for each further
    column. The planner reads them at once."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # makes sqlite_stat1
        for table, rows in tables.items():
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])
            for name, about in connection.introspection.get_constraints(cursor, table).items():
                columns = tuple(about["columns"] or ())
                if not (about["index"] or about["unique"]) or about["primary_key"] or not columns:
                    continue
                stat = indexes.get((table, name)) or indexes.get((table, columns))
                if stat is None:
                    stat = f"{rows} {min(per_value, rows)}" + " 1" * (len(columns) - 1)
                cursor.execute(
                    "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                    [table, name, stat],
                )
        cursor.execute("ANALYZE sqlite_schema")


def query_plan(sql: str, params=()) -> list[str]:
    """The steps of ``EXPLAIN QUERY PLAN`` for a statement."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in cursor.fetchall()]
