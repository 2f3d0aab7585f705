"""Write the offline verification bundle for gate devices without a network."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cuakhau.receipts import offline, services


class Command(BaseCommand):
    help = "Write the published keys, revocations and used receipts to a file for `python -m cuakhau.receipts.offline`."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        # The same content as the offline page, from one function.
        bundle = services.offline_bundle()
        used = offline.UsedReceipts(bundle["used_receipt_runs"], bundle["used_receipts"])
        offline.write_bundle(
            Path(path),
            bundle["jwks"],
            bundle["revoked_kids"],
            bundle["revoked_receipts"],
            bundle["generated_at"],
            used_receipts=used,
        )
        self.stdout.write(
            f"wrote {path} at {bundle['generated_at']}: {len(bundle['jwks']['keys'])} keys,"
            f" {len(bundle['revoked_receipts'])} revoked receipts,"
            f" {len(used)} used receipts in {sum(map(len, bundle['used_receipt_runs'].values()))}"
            " runs"
        )
