"""Retrying a whole transaction that the database gave up on: deadlocks and lock timeouts.

Row locks are taken in one order and only on the rows a change needs (see ``lock_rows``), so
deadlocks should not happen; but PostgreSQL may still pick a victim (a foreign-key check, an index
page, a unique index two inserts race for), and SQLite may still report "database is locked"
once its busy timeout ran out. Such a failure says nothing about the request: running the same
transaction again succeeds. The service entry points that write under contention are wrapped in
``retry_on_conflict``, so a caller never sees the failure, only a little latency.

Only the outermost transaction can be retried: once a statement of a transaction failed, the
whole transaction is lost, so a wrapped function called inside another transaction lets the
error rise to the wrapper of that transaction.
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django.db import DEFAULT_DB_ALIAS, IntegrityError, OperationalError, transaction

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure (PostgreSQL SQLSTATE codes).
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 5
BASE_DELAY = 0.02  # seconds; doubled per attempt, with full jitter
MAX_DELAY = 0.5


class Busy(Exception):
    """The transaction kept colliding with concurrent ones; the caller may try again shortly
    (HTTP 503 with Retry-After)."""

    retry_after = 1


class ChangedMeanwhile(Exception):
    """A row read before the transaction (to keep the transaction, and on SQLite the database's
    one write lock, short) changed before the transaction wrote what it decided: the caller
    rolls back and does it again, reading under the lock this time."""


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL) or a locked database (SQLite)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: exponential, full jitter, so two victims
    of one deadlock do not collide again at once."""
    return random.uniform(0, min(MAX_DELAY, BASE_DELAY * 2**attempt))


def retry_on_conflict(func=None, *, attempts: int = ATTEMPTS, using: str = DEFAULT_DB_ALIAS):
    """Run ``func`` again when its transaction failed with a retryable database error.

    ``func`` must own its transaction (``transaction.atomic`` inside, or below this decorator)
    and must not have effects outside the database before it returns: everything it did is
    rolled back and done again. Inside a caller's transaction it runs once, unchanged.
    After ``attempts`` failures it raises ``Busy``.
    """

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if in_callers_transaction(using):
                return function(*args, **kwargs)
            return call_with_retries(function, *args, attempts=attempts, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def in_callers_transaction(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether a caller's transaction is open (the test runner's own wrapping one aside, as
    Django's ``durable`` check does, so tests see what production does)."""
    connection = transaction.get_connection(using)
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def call_with_retries(function, *args, attempts: int = ATTEMPTS, **kwargs):
    for attempt in range(attempts):
        try:
            return function(*args, **kwargs)
        except OperationalError as exc:
            if not is_retryable(exc):
                raise
            if attempt == attempts - 1:
                raise Busy(str(exc)) from exc
            delay = backoff(attempt)
            logger.info(
                "%s: retrying after %s (attempt %d, %.3f s)",
                getattr(function, "__qualname__", function),
                exc.__cause__.__class__.__name__ if exc.__cause__ else "OperationalError",
                attempt + 1,
                delay,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def lock_rows(queryset):
    """``select_for_update`` on the queryset's own rows only.

    Without ``of``, PostgreSQL also locks every joined row (``select_related``): the shared
    organisation and gate rows then serialise, and deadlock, every company's declarations and
    every check-in of a gate. ``no_key`` takes FOR NO KEY UPDATE, which still excludes any other
    writer of the row but lets other transactions insert rows that refer to it (a payment, a
    transition, a weighing): with FOR UPDATE such an insert waits, and two of them deadlock.
    SQLite ignores row locks (its transactions take the database write lock at BEGIN).
    """
    return queryset.select_for_update(of=("self",), no_key=True)


def locked_row(model, **key):
    """The row of ``model`` with this unique ``key`` under its lock, made first if there is none;
    and True when this call made it (its other columns at their defaults).

    Read first: the row exists from its first use on, and an insert refused by the unique key
    costs a savepoint, its rollback and an error in PostgreSQL's log at every use. Two callers
    making it at the same moment: one insert wins, both then wait on the same row's lock.
    ``model`` may be a migration's historical model.
    """
    locked = model._default_manager.select_for_update().filter(**key)
    row = locked.first()
    if row is not None:
        return row, False
    made = False
    try:
        with transaction.atomic():
            model._default_manager.create(**key)
            made = True
    except IntegrityError:
        pass  # another transaction made it first
    return locked.get(), made
