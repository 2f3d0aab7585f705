"""Queries of the hot path compiled once per process, then run with new values.

Building and compiling a Django queryset costs far more CPU than the database takes to answer
an indexed lookup: a token's owner with roles, permissions and gates took about 8 ms to build
and 3 ms to compile, against 0.2 ms to run. A gate check-in makes a dozen such lookups, always
of the same shapes with other values. ``Prepared`` builds the queryset once per database
connection alias with placeholder values, keeps the SQL, and then only executes it and turns
the rows into model instances as Django's own ``ModelIterable`` does (``select_related``
objects and annotations included), so the rows read are exactly the ORM's.

Only lookups whose values are plain parameters can be prepared (``field=value``,
``field__in`` is not): a placeholder that does not reach the SQL as plain parameters is refused
when the query is first compiled. A value may be used more than once in the query (a subquery
on the same trip); an aware datetime reaches the SQL as the backend adapts it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, connections, models, router
from django.db.models import Expression
from django.db.models.query import ModelIterable, get_related_populators


@dataclass
class _Compiled:
    db: str
    compiler: object
    sql: str
    params: list
    slots: dict
    converters: dict
    model: type | None = None
    init_list: list = field(default_factory=list)
    span: tuple[int, int] = (0, 0)
    populators: list = field(default_factory=list)
    make: Callable | None = None  # (db, values) -> an instance of ``model``, as from_db makes it
    annotations: dict = field(default_factory=dict)
    native_sql: str | None = None  # SQLite: the statement in its own placeholder style


class Prepared:
    """``Prepared(build, name=str | int, ...)``: ``build(name=placeholder, ...)`` returns the
    queryset; ``.all(name=value, ...)`` / ``.first(...)`` run it with those values."""

    def __init__(self, build: Callable, **kinds: type):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _placeholders(self) -> dict:
        values = {}
        for n, (name, kind) in enumerate(sorted(self.kinds.items())):
            if kind is int:
                values[name] = -2_147_000_000 - n  # within every integer column's range
            elif kind is str:
                values[name] = f"\x1fprepared:{name}\x1f"
            elif kind is dt.datetime:
                # A moment no real row holds, told apart by its microseconds.
                values[name] = dt.datetime(1901, 2, 3, 4, 5, 6, 100 + n, tzinfo=dt.UTC)
            else:
                raise TypeError(f"{name}: only str, int and datetime values can be prepared")
        return values

    def _compile(self, alias: str | None) -> _Compiled:
        placeholders = self._placeholders()
        queryset = self.build(**placeholders)
        db = alias or queryset.db
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        compiled = self._slotted(db, compiler, sql, params, placeholders)
        klass_info, select = compiler.klass_info, compiler.select
        # What ``results_iter`` works out on every call (a few hundred field lookups for a
        # wide row), worked out once: the same columns come back every time.
        columns = [s[0] for s in select[0 : compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("composite primary keys cannot be prepared")
        compiled.converters = compiler.get_converters(columns)
        # Rows of a model, unless the query asked for values (values_list()).
        if klass_info is not None and issubclass(queryset._iterable_class, ModelIterable):
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            compiled.model = klass_info["model"]
            compiled.init_list = [f[0].target.attname for f in select[start:end]]
            compiled.span = (start, end)
            compiled.make = _maker(compiled.model, compiled.init_list)
            compiled.populators = [
                _Populator(p) for p in get_related_populators(klass_info, select, db)
            ]
            compiled.annotations = dict(compiler.annotation_col_map)
        return compiled

    @staticmethod
    def _slotted(db, compiler, sql, params, placeholders) -> _Compiled:
        """Where each placeholder's value went among the statement's parameters."""
        connection = connections[db]
        slots = {}
        for name, placeholder in placeholders.items():
            adapt = None
            if isinstance(placeholder, dt.datetime):
                adapt = connection.ops.adapt_datetimefield_value
                forms = {placeholder, adapt(placeholder)}
            else:
                forms = {placeholder}
            found = [i for i, p in enumerate(params) if _same(p, forms)]
            if not found:
                raise ValueError(f"{name} does not reach the SQL as a plain parameter")
            # A datetime the backend adapted (SQLite: text) is adapted again at every run.
            adapted = adapt is not None and not isinstance(params[found[0]], dt.datetime)
            kind = type(params[found[0]])
            if kind is not int and isinstance(placeholder, int) and issubclass(kind, int):
                # A big integer the backend typed (PostgreSQL: psycopg's Int8), typed alike.
                adapt, adapted = kind, True
            slots[name] = (found, adapt if adapted else None)
        sql, params, slots = _constants_inlined(connection, sql, list(params), slots)
        return _Compiled(db, compiler, sql, params, slots, {}, native_sql=_native(db, sql))

    @staticmethod
    def _params(compiled: _Compiled, values: dict) -> list:
        params = list(compiled.params)
        for name, (indexes, adapt) in compiled.slots.items():
            value = values[name]
            if adapt is not None and value is not None:
                value = adapt(value)
            for index in indexes:
                params[index] = value
        return params

    def _compiled_for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias) or self._compile(alias)
                self._compiled[alias] = compiled
        return compiled

    @contextlib.contextmanager
    def _executed(self, alias: str, values: dict):
        """The compiled statement for ``alias``, and a cursor that ran it with ``values``."""
        compiled = self._compiled_for(alias)
        connection = connections[compiled.db]
        params = self._params(compiled, values)
        with _executed(connection, compiled.sql, params, compiled.native_sql) as cursor:
            yield compiled, cursor

    def _run(self, values: dict) -> tuple[_Compiled, list]:
        with self._executed(router.db_for_read(self._model()), values) as (compiled, cursor):
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return compiled, rows

    def all(self, **values) -> list:
        compiled, rows = self._run(values)
        make, db, span = compiled.make, compiled.db, compiled.span
        if make is None:
            raise TypeError("a values_list() query: read it with .values()")
        found = []
        for row in rows:
            obj = make(db, row[span[0] : span[1]])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for attr, position in compiled.annotations.items():
                setattr(obj, attr, row[position])
            found.append(obj)
        return found

    def values(self, **values) -> list[tuple]:
        """The rows of a ``values_list()`` query (or a model query's selected columns)."""
        return [tuple(row) for row in self._run(values)[1]]

    def first(self, **values):
        rows = self.all(**values)
        return rows[0] if rows else None

    def _model(self):
        model = getattr(self, "_model_class", None)
        if model is None:
            model = self._model_class = self.build(**self._placeholders()).model
        return model


def _maker(model: type, init_list: list) -> Callable:
    """How a row's values become an instance of ``model``, as ``Model.from_db`` makes it.

    For a model with every column read, no ``__init__`` or ``from_db`` of its own, plain field
    descriptors and nobody listening to ``pre_init`` / ``post_init`` (as when the statement is
    compiled), the instance is made by filling its ``__dict__``: ``__init__`` went through a
    descriptor and two signals per object, about a tenth of a check-in's CPU for its dozen
    objects. The result is the same object (same attributes, same ``_state``); anything else
    goes through ``from_db``."""
    from django.db.models import Model, signals
    from django.db.models.base import ModelState
    from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
    from django.db.models.query_utils import DeferredAttribute

    attnames = [f.attname for f in model._meta.concrete_fields]
    plain_descriptors = (DeferredAttribute, ForeignKeyDeferredAttribute)
    if (
        model.__init__ is not Model.__init__
        or model.from_db.__func__ is not Model.from_db.__func__
        or list(init_list) != attnames
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
        or any(
            type(inspect.getattr_static(model, name, None)) not in plain_descriptors
            for name in attnames
        )
    ):
        return functools.partial(_from_db, model, list(init_list))
    new = object.__new__

    def make(db, values):
        obj = new(model)
        state = ModelState()
        state.adding, state.db = False, db
        attributes = obj.__dict__
        attributes["_state"] = state
        attributes.update(zip(attnames, values, strict=True))
        return obj

    return make


def _from_db(model, init_list, db, values):
    return model.from_db(db, init_list, values)


class _Populator:
    """Django's ``RelatedPopulator`` (one ``select_related`` object of a row), its objects
    made by ``_maker``."""

    def __init__(self, populator):
        self.reorder = populator.reorder_for_init
        self.start, self.end = populator.cols_start, populator.cols_end
        self.pk_idx, self.db = populator.pk_idx, populator.db
        self.make = _maker(populator.model_cls, populator.init_list)
        self.related = [_Populator(p) for p in populator.related_populators]
        self.local_setter = populator.local_setter
        self.remote_setter = populator.remote_setter

    def populate(self, row, from_obj):
        values = self.reorder(row) if self.reorder else row[self.start : self.end]
        if values[self.pk_idx] is None:
            obj = None
        else:
            obj = self.make(self.db, values)
            for populator in self.related:
                populator.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


_PARAMETER = re.compile(r"(%%|%s)")


def _constants_inlined(connection, sql: str, params: list, slots: dict):
    """The statement with the values fixed at compile time (a status, a flag, a limit) written
    into it as literals; only the values given at each run stay parameters.

    A planner that sees ``result = 'fail'`` plans as well without the run's values as with them:
    PostgreSQL's plan for a prepared statement with ``result = $2`` counted failed inspections
    by a sequential scan (2 ms against 0.07 by the index), so it planned afresh at every run
    (0.1 ms) rather than keep that plan; and neither database can use a partial index for a
    condition it cannot read. Only plain integers, booleans and strings are written out (their
    literal is the same in both databases' SQL); anything else stays a parameter."""
    kept_at = {i for indexes, _adapt in slots.values() for i in indexes}
    pieces = _PARAMETER.split(sql)
    out, kept, new_index, position = [], [], {}, 0
    for piece in pieces:
        if piece != "%s":
            out.append(piece)
            continue
        value = params[position]
        literal = None if position in kept_at else _literal(connection, value)
        if literal is None:
            new_index[position] = len(kept)
            kept.append(value)
            out.append(piece)
        else:
            out.append(literal.replace("%", "%%"))
        position += 1
    if position != len(params):  # not Django's own placeholders: leave the statement alone
        return sql, params, slots
    slots = {
        name: ([new_index[i] for i in indexes], adapt) for name, (indexes, adapt) in slots.items()
    }
    return "".join(out), kept, slots


def _literal(connection, value) -> str | None:
    if isinstance(value, bool):
        if connection.vendor == "postgresql":
            return "true" if value else "false"
        return "1" if value else "0"
    if isinstance(value, int):
        # In parentheses, so that a negative number after a minus never reads as a comment.
        return f"({int(value)})" if value < 0 else str(int(value))
    if isinstance(value, str) and "\x00" not in value:
        # A choice of an enumeration is a str: its own text, quoted as SQL quotes.
        return "'" + str.__str__(value).replace("'", "''") + "'"
    return None


def _same(param, forms) -> bool:
    # ``in`` would compare an int placeholder with a datetime (or a str) happily; only a value
    # of the placeholder's own kind (or an integer type of the backend's) is one of its forms.
    return any(_kind_of(param) is type(form) and param == form for form in forms)


def _kind_of(param) -> type:
    kind = type(param)
    return int if kind is not bool and issubclass(kind, int) else kind


def _native(db: str, sql: str) -> str | None:
    """On SQLite, the statement with the ``?`` placeholders the driver takes: Django's cursor
    rewrites ``%s`` with a regular expression at every execution."""
    connection = connections[db]
    if connection.vendor != "sqlite":
        return None
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


@contextlib.contextmanager
def _executed(connection, sql: str, params: list, native_sql: str | None):
    """A cursor that has run the statement. On SQLite, when nobody records or wraps queries
    (a test counting them does), the driver runs the converted statement directly: Django's
    cursor wrapper and its conversion were a third of a compiled lookup's cost."""
    if native_sql is not None and not connection.queries_logged and not connection.execute_wrappers:
        connection.ensure_connection()
        connection.validate_no_broken_transaction()
        with connection.wrap_database_errors:
            cursor = connection.connection.execute(native_sql, params)
            try:
                yield cursor
            finally:
                cursor.close()
        return
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        yield cursor


def _cursor(connection):
    """A cursor of ``connection``, wrapped as Django wraps its own (queries logged and counted).
    On PostgreSQL, one that binds its parameters on the server and prepares the statement:
    the server then plans a hot-path query once per connection instead of at every request
    (the token's owner with roles, permissions and gates took 2.5 ms to plan, 1 ms to run).
    The ORM's own cursors bind on the client, as Django's default is; only these fixed,
    compiled-once statements are prepared."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_server_prepared_cursor_class()(connection.connection))


@functools.cache
def _server_prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class ServerPreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

        def _convert_query(self, query, params=None):
            # Kept where Django's query log reads the statement it ran (``$1`` placeholders).
            self._query = super()._convert_query(query, params)
            return self._query

    return ServerPreparedCursor


# ---------------------------------------------------------------------------------------------
# Writes of the hot path: one INSERT per model, one UPDATE per shape, compiled once


@dataclass
class _InsertPlan:
    sql: str
    pk_attname: str
    native_sql: str | None
    values: list  # per column, in order: (obj, connection) -> the value it stores, or _EXPRESSION


_INSERT_PLANS: dict[tuple[type, str], _InsertPlan | None] = {}
_INSERT_LOCK = threading.Lock()


def _insert_plan(model: type, db: str) -> _InsertPlan | None:
    """The model's INSERT as Django compiles it for one new row, with the values left out;
    None for a model this cannot do (an inherited or ordered model, a database default, a
    returned column besides an automatic key), which ``save()`` then inserts."""
    from django.db.models import sql

    meta = model._meta
    if meta.parents or meta.order_with_respect_to or meta.auto_field is None:
        return None
    if list(meta.db_returning_fields) != [meta.auto_field]:
        return None
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    if any(f.has_db_default() for f in fields):
        return None
    query = sql.InsertQuery(model)
    query.insert_values(fields, [model()])
    compiler = query.get_compiler(using=db)
    compiler.returning_fields = meta.db_returning_fields
    statements = compiler.as_sql()
    if len(statements) != 1 or statements[0][0].count("%s") != len(fields):
        return None
    sql_text = statements[0][0]
    values = [_stored_value_of(f) for f in fields]
    return _InsertPlan(sql_text, meta.auto_field.attname, _native(db, sql_text), values)


_EXPRESSION = object()  # a value the database computes: the row goes through ``save()``


def _stored_value_of(field) -> Callable:
    """How ``insert`` reads what ``field`` stores for an object: its ``pre_save`` and
    ``get_db_prep_save``, as ``save()`` does. For one of Django's own fields that stores a
    value of its plain kind as it is (a text, a number, a flag, an integer key, an aware moment
    as the backend adapts it), a value of exactly that kind skips their layers of calls: a
    fifth of an insert's CPU, for the same value."""
    from django.db import models

    def stored(obj, connection):
        value = field.pre_save(obj, True)
        if hasattr(value, "resolve_expression"):
            return _EXPRESSION
        return field.get_db_prep_save(value, connection)

    kind = type(field)
    attname = field.attname
    if kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):

        def moment(obj, connection):
            value = getattr(obj, attname)
            if type(value) is dt.datetime and value.tzinfo is not None:
                return connection.ops.adapt_datetimefield_value(value)
            return stored(obj, connection)

        return moment
    if kind in _integer_fields():
        internal_type = field.get_internal_type()

        def number(obj, connection):
            value = getattr(obj, attname)
            if type(value) is int:
                # PostgreSQL's backend types it (psycopg's Int4 …), as the field would.
                return connection.ops.adapt_integerfield_value(value, internal_type)
            return stored(obj, connection)

        return number
    if kind in (models.CharField, models.TextField):
        plain = (str,)
    elif kind is models.BooleanField:
        plain = (bool,)
    elif kind is models.ForeignKey and type(field.target_field) in _auto_keys():
        plain = (int, type(None))  # an automatic key is stored as the integer it is
    else:
        return stored

    def as_it_is(obj, connection):
        value = getattr(obj, attname)
        return value if type(value) in plain else stored(obj, connection)

    return as_it_is


@functools.cache
def _integer_fields() -> frozenset[type]:
    from django.db import models

    return frozenset(
        {
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        }
    )


@functools.cache
def _auto_keys() -> frozenset[type]:
    from django.db import models

    return frozenset({models.AutoField, models.BigAutoField, models.SmallAutoField})


def insert(obj):
    """``obj.save(force_insert=True)`` for a new row of a plain model, the statement compiled
    once per model (building and compiling Django's INSERT was most of a save's CPU).

    The same values reach the database (each field's ``pre_save``, ``get_db_prep_save``), the
    same signals are sent, the object ends up as ``save()`` leaves it. Anything else (a value
    that is an expression, a key set by hand, a model it cannot plan) goes through ``save()``.
    """
    from django.db.models import signals

    model = type(obj)
    db = router.db_for_write(model, instance=obj)
    key = (model, db)
    if key not in _INSERT_PLANS:
        with _INSERT_LOCK:
            if key not in _INSERT_PLANS:
                _INSERT_PLANS[key] = _insert_plan(model, db)
    plan = _INSERT_PLANS[key]
    if plan is None or getattr(obj, plan.pk_attname) is not None:
        obj.save(force_insert=True, using=db)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=db, update_fields=None)
    connection = connections[db]
    params = []
    for stored in plan.values:
        value = stored(obj, connection)
        if value is _EXPRESSION:
            break
        params.append(value)
    else:
        with _executed(connection, plan.sql, params, plan.native_sql) as cursor:
            setattr(obj, plan.pk_attname, cursor.fetchone()[0])
        obj._state.adding = False
        obj._state.db = db
        signals.post_save.send(
            sender=model, instance=obj, created=True, update_fields=None, raw=False, using=db
        )
        return obj
    obj.save(force_insert=True, using=db)
    return obj


_IGNORING_PLANS: dict[tuple[type, str], tuple[str, str | None, list] | None] = {}


def insert_unless_present(obj) -> None:
    """``bulk_create([obj], ignore_conflicts=True)`` for one row of a plain model: added
    unless a unique constraint already holds a row like it, no key read back, no signal sent,
    as ``bulk_create`` does. Compiled once per model: building Django's bulk INSERT took three
    times the CPU of running it (a mark every exit leaves for the statistics)."""
    from django.db.models import sql
    from django.db.models.constants import OnConflict

    model = type(obj)
    db = router.db_for_write(model, instance=obj)
    key = (model, db)
    if key not in _IGNORING_PLANS:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not f.generated and not f.primary_key]
        query = sql.InsertQuery(model, on_conflict=OnConflict.IGNORE)
        query.insert_values(fields, [model()])
        statements = query.get_compiler(using=db).as_sql()
        plan = None
        if len(statements) == 1 and statements[0][0].count("%s") == len(fields):
            text = statements[0][0]
            plan = (text, _native(db, text), [_stored_value_of(f) for f in fields])
        _IGNORING_PLANS[key] = plan
    plan = _IGNORING_PLANS[key]
    connection = connections[db]
    params = [] if plan is not None else None
    for stored in plan[2] if plan is not None else ():
        value = stored(obj, connection)
        if value is _EXPRESSION:
            params = None
            break
        params.append(value)
    if params is None:
        model._default_manager.db_manager(db).bulk_create([obj], ignore_conflicts=True)
        return
    with _executed(connection, plan[0], params, plan[1]):
        pass


class _Slot(Expression):
    """A value given at each run: compiled as a bare parameter."""

    def as_sql(self, compiler, connection):
        return "%s", [None]


_UPDATE_PLANS: dict[tuple[type, str, tuple[str, ...]], tuple[str, list, str | None]] = {}


def save_fields(obj, fields):
    """``obj.save(update_fields=fields)`` for a saved row of a plain model, the UPDATE compiled
    once per model and fields. The same values reach the database (each field's ``pre_save``,
    ``get_db_prep_save``) and the same signals are sent (statistics follow a visit's exit by
    ``post_save``); anything else (an expression as a value, a model with parents) goes through
    ``save()``."""
    from django.db.models import signals, sql

    model = type(obj)
    meta = model._meta
    db = router.db_for_write(model, instance=obj)
    if meta.parents or obj.pk is None:
        obj.save(update_fields=fields, using=db)
        return obj
    fields = tuple(fields)
    key = (model, db, fields)
    plan = _UPDATE_PLANS.get(key)
    if plan is None:
        targets = [meta.get_field(name) for name in fields]
        query = sql.UpdateQuery(model)
        query.add_update_fields([(f, None, _Slot()) for f in targets])
        query.add_filter("pk", -2_147_000_000)
        statement, _params = query.get_compiler(using=db).as_sql()
        if statement.count("%s") != len(fields) + 1 or any(f.primary_key for f in targets):
            obj.save(update_fields=fields, using=db)
            return obj
        plan = _UPDATE_PLANS[key] = (statement, targets, _native(db, statement))
    statement, targets, native = plan
    obj._prepare_related_fields_for_save(operation_name="save")
    update_fields = frozenset(fields)
    signals.pre_save.send(
        sender=model, instance=obj, raw=False, using=db, update_fields=update_fields
    )
    connection = connections[db]
    params = []
    for f in targets:
        value = f.pre_save(obj, False)
        if hasattr(value, "resolve_expression"):
            obj.save(update_fields=fields, using=db)
            return obj
        params.append(f.get_db_prep_save(value, connection))
    params.append(obj.pk)
    with _executed(connection, statement, params, native) as cursor:
        if cursor.rowcount != 1:
            # As ``save(update_fields=...)`` says of a row that is gone.
            raise DatabaseError("Save with update_fields did not affect any rows.")
    signals.post_save.send(
        sender=model, instance=obj, created=False, update_fields=update_fields, raw=False, using=db
    )
    return obj


class PreparedUpdate(Prepared):
    """``PreparedUpdate(build, values=lambda **names: {column: value}, name=kind, ...)``:
    ``build`` returns the queryset of the rows to change, ``values`` what to set; ``.run()``
    returns how many rows it changed. A value set may be None (it is a plain parameter); a
    lookup's may not (``field=None`` compiles to ``IS NULL``, no parameter)."""

    def __init__(self, build: Callable, values: Callable, **kinds: type):
        super().__init__(build, **kinds)
        self.values_of = values

    def _compile(self, alias: str | None) -> _Compiled:
        from django.db.models import sql

        placeholders = self._placeholders()
        queryset = self.build(**placeholders)
        db = alias or queryset.db
        query = queryset.query.chain(sql.UpdateQuery)
        query.add_update_values(self.values_of(**placeholders))
        compiler = query.get_compiler(using=db)
        statement, params = compiler.as_sql()
        return self._slotted(db, compiler, statement, params, placeholders)

    def run(self, **values) -> int:
        with self._executed(router.db_for_write(self._model()), values) as (_compiled, cursor):
            return cursor.rowcount


def as_read_back(instance) -> None:
    """``instance``'s numbers and moments as its columns give them back once saved: a decimal
    to its column's places (``Decimal("25")`` reads back ``Decimal("25.00")``), a moment in
    UTC. An instance just written then stands for the row as read (in a reason, a history, a
    response) and needs no reading again."""
    for column in instance._meta.concrete_fields:
        value = getattr(instance, column.attname)
        if isinstance(column, models.DecimalField) and isinstance(value, Decimal):
            if value.is_finite():
                places = Decimal(1).scaleb(-column.decimal_places)
                setattr(instance, column.attname, value.quantize(places))
        elif isinstance(column, models.DateTimeField) and isinstance(value, dt.datetime):
            setattr(instance, column.attname, _in_utc(value))


def _in_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment


def prefetched(instance, relation: str, rows: list) -> None:
    """``rows`` as ``instance``'s prefetched ``relation`` (a reverse foreign key, by its related
    name), as ``prefetch_related`` would have read them: the relation's ``all()`` and
    ``count()`` then answer without a query. For rows the caller has just written, in the
    order the related model sorts them; a later ``filter`` still queries."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(relation, None)
    manager = getattr(instance, relation, None)
    field = getattr(manager, "field", None)
    if field is None or field.remote_field.cache_name != relation:
        raise ValueError(f"{relation} is not a reverse foreign key named by its related name")
    queryset = manager.all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache[relation] = queryset


def forget_prefetched(instance):
    """``instance`` without the rows ``prefetched`` gave it (returned): past the transaction
    that wrote them, a caller's own later change of those rows would not reach them."""
    instance.__dict__.pop("_prefetched_objects_cache", None)
    return instance
