"""The board's page: run a scenario, see the comparison and the queue over time."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskException

from . import services
from .forms import SimulationForm
from .tasks import run_simulation


def waiting_run(scenario: str, policy: str, lanes: int | None) -> str | None:
    """The id of a run of these arguments queued or running on the database queue, if any."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps its own queue
        return None
    wanted = [scenario, policy, lanes]
    for run_id, args_kwargs in DBTaskResult.objects.filter(
        task_path=run_simulation.module_path, status__in=["READY", "RUNNING"]
    ).values_list("id", "args_kwargs"):
        if (args_kwargs or {}).get("args") == wanted and not args_kwargs.get("kwargs"):
            return str(run_id)
    return None


def simulate(request):
    """A GET form: a short run answers at once. A long one goes to the task queue only when
    posted with the page's CSRF token (the page offers the button): a link or an image on
    another site, or a page asked again, queues nothing for the worker that also sends the
    drivers' messages. The queued run's page (``?run=<task id>``) refreshes itself until the
    worker has finished it."""
    posted = request.method == "POST"
    data_in = request.POST if posted else request.GET
    form = SimulationForm(data_in if "scenario" in data_in else None)
    outcome = pending = failed = None
    to_queue = False
    if "run" in request.GET and not posted:
        try:
            result = run_simulation.get_result(request.GET["run"])
        # Not a run at all, or another task's result (a slot tick's id): nothing to show.
        except (TaskException, ValidationError, ValueError) as exc:
            raise Http404 from exc
        if result.status == TaskResultStatus.SUCCESSFUL:
            outcome = services.present(result.return_value)
        elif result.status == TaskResultStatus.FAILED:
            failed = result
        else:
            pending = result
    elif form.is_valid():
        data = form.cleaned_data
        if services.runs_long(data["scenario"], data["policy"]):
            if not posted:
                to_queue = True
            else:
                args = (data["scenario"], data["policy"], data["lanes"])
                # The same run already waiting or running is followed, not queued again: the
                # button pressed twice, or in a second tab, would fill the worker's queue.
                run_id = waiting_run(*args) or run_simulation.enqueue(*args).id
                return redirect(f"{reverse('capacity:simulate')}?run={run_id}")
        else:
            outcome = services.run(data["scenario"], data["policy"], data["lanes"])
    return render(
        request,
        "capacity/simulate.html",
        {
            "form": form,
            "outcome": outcome,
            "pending": pending,
            "failed": failed,
            "to_queue": to_queue,
        },
        # A refused figure is said beside its field, with the status every refused form has.
        status=(422 if posted else 400) if form.is_bound and not form.is_valid() else 200,
    )
