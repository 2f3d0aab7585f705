"""Long simulator runs for the board's page, on the project's task queue (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_simulation(scenario_key: str, policy: str, lanes: int | None, seed: int = 1) -> dict:
    """The comparison as plain JSON (stored as the task's return value)."""
    from . import services

    return services.compare(scenario_key, policy, lanes, seed)
