"""What a run tells: waits, turnaround, queues, utilisation, trucks cleared, and the yardstick.

Every figure is in minutes (hours only when printed). A truck still waiting when the run ends
counts with the wait it has had so far (a lower bound), so a backlog is never hidden by
leaving its trucks out; ``still_waiting`` says how many such trucks there are.
"""

from __future__ import annotations

import math
import statistics

from cuakhau.slots import rules

from .engine import DAY, FCFS, POLICIES, SLOTS, SLOTS_PRIORITY, Gate, demand
from .erlang import erlang_c_wait

STATS = ("mean", "p50", "p90", "max")


def percentile(values, q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def describe(values) -> dict:
    if not values:
        return dict.fromkeys(STATS)
    return {
        "mean": statistics.fmean(values),
        "p50": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
        "max": max(values),
    }


def summarize(gate: Gate) -> dict:
    end = gate.horizon
    trucks = gate.trucks
    arrived = [t for t in trucks if t.arrival is not None and t.arrival < end]
    waits = [(t.called if t.called is not None else end) - t.arrival for t in arrived]
    turnaround = [(t.exited if t.exited is not None else end) - t.arrival for t in arrived]
    # Trucks that came without a booking, or too late for theirs (under FCFS: everyone).
    walk_in_waits = [
        (t.called if t.called is not None else end) - t.arrival
        for t in arrived
        if t.kind in (rules.WALK_IN, rules.LATE)
    ]
    perishable_waits = [
        (t.called if t.called is not None else end) - t.arrival for t in arrived if t.perishable
    ]
    # From the moment a truck was ready to cross to its exit: what a booking postpones shows
    # here, not in the wait at the gate.
    wished = [t for t in trucks if t.wished < end]
    delays = [(t.exited if t.exited is not None else end) - t.wished for t in wished]
    perishable_delays = [
        (t.exited if t.exited is not None else end) - t.wished for t in wished if t.perishable
    ]
    days = gate.scenario.days
    cleared = [0] * days
    for t in trucks:
        if t.exited is not None and t.exited < end:
            cleared[int(t.exited // DAY)] += 1
    open_minutes = gate.scenario.open_minutes_per_day * days
    area = gate.scenario.waiting_area
    queue = [
        {"minute": m, "waiting": n, "outside": max(0, n - area)} for m, n in gate.queue_samples
    ]
    kinds = {}
    for t in arrived:
        kinds[t.kind] = kinds.get(t.kind, 0) + 1
    return {
        "policy": gate.policy,
        "lanes": gate.lanes,
        "staff": gate.staff_count,
        "trucks": {
            "wished": len(wished),
            "arrived": len(arrived),
            "called": sum(1 for t in arrived if t.called is not None),
            "cleared": sum(cleared),
            "still_waiting": sum(1 for t in arrived if t.called is None),
            "booked": sum(1 for t in trucks if t.booked is not None),
            "no_show": sum(
                1 for t in trucks if t.booked is not None and t.arrival is None and t.booked < end
            ),
            "not_yet_due": sum(1 for t in wished if t.arrival is not None and t.arrival >= end),
            "arrivals_by_kind": kinds,
        },
        "wait": describe(waits),
        "turnaround": describe(turnaround),
        "delay": describe(delays),
        "walk_in_wait": describe(walk_in_waits),
        "perishable_wait": describe(perishable_waits),
        "perishable_delay": describe(perishable_delays),
        "queue": queue,
        "max_queue": max((q["waiting"] for q in queue), default=0),
        "max_outside": max((q["outside"] for q in queue), default=0),
        "lane_utilisation": gate.lane_minutes / (gate.lanes * open_minutes) if open_minutes else 0,
        "staff_utilisation": (
            gate.staff_minutes / (gate.staff_count * open_minutes)
            if gate.staff_count and open_minutes
            else 0
        ),
        "cleared_per_day": cleared,
    }


def erlang_bound(scenario, lanes: int) -> dict:
    """The M/M/c wait for the same load: trucks per open minute, the mean lane time, c lanes."""
    open_minutes = scenario.open_minutes_per_day * scenario.days
    lam = sum(scenario.daily_arrivals) / open_minutes
    mu = 1 / scenario.mean_lane_minutes()
    wait = erlang_c_wait(lam, mu, lanes)
    return {
        "arrivals_per_hour": lam * 60,
        "lane_minutes": 1 / mu,
        "lanes": lanes,
        "utilisation": lam / (mu * lanes),
        "wait": None if math.isinf(wait) else wait,
    }


def compare(scenario, policies=POLICIES, seed: int = 1, *, lanes=None, staff=None) -> dict:
    """Each policy on the same demand, with the Erlang-C yardstick for that load."""
    from .engine import Gate

    trucks = demand(scenario, seed)
    lanes = lanes or scenario.lanes
    runs = {}
    for policy in policies:
        runs[policy] = summarize(Gate(scenario, policy, trucks, lanes=lanes, staff=staff).run())
    bound = erlang_bound(scenario, lanes)
    for summary in runs.values():
        mean = summary["wait"]["mean"]
        summary["vs_erlang_c"] = (
            None if bound["wait"] is None or mean is None else mean - bound["wait"]
        )
    return {
        "scenario": scenario.key,
        "title": scenario.title,
        "seed": seed,
        "days": scenario.days,
        "lanes": lanes,
        "staff": scenario.staff if staff is None else staff,
        "erlang_c": bound,
        "policies": runs,
    }


def hours(minutes) -> str:
    if minutes is None:
        return "—"
    if minutes < 60:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


ROWS = [
    ("mean wait at the gate", lambda s: hours(s["wait"]["mean"])),
    ("p50 wait", lambda s: hours(s["wait"]["p50"])),
    ("p90 wait", lambda s: hours(s["wait"]["p90"])),
    ("max wait", lambda s: hours(s["wait"]["max"])),
    ("mean turnaround", lambda s: hours(s["turnaround"]["mean"])),
    ("p90 turnaround", lambda s: hours(s["turnaround"]["p90"])),
    ("mean ready → exit", lambda s: hours(s["delay"]["mean"])),
    ("walk-ins: p90 wait", lambda s: hours(s["walk_in_wait"]["p90"])),
    ("walk-ins: max wait", lambda s: hours(s["walk_in_wait"]["max"])),
    ("perishables: mean wait", lambda s: hours(s["perishable_wait"]["mean"])),
    ("perishables: mean ready → exit", lambda s: hours(s["perishable_delay"]["mean"])),
    ("largest queue at the gate", lambda s: str(s["max_queue"])),
    ("of it outside the waiting area", lambda s: str(s["max_outside"])),
    # Above 100% when lanes finish after closing the trucks they called before it.
    ("lane utilisation", lambda s: f"{s['lane_utilisation']:.0%}"),
    ("trucks cleared per day (mean)", lambda s: f"{statistics.fmean(s['cleared_per_day']):.0f}"),
    ("still waiting at the end", lambda s: str(s["trucks"]["still_waiting"])),
    ("no-shows", lambda s: str(s["trucks"]["no_show"])),
    (
        "mean wait − Erlang C",
        lambda s: hours(s["vs_erlang_c"]) if s["vs_erlang_c"] is not None else "—",
    ),
]


def table(result: dict) -> str:
    """The policies side by side, as plain text for a terminal."""
    names = list(result["policies"])
    rows = [("", *names)]
    rows += [(label, *(f(result["policies"][n]) for n in names)) for label, f in ROWS]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    bound = result["erlang_c"]
    yardstick = (
        f"Erlang C (M/M/{bound['lanes']}, {bound['arrivals_per_hour']:.1f} trucks/h in opening "
        f"hours, {bound['lane_minutes']:.1f} min a lane, utilisation {bound['utilisation']:.0%}): "
        + (
            f"mean wait {hours(bound['wait'])}"
            if bound["wait"] is not None
            else "unstable (ρ ≥ 1): the queue grows without bound"
        )
    )
    return "\n".join([*lines, "", yardstick])


__all__ = ["FCFS", "SLOTS", "SLOTS_PRIORITY", "compare", "summarize", "table", "erlang_bound"]
