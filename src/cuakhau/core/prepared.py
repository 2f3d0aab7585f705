"""Queries of the hot path compiled once per process, then run with new values.

Building and compiling a Django queryset costs far more CPU than the database takes to answer
an indexed lookup: a token's owner with roles, permissions and gates took about 8 ms to build
and 3 ms to compile, against 0.2 ms to run. A gate check-in makes a dozen such lookups, always
of the same shapes with other values. ``Prepared`` builds the queryset once per database
connection alias with placeholder values, keeps the SQL, and then only executes it and turns
the rows into model instances as Django's own ``ModelIterable`` does (``select_related``
objects and annotations included), so the rows read are exactly the ORM's.

Only lookups whose values are plain parameters can be prepared (``field=value``,
``field__in`` is not): a placeholder that does not reach the SQL as one parameter is refused
when the query is first compiled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models.query import get_related_populators


class Prepared:
    """``Prepared(build, name=str | int, ...)``: ``build(name=placeholder, ...)`` returns the
    queryset; ``.all(name=value, ...)`` / ``.first(...)`` run it with those values."""

    def __init__(self, build: Callable, **kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _placeholders(self) -> dict:
        values = {}
        for n, (name, kind) in enumerate(sorted(self.kinds.items())):
            if kind is int:
                values[name] = -2_147_000_000 - n  # within every integer column's range
            elif kind is str:
                values[name] = f"\x1fprepared:{name}\x1f"
            else:
                raise TypeError(f"{name}: only str and int values can be prepared")
        return values

    def _compile(self, alias: str | None) -> tuple:
        placeholders = self._placeholders()
        queryset = self.build(**placeholders)
        db = alias or queryset.db
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        slots = {}
        for name, placeholder in placeholders.items():
            found = [i for i, p in enumerate(params) if p == placeholder]
            if len(found) != 1:
                raise ValueError(f"{name} does not reach the SQL as one plain parameter")
            slots[name] = found[0]
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, db)
        return (
            db,
            compiler,
            sql,
            list(params),
            slots,
            klass_info["model"],
            init_list,
            (start, end),
            populators,
            dict(compiler.annotation_col_map),
        )

    def all(self, **values) -> list:
        alias = router.db_for_read(self._model())
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        db, compiler, sql, params, slots, model, init_list, span, populators, annotations = compiled
        params = list(params)
        for name, index in slots.items():
            params[index] = values[name]
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        for row in compiler.results_iter(results=[rows]):
            obj = model.from_db(db, init_list, row[span[0] : span[1]])
            for populator in populators:
                populator.populate(row, obj)
            for attr, position in annotations.items():
                setattr(obj, attr, row[position])
            found.append(obj)
        return found

    def first(self, **values):
        rows = self.all(**values)
        return rows[0] if rows else None

    def _model(self):
        model = getattr(self, "_model_class", None)
        if model is None:
            model = self._model_class = self.build(**self._placeholders()).model
        return model
