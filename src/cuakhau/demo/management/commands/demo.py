"""A demo installation in one command: database, reference data, 90 days of traffic, server.

The demo banner is shown when ``CUAKHAU_DEMO=1`` is in the environment (``make demo`` sets it):
settings read it at start-up, before this command runs.
"""

import os
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from cuakhau.accounts import roles
from cuakhau.core import progress
from cuakhau.demo.generator import GATE_ORDER, DemoDataError, generate
from cuakhau.reference.models import Gate
from cuakhau.risk.choices import RiskChannel
from cuakhau.risk.services import install_default_ruleset
from cuakhau.trips.choices import Direction, TripStatus

STATUS_COLUMNS = [
    TripStatus.DRAFT,
    TripStatus.SUBMITTED,
    TripStatus.PAID,
    TripStatus.ARRIVED,
    TripStatus.CLEARED,
    TripStatus.EXITED,
    TripStatus.CANCELLED,
    TripStatus.REJECTED,
]


class Command(BaseCommand):
    help = (
        "Migrate, load the reference data, generate demo organisations, users and trips "
        "(replacing earlier demo trips), print the logins, then serve."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Stop once the data is made.")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--days", type=int, default=90, help="Days of past traffic.")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiplies every gate's daily volume."
        )

    def handle(self, *args, no_serve, port, days, seed, scale, verbosity, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        started = time.perf_counter()
        # Every stage shows itself as it runs: a live bar on a terminal, one line per finished
        # stage in a log or a pipe, nothing with -v 0.
        with progress.shown_on(self.stdout, quiet=verbosity == 0):
            # Migrations and every app's reference data (gates, HS codes, fee schedules, lanes,
            # market rules): submitting a trip and clearing a truck need them all. Its stages
            # show on this display.
            call_command("setup", stdout=self.stdout, verbosity=verbosity)
            # The channels of the past trips are those of the active risk rules (idempotent).
            with progress.stage("Default risk rules"):
                install_default_ruleset()
            try:
                result = generate(days=days, seed=seed, scale=scale, stdout=self.stdout, reset=True)
            except DemoDataError as exc:
                raise CommandError(str(exc)) from exc
            # Time slots (issue 10): bookings, waiting areas, a call-forward (demo/slots.py).
            with progress.stage("Time slots and waiting areas") as step:
                from cuakhau.demo.slots import stage_slots, summary

                stage_slots(seed=seed)
                step.done_note = summary()
            # The investment and cooperation registers (issue 12): example rows (demo/registers.py).
            with progress.stage("Investment and cooperation registers") as step:
                from cuakhau.demo.registers import stage_registers
                from cuakhau.demo.registers import summary as registers_summary

                stage_registers()
                step.done_note = registers_summary()
            # The one-stop desk's files, every step through the desk's services (demo/desk.py).
            with progress.stage("One-stop desk files") as step:
                from cuakhau.demo.desk import stage_desk
                from cuakhau.demo.desk import summary as desk_summary

                stage_desk(seed=seed, days=days)
                with translation.override("en"):
                    step.done_note = desk_summary()
            # Trade statistics (issue 12): the summaries of the trips written in bulk (no
            # signals), an example history of the years before them, targets (demo/history.py).
            with progress.stage("Trade statistics: summaries, example history, targets") as step:
                from cuakhau.demo.history import stage_statistics
                from cuakhau.demo.history import summary as statistics_summary

                step.done_note = statistics_summary(stage_statistics(seed=seed, scale=scale))
        self.summary(result)
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready in {time.perf_counter() - started:.1f} s.")
        )
        if not settings.DEMO_MODE:
            self.stdout.write("Set CUAKHAU_DEMO=1 to show the demo banner (make demo does).")
        if not no_serve:
            call_command("serve", port=port)

    def summary(self, result: dict) -> None:
        # The summary's sentences are English: so are the states, channels, directions and
        # roles in it, by their labels, never their stored codes.
        with translation.override("en"):
            self._summary(result)

    def _summary(self, result: dict) -> None:
        write = self.stdout.write
        write("")
        timings = result.get("timings", {})
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        write(
            self.style.SUCCESS(
                f"Demo data: {result['trips']:,} trips from {result['first_day']} to "
                f"{result['last_day']} (seed {result['seed']}, scale {result['scale']:g}), "
                f"made in {result['seconds']:.1f} s ({steps})."
            )
        )
        names = {
            code: name.split(" (")[0]  # "Kim Thành (cửa khẩu quốc tế…)": the name is enough
            for code, name in Gate.objects.filter(code__in=GATE_ORDER).values_list(
                "code", "name_vi"
            )
        }
        labels = {code: f"{code.upper()} {names.get(code, '')}" for code in GATE_ORDER}

        write("")
        write("Trips by status:")
        header = "".join(f"{status.label:>12}" for status in STATUS_COLUMNS)
        write(f"  {'gate':<20}{header}{'total':>9}")
        for code in GATE_ORDER:
            counts = result["status_by_gate"].get(code, {})
            cells = "".join(f"{counts.get(status, 0):>12,}" for status in STATUS_COLUMNS)
            write(f"  {labels[code]:<20}{cells}{sum(counts.values()):>9,}")

        write("")
        write(
            f"Fees, the yard now, and clearance (arrival to exit) of the trucks that left in the "
            f"last {self._days(result['ma_lu_thang']['days'])}:"
        )
        write(
            f"  {'gate':<20}{'receipts':>10}{'revoked':>9}{'fees (VND)':>18}{'inside now':>12}"
            f"{'exited':>9}{'median (min)':>14}{'p90 (min)':>11}"
        )
        for code in GATE_ORDER:
            receipts = result["receipts_by_gate"].get(code, {"issued": 0, "valid": 0, "vnd": 0})
            clearance = result["clearance_by_gate"].get(code, {})
            median = clearance.get("median")
            p90 = clearance.get("p90")
            write(
                f"  {labels[code]:<20}{receipts['issued']:>10,}"
                f"{receipts['issued'] - receipts['valid']:>9,}{receipts['vnd']:>18,}"
                f"{result['inside_by_gate'].get(code, 0):>12,}{clearance.get('count', 0):>9,}"
                f"{'-' if median is None else f'{median:.0f}':>14}"
                f"{'-' if p90 is None else f'{p90:.0f}':>11}"
            )
        shares = " · ".join(
            f"{RiskChannel(row['channel']).label} {row['percent']:.1f}%"
            for row in result["channels"]
            if row["count"]
        )
        write(f"  risk channels of those trucks: {shares}")

        write("")
        write(f"  {'gate':<20} {'trips':>8} {'declared value (USD)':>22}")
        for code in GATE_ORDER:
            trips = result["by_gate"].get(code, 0)
            value = result["value_usd_by_gate"].get(code, 0)
            write(f"  {labels[code]:<20} {trips:>8,} {value:>22,}")
        by_direction = {Direction(code).label: n for code, n in result["by_direction"].items()}
        write("  by direction: " + self._counts(by_direction))
        mlt = result["ma_lu_thang"]
        write(
            f"  Ma Lù Thàng, last {self._days(mlt['days'])}: USD {mlt['value_usd'] / 1e6:.1f} million "
            f"(published pace: USD {mlt['target_usd'] / 1e6:.1f} million, from 163 million "
            "over 2021–2025)."
        )
        write(
            f"  {result['organisations']} organisations, {result['vehicles']:,} vehicles; "
            f"{result['written_in_bulk']:,} past trips written in bulk, "
            f"{result['declared_through_services']:,} coming trips declared through the services "
            f"({result.get('paid_through_services', 0):,} of them paid already)."
        )
        from cuakhau.demo.desk import summary as desk_summary

        write(f"  one-stop desk: {desk_summary()}")
        write("")
        write("Logins (demo passwords, printed here only):")
        width = max(len(u["username"]) for u in result["users"])
        role_of = {user["username"]: str(roles.LABELS[user["role"]]) for user in result["users"]}
        role_width = max(len(role) for role in role_of.values())
        write(f"  {'username':<{width}}  {'role':<{role_width}}  password")
        for user in result["users"]:
            role = role_of[user["username"]]
            write(f"  {user['username']:<{width}}  {role:<{role_width}}  {user['password']}")
        write("")

    @staticmethod
    def _days(days: int) -> str:
        return "day" if days == 1 else f"{days} days"

    @staticmethod
    def _counts(counts: dict) -> str:
        return " · ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
