"""Background work of the waiting area, on the project's task queue (django-tasks).

``call_forward_task`` runs after every arrival, check-in and exit (room may have freed);
``lapse_calls_task`` at each call's deadline.
``tick`` runs every ``TICK`` while trucks wait or bookings are open: it takes their call from
called trucks that did not come to the gate by the call's deadline, releases no-shows and calls
forward trucks whose slot has come due (and the next ones, into the places the lapsed calls
held), even when nothing else happens at the gate. It queues its own next run, so once started
it keeps going on the database queue (a stopped worker finds it waiting); every run is safe to
repeat.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

TICK = dt.timedelta(minutes=5)
# The advisory lock key that serialises tick scheduling on PostgreSQL (any fixed number).
TICK_LOCK = 0x510751


@task()
def call_forward_task(gate_code: str) -> int:
    from cuakhau.reference.models import Gate

    from . import services

    gate = Gate.objects.filter(code=gate_code).first()
    return len(services.call_forward(gate)) if gate else 0


@task()
def lapse_calls_task(gate_code: str) -> int:
    """At a call's deadline: the calls that lapsed are taken back (``expire_calls``) and the
    next trucks called into their places at once, not up to a ``TICK`` later."""
    from cuakhau.reference.models import Gate

    from . import services

    services.expire_calls()
    gate = Gate.objects.filter(code=gate_code).first()
    return len(services.call_forward(gate)) if gate else 0


def schedule_lapse(gate_code: str, deadline: dt.datetime) -> None:
    """Queue ``lapse_calls_task`` for a call's deadline, on a queue that can wait (on one that
    cannot, the tick takes the call back)."""
    if lapse_calls_task.get_backend().supports_defer:
        lapse_calls_task.using(run_after=deadline).enqueue(gate_code)


@task()
def tick() -> int:
    from . import services
    from .models import WaitingArea

    services.expire_calls()
    services.release_no_shows()
    called = 0
    for area in WaitingArea.objects.select_related("gate"):
        called += len(services.call_forward(area.gate))
    schedule_tick(timezone.now() + TICK)
    return called


def _path(t) -> str:
    return f"{t.func.__module__}.{t.func.__qualname__}"


def _queued_ticks(statuses):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=_path(tick), status__in=statuses)


def _serialised():
    """One scheduler at a time: the web's (after an arrival) and the worker's (its sweep)
    would otherwise both see no tick and both queue one. SQLite's IMMEDIATE transactions
    already run one at a time; PostgreSQL takes a transaction-scoped advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TICK_LOCK])


def schedule_tick(when=None, *, waiting=("READY",)) -> bool:
    """Queue a tick at ``when`` (default now) unless one is queued already (statuses in
    ``waiting``); only on a queue that can wait. Returns whether it queued one."""
    backend = tick.get_backend()
    if not backend.supports_defer:
        return False
    try:
        with transaction.atomic():
            _serialised()
            if _queued_ticks(waiting).exists():
                return False
            tick.using(run_after=when or timezone.now()).enqueue()
            return True
    except ImportError:  # another backend: it keeps its own queue
        logger.debug("slots: cannot look for a queued tick", exc_info=True)
        tick.using(run_after=when or timezone.now()).enqueue()
        return True


def ensure_tick() -> bool:
    """At the worker's start and every sweep: the tick runs even if nothing happened at the
    waiting areas since the database was created, and a chain that broke (a tick that failed
    before queuing its successor) starts again. A tick queued or running counts."""
    return schedule_tick(waiting=("READY", "RUNNING"))


def enqueue_call_forward(gate_code: str) -> None:
    call_forward_task.enqueue(gate_code)
    schedule_tick(timezone.now() + TICK)
