"""The statistics' pages: the dashboard of the zone or a gate, each chart's CSV, the board's
targets and exchange rates. Views translate HTTP into ``dashboard`` and ``services`` calls."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core import listing
from cuakhau.core.errors import FieldErrors
from cuakhau.reference.models import Gate

from . import dashboard as figures
from . import services
from .forms import PeriodForm, RateForm, TargetForm, gates
from .models import ExchangeRate, ExchangeRateChange, Target, TargetChange


def _gate(code):
    return None if code is None else get_object_or_404(Gate, code=code.lower())


def dashboard(request, code=None):
    gate = _gate(code)
    form = PeriodForm(request.GET or None)
    year = form.year_or_default()
    whole_year = form.is_valid() and form.cleaned_data.get("days") == "year"
    # A period that cannot be read draws no figures, not another year's as if asked for.
    refused = listing.refused(form)
    board = None if refused else figures.build(gate, year, whole_year_of_trucks=whole_year)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "board": board,
            "gate": gate,
            "gates": gates(),
            "year": year,
            "query": request.GET.urlencode(),
            "may_manage": services.may_manage(request.user),
        },
        status=422 if refused else 200,
    )


def chart_csv(request, chart, code=None):
    gate = _gate(code)
    if chart not in figures.CHARTS:
        raise Http404
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            " ".join(str(m) for ms in form.errors.values() for m in ms),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    year = form.year_or_default()
    whole_year = form.cleaned_data.get("days") == "year" if form.is_bound else False
    board = figures.build(gate, year, whole_year_of_trucks=whole_year, only=chart)
    name = f"{gate.code if gate else 'vung'}-{year}-{chart}.csv"
    response = HttpResponse(board.tables[chart].csv_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _targets_page(request, form, status=200):
    period = PeriodForm(request.GET or None)
    year = period.year_or_default()
    # A year that cannot be read lists no target, not this year's as if asked for (the page
    # reads only the year: ``core.listing``).
    refused = period.is_bound and "year" in period.errors
    targets = Target.objects.none() if refused else Target.objects.filter(year=year)
    return render(
        request,
        "stats/dashboard_targets.html",
        {
            "form": form,
            "period": period,
            "refused": refused,
            "year": year,
            "targets": targets.select_related("gate", "set_by").order_by("gate__code", "measure"),
            # Who set or changed the year's targets, and from what: a target moves every verdict
            # of its year, and was overwritten without a trace.
            "changes": (
                TargetChange.objects.none()
                if refused
                else TargetChange.objects.filter(target__year=year).select_related(
                    "target__gate", "changed_by"
                )[:50]
            ),
            "may_manage": services.may_manage(request.user),
        },
        status=listing.REFUSED if refused and status == 200 else status,
    )


def targets(request):
    year = PeriodForm(request.GET or None).year_or_default()
    return _targets_page(request, TargetForm(initial={"year": year}))


def _say(form, errors) -> None:
    for name, messages_of in errors.items():
        for message in messages_of:
            form.add_error(name if name in form.fields else None, message)


@require_POST
def set_target(request):
    form = TargetForm(request.POST)
    if not form.is_valid():
        # The service's checks of the fields the form could read, with the form's refusals:
        # every wrong field at once (a growth of 5,000 % was said only once the note was put
        # right).
        data = form.cleaned_data
        _say(
            form,
            services.target_errors(
                kind=data.get("kind"),
                measure=data.get("measure"),
                value=data.get("value"),
                refused=form.errors,
            ),
        )
        return _targets_page(request, form, status=422)
    data = form.cleaned_data
    try:
        services.set_target(
            request.user,
            gate=data["gate"],
            year=data["year"],
            measure=data["measure"],
            kind=data["kind"],
            value=data["value"],
            note=data["note"] or "",
        )
    except FieldErrors as exc:
        _say(form, exc.errors)
        return _targets_page(request, form, status=422)
    messages.success(request, _("Target saved."))
    return redirect(f"{reverse('stats:targets')}?year={data['year']}")


def _rates_page(request, form, status=200):
    return render(
        request,
        "stats/dashboard_rates.html",
        {
            "form": form,
            "rates": ExchangeRate.objects.order_by("currency", "-month"),
            "changes": ExchangeRateChange.objects.select_related("rate", "changed_by")[:50],
            "may_manage": services.may_manage(request.user),
        },
        status=status,
    )


def rates(request):
    return _rates_page(request, RateForm())


@require_POST
def set_rate(request):
    form = RateForm(request.POST)
    if not form.is_valid():
        # As for a target: a rate far from the nearest month's is said with the other fields'
        # refusals, not once they are put right.
        data = form.cleaned_data
        _say(
            form,
            services.rate_errors(
                currency=data.get("currency"),
                month=data.get("month"),
                units_per_usd=data.get("units_per_usd"),
                unusual_confirmed=data.get("unusual_confirmed", False),
                refused=form.errors,
            ),
        )
        return _rates_page(request, form, status=422)
    try:
        services.set_rate(request.user, **form.cleaned_data)
    except FieldErrors as exc:
        _say(form, exc.errors)
        return _rates_page(request, form, status=422)
    messages.success(request, _("Exchange rate saved: the dollar figures use it at once."))
    return redirect("stats:rates")
