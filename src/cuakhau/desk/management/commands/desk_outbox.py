from django.core.management.base import BaseCommand, CommandError

from cuakhau.desk import outbox


class Command(BaseCommand):
    help = (
        "The one-stop desk's portal outbox: 'publish' sends the pending status changes in order "
        "through the configured backend (DESK_OUTBOX_BACKEND); 'status' counts them."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["publish", "status"])

    def handle(self, *args, action, **options):
        if action == "status":
            last = outbox.OutboxEvent.objects.order_by("-sequence").first()
            self.stdout.write(
                f"pending: {outbox.pending().count()}; "
                f"last sequence: {last.sequence if last else 0}"
            )
            return
        result = outbox.publish_pending()
        self.stdout.write(f"published: {result.published}; pending: {result.pending}")
        if result.error:
            # A non-zero exit for cron and monitoring; the events stay pending.
            raise CommandError(f"the backend failed, events kept pending: {result.error}")
