"""Write the offline verification bundle for gate devices without a network."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from cuakhau.receipts import offline, services


class Command(BaseCommand):
    help = "Write the published keys and revocations to a file for `python -m cuakhau.receipts.offline`."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        store = services.key_store()
        revocations = services.revocation_list()
        offline.write_bundle(
            Path(path),
            store.jwks(),
            store.revoked_kids(),
            revocations["revoked_receipts"],
            timezone.now(),
        )
        self.stdout.write(
            f"wrote {path}: {len(store.jwks()['keys'])} keys, {len(revocations['revoked_receipts'])} revoked receipts"
        )
