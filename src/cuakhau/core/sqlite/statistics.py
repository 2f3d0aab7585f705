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

    def analyze(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
            )
            if cursor.fetchone() is None:
                return
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    return migrations.RunPython(analyze, migrations.RunPython.noop, elidable=True)
