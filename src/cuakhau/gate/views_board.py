"""The yard board (a TV in the gate office) and the gate's performance page."""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from cuakhau.accounts import roles
from cuakhau.core import listing
from cuakhau.core.inputs import DayField
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips
from cuakhau.trips.choices import Direction

from .board import yard_board
from .kpi import gate_kpis, kpi_charts

BOARD_REFRESH_SECONDS = 10
DEFAULT_KPI_DAYS = 30
# Long enough for a quarter or a season, short enough to answer in a page load.
MAX_KPI_DAYS = 366


def may_see_gate(user, gate: Gate) -> bool:
    """The management board, auditors and administrators see every gate; officers their own."""
    user_roles = roles.roles_of(user)
    if user_roles & roles.READ_ALL_ROLES:
        return True
    return bool(user_roles & roles.GATE_ROLES) and trips.works_at(user, gate)


def _board_gate(request, code: str) -> Gate:
    gate = get_object_or_404(Gate, code=code.lower(), handles_freight=True)
    if not may_see_gate(request.user, gate):
        raise PermissionDenied(_("Only the gate's officers and the management see its yard board."))
    return gate


def login_required_htmx(view):
    """``login_required`` that sends an expired polling board to the login page as a whole.

    A plain redirect would be followed by htmx and the login form swapped into the board.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            # htmx names the page it polls from; that is where the user returns after logging in.
            board = request.htmx.current_url_abs_path or request.get_full_path()
            login = redirect_to_login(board, resolve_url(settings.LOGIN_URL))
            response["HX-Redirect"] = login["Location"]
            return response
        return login_required(view)(request, *args, **kwargs)

    return wrapper


@never_cache
@login_required
def board(request, code):
    gate = _board_gate(request, code)
    return render(
        request,
        "gate/board.html",
        {"gate": gate, "board": yard_board(gate), "refresh_seconds": BOARD_REFRESH_SECONDS},
    )


@never_cache
@login_required_htmx
def board_fragment(request, code):
    gate = _board_gate(request, code)
    return render(request, "gate/_board.html", {"gate": gate, "board": yard_board(gate)})


# ---------------------------------------------------------------------------------------------
# Performance (KPI) page


def kpi_gates(user):
    """The gates whose figures this user may read, and whether "all gates" is one of the choices."""
    user_roles = roles.roles_of(user)
    freight = Gate.objects.filter(handles_freight=True).order_by("code")
    if user_roles & roles.READ_ALL_ROLES:
        return freight, True
    if user_roles & roles.GATE_ROLES:
        profile = getattr(user, "profile", None)
        if profile is not None:
            return freight.filter(pk__in=profile.gates.values("pk")), False
    return freight.none(), False


class KpiFilterForm(forms.Form):
    gate = GateField(
        label=gettext_lazy("Gate"),
        queryset=Gate.objects.none(),
        required=False,
        empty_label=gettext_lazy("All gates"),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"),
        choices=[("", gettext_lazy("All directions")), *Direction.choices],
        required=False,
    )
    date_from = DayField(label=gettext_lazy("From"))
    date_to = DayField(label=gettext_lazy("To"))

    def __init__(self, *args, gates, all_gates: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["gate"]
        field.queryset = gates
        if not all_gates:
            # An officer reads the gates they work at, one at a time.
            field.required = True
            field.empty_label = None

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (end - start).days + 1 > MAX_KPI_DAYS:
                self.add_error(
                    "date_to",
                    _("Choose at most %(days)s days.") % {"days": MAX_KPI_DAYS},
                )
        return data


def _today(gate: Gate | None) -> dt.date:
    zone = gate.time_zone if gate is not None else settings.TIME_ZONE
    return timezone.now().astimezone(ZoneInfo(zone)).date()


@never_cache
@login_required
def kpi(request):
    gates, all_gates = kpi_gates(request.user)
    if not gates.exists():
        raise PermissionDenied(
            _("The management board, auditors and the gates' officers read these figures.")
        )
    default_gate = None if all_gates else gates.first()
    today = _today(default_gate)
    data = {
        "gate": default_gate.code if default_gate else "",
        "direction": "",
        "date_from": (today - dt.timedelta(days=DEFAULT_KPI_DAYS - 1)).isoformat(),
        "date_to": today.isoformat(),
    }
    # The page opens on the last 30 days; a filter given in the address replaces its default.
    data.update({k: v for k, v in request.GET.items() if k in data})
    form = KpiFilterForm(data, gates=gates, all_gates=all_gates)
    figures = drawn = None
    if form.is_valid():
        chosen = form.cleaned_data["gate"]
        figures = gate_kpis(
            chosen,
            form.cleaned_data["date_from"],
            form.cleaned_data["date_to"],
            direction=form.cleaned_data["direction"] or None,
            # Today is still going on: left out of the daily means and the trend.
            today=_today(chosen),
        )
        drawn = kpi_charts(figures)
    # A refused filter shows no figures, the refusal beside its field (``core.listing``).
    return render(
        request,
        "gate/kpi.html",
        {"form": form, "kpi": figures, "charts": drawn},
        status=listing.status_of(figures is None),
    )
