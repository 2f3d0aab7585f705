"""Load (or refresh) the reference data shipped in ``cuakhau/reference/data``."""

from django.core.management.base import BaseCommand

from cuakhau.core import progress
from cuakhau.reference import services


class Command(BaseCommand):
    help = "Load border gates and the HS 2022 nomenclature from the shipped reference files."

    def handle(self, *args, verbosity, **options):
        # A spinner on a terminal while it loads; one line with the counts and the time.
        with (
            progress.shown_on(self.stdout, quiet=verbosity == 0),
            progress.stage("Border gates and the HS 2022 nomenclature") as step,
        ):
            counts = services.load_reference_data()
            step.done_note = ", ".join(
                f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items()
            )
