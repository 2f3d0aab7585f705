"""Recount the statistics' summary tables from the trips (after a bulk load, or to check them)."""

from django.core.management.base import BaseCommand, CommandError

from cuakhau.core import progress
from cuakhau.reference.models import Gate
from cuakhau.stats import services


class Command(BaseCommand):
    help = (
        "Recount every gate-month of the platform's own figures from its trips and receipts "
        "(imported months are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--gate", help="Only this gate (its code, e.g. mlt).")

    def handle(self, *args, gate, verbosity, **options):
        gate_id = None
        if gate:
            found = Gate.objects.filter(code=gate.lower()).values_list("id", flat=True).first()
            if found is None:
                raise CommandError(f"No gate with the code {gate!r}.")
            gate_id = found
        with (
            progress.shown_on(self.stdout, quiet=verbosity == 0),
            progress.stage("Statistics recounted") as step,
        ):

            def advance(done, total):
                if step.total != total:
                    step.set_total(total)
                step.advance(done - step.completed)

            months = services.rebuild(gate_id, progress=advance)
            step.done_note = f"{months:,} gate-months"
