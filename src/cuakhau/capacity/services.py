"""What the board's page asks of the simulator: a comparison run, in words a person reads."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import report, scenarios
from .charts import policy_label, queue_chart
from .engine import POLICIES


def duration(minutes) -> str:
    if minutes is None:
        return "—"
    if minutes < 60:
        return _("%(n)s min") % {"n": number_format(round(minutes), 0)}
    return _("%(n)s h") % {"n": number_format(minutes / 60, 1)}


def percent(share: float) -> str:
    return f"{number_format(share * 100, 0)} %"


# Truck-runs (trucks × policies) the page simulates while the person waits; more go to the task
# queue and the page follows the task (a few seconds each way on two cores).
INLINE_TRUCK_RUNS = 15_000


def _policies(policy: str) -> tuple[str, ...]:
    return POLICIES if policy == "all" else (policy,)


def runs_long(scenario_key: str, policy: str) -> bool:
    scenario = scenarios.load(scenario_key)
    return sum(scenario.daily_arrivals) * len(_policies(policy)) > INLINE_TRUCK_RUNS


def compare(scenario_key: str, policy: str = "all", lanes: int | None = None, seed: int = 1):
    """The comparison as plain JSON (what the command writes and a task stores)."""
    scenario = scenarios.load(scenario_key)
    return report.compare(scenario, _policies(policy), seed, lanes=lanes)


def run(scenario_key: str, policy: str = "all", lanes: int | None = None, seed: int = 1) -> dict:
    """Run the policies on the scenario; the result plus its table rows and chart."""
    return present(compare(scenario_key, policy, lanes, seed))


def present(result: dict) -> dict:
    """A comparison in the page's language: table rows, the yardstick, the chart."""
    scenario = scenarios.load(result["scenario"])
    runs = result["policies"]
    rows = [
        (_("Mean wait at the gate"), [duration(s["wait"]["mean"]) for s in runs.values()]),
        (_("Median wait"), [duration(s["wait"]["p50"]) for s in runs.values()]),
        (_("90th percentile wait"), [duration(s["wait"]["p90"]) for s in runs.values()]),
        (_("Longest wait"), [duration(s["wait"]["max"]) for s in runs.values()]),
        (_("Mean turnaround"), [duration(s["turnaround"]["mean"]) for s in runs.values()]),
        (
            _("90th percentile turnaround"),
            [duration(s["turnaround"]["p90"]) for s in runs.values()],
        ),
        (_("Mean time from ready to exit"), [duration(s["delay"]["mean"]) for s in runs.values()]),
        (
            _("Perishables: mean wait"),
            [duration(s["perishable_wait"]["mean"]) for s in runs.values()],
        ),
        (
            _("Perishables: mean time from ready to exit"),
            [duration(s["perishable_delay"]["mean"]) for s in runs.values()],
        ),
        (_("Largest queue at the gate"), [str(s["max_queue"]) for s in runs.values()]),
        (_("Of it outside the waiting area"), [str(s["max_outside"]) for s in runs.values()]),
        (_("Lane utilisation"), [percent(s["lane_utilisation"]) for s in runs.values()]),
        (
            _("Trucks cleared per day"),
            [" · ".join(str(n) for n in s["cleared_per_day"]) for s in runs.values()],
        ),
        (_("Still waiting at the end"), [str(s["trucks"]["still_waiting"]) for s in runs.values()]),
        (_("Mean wait above Erlang C"), [duration(s["vs_erlang_c"]) for s in runs.values()]),
    ]
    bound = result["erlang_c"]
    if bound["wait"] is None:
        yardstick = _(
            "Erlang C for the same load (%(lanes)s lanes, utilisation %(rho)s): no steady state, "
            "the queue grows without bound."
        ) % {"lanes": bound["lanes"], "rho": percent(bound["utilisation"])}
    else:
        yardstick = _(
            "Erlang C for the same load (%(lanes)s lanes, utilisation %(rho)s): mean wait %(wait)s."
        ) % {
            "lanes": bound["lanes"],
            "rho": percent(bound["utilisation"]),
            "wait": duration(bound["wait"]),
        }
    return {
        "scenario": scenario,
        "result": result,
        "headers": [policy_label(code) for code in runs],
        "rows": rows,
        "yardstick": yardstick,
        "chart": queue_chart(result),
        "days": ngettext("%(n)s day", "%(n)s days", scenario.days) % {"n": scenario.days},
    }
