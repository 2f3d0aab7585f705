"""Manage the receipt signing keys: list, rotate, retire, mark compromised."""

from django.core.management.base import BaseCommand, CommandError

from cuakhau.receipts import services, signing


class Command(BaseCommand):
    help = "List, rotate, retire or revoke (compromised) e-receipt signing keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Keys with their status (public parts only).")
        rotate = sub.add_parser(
            "rotate", help="Make a new active key; the old one stays published."
        )
        rotate.add_argument("--gate", default=signing.ALL_GATES, help="gate code, or * for all")
        retire = sub.add_parser("retire", help="Stop signing with a key; its receipts stay valid.")
        retire.add_argument("kid")
        compromise = sub.add_parser("compromise", help="Revoke a key: its receipts stop verifying.")
        compromise.add_argument("kid")
        compromise.add_argument("--reason", required=True)

    def handle(self, *args, action, **options):
        store = services.key_store()
        try:
            if action == "rotate":
                self.stdout.write(store.generate(options["gate"]))
            elif action == "retire":
                store.retire(options["kid"])
            elif action == "compromise":
                store.mark_compromised(options["kid"], options["reason"])
        except (signing.KeyStoreError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        published = {key["kid"] for key in store.jwks()["keys"]}
        for kid in sorted(published):
            self.stdout.write(f"published  {kid}")
        for kid in store.revoked_kids():
            self.stdout.write(f"revoked    {kid}")
