"""The reports' page: a form choosing the gate or zone, the period, the format and the language,
the latest periods with figures ready to download, and the files themselves (``reports``).

Bad parameters (a month not begun yet, year 1900, a gate that does not exist) come back as the
form with each field's error and status 400, never an error page.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cuakhau.core.downloads import content_disposition
from cuakhau.core.inputs import IntegerField
from cuakhau.reference.localize import localized_name
from cuakhau.reference.models import Gate

from . import reports, services

ZONE = "zone"
# How many of the latest months with figures the page offers as ready links.
RECENT_MONTHS = 6


def scope_choices() -> list[tuple[str, str]]:
    gates = sorted(Gate.objects.all(), key=lambda gate: str(localized_name(gate)))
    return [(ZONE, _("All gates of the zone"))] + [
        (gate.code, str(localized_name(gate))) for gate in gates
    ]


class ReportForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Gate or zone"))
    period = forms.ChoiceField(
        label=gettext_lazy("Report"),
        choices=[
            ("month", gettext_lazy("Monthly report")),
            ("year", gettext_lazy("Annual report")),
        ],
    )
    year = IntegerField(label=gettext_lazy("Year"), min_value=reports.FIRST_YEAR)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("For a monthly report."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("pdf", gettext_lazy("PDF (to print and send)")), ("xlsx", "XLSX")],
    )
    lang = forms.ChoiceField(
        label=gettext_lazy("Language of the report"),
        # Each language named in itself: whoever reads it finds their own.
        choices=[("vi", "Tiếng Việt"), ("en", "English"), ("zh-hans", "简体中文")],
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["scope"].choices = scope_choices()

    def clean(self):
        data = super().clean()
        year, period = data.get("year"), data.get("period")
        month = data.get("month") if period == "month" else None
        if period == "month" and data.get("month") is None and "month" not in self.errors:
            self.add_error("month", _("Choose the month of a monthly report."))
        elif year is not None and "year" not in self.errors:
            problem = reports.period_error(year, month, self.today)
            if problem:
                self.add_error(*problem)
        data["month"] = month
        return data

    def gate(self) -> Gate | None:
        scope = self.cleaned_data["scope"]
        return None if scope == ZONE else Gate.objects.get(code=scope)


def _initial(today: dt.date) -> dict:
    last = services.add_months(services.month_of(today), -1)
    return {
        "scope": ZONE,
        "period": "month",
        "year": last.year,
        "month": last.month,
        "format": "pdf",
        "lang": reports.default_language(get_language()),
    }


def _ready(today: dt.date, language: str) -> list[dict]:
    """The latest months and years with figures in the zone, each with its download links."""
    months = sorted(
        services.sources_by_month(None, dt.date(reports.FIRST_YEAR, 1, 1), today), reverse=True
    )
    ready = []

    def links(query: dict) -> dict:
        base = {"scope": ZONE, "lang": language, **query}
        return {f: "?" + urlencode({**base, "format": f}) for f in reports.FORMATS}

    for month in months[:RECENT_MONTHS]:
        ready.append(
            {
                "name": reports._month_name(month),
                "links": links({"period": "month", "year": month.year, "month": month.month}),
            }
        )
    for year in sorted({month.year for month in months}, reverse=True)[:3]:
        ready.append(
            {
                "name": _("Year %(year)d") % {"year": year},
                "links": links({"period": "year", "year": year}),
            }
        )
    return ready


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


def report(request):
    today = services.local_today()
    form = None
    if request.GET:
        form = ReportForm(request.GET, today=today)
        if form.is_valid():
            data = form.cleaned_data
            built = reports.build(
                form.gate(), data["year"], data["month"], data["lang"], _who(request.user)
            )
            if data["format"] == "pdf":
                body, content_type = reports.to_pdf(built), reports.PDF
            else:
                body, content_type = reports.to_xlsx(built), reports.XLSX
            response = HttpResponse(body, content_type=content_type)
            response["Content-Disposition"] = content_disposition(
                f"{built.file_name}.{data['format']}"
            )
            return response
    else:
        form = ReportForm(initial=_initial(today), today=today)
    language = reports.default_language(get_language())
    return render(
        request,
        "stats/report_form.html",
        {
            "form": form,
            "ready": _ready(today, language),
            "report_language": dict(form.fields["lang"].choices)[language],
        },
        status=400 if form.is_bound else 200,
    )
