from django.core.management.base import BaseCommand

from cuakhau.fees.services import load_schedules


class Command(BaseCommand):
    help = "Load the shipped gate fee schedules (frozen schedules are never rewritten)."

    def handle(self, *args, **options):
        self.stdout.write(f"fee schedules: {load_schedules()}")
