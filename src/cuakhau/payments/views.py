from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.accounts import roles
from cuakhau.core import listing
from cuakhau.core.context import context_of
from cuakhau.core.downloads import content_disposition
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.inputs import read_local_whole_number, shown
from cuakhau.policy import CASHIERS
from cuakhau.trips import services as trips

from . import services


def _flagged(payment) -> str:
    # The flag's label in the reader's language; its detail (a record in the platform's
    # language) is on the trip page, marked as such.
    return _("Payment recorded without a receipt: %(flag)s.") % {"flag": payment.get_flag_display()}


def _trip(request, reference):
    try:
        return trips.find_trip(request.user, reference)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from None


@login_required
@require_POST
def simulate_transfer(request, reference):
    if not settings.DEMO_MODE:
        raise PermissionDenied(_("Simulated payments exist only in demo mode."))
    trip = _trip(request, reference)
    _log, payment = services.simulate_bank_transfer(trip)
    if payment and payment.receipt_id:
        messages.success(
            request, _("Payment received; receipt %(n)s issued.") % {"n": payment.receipt.number}
        )
    elif payment:
        messages.error(request, _flagged(payment))
    return redirect("trips:detail", reference=trip.reference)


@login_required
@require_POST
def record_cash(request, reference):
    trip = _trip(request, reference)
    amount, unread = None, {}
    try:
        # Read as the page writes amounts: "800.000" in Vietnamese, "800,000" in English.
        amount = read_local_whole_number(request.POST.get("amount_vnd", ""))
    except ValidationError as exc:
        # Said with the slip's refusal, if any, not before it.
        unread = {"amount_vnd": exc.messages}
    try:
        payment = services.record_cash_payment(
            request.user,
            trip,
            amount,
            request.POST.get("slip_number", ""),
            context_of(request),
            refused=unread,
        )
    except StateRefused as exc:
        # Nothing is due: the page, read again, offers no cash form to say it beside.
        messages.error(request, str(exc))
        return redirect("trips:detail", reference=trip.reference)
    except FieldErrors as exc:
        return _cash_refused(request, trip, exc.errors)
    except trips.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    if payment.receipt_id:
        messages.success(
            request, _("Cash recorded; receipt %(n)s issued.") % {"n": payment.receipt.number}
        )
    else:
        messages.error(request, _flagged(payment))
    return redirect("trips:detail", reference=trip.reference)


def _cash_refused(request, trip, errors: dict):
    """The trip's page again: why beside the cash form's fields, what was typed kept (each
    control character shown as U+FFFD)."""
    from cuakhau.trips.views import trip_page

    typed = {name: shown(request.POST.get(name, ""), 100) for name in ("amount_vnd", "slip_number")}
    return trip_page(request, trip, status=422, cash_refused={"errors": errors, **typed})


def _reconciliation_gates(user):
    """All gates for the board, auditors and administrators; an officer's own gates otherwise."""
    from cuakhau.reference.models import Gate

    user_roles = roles.roles_of(user)
    if user_roles & roles.READ_ALL_ROLES:
        return Gate.objects.filter(handles_freight=True), True
    if user_roles & roles.GATE_ROLES:
        return user.profile.gates.filter(handles_freight=True), False
    raise PermissionDenied(
        _("Reconciliation is for gate officers, the management board and auditors.")
    )


# What the reconciliation is exported as (``?format=``).
EXPORTS = ("csv", "xlsx")


@login_required
def reconciliation(request):
    return _reconciliation(request, request.GET)


@login_required
@require_POST
def resolve(request):
    """A discrepancy's payments resolved, from its row of the report; back to the report."""
    query = QueryDict(mutable=True)
    for name in ("gate", "day", RECONCILIATION_LISTS["discrepancies"]):
        if request.POST.get(name):
            query[name] = request.POST[name]
    from .forms import ReconciliationForm

    # The report the row was resolved from: its payments must be one of its open discrepancies
    # (no report, no day: refused by the service, after it checked who may resolve them).
    report = ReconciliationForm(query, gates=_reconciliation_gates(request.user)[0])
    valid = report.is_valid()
    try:
        services.resolve_discrepancy(
            request.user,
            request.POST.getlist("payment"),
            request.POST.get("resolution", ""),
            # The gate even when the day is refused: None is the all-gates report, which the
            # service refuses a cashier, where a mistyped day is the cashier's to correct.
            gate=report.cleaned_data.get("gate"),
            day=report.cleaned_data["day"] if valid else None,
        )
    except (FieldErrors, StateRefused) as exc:
        # The report as the officer left it: what was typed refused beside the row's field,
        # which payments (gone, resolved meanwhile) above the list, where it shows whether or
        # not the row still has its form.
        errors = exc.errors if isinstance(exc, FieldErrors) else {"payments": [str(exc)]}
        refused = {
            "key": ",".join(request.POST.getlist("payment")),
            "errors": errors.get("resolution", []),
            "above": [m for f, found in errors.items() if f != "resolution" for m in found],
            "resolution": request.POST.get("resolution", ""),
        }
        return _reconciliation(request, query, refused=refused)
    messages.success(request, _("Discrepancy resolved."))
    return redirect(f"{reverse('payments:reconciliation')}?{query.urlencode()}#discrepancies")


def _reconciliation(request, params, refused: dict | None = None):
    from django.http import HttpResponse

    from . import reconciliation as recon
    from .forms import ReconciliationForm

    gates, all_allowed = _reconciliation_gates(request.user)
    form = ReconciliationForm(params, gates=gates)
    wanted = params.get("format", "")
    if wanted not in ("", *EXPORTS):
        # An export the page does not make is refused, not answered with the page itself.
        form.add_error(
            None,
            _("There is no export as %(format)s: choose CSV or XLSX.")
            % {"format": shown(wanted, 12)},
        )
    report = None
    if form.is_valid():
        gate = form.cleaned_data["gate"]
        if gate is None and not all_allowed:
            form.add_error("gate", _("Choose one of your gates."))
        else:
            # Exports hold every row; the page reads its lists a page at a time.
            exporting = wanted in EXPORTS
            report = recon.daily_report(gate, form.cleaned_data["day"], lists=exporting)
    if report is not None and wanted in EXPORTS:
        name = f"reconciliation-{report.gate_label}-{report.day.isoformat()}".replace(" ", "_")
        if wanted == "csv":
            response = HttpResponse(recon.to_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = content_disposition(f"{name}.csv")
        else:
            response = HttpResponse(
                recon.to_xlsx(report),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = content_disposition(f"{name}.xlsx")
        return response
    pages = _report_pages(params, report) if report is not None else {}
    # A refused gate or day shows no report; a page number that is none of a list's shows
    # none of its rows and says so beside its pages (``core.listing``). The page opened
    # without a query is no refusal, even when it asks the officer to choose a gate.
    refused_query = bool(params) and (
        not form.is_valid() or any(p["error"] for p in pages.values())
    )
    return render(
        request,
        "payments/reconciliation.html",
        {
            "form": form,
            "report": report,
            "pages": pages,
            # Who may resolve this report's discrepancies: the gate's cashiers (the form took
            # the gate from the caller's own, so being a cashier is enough:
            # ``receipts.services.is_cashier`` without its query); for the all-gates report
            # (payments with no trip among them), administrators.
            "may_resolve": report is not None
            and (
                bool(roles.roles_of(request.user) & set(CASHIERS))
                if report.gate is not None
                else roles.ADMINISTRATOR in roles.roles_of(request.user)
            ),
            "resolve_refused": refused or {},
        },
        status=422 if refused else listing.status_of(refused_query),
    )


# A busy day at Hữu Nghị is over a thousand payments, receipts and crossings: the page shows
# them a page at a time (totals, the balance and exports stay for the whole day).
RECONCILIATION_PAGE_SIZE = 50
# Each list pages on its own, so reading page 3 of the payments keeps the discrepancies' page.
RECONCILIATION_LISTS = {
    "discrepancies": "dpage",
    "payments": "ppage",
    "receipts": "rpage",
    "crossings": "cpage",
}


def _report_pages(params, report) -> dict:
    """For each list of the report: its page, and the links to the pages beside it."""
    pages = {}
    for name, param in RECONCILIATION_LISTS.items():
        page, error = listing.read_page(
            getattr(report, name), RECONCILIATION_PAGE_SIZE, params.get(param)
        )

        def link(number, param=param, name=name):
            query = params.copy()
            query[param] = number
            return f"?{query.urlencode()}#{name}"

        pages[name] = {
            "page": page,
            "param": param,
            # Open a folded list when the person is paging through it.
            "open": param in params,
            "error": error,
            "first": link(1) if error else "",
            "previous": link(page.previous_page_number()) if page.has_previous() else "",
            "next": link(page.next_page_number()) if page.has_next() else "",
        }
    return pages
