"""Background work of the waiting area, on the project's task queue (django-tasks).

``call_forward_task`` runs after every arrival, check-in and exit (room may have freed).
``tick`` runs every ``TICK`` while trucks wait or bookings are open: it releases no-shows and
calls forward trucks whose slot has come due, even when nothing else happens at the gate. It
queues its own next run, so once started it keeps going on the database queue (a stopped
worker finds it waiting); every run is safe to repeat.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

TICK = dt.timedelta(minutes=5)


@task()
def call_forward_task(gate_code: str) -> int:
    from cuakhau.reference.models import Gate

    from . import services

    gate = Gate.objects.filter(code=gate_code).first()
    return len(services.call_forward(gate)) if gate else 0


@task()
def tick() -> int:
    from . import services
    from .models import WaitingArea

    services.release_no_shows()
    called = 0
    for area in WaitingArea.objects.select_related("gate"):
        called += len(services.call_forward(area.gate))
    schedule_tick(timezone.now() + TICK)
    return called


def _path(t) -> str:
    return f"{t.func.__module__}.{t.func.__qualname__}"


def schedule_tick(when=None) -> None:
    """Queue the next tick unless one is queued already (only on a queue that can wait)."""
    backend = tick.get_backend()
    if not backend.supports_defer:
        return
    try:
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=_path(tick), status="READY").exists():
            return
    except Exception:  # noqa: BLE001 - another backend: it keeps its own queue
        logger.debug("slots: cannot look for a queued tick", exc_info=True)
    tick.using(run_after=when or timezone.now()).enqueue()


def enqueue_call_forward(gate_code: str) -> None:
    call_forward_task.enqueue(gate_code)
    schedule_tick(timezone.now() + TICK)
