"""The desk's report page and its XLSX export (``reports``): a period, the figures by
procedure, agency and month, the chart, and how files are counted."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.core.downloads import content_disposition
from cuakhau.core.inputs import DayField, shown

from . import reports, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodForm(forms.Form):
    date_from = DayField(label=gettext_lazy("From"))
    date_to = DayField(label=gettext_lazy("To"))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and start > self.today:
            # Nothing was received in it yet: a report of zeros would read as a quiet period.
            self.add_error(
                "date_from",
                _("The period has not begun: choose a start on or before %(date)s.")
                % {"date": date_format(self.today, "SHORT_DATE_FORMAT")},
            )
        elif end and end > self.today:
            # Its months still to come would read as months with no files at all.
            self.add_error(
                "date_to",
                _("The period cannot end after today: choose an end on or before %(date)s.")
                % {"date": date_format(self.today, "SHORT_DATE_FORMAT")},
            )
        elif start and end:
            if start > end:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif len(reports.months_between(start, end)) > reports.MAX_MONTHS:
                self.add_error(
                    "date_to",
                    _("Choose a period of at most %(n)d months.") % {"n": reports.MAX_MONTHS},
                )
        return data


def _format(request) -> str:
    # The page names it XLSX: typed so, or in any case, it is the same export.
    return request.GET.get("format", "").strip().lower()


def _period(request) -> PeriodForm:
    today = services.today()  # the desks' date, not the server's
    data = request.GET.copy()
    # The year so far unless the reader chose otherwise.
    data.setdefault("date_from", today.replace(month=1, day=1).isoformat())
    data.setdefault("date_to", today.isoformat())
    form = PeriodForm(data, today=today)
    wanted = request.GET.get("format", "")
    if _format(request) not in ("", "xlsx"):
        # An export the page does not make is refused, not answered with the page itself.
        form.is_valid()
        form.add_error(
            None,
            _("There is no export as %(format)s: choose XLSX.") % {"format": shown(wanted, 12)},
        )
    return form


@login_required
def report(request):
    if not reports.may_see_reports(request.user):
        raise PermissionDenied(
            _("The desk's reports are for its supervisors, the board, auditors and administrators.")
        )
    form = _period(request)
    report = None
    if form.is_valid():
        report = reports.report_for(
            request.user, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        )
    if report is not None and _format(request) == "xlsx":
        name = f"desk-report-{report.date_from.isoformat()}-{report.date_to.isoformat()}.xlsx"
        response = HttpResponse(reports.to_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = content_disposition(name)
        return response
    context = {"form": form, "report": report, "how_counted": reports.how_counted()}
    if report is not None:
        context["columns"] = reports.columns()
        context["chart"] = reports.month_chart(report)
        context["sections"] = [
            ("by-procedure", _("By procedure"), _("Procedure"), report.by_procedure),
            ("by-agency", _("By agency"), _("Agency"), report.by_agency),
            ("by-month", _("By month"), _("Month"), report.by_month),
        ]
        context["xlsx_query"] = (
            f"date_from={report.date_from.isoformat()}&date_to={report.date_to.isoformat()}"
            "&format=xlsx"
        )
    # A period that cannot be read is the reader's mistake: the form says which field, 400.
    return render(request, "desk/report.html", context, status=200 if report else 400)
