"""The slots' tick runs from the worker's start, with nothing happening at the waiting area,
and is never queued twice."""

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from cuakhau.slots import services, tasks
from cuakhau.slots.models import Booking

from .conftest import fruit_trip, next_hour

pytestmark = pytest.mark.django_db


def ticks(status=None):
    found = DBTaskResult.objects.filter(task_path=tasks._path(tasks.tick))
    return found.filter(status=status) if status else found


def start_worker():
    """``cuakhau worker --once``: its start-up sweep, then every task due (in the test's
    transaction, so the worker must not close the connection between tasks)."""
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("worker", "--once", "--interval", "0", stdout=StringIO())


def test_the_worker_starts_the_tick_and_it_releases_a_no_show(enterprise, capacity, area):
    trip = fruit_trip(enterprise)
    booking = services.book_slot(enterprise, trip, next_hour(1))
    # The truck never came: three hours later its booking is past the grace. Nothing else
    # happened at the gate, so only the tick can release the seat.
    Booking.objects.filter(pk=booking.pk).update(slot_start=next_hour(-3))
    DBTaskResult.objects.all().delete()
    start_worker()
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert ticks("SUCCESSFUL").count() == 1
    # And the next one waits, once, a tick's length ahead.
    (queued,) = ticks("READY")
    assert queued.run_after > timezone.now() + tasks.TICK - dt.timedelta(minutes=1)
    # A restarted worker does not add a second.
    start_worker()
    assert ticks("READY").count() == 1


def test_a_tick_is_never_queued_twice(db):
    assert tasks.ensure_tick() is True
    assert tasks.ensure_tick() is False
    assert tasks.schedule_tick(timezone.now() + tasks.TICK) is False
    assert ticks().count() == 1
    # While a tick runs, the sweep waits for it to queue its successor itself.
    ticks().get().claim("worker@here")
    assert tasks.ensure_tick() is False
    assert ticks().count() == 1
    # The running tick queues the next one (only READY ones count for it).
    assert tasks.schedule_tick(timezone.now() + tasks.TICK) is True
    assert tasks.schedule_tick(timezone.now() + tasks.TICK) is False
    assert ticks("READY").count() == 1


def test_a_broken_chain_starts_again(db):
    tasks.ensure_tick()
    ticks().update(status="FAILED")
    assert tasks.ensure_tick() is True
    assert ticks("READY").count() == 1


def test_no_tick_on_a_queue_that_cannot_wait(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert tasks.ensure_tick() is False
