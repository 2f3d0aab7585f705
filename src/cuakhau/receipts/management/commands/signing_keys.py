"""Manage the receipt signing keys: list, rotate, retire, mark compromised, re-issue."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuakhau.receipts import services, signing


class Command(BaseCommand):
    help = "List, rotate, retire or revoke (compromised) e-receipt signing keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "list", help="Keys with their status: active, pending, retired, compromised."
        )
        rotate = sub.add_parser(
            "rotate",
            help="Publish a new key now; it signs once the published key set's cache time passed.",
        )
        rotate.add_argument("--gate", default=signing.ALL_GATES, help="gate code, or * for all")
        retire = sub.add_parser(
            "retire",
            help="Stop signing with a key and delete its private part; receipts stay valid.",
        )
        retire.add_argument("kid")
        compromise = sub.add_parser(
            "compromise",
            help="Revoke a key and re-issue, signed by a valid key, every receipt a truck still needs.",
        )
        compromise.add_argument("kid")
        compromise.add_argument("--reason", required=True)
        compromise.add_argument("--by", help="username of the person answering for this")
        reissue = sub.add_parser(
            "reissue", help="Re-issue receipts of compromised keys that are still outstanding."
        )
        reissue.add_argument("--by", help="username of the person answering for this")

    def _actor(self, username):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None

    def handle(self, *args, action, **options):
        store = services.key_store()
        try:
            if action == "rotate":
                kid = store.generate(options["gate"])
                self.stdout.write(kid)
            elif action == "retire":
                store.retire(options["kid"])
            elif action in ("compromise", "reissue"):
                actor = self._actor(options.get("by"))
                # Who ran it is kept even without an account: the OS user of the command line.
                note = "" if actor else f"signing_keys {action}, OS user {getpass.getuser()}"
                if action == "compromise":
                    done = services.compromise_key(options["kid"], options["reason"], actor, note)
                else:
                    done = services.reissue_compromised(actor, note)
                for item in done:
                    self.stdout.write(
                        f"re-issued  {item.old.number} -> {item.new.number}"
                        f" (trip {item.new.trip.reference}, key {item.new.kid})"
                    )
                self.stdout.write(f"{len(done)} receipts re-issued")
        except (signing.KeyStoreError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for key in store.key_infos():
            when = {
                signing.ACTIVE: f"signing since {key.signs_from or key.created_at}",
                signing.PENDING: f"published, signs from {key.signs_from}",
                signing.RETIRED: f"retired {key.retired_at}, private part deleted"
                if not key.has_private_part
                else f"retired {key.retired_at}",
                signing.COMPROMISED: f"compromised {key.compromised_at}: {key.compromise_reason}",
            }[key.status]
            self.stdout.write(f"{key.status:<12}{key.kid}  gate {key.gate}  {when}")
