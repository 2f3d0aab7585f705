"""Retrying a transaction the database gave up on (deadlock, serialization failure, lock)."""

import pytest
from django.db import OperationalError, transaction
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import cassava_line, declaration
from cuakhau.core import retry
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip


class _PostgresError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def deadlock(sqlstate: str = "40P01") -> OperationalError:
    """An OperationalError as Django raises it for psycopg's DeadlockDetected."""
    error = OperationalError("deadlock detected")
    error.__cause__ = _PostgresError(sqlstate)
    return error


def deadlock_once(monkeypatch) -> None:
    """The next trip transition written deadlocks once, after its row was written."""
    real = trips._record
    failures = [deadlock()]

    def record(*args, **kwargs):
        real(*args, **kwargs)
        if failures:
            raise failures.pop()

    monkeypatch.setattr(trips, "_record", record)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(retry, "backoff", lambda attempt: 0)


@pytest.mark.parametrize(
    "error",
    [deadlock("40P01"), deadlock("40001"), OperationalError("database is locked")],
    ids=["deadlock", "serialization failure", "sqlite locked"],
)
@pytest.mark.django_db
def test_a_collision_runs_the_transaction_again(error):
    calls = []

    @retry.retry_on_conflict
    @transaction.atomic
    def work():
        calls.append(1)
        if len(calls) < 3:
            raise error
        return "done"

    assert work() == "done"
    assert len(calls) == 3


@pytest.mark.django_db
def test_other_errors_are_not_retried():
    calls = []

    @retry.retry_on_conflict
    def work():
        calls.append(1)
        raise OperationalError("no such table: trips_trip")

    with pytest.raises(OperationalError):
        work()
    assert len(calls) == 1
    assert not retry.is_retryable(deadlock("23505"))  # a unique violation is an answer


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_caller_retries():
    # A failed statement lost the whole transaction: only its owner can run it again.
    calls = []

    @retry.retry_on_conflict
    def work():
        calls.append(1)
        raise deadlock()

    with pytest.raises(OperationalError), transaction.atomic():
        work()
    assert len(calls) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_caller_is_told_to_come_back():
    calls = []

    @retry.retry_on_conflict(attempts=3)
    def work():
        calls.append(1)
        raise deadlock()

    with pytest.raises(retry.Busy):
        work()
    assert len(calls) == 3


@pytest.mark.django_db
def test_a_declaration_that_deadlocked_once_is_declared_once(enterprise, mlt, monkeypatch):
    deadlock_once(monkeypatch)
    trip = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    assert trip.status == "submitted"
    assert Trip.objects.count() == 1
    assert [t.action for t in trip.transitions.order_by("id")] == ["create", "submit"]


@pytest.mark.django_db
def test_the_api_answers_503_when_the_collisions_do_not_stop(enterprise, mlt, monkeypatch):
    def always(*args, **kwargs):
        raise deadlock()

    monkeypatch.setattr(trips, "_record", always)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'phone')[1]}")
    response = client.post(
        "/api/v1/trips",
        declaration(cargo_lines=[cassava_line()]),
        "application/json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["detail"]
    assert Trip.objects.count() == 0
