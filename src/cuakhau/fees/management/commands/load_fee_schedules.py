from django.core.management.base import BaseCommand

from cuakhau.core import progress
from cuakhau.fees.services import load_schedules


class Command(BaseCommand):
    help = "Load the shipped gate fee schedules (frozen schedules are never rewritten)."

    def handle(self, *args, verbosity, **options):
        with (
            progress.shown_on(self.stdout, quiet=verbosity == 0),
            progress.stage("Fee schedules") as step,
        ):
            step.done_note = f"{load_schedules():,}"
