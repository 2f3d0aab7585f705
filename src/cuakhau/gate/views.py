"""The gate console: scan, see what is wrong, check in or let out — one or two actions."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors
from cuakhau.inspections.services import current_channel
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips

from . import services
from .forms import ConsoleForm


def _operator_gate(request, code) -> Gate:
    gate = get_object_or_404(Gate, code=code.lower(), handles_freight=True)
    if not request.user.has_perm("trips.operate_gate") or not trips.works_at(request.user, gate):
        raise PermissionDenied("Only a gate operator of this gate uses its console.")
    return gate


@login_required
def console(request, code):
    gate = _operator_gate(request, code)
    return render(request, "gate/console.html", {"gate": gate, "form": ConsoleForm(gate=gate)})


def _card(request, gate, check, *, done=None, errors=None):
    channel = current_channel(check.trip) if check.trip else None
    return render(
        request,
        "gate/_card.html",
        {"gate": gate, "check": check, "done": done, "errors": errors or {}, "channel": channel},
    )


@login_required
@require_POST
def scan(request, code):
    gate = _operator_gate(request, code)
    text = request.POST.get("scan", "")
    plate = request.POST.get("plate_seen", "")
    if not plate and request.POST.get("lane"):
        read = services.latest_plate(gate, gate.lanes.filter(code=request.POST["lane"]).first())
        plate = read.plate_text if read else ""
    return _card(request, gate, services.assess(text, gate, plate_seen=plate))


@login_required
@require_POST
def act(request, code, action):
    gate = _operator_gate(request, code)
    post = request.POST
    try:
        if action == "check_in":
            visit = services.check_in(
                request.user,
                gate,
                post.get("scan", ""),
                lane=post.get("lane") or None,
                yard_position=post.get("yard_position", ""),
                plate_seen=post.get("plate_seen", ""),
                gross_kg=post.get("gross_kg") or None,
                context=context_of(request),
            )
        elif action == "exit":
            visit = services.exit_truck(
                request.user,
                gate,
                post.get("scan", ""),
                lane=post.get("lane") or None,
                context=context_of(request),
            )
        else:
            raise PermissionDenied("Unknown action.")
    except services.GateRefused:
        return _card(
            request,
            gate,
            services.assess(post.get("scan", ""), gate, plate_seen=post.get("plate_seen", "")),
        )
    except FieldErrors as exc:
        check = services.assess(post.get("scan", ""), gate)
        return _card(request, gate, check, errors=exc.errors)
    visit.trip.refresh_from_db()
    check = services.GateCheck(trip=visit.trip)
    return _card(request, gate, check, done=action)
