"""SQLite's planner statistics kept through a migration that rebuilds a table.

SQLite cannot drop a column's index in place of Django's ``AlterField``: Django copies the
table into a new one, and the rows of ``sqlite_stat1`` for the old table go with it. A database
that had been analysed (the demo's is, after it is generated) then plans those tables'
queries blind: the 90-day demo's yard board took 20 ms instead of 7 until ``ANALYZE`` ran.
"""

from django.db import migrations


def analyze_again(*tables: str) -> migrations.RunPython:
    """A migration operation: on an analysed SQLite database, ``ANALYZE`` these tables again.
    Nothing on PostgreSQL (its statistics outlive an index dropped) or on a database never
    analysed (statistics for only these tables would mislead the planner about the rest)."""

    def again(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            )
            if cursor.fetchone() is None:
                return
        analyze(connection, tables)

    return migrations.RunPython(again, migrations.RunPython.noop, elidable=True)


def analyze(connection, tables=()) -> None:
    """``ANALYZE`` (these tables, else all), without the statistics SQLite gets wrong.

    Built without STAT4 (as Debian's is), SQLite counts every NULL of an index's first column
    as one value: a key that is NULL for nearly every row (a receipt's ``replaces``, set only
    when a compromised key's receipt is replaced) then looks as if each lookup matched all of
    them, and the planner scanned 80,000 receipts at every QR scan (27 ms instead of 0.1).
    Such an index keeps no statistics: the planner's own estimate (a unique index matches one
    row, another a few) is the right one for the rows it is asked about."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if tables:
            for table in tables:
                cursor.execute(f"ANALYZE {quote(table)}")
        else:
            cursor.execute("ANALYZE")
        cursor.execute("SELECT tbl, idx FROM sqlite_stat1 WHERE idx IS NOT NULL")
        for table, index in cursor.fetchall():
            if tables and table not in tables:
                continue
            cursor.execute(f"PRAGMA index_info({quote(index)})")
            first = cursor.fetchone()
            if first is None or first[2] is None:  # an index on an expression
                continue
            column = quote(first[2])
            cursor.execute(f"SELECT count(*), count({column}) FROM {quote(table)}")
            rows, values = cursor.fetchone()
            if values * 2 < rows:
                cursor.execute(
                    "DELETE FROM sqlite_stat1 WHERE tbl = %s AND idx = %s", [table, index]
                )
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads the statistics again
