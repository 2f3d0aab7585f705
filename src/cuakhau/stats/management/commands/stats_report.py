"""``cuakhau stats_report --scope mlt --year 2026 --month 10 --format pdf --lang vi -o file``:
the page's monthly or annual report, written to a file (for a scheduled send to the province)."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cuakhau.reference.models import Gate
from cuakhau.stats import reports, services


class Command(BaseCommand):
    help = "Write a monthly (with --month) or annual report of a gate or the zone as PDF or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--scope", default="zone", help="a gate's code, or 'zone' (default)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12")
        parser.add_argument("--format", choices=reports.FORMATS, default="pdf")
        parser.add_argument("--lang", choices=reports.LANGUAGES, default="vi")
        parser.add_argument("--by", default="", help="who the report names as its author")
        parser.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args, scope, year, month, format, lang, by, output, **options):
        gate = None
        if scope != "zone":
            gate = Gate.objects.filter(code=scope.lower()).first()
            if gate is None:
                known = ", ".join(Gate.objects.order_by("code").values_list("code", flat=True))
                raise CommandError(f"unknown gate {scope!r}: one of zone, {known}")
        problem = reports.period_error(year, month, services.local_today())
        if problem:
            raise CommandError(f"--{problem[0]}: {problem[1]}")
        report = reports.build(gate, year, month, lang, by or getpass.getuser())
        body = reports.to_pdf(report) if format == "pdf" else reports.to_xlsx(report)
        Path(output).write_bytes(body)
        if options["verbosity"]:
            self.stdout.write(
                f"{output}: {report.title}, {report.scope_name}, {report.period_name}"
            )
