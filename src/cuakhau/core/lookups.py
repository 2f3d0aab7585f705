"""Lookups on integer keys that answer "nothing" for a number no row can hold.

Django refuses an out-of-range integer itself only for ``exact``, ``gt``… on an integer field;
a foreign key (``gate=10**20``) or a list (``pk__in=[10**20]``) reached SQLite's driver, which
cannot bind an integer past 64 bits: the administration's filters and choice fields answered
500 on SQLite and 200 on PostgreSQL. Here such a value matches no row on both.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In

# What every database's widest integer column holds.
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1


def _beyond(value) -> bool:
    return isinstance(value, int) and not _LOWEST <= value <= _HIGHEST


class _ExactInRange:
    def process_rhs(self, compiler, connection):
        if _beyond(self.rhs):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


class _InInRange:
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            # Dropped: they match nothing; an empty list is Django's own EmptyResultSet.
            self.rhs = [value for value in self.rhs if not _beyond(value)]
        return super().process_rhs(compiler, connection)


class KeyExactInRange(_ExactInRange, RelatedExact):
    pass


class KeyInInRange(_InInRange, RelatedIn):
    pass


class IntegerInInRange(_InInRange, In):
    pass


def register() -> None:
    ForeignObject.register_lookup(KeyExactInRange)
    ForeignObject.register_lookup(KeyInInRange)
    IntegerField.register_lookup(IntegerInInRange)
