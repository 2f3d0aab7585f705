"""The board's page: run a scenario, see the comparison and the queue over time."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from . import services
from .forms import SimulationForm
from .tasks import run_simulation


def simulate(request):
    """A GET form: a short run answers at once; a long one goes to the task queue and the page
    (``?run=<task id>``) refreshes itself until the worker has finished it."""
    form = SimulationForm(request.GET if "scenario" in request.GET else None)
    outcome = pending = failed = None
    if "run" in request.GET:
        try:
            result = run_simulation.get_result(request.GET["run"])
        except (TaskResultDoesNotExist, ValidationError, ValueError) as exc:
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
            queued = run_simulation.enqueue(data["scenario"], data["policy"], data["lanes"])
            return redirect(f"{reverse('capacity:simulate')}?run={queued.id}")
        outcome = services.run(data["scenario"], data["policy"], data["lanes"])
    return render(
        request,
        "capacity/simulate.html",
        {"form": form, "outcome": outcome, "pending": pending, "failed": failed},
    )
