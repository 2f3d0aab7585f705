from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuakhau.accounts import services
from cuakhau.core.errors import FieldErrors


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="the token stops working after this many days (default: never)",
        )

    def handle(self, *args, username, name, expires_days, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        try:
            expires_at = None
            if expires_days is not None:
                expires_at = services.expiry_after_days(expires_days)
            _token, raw = services.issue_token(user, name, expires_at=expires_at)
        except FieldErrors as refused:
            said = "; ".join(
                f"{'--name' if field == 'name' else '--expires-days'}: {' '.join(messages)}"
                for field, messages in refused.errors.items()
            )
            raise CommandError(said) from None
        self.stdout.write(raw)
