"""Manage the receipt signing keys: list, rotate, retire, mark compromised, re-issue."""

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuakhau.receipts import services, signing


def _kid_arguments(parser) -> None:
    # A key id is a base64url thumbprint: one in 64 starts with "-", which argparse would read
    # as an option; --kid=<key id> takes any.
    parser.add_argument("kid", nargs="?", help="the key id as `list` prints it")
    parser.add_argument("--kid", dest="kid_option", help="the key id (one starting with '-')")


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
        _kid_arguments(retire)
        compromise = sub.add_parser(
            "compromise",
            help="Revoke a key and re-issue, signed by a valid key, every receipt a truck still needs.",
        )
        _kid_arguments(compromise)
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

    def _gate(self, code: str) -> str:
        """The gate as receipts name it (its code in lower case), or ``*``: a key stored under
        "HNG" or " hng" was listed as signing but never chosen for a receipt."""
        from cuakhau.reference.models import Gate

        code = code.strip()
        if code == signing.ALL_GATES:
            return code
        if not Gate.objects.filter(code=code.lower()).exists():
            known = ", ".join(Gate.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"no gate {code!r}: give one of {known}, or * for all gates")
        return code.lower()

    def _kid(self, options) -> str:
        kid = options.get("kid_option") or options.get("kid")
        if not kid:
            raise CommandError(
                "give the key id as `signing_keys list` prints it; one starting with '-' as "
                "--kid=<key id>"
            )
        return kid.strip()

    def handle(self, *args, action, **options):
        store = services.key_store()
        try:
            if action == "rotate":
                kid = store.generate(self._gate(options["gate"]))
                self.stdout.write(kid)
            elif action == "retire":
                store.retire(self._kid(options))
            elif action in ("compromise", "reissue"):
                actor = self._actor(options.get("by"))
                # Who ran it is kept even without an account: the OS user of the command line.
                note = "" if actor else f"signing_keys {action}, OS user {getpass.getuser()}"
                if action == "compromise":
                    done = services.compromise_key(
                        self._kid(options), options["reason"], actor, note
                    )
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
