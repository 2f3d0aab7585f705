"""Helpers for tests that notify: run the queued tasks in-process, as the worker would."""

from unittest import mock

from django_tasks_db.management.commands import db_worker


def run_tasks(max_tasks: int | None = None) -> None:
    """Run every task that is due now (database backend), then return.

    The worker closes "old" database connections between tasks; inside a test's transaction
    that would close the test's own connection, so here it does not.
    """
    worker = db_worker.Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()
