from django.core.management.base import BaseCommand

from cuakhau.core import progress
from cuakhau.market.services import load_market_rules


class Command(BaseCommand):
    help = (
        "Load the market-access rules from the reference data (China's fruit access list and "
        "designated sites). Needs the border gates: run load_reference first."
    )

    def handle(self, *args, verbosity, **options):
        with (
            progress.shown_on(self.stdout, quiet=verbosity == 0),
            progress.stage("Market-access rules") as step,
        ):
            step.done_note = f"{load_market_rules():,}"
