"""Bring an installation up to date: migrations, then every app's shipped reference data."""

import io

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cuakhau.core import progress
from cuakhau.core.setup import load_all


class Command(BaseCommand):
    help = "Migrate and load the shipped reference data (idempotent)."

    def handle(self, *args, verbosity, **options):
        # Each stage shows itself (a bar on a terminal, a line in a log); migrate's own list of
        # applied migrations only with -v 2.
        with progress.shown_on(self.stdout, quiet=verbosity == 0):
            with progress.stage("Database migrations"):
                chatter = self.stdout if verbosity > 1 else io.StringIO()
                call_command(
                    "migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=chatter
                )
            counts = load_all()
        if verbosity > 1:
            for name, count in counts.items():
                self.stdout.write(f"{name}: {count}")
