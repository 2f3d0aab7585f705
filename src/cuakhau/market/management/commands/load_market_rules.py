from django.core.management.base import BaseCommand

from cuakhau.market.services import load_market_rules


class Command(BaseCommand):
    help = (
        "Load the market-access rules from the reference data (China's fruit access list and "
        "designated sites). Needs the border gates: run load_reference first."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"market-access rules: {load_market_rules()}")
