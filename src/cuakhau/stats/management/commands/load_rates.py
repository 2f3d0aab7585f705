"""Load the shipped exchange rates (idempotent; the board's own rates are kept)."""

from django.core.management.base import BaseCommand

from cuakhau.core import progress
from cuakhau.stats.loading import load_rates, rates_note


class Command(BaseCommand):
    help = "Load the shipped monthly exchange rates (VND and CNY per USD); keeps the board's."

    def handle(self, *args, verbosity, **options):
        with (
            progress.shown_on(self.stdout, quiet=verbosity == 0),
            progress.stage("Exchange rates") as step,
        ):
            step.done_note = rates_note(load_rates())
