"""The gate console: scan, see what is wrong, check in or let out — one or two actions."""

import functools
import json
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cuakhau.accounts.middleware import SIGNED_IN_COOKIE
from cuakhau.core.context import context_of
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import clean_text, read_local_number
from cuakhau.core.policy import gate_checked_for
from cuakhau.core.wording import join_words
from cuakhau.reference.models import Gate
from cuakhau.risk.services import current_assessment
from cuakhau.trips import services as trips

from . import services
from .console_texts import console_texts
from .forms import ConsoleForm
from .models import WeighbridgeReading
from .snapshot import clock_formats, console_snapshot, digit_zeros


def _operator_gate(request, code) -> Gate:
    # The row the access policy read for this request, else read here.
    gate = gate_checked_for(request, code)
    if gate is None or not gate.handles_freight:
        gate = get_object_or_404(Gate, code=code.lower(), handles_freight=True)
    if not request.user.has_perm("trips.operate_gate") or not trips.works_at(request.user, gate):
        raise PermissionDenied(_("Only a gate operator of this gate uses its console."))
    return gate


# The console's app shell: what the service worker keeps so the page loads with no network.
# 2: each copy of the page says whose it is (X-Console-Operator); copies kept before do not.
SHELL_VERSION = "2"


def _shell_files() -> list[str]:
    from django_htmx.jinja import htmx_script

    # Whatever base.html's htmx tag loads (its file name follows the django-htmx version).
    htmx = re.findall(r'src="([^"]+)"', str(htmx_script(version=2, minified=True)))
    return [static("cuakhau/app.css"), static("gate/console.js"), *htmx]


@login_required
def console(request, code):
    gate = _operator_gate(request, code)
    config = {
        "gate": gate.code,
        "time_zone": gate.time_zone,
        "snapshot_url": reverse("gate:snapshot", args=[gate.code]),
        "events_url": f"/api/v1/gate/{gate.code}/events",
        "sw_url": reverse("gate:service_worker"),
        "sw_scope": _sw_scope(),
        "shell_cache": f"cuakhau-console-{SHELL_VERSION}",
        "signed_in_cookie": SIGNED_IN_COOKIE,
        "digit_zeros": digit_zeros(),
        "formats": clock_formats(),
        "texts": console_texts(),
        # Who is signed in: each action queued offline carries their id (a rename leaves it), and
        # only its own operator's actions are sent (a shared tablet's queue is never sent under
        # the next shift's name).
        "operator": {
            "id": request.user.pk,
            "username": request.user.get_username(),
            "name": request.user.get_full_name() or request.user.get_username(),
        },
        # How the page writes numbers, and the weights the booth may type: a weight typed while
        # offline is read as the online form reads it (``read_local_number``), then queued as
        # the plain number the API takes.
        "numbers": {
            "decimal": formats.get_format("DECIMAL_SEPARATOR"),
            "group": formats.get_format("THOUSAND_SEPARATOR"),
        },
        "weights": {
            name: {
                "low": low,
                "high": high,
                "places": WeighbridgeReading._meta.get_field(name).decimal_places,
            }
            for name, (low, high) in services.WEIGHT_LIMITS.items()
        },
    }
    response = render(
        request,
        "gate/console.html",
        {"gate": gate, "form": ConsoleForm(gate=gate), "console_config": config},
    )
    # Whose page this is, kept with the service worker's copy of it: offline, the copy is
    # served only while its person is the one signed in (accounts' SIGNED_IN_COOKIE).
    response["X-Console-Operator"] = str(request.user.pk)
    return response


@login_required
@require_GET
@never_cache
def snapshot(request, code):
    """Today's trucks of this gate, for the console's offline copy (read only)."""
    gate = _operator_gate(request, code)
    return JsonResponse(console_snapshot(gate))


@require_GET
def service_worker(request):
    """The console's service worker, served under /gate/ so that its scope covers every
    gate's console; it holds no data of anyone's, only the list of the app shell's files."""
    config = {
        "shell_cache": f"cuakhau-console-{SHELL_VERSION}",
        "shell_files": _shell_files(),
        "signed_in_cookie": SIGNED_IN_COOKIE,
        # The prefix itself, not a file: the production storage's manifest has no entry for "".
        "static_url": settings.STATIC_URL,
    }
    body = render_to_string("gate/sw.js", {"config_json": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check a service worker for updates at most daily unless told otherwise.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = _sw_scope()
    return response


def _sw_scope() -> str:
    """/gate/: the folder of the worker's own URL, which holds every gate's console."""
    return reverse("gate:service_worker").rsplit("/", 1)[0] + "/"


def _card(request, gate, check, *, done=None, errors=None, assessment=None):
    # The channel a check-in just gave comes with its visit; any other card reads the current one.
    if assessment is None and check.trip:
        assessment = current_assessment(check.trip)
    channel = services.channel_shown(assessment, request.user)
    # A refusal of one of the console's fields is shown beside it, the form as typed sent again
    # with the card; the card names those fields and says any other refusal itself.
    beside = {k: v for k, v in (errors or {}).items() if k in ConsoleForm.BESIDE_THE_SCAN}
    fields_form = ConsoleForm.refused(request.POST, gate, beside) if beside else None
    return render(
        request,
        "gate/_card.html",
        {
            "gate": gate,
            "check": check,
            "done": done,
            "fields_form": fields_form,
            "refused_fields": join_words(str(fields_form.fields[name].label) for name in beside),
            "errors": [
                (name, getattr(ConsoleForm.base_fields.get(name), "label", ""), messages)
                for name, messages in (errors or {}).items()
                if name not in beside
            ],
            "channel": channel,
            "scan": (
                check.trip.reference
                if check.found_by_plate and check.trip
                else request.POST.get("scan", "")
            ),
        },
    )


@login_required
@require_POST
def scan(request, code):
    gate = _operator_gate(request, code)
    text = request.POST.get("scan", "")
    try:
        plate = _plate_seen(gate, request.POST)
    except FieldErrors as exc:
        return _card(request, gate, services.assess(text, gate), errors=exc.errors)
    return _card(request, gate, services.assess(text, gate, plate_seen=plate))


def _plate_seen(gate, post) -> str:
    """The plate seen at the lane: as the operator typed it, else the lane camera's latest
    read. The button's action checks the same plate as the card it was pressed on: a truck
    the camera read with another plate is not let out by a press of the button."""
    plate = _typed_plate(post)
    if plate or not post.get("lane"):
        return plate
    read = services.latest_plate_at_lane(gate, post["lane"])
    return read.plate_text if read else ""


def _typed_plate(post) -> str:
    """The plate the operator saw, as the console's field takes it (at most 20 characters, no
    control character): 5,000 characters once came back whole in the card's warning."""
    try:
        field = ConsoleForm.base_fields["plate_seen"]
        return clean_text(post.get("plate_seen", "").strip(), max_length=field.max_length)
    except ValidationError as exc:
        raise FieldErrors({"plate_seen": exc.messages}) from None


def _typed_weight(post, name: str) -> str | None:
    """A weight as typed on the console, read as the page writes numbers ("24.300" is
    24,300 kg on a Vietnamese page, not 24.3)."""
    text = post.get(name) or ""
    if not text.strip():
        return None
    try:
        return read_local_number(text)
    except ValidationError as exc:
        raise FieldErrors({name: exc.messages}) from None


def _read(unread: dict, read, *args):
    """``read(*args)``, or None with its refusal kept in ``unread``."""
    try:
        return read(*args)
    except FieldErrors as exc:
        unread.update(exc.errors)
        return None


@login_required
@require_POST
def act(request, code, action):
    gate = _operator_gate(request, code)
    post = request.POST
    # What the page could not read, kept for the service to name with its own refusals: one
    # answer marks every wrong field, not the first of them.
    unread: dict[str, list[str]] = {}
    try:
        # Read once: the action and, if refused, its card check the same plate.
        plate = _read(unread, _plate_seen, gate, post) or ""
        scan, lane, context = post.get("scan", ""), post.get("lane") or None, context_of(request)
        if action == "check_in":
            action_itself = functools.partial(
                services.check_in,
                request.user,
                gate,
                scan,
                lane=lane,
                yard_position=post.get("yard_position", ""),
                plate_seen=plate,
                gross_kg=_read(unread, _typed_weight, post, "gross_kg"),
                tare_kg=_read(unread, _typed_weight, post, "tare_kg"),
                context=context,
                refused=unread,
            )
        elif unread:
            raise FieldErrors(unread)
        elif action in ("exit", "turn_back"):
            let_out = services.exit_truck if action == "exit" else services.turn_back
            action_itself = functools.partial(
                let_out, request.user, gate, scan, lane=lane, context=context, plate_seen=plate
            )
        else:
            raise Http404(_("No page has this address."))
        if action == "turn_back":
            visit = action_itself()
        else:
            # A check-in or exit pressed once is done once, its queued copy included.
            visit, _again = services.done_online(
                request.user, gate, action, scan, post.get("action_id"), action_itself
            )
    except services.GateRefused:
        return _card(
            request,
            gate,
            services.assess(post.get("scan", ""), gate, plate_seen=plate),
        )
    except FieldErrors as exc:
        check = services.assess(post.get("scan", ""), gate)
        return _card(request, gate, check, errors=exc.errors)
    visit.trip.refresh_from_db()
    check = services.GateCheck(trip=visit.trip)
    return _card(request, gate, check, done=action, assessment=getattr(visit, "assessment", None))
