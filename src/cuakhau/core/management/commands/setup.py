"""Bring an installation up to date: migrations, then every app's shipped reference data."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cuakhau.core.setup import load_all


class Command(BaseCommand):
    help = "Migrate and load the shipped reference data (idempotent)."

    def handle(self, *args, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        for name, count in load_all().items():
            self.stdout.write(f"{name}: {count}")
