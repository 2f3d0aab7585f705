"""Load (or refresh) the reference data shipped in ``cuakhau/reference/data``."""

from django.core.management.base import BaseCommand

from cuakhau.reference import services


class Command(BaseCommand):
    help = "Load border gates and the HS 2022 nomenclature from the shipped reference files."

    def handle(self, *args, **options):
        counts = services.load_reference_data()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
