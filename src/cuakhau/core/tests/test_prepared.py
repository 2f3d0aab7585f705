"""A query compiled once (``core.prepared``) reads the same rows as the ORM, every time."""

import functools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.accounts.models import ApiToken
from cuakhau.accounts.services import _access_of_token_owner, issue_token
from cuakhau.core.prepared import Prepared

pytestmark = pytest.mark.django_db


def owner_query(key_hash):
    return (
        ApiToken.objects.select_related("user", "user__profile", "user__profile__organisation")
        .annotate(**_access_of_token_owner())
        .filter(key_hash=key_hash)
    )


def test_a_prepared_query_reads_what_the_orm_reads(enterprise, operator):
    prepared = Prepared(owner_query, key_hash=str)
    for user in (enterprise, operator, enterprise):
        token, _raw = issue_token(user, "booth")
        with CaptureQueriesContext(connection) as context:
            found = prepared.first(key_hash=token.key_hash)
        assert len(context.captured_queries) == 1
        expected = owner_query(token.key_hash).get()
        assert (found.pk, found.created_at, found.user.username) == (
            expected.pk,
            expected.created_at,
            expected.user.username,
        )
        assert found.user.profile.organisation == expected.user.profile.organisation
        assert (found.owner_roles, found.owner_gate_codes) == (
            expected.owner_roles,
            expected.owner_gate_codes,
        )
    assert prepared.first(key_hash="no such token") is None


def test_a_value_that_is_not_one_plain_parameter_is_refused(enterprise):
    # icontains wraps the value in % signs: it could not be swapped in the compiled SQL.
    prepared = Prepared(lambda name: ApiToken.objects.filter(name__icontains=name), name=str)
    with pytest.raises(ValueError, match="name"):
        prepared.all(name="booth")


def test_a_moment_and_a_value_used_twice_run_as_the_orm_would(enterprise, operator):
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    def tokens(user, since):
        # ``user`` twice (the row and a subquery), ``since`` a moment the backend adapts.
        return (
            ApiToken.objects.filter(
                Q(user_id=user) | Q(pk__in=ApiToken.objects.filter(user_id=user).values("pk")),
                created_at__gte=since,
            )
            .order_by("pk")
            .values_list("name", "created_at")
        )

    prepared = Prepared(tokens, user=int, since=dt.datetime)
    issue_token(enterprise, "first")
    issue_token(operator, "other")
    before = timezone.now() - dt.timedelta(minutes=1)
    after = timezone.now() + dt.timedelta(minutes=1)
    for user, since in ((enterprise, before), (operator, before), (enterprise, after)):
        assert prepared.values(user=user.pk, since=since) == list(tokens(user.pk, since))
    assert [name for name, _at in prepared.values(user=enterprise.pk, since=before)] == ["first"]
    with pytest.raises(TypeError, match="values"):
        prepared.all(user=enterprise.pk, since=before)


def test_values_fixed_in_the_query_are_written_into_it_and_read_back_alike(enterprise):
    """Constants (strings with quotes, percent signs and other scripts, negative numbers)
    become literals of the statement; only the values given at each run stay
    parameters, and the rows read are still the ORM's."""
    from django.db.models import Q

    from cuakhau.core.prepared import PreparedUpdate

    names = ["it's 100%", "--", "闸口 ‘quoted’ %s", "\\back\\slash"]
    for name in names:
        issue_token(enterprise, name)

    def tokens(user, name):
        return (
            ApiToken.objects.filter(user_id=user)
            .filter(Q(name=name) | Q(name__in=names[:2]) | Q(pk=-7), revoked_at__isnull=True)
            .exclude(pk__lt=-1)
            .order_by("name")
            .values_list("name", flat=True)[:10]
        )

    prepared = Prepared(tokens, user=int, name=str)
    for name in names:
        expected = [(n,) for n in tokens(enterprise.pk, name)]
        assert prepared.values(user=enterprise.pk, name=name) == expected
        assert name in {n for (n,) in expected}
    compiled = prepared._compiled_for("default")
    assert compiled.sql.count("%s") == len(compiled.params) == 2  # the user and the name
    assert "'it''s 100%%'" in compiled.sql and "(-7)" in compiled.sql

    revoke = PreparedUpdate(
        lambda name: ApiToken.objects.filter(name=name, revoked_at__isnull=True),
        values=lambda name: {"name": "renamed 'x' 50%"},
        name=str,
    )
    assert revoke.run(name=names[0]) == 1
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"renamed 'x' 50%", *names[1:]}


def test_compiled_writes_store_what_the_orm_stores(enterprise, operator):
    """``insert`` and ``PreparedUpdate`` against ``save()`` and ``update()``, with and without
    a query log (on SQLite the driver runs the statement itself when nothing records it)."""
    import datetime as dt

    from django.forms.models import model_to_dict
    from django.utils import timezone

    from cuakhau.core.prepared import PreparedUpdate, insert

    renamed = PreparedUpdate(
        lambda pk, name, **_set: ApiToken.objects.filter(pk=pk, name=name),
        values=lambda to, used, **_where: {"name": to, "last_used_at": used},
        pk=int,
        name=str,
        to=str,
        used=dt.datetime,
    )
    moment = timezone.now().replace(microsecond=123456)
    for logged in (False, True):
        original, _raw = issue_token(enterprise, f"by the ORM {logged}")
        copy = ApiToken(
            user=enterprise, name=f"compiled {logged}", key_hash=f"h{logged}", hint="abcd"
        )
        with CaptureQueriesContext(connection) if logged else _nothing():
            assert insert(copy) is copy and copy.pk and not copy._state.adding
            assert renamed.run(pk=copy.pk, name="no such name", to="x", used=moment) == 0
            assert renamed.run(pk=copy.pk, name=copy.name, to="moved", used=moment) == 1
        stored = ApiToken.objects.get(pk=copy.pk)
        assert (stored.name, stored.last_used_at, stored.user_id) == (
            "moved",
            moment,
            enterprise.pk,
        )
        assert stored.created_at == copy.created_at  # auto_now_add set as save() sets it
        assert set(model_to_dict(stored)) == set(model_to_dict(original))
        assert renamed.run(pk=copy.pk, name="moved", to="cleared", used=None) == 1
        assert ApiToken.objects.get(pk=copy.pk).last_used_at is None


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def test_saving_fields_stores_and_signals_what_save_does(enterprise, operator):
    """``save_fields`` against ``save(update_fields=...)``: the same row stored (a foreign key
    set and cleared, an aware moment), the same ``pre_save``/``post_save`` signals with their
    fields, with and without a query log; a row gone is an error, as ``save()`` makes it."""
    from django.db import DatabaseError
    from django.db.models import signals
    from django.utils import timezone

    from cuakhau.core.prepared import save_fields

    sent = []

    def heard(sender, instance, update_fields=None, **kwargs):
        sent.append((kwargs["signal"], instance.pk, update_fields, kwargs.get("created")))

    for signal in (signals.pre_save, signals.post_save):
        signal.connect(heard, sender=ApiToken, dispatch_uid=f"heard-{id(signal)}")
    try:
        for logged in (False, True):
            token, _raw = issue_token(enterprise, f"token {logged}")
            moment = timezone.now().replace(microsecond=654321)
            sent.clear()
            token.name, token.last_used_at, token.user = "renamed", moment, operator
            with CaptureQueriesContext(connection) if logged else _nothing():
                assert save_fields(token, ["name", "last_used_at", "user"]) is token
            stored = ApiToken.objects.get(pk=token.pk)
            assert (stored.name, stored.last_used_at, stored.user_id) == (
                "renamed",
                moment,
                operator.pk,
            )
            fields = frozenset({"name", "last_used_at", "user"})
            assert sent == [
                (signals.pre_save, token.pk, fields, None),
                (signals.post_save, token.pk, fields, False),
            ]
            token.last_used_at = None
            save_fields(token, ["last_used_at"])
            assert ApiToken.objects.get(pk=token.pk).last_used_at is None
            # Only the fields named are written: a change to another stays unsaved.
            token.hint, token.name = "zzzz", "again"
            save_fields(token, ["name"])
            assert ApiToken.objects.values_list("name", "hint").get(pk=token.pk) == (
                "again",
                stored.hint,
            )
            ApiToken.objects.filter(pk=token.pk).delete()
            with pytest.raises(DatabaseError):
                save_fields(token, ["name"])
    finally:
        for signal in (signals.pre_save, signals.post_save):
            signal.disconnect(heard, sender=ApiToken, dispatch_uid=f"heard-{id(signal)}")


def _as_made(obj, within=()):
    """An instance as plain data: its attributes, its state, and its related objects so (an
    object already on the way there, as the reverse side of a one-to-one, by its key)."""
    if obj is None:
        return None
    if any(obj is outer for outer in within):
        return "back to", type(obj), obj.pk
    attributes = dict(obj.__dict__)
    state = attributes.pop("_state")
    cached = attributes.pop("_prefetched_objects_cache", None)
    related = {name: _as_made(o, (*within, obj)) for name, o in state.fields_cache.items()}
    return type(obj), attributes, state.db, state.adding, related, cached


def test_objects_are_made_as_the_orm_makes_them_and_listeners_still_hear(enterprise, operator):
    """The rows' objects, filled without ``__init__`` (``_maker``), are the ORM's: the same
    attributes, state and ``select_related`` objects (a missing one None, an annotation kept);
    a model somebody listens to at ``post_init``, or read with columns left out, is made by
    ``from_db`` as before, and the listener hears it."""
    from django.db.models import signals

    from cuakhau.accounts.models import Organisation

    for user in (enterprise, operator):  # an operator's profile has no organisation
        issue_token(user, f"booth {user.username}")
    prepared = Prepared(owner_query, key_hash=str)
    for token in ApiToken.objects.all():
        made = prepared.first(key_hash=token.key_hash)
        expected = owner_query(token.key_hash).get()
        assert _as_made(made) == _as_made(expected)
        assert made.user.profile.organisation == expected.user.profile.organisation
        made.name = "renamed"
        made.save()  # a made object saves as a read one does (an update, not an insert)
        assert ApiToken.objects.get(pk=token.pk).name == "renamed"
    compiled = prepared._compiled_for(connection.alias)
    made_by = [compiled.make, *(p.make for p in compiled.populators)]
    assert not any(isinstance(make, functools.partial) for make in made_by)  # not from_db

    heard = []

    def listener(sender, instance, **kwargs):
        heard.append(instance)

    signals.post_init.connect(listener, sender=Organisation, dispatch_uid="made-heard")
    try:
        listened = Prepared(lambda pk: Organisation.objects.filter(pk=pk), pk=int)
        found = listened.first(pk=enterprise.profile.organisation_id)
    finally:
        signals.post_init.disconnect(dispatch_uid="made-heard", sender=Organisation)
    assert heard == [found] and found.name == enterprise.profile.organisation.name
    assert isinstance(listened._compiled_for(connection.alias).make, functools.partial)

    narrow = Prepared(lambda pk: Organisation.objects.only("name").filter(pk=pk), pk=int)
    found = narrow.first(pk=enterprise.profile.organisation_id)
    assert found.get_deferred_fields() == (
        Organisation.objects.only("name").get(pk=found.pk).get_deferred_fields()
    )
    assert found.get_deferred_fields() and found.name == enterprise.profile.organisation.name


def test_an_insert_stores_each_value_as_the_field_would(enterprise, operator, mlt):
    """Each field's value as ``insert`` reads it (``_stored_value_of``) is the one its own
    ``pre_save`` and ``get_db_prep_save`` give, of the exact type (psycopg's typed integers on
    PostgreSQL): for plain values and for those that take the fields' own way (a choice, a
    number given as a flag or text, no key, a moment in another zone, a naive one, decimals,
    JSON, an address)."""
    import datetime as dt
    import warnings
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from cuakhau.core.prepared import _stored_value_of
    from cuakhau.gate.models import Visit
    from cuakhau.inspections.models import Agency, Inspection
    from cuakhau.risk.models import RiskAssessment
    from cuakhau.trips.models import TripTransition

    hanoi = dt.datetime(2026, 3, 9, 7, 30, 0, 123456, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    objects = [
        TripTransition(
            trip_id=7,
            action="check_in",
            from_status="paid",
            to_status="arrived",
            actor=operator,
            at=hanoi,
            reason="",
            channel="api",
            remote_addr="127.0.0.1",
            version=1,
        ),
        TripTransition(
            trip_id=7,
            action="exit",
            from_status="cleared",
            to_status="exited",
            actor=None,
            at=dt.datetime(2026, 3, 9, 1, 2, 3),
            reason="名字 ‘x’",
            channel="web",
            remote_addr="::ffff:10.0.0.1",
            version=True,
        ),
        Visit(
            trip_id=7,
            gate=mlt,
            entry_lane=None,
            yard_position="B-12",
            arrived_at=hanoi,
            checked_in_by_id=operator.pk,
        ),
        RiskAssessment(
            trip_id=7,
            trip_version="2",
            ruleset_id=1,
            channel="green",
            score=0,
            reasons=[{"reason_vi": "Hàng tươi"}],
            random_draw=Decimal("0.1234567891"),
            declared_gross_kg=Decimal("24300"),
            weighbridge_kg=None,
            assessed_at=hanoi,
            is_current=1,
        ),
        Inspection(
            trip_id=7,
            agency=Agency.CUSTOMS,
            kind="green channel",
            started_at=hanoi,
            ended_at=None,
            result="pass",
            notes="",
            officer=None,
            automatic=True,
        ),
    ]
    checked = 0
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="save")
        for field in obj._meta.local_concrete_fields:
            if field is obj._meta.auto_field:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # the naive moment, both ways
                expected = field.get_db_prep_save(field.pre_save(obj, True), connection)
                found = _stored_value_of(field)(obj, connection)
            assert type(found) is type(expected), (obj, field.name)
            # psycopg's JSON wrapper has no equality of its own: its content, then.
            assert getattr(found, "obj", found) == getattr(expected, "obj", expected), field
            checked += 1
    # The inspection's started_by (inspections 0007) included, and the two transitions' reason
    # in each language (trips 0016).
    assert checked == 54


def test_a_row_added_unless_present_is_added_once_as_bulk_create_adds_it(mlt):
    """``insert_unless_present`` stores what ``bulk_create(ignore_conflicts=True)`` stores: a
    new row with its automatic moment, none when a unique constraint holds one like it (the
    first row kept as it was), one statement each time."""
    import datetime as dt

    from cuakhau.core.prepared import insert_unless_present
    from cuakhau.stats.models import StaleMonth

    march, april = dt.date(2026, 3, 1), dt.date(2026, 4, 1)
    insert_unless_present(StaleMonth(gate=mlt, month=march))
    first = StaleMonth.objects.get(gate=mlt, month=march)
    assert first.marked_at is not None
    with CaptureQueriesContext(connection) as queries:
        insert_unless_present(StaleMonth(gate=mlt, month=march))
        insert_unless_present(StaleMonth(gate_id=mlt.pk, month=april))
    assert len(queries) == 2
    assert StaleMonth.objects.get(gate=mlt, month=march).marked_at == first.marked_at
    assert sorted(StaleMonth.objects.values_list("month", flat=True)) == [march, april]
    StaleMonth.objects.bulk_create([StaleMonth(gate=mlt, month=dt.date(2026, 5, 1))])
    assert StaleMonth.objects.count() == 3


def test_rows_just_written_answer_their_relation_without_a_query(enterprise, mlt):
    import datetime as dt
    from decimal import Decimal

    from cuakhau.conftest import declaration
    from cuakhau.core.prepared import as_read_back, forget_prefetched, prefetched
    from cuakhau.trips import services as trips
    from cuakhau.trips.models import CargoLine

    trip = trips.create_draft(enterprise, declaration())
    lines = list(CargoLine.objects.filter(trip=trip).order_by("line_no"))
    prefetched(trip, "cargo_lines", lines)
    with CaptureQueriesContext(connection) as context:
        assert list(trip.cargo_lines.all()) == lines
        assert trip.cargo_lines.count() == len(lines)
    assert context.captured_queries == []
    # A narrower question still asks the database.
    with CaptureQueriesContext(connection) as context:
        assert trip.cargo_lines.filter(line_no=1).count() == 1
    assert len(context.captured_queries) == 1
    forget_prefetched(trip).cargo_lines.filter(line_no=2).delete()
    assert [line.line_no for line in trip.cargo_lines.all()] == [1]
    # Only a reverse foreign key, named as the model names it.
    with pytest.raises(ValueError, match="not a reverse foreign key"):
        prefetched(trip, "gate", [])

    line = lines[0]
    line.gross_weight_kg = Decimal("12000")
    line.value = Decimal("-Infinity")  # never stored; left as it is
    trip.expected_arrival = dt.datetime(
        2026, 12, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )
    as_read_back(line)
    as_read_back(trip)
    assert str(line.gross_weight_kg) == "12000.000"  # as its column (3 places) gives it back
    assert str(line.value) == "-Infinity"
    assert trip.expected_arrival.utcoffset() == dt.timedelta(0)
    assert trip.expected_arrival == dt.datetime(2026, 12, 4, 2, 30, tzinfo=dt.UTC)
