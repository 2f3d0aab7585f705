"""The board's page: run a scenario, see the comparison and the queue over time."""

from django.shortcuts import render

from . import services
from .forms import SimulationForm


def simulate(request):
    """A GET form: running a scenario changes nothing, so the result page can be bookmarked."""
    form = SimulationForm(request.GET or None)
    outcome = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = services.run(data["scenario"], data["policy"], data["lanes"])
    return render(request, "capacity/simulate.html", {"form": form, "outcome": outcome})
