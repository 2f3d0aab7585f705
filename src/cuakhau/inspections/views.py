"""Officers' pages: the queue of trucks waiting for my agency, and recording an inspection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors
from cuakhau.risk.models import RiskAssessment
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus

from . import services
from .forms import SampleResultForm


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
    trip = _trip(request, reference)
    from cuakhau.risk.services import can_view_reasons, current_assessment

    risk = current_assessment(trip) if can_view_reasons(request.user) else None
    return render(
        request,
        "inspections/trip.html",
        {
            "trip": trip,
            "risk": risk,
            "required": services.required_agencies(trip),
            "outstanding": services.outstanding(trip) if trip.status == TripStatus.ARRIVED else [],
            "inspections": trip.inspections.select_related("officer").prefetch_related("samples"),
            "agency": services.agency_of(request.user),
            "weighings": trip.weighings.all()[:5],
        },
    )


def _report(request, exc: FieldErrors):
    for msgs in exc.errors.values():
        for message in msgs:
            messages.error(request, message)


@login_required
@require_POST
def act(request, reference, action):
    trip = _trip(request, reference)
    post = request.POST
    try:
        if action == "start":
            services.start_inspection(request.user, trip)
        elif action == "result":
            services.record_result(
                request.user,
                trip,
                post.get("result", ""),
                post.get("notes", ""),
                context=context_of(request),
            )
            messages.success(request, _("Result recorded."))
        elif action == "sample":
            services.take_sample(
                request.user,
                trip,
                post.get("sample_code", ""),
                post.get("description", ""),
                post.get("laboratory", ""),
            )
        elif action == "sample_result":
            form = SampleResultForm(post, trip=trip)
            if not form.is_valid():
                raise FieldErrors({name: list(errs) for name, errs in form.errors.items()})
            services.record_sample_result(
                request.user,
                form.cleaned_data["sample"],
                post.get("sample_result", ""),
                post.get("finding", ""),
            )
        else:
            raise Http404()
    except FieldErrors as exc:
        _report(request, exc)
    except trips.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("inspections:trip", reference=trip.reference)
