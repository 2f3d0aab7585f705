"""The planner: the fewest lanes, then the fewest officers, that meet a target.

A target reads ``METRIC<=VALUE[h|min]``, e.g. ``p90_wait<=2h`` (90% of trucks wait under two
hours at the gate) or ``mean_turnaround<=90min``; several are joined with commas and all must
hold. More lanes or officers never make a wait longer in expectation, so the search is
monotone: double until the target holds, then bisect. Every run meets the same demand (one
seed), so two counts are compared on the same trucks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .engine import Gate, demand
from .report import summarize

METRICS = {
    f"{stat}_{what}": (what, stat)
    for what in ("wait", "turnaround", "delay", "perishable_wait")
    for stat in ("mean", "p50", "p90", "max")
}
MAX_LANES = 60
MAX_STAFF = 200
_TARGET = re.compile(r"^\s*([a-z0-9_]+)\s*<=\s*([0-9]+(?:\.[0-9]+)?)\s*(h|min|m)?\s*$")


@dataclass(frozen=True)
class Target:
    metric: str
    minutes: float

    def met(self, summary: dict) -> bool:
        what, stat = METRICS[self.metric]
        value = summary[what][stat]
        return value is not None and value <= self.minutes

    def __str__(self) -> str:
        return f"{self.metric}<={self.minutes:g}min"


def parse_targets(text: str) -> list[Target]:
    """``p90_wait<=2h,mean_turnaround<=90min`` → targets; ``ValueError`` says what is wrong."""
    targets = []
    for part in text.split(","):
        match = _TARGET.match(part)
        if not match:
            raise ValueError(f"cannot read target {part.strip()!r}: write e.g. p90_wait<=2h")
        metric, number, unit = match.groups()
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}: one of {', '.join(sorted(METRICS))}")
        minutes = float(number) * (60 if unit == "h" else 1)
        targets.append(Target(metric, minutes))
    return targets


def _fewest(meets, low: int, high: int) -> int | None:
    """The smallest n in [low, high] with ``meets(n)``, for a monotone ``meets``."""
    n = low
    while not meets(n):
        if n >= high:
            return None
        low = n + 1
        n = min(high, n * 2)
    # meets(n) holds, and nothing below ``low`` does: bisect between.
    while low < n:
        middle = (low + n) // 2
        if meets(middle):
            n = middle
        else:
            low = middle + 1
    return n


def plan(scenario, targets: list[Target], policy: str, seed: int = 1) -> dict:
    """Fewest lanes (with the scenario's officers), then fewest officers for those lanes."""
    trucks = demand(scenario, seed)
    runs: dict[tuple[int, int], dict] = {}

    def run(lanes: int, staff: int) -> dict:
        if (lanes, staff) not in runs:
            gate = Gate(scenario, policy, trucks, lanes=lanes, staff=staff)
            runs[(lanes, staff)] = summarize(gate.run())
        return runs[(lanes, staff)]

    def ok(summary):
        return all(t.met(summary) for t in targets)

    staff = max(1, scenario.staff)
    lanes = _fewest(lambda n: ok(run(n, staff)), 1, MAX_LANES)
    fewest_staff = None
    if lanes is not None:
        fewest_staff = _fewest(lambda n: ok(run(lanes, n)), 1, max(MAX_STAFF, staff))
    chosen = run(lanes, fewest_staff) if lanes is not None and fewest_staff else None
    return {
        "policy": policy,
        "targets": [str(t) for t in targets],
        "lanes": lanes,
        "staff": fewest_staff,
        "met": chosen is not None,
        "summary": _brief(chosen) if chosen else None,
        "tried": [
            {"lanes": lanes_, "staff": staff_, "met": ok(s), **_brief(s)}
            for (lanes_, staff_), s in sorted(runs.items())
        ],
    }


def _brief(summary: dict) -> dict:
    return {
        "mean_wait": summary["wait"]["mean"],
        "p90_wait": summary["wait"]["p90"],
        "lane_utilisation": summary["lane_utilisation"],
    }
