"""Every timestamp PostgreSQL sends parsed by psycopg's compiled loader, not in Python.

Django reads ``timestamptz`` columns with a loader of its own (``BaseTzLoader``) that gives
each value the connection's time zone; it derives from psycopg's pure-Python loader, so with
``psycopg[binary]`` installed every timestamp is still parsed in Python: about a tenth of the
CPU of a page listing a day's payments and receipts (Django ticket #36960, psycopg issue
#1273). Here Django's loader keeps its class and its time zone, and parses with the compiled
loader psycopg registers for itself; without the compiled module it is Django's own.
"""

import functools

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader, get_adapters_template
from psycopg import adapt, adapters
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid


def _tz_loader(timezone) -> type[BaseTzLoader]:
    """Django's loader for ``timezone``, parsing with psycopg's own (compiled) loader."""
    parser = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)

    class CompiledTzLoader(BaseTzLoader):
        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._parse = parser(oid, context).load

        def load(self, data):
            return self._parse(data).replace(tzinfo=self.timezone)

    CompiledTzLoader.timezone = timezone
    return CompiledTzLoader


@functools.lru_cache
def adapters_template(use_tz: bool, timezone) -> adapt.AdaptersMap:
    """Django's adapters for new connections, with the compiled timestamp loader."""
    context = adapt.AdaptersMap(get_adapters_template(use_tz, timezone))
    context.register_loader("timestamptz", _tz_loader(timezone))
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if "context" in params:
            from django.conf import settings

            params["context"] = adapters_template(settings.USE_TZ, self.timezone)
        return params
