from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cuakhau.accounts import services


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        _token, raw = services.issue_token(user, name)
        self.stdout.write(raw)
