"""PostgreSQL's timestamps read by psycopg's compiled loader (``cuakhau.core.postgresql``) are
the values Django's own loader gives: the same instant, in the connection's time zone.

CI runs this module on PostgreSQL; on SQLite there is nothing to load.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's timestamptz loader"
)

UTC = dt.UTC

# Offsets either side of UTC (Việt Nam's, China's, half hours, negative), microseconds, the
# first and last years PostgreSQL and Python share, and an instant that lands on another day.
CASES = [
    ("2026-11-30 23:59:59.999999+07", dt.datetime(2026, 11, 30, 16, 59, 59, 999999, tzinfo=UTC)),
    ("2026-12-01 00:00:00+08", dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),
    ("2024-02-29 12:00:00.5+05:30", dt.datetime(2024, 2, 29, 6, 30, 0, 500000, tzinfo=UTC)),
    ("2026-06-01 20:00:00-03", dt.datetime(2026, 6, 1, 23, 0, tzinfo=UTC)),
    ("0001-01-01 00:00:00+00", dt.datetime(1, 1, 1, tzinfo=UTC)),
    ("9999-12-31 23:59:59.999999+00", dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
]


def _read(sql_values):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
            [sql_values],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_connection_reads_timestamps_with_the_compiled_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert issubclass(loader, BaseTzLoader)
    assert loader.timezone == connection.timezone
    assert loader.__name__ == "CompiledTzLoader"


@pytest.mark.django_db
def test_instants_are_the_ones_postgresql_holds():
    values = _read([text for text, _expected in CASES])
    assert values == [expected for _text, expected in CASES]
    assert all(value.tzinfo is connection.timezone for value in values)


@pytest.mark.django_db
def test_same_values_as_djangos_own_loader():
    """Each timestamp read by Django's pure-Python loader (on a cursor of its own) and by the
    connection's: the same datetimes, time zone and all, NULL as None."""
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    texts = [text for text, _expected in CASES] + [None]
    ours = _read(texts)
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        register_tzloader(connection.timezone, raw)  # Django's loader, on this cursor only
        raw.execute(
            "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
            [texts],
        )
        djangos = [row[0] for row in raw.fetchall()]
        assert raw.adapters.get_loader(1184, 0).__name__ == "SpecificTzLoader"
    assert ours == djangos
    assert ours[-1] is None
