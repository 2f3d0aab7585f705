"""``cuakhau simulate SCENARIO``: run a gate scenario under the slot policies, compare, plan."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cuakhau.capacity import charts, planner, report, scenarios
from cuakhau.capacity.engine import POLICIES


class Command(BaseCommand):
    help = (
        "Simulate a gate scenario (a shipped name or a TOML file) under walk-in FCFS, slots and "
        "slots with perishable priority; print the comparison, write summary.json and a plot."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "scenario", help=f"one of {', '.join(scenarios.available())} or a .toml path"
        )
        parser.add_argument("--policy", default="all", choices=[*POLICIES, "all"])
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--lanes", type=int, help="override the scenario's lanes")
        parser.add_argument("--staff", type=int, help="override the scenario's officers")
        parser.add_argument("--out", help="directory for summary.json and queue.svg")
        parser.add_argument(
            "--plan",
            metavar="TARGET",
            help='find the fewest lanes, then officers, meeting e.g. "p90_wait<=2h"',
        )

    def handle(self, *args, **opts):
        try:
            scenario = scenarios.load(opts["scenario"])
            targets = planner.parse_targets(opts["plan"]) if opts["plan"] else []
        except (scenarios.ScenarioError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        # Within what a scenario file may say (``scenarios.parse``): Erlang C counts up to the
        # lanes one by one, so --lanes 1000000000000 never finished.
        limits = {"lanes": (1, 200), "staff": (0, 500)}
        for key, (least, most) in limits.items():
            if opts[key] is not None and not least <= opts[key] <= most:
                raise CommandError(f"--{key} must be from {least} to {most}")
        policies = POLICIES if opts["policy"] == "all" else (opts["policy"],)
        result = report.compare(
            scenario, policies, opts["seed"], lanes=opts["lanes"], staff=opts["staff"]
        )
        self.stdout.write(f"{scenario.title} — {scenario.days} days, seed {opts['seed']}\n")
        self.stdout.write(report.table(result) + "\n")
        if targets:
            result["plan"] = {p: planner.plan(scenario, targets, p, opts["seed"]) for p in policies}
            for policy, found in result["plan"].items():
                if found["met"]:
                    officers = "officer" if found["staff"] == 1 else "officers"
                    line = (
                        f"{policy}: {found['lanes']} lanes and {found['staff']} {officers} "
                        f"meet {', '.join(found['targets'])}"
                    )
                else:
                    best = found["tried"][-1]
                    line = (
                        f"{policy}: no number of lanes up to {planner.MAX_LANES} meets "
                        f"{', '.join(found['targets'])}; with {best['lanes']} lanes the p90 wait is "
                        f"{report.hours(best['p90_wait'])} (what lanes cannot shorten: trucks "
                        "arriving while the gate is closed wait for it to open)"
                    )
                self.stdout.write(line + "\n")
        if opts["out"]:
            out = Path(opts["out"])
            out.mkdir(parents=True, exist_ok=True)
            (out / "summary.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
            (out / "queue.svg").write_text(str(charts.queue_chart(result)))
            self.stdout.write(f"wrote {out / 'summary.json'} and {out / 'queue.svg'}\n")
