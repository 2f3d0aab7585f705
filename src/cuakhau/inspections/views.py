"""Officers' pages: the queue of trucks waiting for my agency, and recording an inspection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.receipts.services import at_gate
from cuakhau.risk.models import RiskAssessment
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus

from . import services
from .forms import ResultForm, SampleForm, SampleResultForm


@login_required
def queue(request):
    if not request.user.has_perm("trips.inspect_trip"):
        raise PermissionDenied(
            _("Only customs, border-guard and quarantine officers inspect trucks.")
        )
    agency = services.agency_of(request.user)
    inside = (
        trips.visible_trips(request.user)
        .filter(status=TripStatus.ARRIVED)
        .select_related("visit", "gate", "organisation")
        # What each row reads, in one query per table for the whole queue, not per truck.
        .prefetch_related(
            "inspections",
            "cargo_lines",
            Prefetch(
                "risk_assessments",
                queryset=RiskAssessment.objects.filter(is_current=True),
                to_attr="current_assessments",
            ),
        )
        .order_by("visit__arrived_at")
    )
    rows = []
    now = timezone.now()
    for trip in inside:
        outstanding = services.outstanding(trip)
        if agency and agency not in outstanding:
            continue
        current = trip.current_assessments
        rows.append(
            {
                "trip": trip,
                "channel": current[0].channel if current else None,
                "outstanding": outstanding,
                "waited": int((now - trip.visit.arrived_at).total_seconds() // 60),
            }
        )
    return render(request, "inspections/queue.html", {"rows": rows, "agency": agency})


def _trip(request, reference):
    try:
        return trips.find_trip(request.user, reference)
    except ObjectDoesNotExist as exc:
        raise Http404(str(exc)) from None


@login_required
def trip_inspections(request, reference):
    return _page(request, _trip(request, reference))


def _page(request, trip, action: str = "", refused=None, refusal: StateRefused | None = None):
    """The trip's inspections; after a refused ``action``, its form ``refused`` again, with
    what the officer typed and each error beside its field (HTTP 422); after an action the
    trip's state refused (``refusal``: the truck left the gate meanwhile), why at the top
    (HTTP 409)."""
    from cuakhau.risk.services import can_view_reasons, current_assessment, reason_text

    risk = current_assessment(trip) if can_view_reasons(request.user) else None
    posted = {action: refused} if refused is not None else {}
    sample_result_form = posted.get("sample_result")
    page_errors = list(refused.non_field_errors()) if refused is not None else []
    if refusal is not None:
        page_errors.append(str(refusal))
    agency = services.agency_of(request.user)
    outstanding = services.outstanding(trip) if trip.status == TripStatus.ARRIVED else []
    if refused is not None and action in FORMS and not _form_shown(action, agency, outstanding):
        # No form on the page to show them beside (the truck left the gate, another officer
        # recorded the result meanwhile): each said at the top, with its field's name.
        page_errors += [
            f"{refused.fields[name].label}: {message}" if name in refused.fields else message
            for name, messages in refused.errors.items()
            if name != NON_FIELD_ERRORS
            for message in messages
        ]
    if sample_result_form is not None and sample_result_form.sample_pk is None:
        # No sample of this trip to show it beside: the page says it.
        page_errors += sample_result_form.errors.get("sample", [])
    elif sample_result_form is not None and not sample_result_form.sample_is_pending:
        # A sample with its result already has no form on the page to show the refusal in.
        page_errors += [e for errors in sample_result_form.errors.values() for e in errors]
    return render(
        request,
        "inspections/trip.html",
        {
            "trip": trip,
            "risk": risk,
            "risk_reasons": [
                {"text": reason_text(r), "score": r.get("score", 0)} for r in risk.reasons or ()
            ]
            if risk
            else [],
            "required": services.required_agencies(trip),
            "outstanding": outstanding,
            "inspections": trip.inspections.select_related(
                "officer", "started_by"
            ).prefetch_related("samples"),
            "agency": agency,
            "weighings": trip.weighings.all()[:5],
            "page_errors": page_errors,
            "result_form": posted.get("result") or ResultForm(auto_id="%s"),
            "sample_form": posted.get("sample") or SampleForm(auto_id="%s"),
            "sample_result_form": sample_result_form,
            "refused_sample": sample_result_form.sample_pk if sample_result_form else None,
            "blank_sample_result_form": SampleResultForm(trip=trip),
        },
        status=409 if refusal is not None else 422 if refused is not None else 200,
    )


FORMS = {"result": ResultForm, "sample": SampleForm}


def _form_shown(action: str, agency, outstanding) -> bool:
    """Whether the page holds the form of ``action`` (as its template decides)."""
    return bool(agency) and agency in outstanding and (action == "result" or agency == "quarantine")


def _report(request, exc: FieldErrors):
    for msgs in exc.errors.values():
        for message in msgs:
            messages.error(request, message)


@login_required
@require_POST
def act(request, reference, action):
    trip = _trip(request, reference)
    if action == "start":
        # A button with nothing typed: a refusal is said on the page it goes back to.
        try:
            services.start_inspection(request.user, trip)
        except StateRefused as exc:
            messages.error(request, str(exc))
        except FieldErrors as exc:
            _report(request, exc)
        except trips.TripPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return redirect("inspections:trip", reference=trip.reference)
    if action == "sample_result":
        form = SampleResultForm(request.POST, trip=trip)
    elif action in FORMS:
        form = FORMS[action](request.POST, auto_id="%s")
    else:
        raise Http404()
    if not form.is_valid():
        return _page(request, trip, action, form)
    typed = form.cleaned_data
    try:
        if action == "result":
            recorded = services.record_result(
                request.user, trip, typed["result"], typed["notes"], context=context_of(request)
            )
            if getattr(recorded, "repeated", False):
                messages.info(
                    request,
                    _("This result was already recorded at %(at)s: it is kept once.")
                    % {"at": at_gate(recorded.ended_at, trip.gate)},
                )
            else:
                messages.success(request, _("Result recorded."))
        elif action == "sample":
            services.take_sample(
                request.user,
                trip,
                typed["sample_code"],
                typed["description"],
                typed["laboratory"],
            )
        else:
            services.record_sample_result(
                request.user, typed["sample"], typed["sample_result"], typed["finding"]
            )
    except StateRefused as exc:
        return _page(request, trip, refusal=exc)
    except FieldErrors as exc:
        # Back to the page as the officer left it, each refusal beside its field.
        form.refuse(exc.errors)
        return _page(request, trip, action, form)
    except trips.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("inspections:trip", reference=trip.reference)
