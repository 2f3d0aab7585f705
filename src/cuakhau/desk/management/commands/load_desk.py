from django.core.management.base import BaseCommand

from cuakhau.desk.loading import load_all


class Command(BaseCommand):
    help = "Load the one-stop desk's starter procedure catalogue and the official day-off schedule."

    def handle(self, *args, **options):
        result = load_all()
        self.stdout.write(
            "procedures: {created} new, {updated} updated, {kept} kept as corrected in the admin;"
            " schedule days: {schedule_days}".format(**result)
        )
