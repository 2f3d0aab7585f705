"""The reference data of the test database, loaded once and put back in a moment.

A transactional test (the browser tests' live server, the concurrency tests) ends with a flush
of every table; the next test that needs the reference data used to load it again from the
shipped files (11,000 HS lines folded for search, the fee schedules), seconds each time. The
session loads it once, through the real loaders; this module remembers the rows those loaders
(and the migrations) wrote and writes the same rows back, in one bulk insert per table, into a
flushed database, so that a test finds the same database whichever tests ran before it.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model


def _tables() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def row_counts() -> dict[type[Model], int]:
    return {model: model._default_manager.count() for model in _tables()}


class Snapshot:
    """The rows of the session's database, by table, to be written back after a flush.

    Every table with rows is kept: the loaders' (``loaded``: the reference data) and the few
    rows migrations made (a market rules edition, a numbering sequence), which a flush takes
    away too. Tables the flush's own ``post_migrate`` fills again (content types, permissions,
    role groups, the default risk rules) are found full after it and left as they are.
    """

    def __init__(self, before: dict[type[Model], int]):
        # Each table's rows as the database gave them: written back as they are, with no model
        # objects in between (which cost as much as loading the files again).
        # (model, "table (columns)", rows)
        self.tables: list[tuple[type[Model], str, list[tuple]]] = []
        self.loaded: set[str] = set()  # the tables the loaders filled
        quote = connection.ops.quote_name
        for model, count in row_counts().items():
            if not count:
                continue
            if count != before.get(model, 0):
                if before.get(model, 0):
                    # Rows of a table migrations fill, added to by a loader: after a flush,
                    # post_migrate's rows would stand for the whole table.
                    raise RuntimeError(f"{model._meta.label} was not empty before loading")
                self.loaded.add(model._meta.db_table)
            columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {columns} FROM {quote(model._meta.db_table)}")
                rows = cursor.fetchall()
            self.tables.append((model, f"{quote(model._meta.db_table)} ({columns})", rows))

    @transaction.atomic
    def restore(self) -> None:
        """Write the rows back into the tables that are empty (a flushed database)."""
        restored = []
        with connection.cursor() as cursor:
            for model, into, rows in self.tables:
                if model._default_manager.exists():
                    continue
                # Foreign keys are checked at commit on both databases (deferred constraints),
                # so the order of the tables and of their rows does not matter.
                if connection.vendor == "postgresql":
                    # One COPY, not a statement a row: a fifth of the time on PostgreSQL.
                    with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    places = ", ".join(["%s"] * len(rows[0]))
                    cursor.executemany(f"INSERT INTO {into} VALUES ({places})", rows)
                restored.append(model)
            # The rows keep their ids: a sequence must go on after them, not collide with them.
            for statement in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(statement)


_session: Snapshot | None = None


def load_once() -> None:
    """Load the reference data through its loaders; remember what they wrote (session setup)."""
    global _session
    from cuakhau.fees.services import load_schedules
    from cuakhau.reference.services import load_reference_data

    before = row_counts()
    load_reference_data()
    load_schedules()
    _session = Snapshot(before)


def put_back() -> None:
    """The reference data again, after a flush: from the snapshot, or loaded when there is none
    (a test database made without the session's setup)."""
    if _session is None:
        load_once()
    else:
        _session.restore()


def check_foreign_keys_outside_the_reference_data() -> None:
    """On SQLite, the foreign-key check Django's ``TestCase`` makes after every test skips the
    reference tables the session loaded (session setup, after ``load_once``).

    ``PRAGMA foreign_key_check`` reads every row of every table: 6–10 ms a test, nine tenths of
    it the HS nomenclature's 7,000 lines, which no test writes after the loaders, over some two
    thousand tests. One statement over the other tables costs a millisecond; a violation it finds
    is named by Django's own full check. On PostgreSQL the check is ``SET CONSTRAINTS ALL
    IMMEDIATE`` (only the rows a test wrote), unchanged: the suite on it still checks every table.
    """
    if connection.vendor != "sqlite" or _session is None:
        return
    reference = _session.loaded
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if t not in reference]
    probe = " UNION ALL ".join(
        "SELECT 1 FROM pragma_foreign_key_check('{}')".format(table.replace("'", "''"))
        for table in tables
    )
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    full_check = wrapper.check_constraints

    def check_constraints(self, table_names=None):
        if table_names is None:
            with self.cursor() as cursor:
                cursor.execute(f"{probe} LIMIT 1")
                if cursor.fetchone() is None:
                    return
        full_check(self, table_names)

    wrapper.check_constraints = check_constraints
