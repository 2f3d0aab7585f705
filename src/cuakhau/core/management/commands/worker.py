"""Run the background-task worker: the database is the queue (django-tasks' database backend).

What the library does, and what this command adds:
- django-tasks-db's worker claims one due task at a time (row lock, ``SKIP LOCKED`` on
  PostgreSQL, an exclusive transaction on SQLite), marks it RUNNING, runs it and records
  SUCCESSFUL or FAILED. On SIGTERM / SIGINT it finishes the running task and stops; a second
  signal stops it at once.
- Queued tasks live in the database: a stopped worker loses none, the next one runs them.
- The library never re-runs a task that was RUNNING when its worker was killed (no lease, no
  heartbeat): the row stays RUNNING for ever. This command therefore puts such orphans back to
  READY — at start, those last claimed under its own worker id (a restart on the same host),
  and every minute, those running for longer than ``TASKS_STALE_SECONDS``. Every task of
  cuakhau is written to be safe to run twice (the notifier locks and checks its message).
- Every minute it also asks the notifier to enqueue messages whose task was lost, and makes
  sure the slots' tick (``cuakhau.slots.tasks.tick``) is queued.
"""

import datetime as dt
import os
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

SWEEP_EVERY = dt.timedelta(minutes=1)


def requeue_orphans(worker_id: str | None = None, stale_seconds: int | None = None) -> int:
    """Put tasks left RUNNING by a dead worker back in the queue; returns how many."""
    stale_seconds = settings.TASKS_STALE_SECONDS if stale_seconds is None else stale_seconds
    cutoff = timezone.now() - dt.timedelta(seconds=stale_seconds)
    orphans = [
        task.pk
        for task in DBTaskResult.objects.running().only("pk", "started_at", "worker_ids")
        if (task.started_at and task.started_at < cutoff)
        or (worker_id and task.worker_ids and task.worker_ids[-1] == worker_id)
    ]
    return DBTaskResult.objects.filter(pk__in=orphans, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )


def sweep() -> None:
    from cuakhau.desk.outbox import pending, publish_pending
    from cuakhau.notify.services import resume_due_messages
    from cuakhau.slots.tasks import ensure_tick

    requeue_orphans()
    resume_due_messages()
    # The waiting areas' clock (no-shows released, due slots called) must run from the start,
    # even while nothing happens there; never a second one if one is queued or running.
    ensure_tick()
    # A publication lost with a crashed worker (the task runs after the change's commit) goes
    # out within a minute instead of waiting for the desk's next change; a failing portal
    # backend keeps the events pending and records why, so it never stops the other sweeps.
    if pending().exists():
        publish_pending()
    # The statistics' summaries catch up with the last minute's exits and receipts even when
    # nobody opens a dashboard (which recounts what is stale before it reads).
    from cuakhau.stats.services import refresh_stale

    refresh_stale()


class Command(BaseCommand):
    help = "Run background tasks (notifications, calls forward) from the database queue."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--worker-id",
            default=os.environ.get("CUAKHAU_WORKER_ID", f"worker@{socket.gethostname()}"),
            help="Stable per host: tasks it left running when it died run again at its start.",
        )
        parser.add_argument("--once", action="store_true", help="Run what is due, then stop.")
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="Stop when the process that started this one is gone (cuakhau serve).",
        )

    def handle(self, *args, interval, worker_id, once, exit_with_parent, **options):
        parent = os.getppid()
        requeued = requeue_orphans(worker_id)
        if requeued:
            self.stdout.write(f"{requeued} task(s) left running by a stopped worker run again.")
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=True,  # returns when nothing is due, so the sweeps below get their turn
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Task worker {worker_id} running.")
        last_sweep = None
        while worker.running:
            now = timezone.now()
            if last_sweep is None or now - last_sweep >= SWEEP_EVERY:
                sweep()
                last_sweep = now
            worker.run()
            if once or (exit_with_parent and os.getppid() != parent):
                break
            time.sleep(interval)
