"""Simulated trucks per second of the capacity simulator itself (``cuakhau.capacity``).

Run on demand, never from the tests:

    .venv/bin/python bench/simulate_bench.py [--repeat 3] [--seed 1]

For each shipped scenario and each policy it times ``Gate(...).run()`` on the same demand
(drawing the demand is timed apart), and prints trucks that wished to cross divided by the
best wall-clock time of ``--repeat`` runs. It also times the M/M/2 run of the Erlang-C
validation test (walk-in FCFS, one lane stage). No database is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cuakhau.settings")

import django  # noqa: E402

django.setup()

from cuakhau.capacity import scenarios  # noqa: E402
from cuakhau.capacity.engine import POLICIES, Gate, demand  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def mmc() -> scenarios.Scenario:
    return scenarios.parse(
        {
            "days": 100,
            "arrivals": {"per_day": 10.5 * 24},
            "channels": {"green": 1},
            "stages": {"green": [{"resource": "lane", "distribution": "exponential", "mean": 4}]},
            "gate": {"lanes": 2},
            "slots": {"trucks_per_lane_hour": 10},
        },
        key="mm2 (validation)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    cases = [(scenarios.load(key), POLICIES) for key in scenarios.available()]
    cases.append((mmc(), ("fcfs",)))
    print(f"{'scenario':<22} {'policy':<15} {'trucks':>7} {'seconds':>8} {'trucks/s':>9}")
    for scenario, policies in cases:
        trucks = demand(scenario, args.seed)
        drawn = best_of(args.repeat, lambda s=scenario: demand(s, args.seed))
        print(
            f"{scenario.key:<22} {'(demand)':<15} {len(trucks):>7} {drawn:>8.2f} {len(trucks) / drawn:>9.0f}"
        )
        for policy in policies:
            seconds = best_of(
                args.repeat, lambda s=scenario, p=policy, t=trucks: Gate(s, p, t).run()
            )
            print(
                f"{scenario.key:<22} {policy:<15} {len(trucks):>7} {seconds:>8.2f} {len(trucks) / seconds:>9.0f}"
            )


if __name__ == "__main__":
    main()
