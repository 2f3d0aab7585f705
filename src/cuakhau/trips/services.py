"""Business rules for trips: declaring, submitting, amending, cancelling, rejecting.

Every change of a trip goes through a function here. Each one checks who may do it, validates the
whole declaration before writing anything, changes the data and records the transition in one
transaction. The web views, the API, the demo generator and the tests all call these functions.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.documents import kept_name, sizes_said, sniff
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import (
    AtLeast,
    AtMost,
    check_number,
    clean_text,
    limit_as_written,
    shown,
)
from cuakhau.core.phrases import Phrase, as_stored
from cuakhau.core.prepared import (
    PreparedUpdate,
    as_read_back,
    forget_prefetched,
    insert,
    prefetched,
)
from cuakhau.core.retry import ChangedMeanwhile, lock_rows, retry_on_conflict
from cuakhau.core.statemachine import IllegalTransition, StateMachine, Transition, history_row
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import (
    canonical_ascii,
    compact_hs_code,
    normalise_container_number,
    normalise_phone_number,
    normalise_plate,
    parse_plate,
)

from . import references
from .choices import ACTIVE_STATUSES, Direction, TripAction, TripStatus, VehicleType
from .models import CargoLine, Container, Trip, TripTransition, TripVersion
from .signals import trip_transitioned

S = TripStatus
logger = logging.getLogger("cuakhau.trips")


def trip_action_labels() -> dict:
    """The trip's actions by name, the timeline's steps and editing a draft."""
    return {**dict(TripAction.choices), "edit": _("Edit the draft")}


def trip_action_verbs() -> dict:
    """The actions a person may take next, as the buttons and refusals say them."""
    return {
        # The words of the pages' own buttons.
        "submit": _("Submit"),
        "amend": _("Amend"),
        "cancel": _("Cancel trip"),
        "reject": _("Reject"),
        "check_in": _("Check in"),
        "exit": _("Let out"),
        "turn_back": _("Turn back"),
        "pay": _("Pay the fees"),
        "clear": _("Clear the truck"),
        "remove_document": _("Remove the document"),
        "attach_document": _("Attach a document"),
    }


TRIP_MACHINE = StateMachine(
    "trip",
    [
        Transition(S.DRAFT, "submit", S.SUBMITTED, "trips.declare_trip"),
        Transition(S.DRAFT, "cancel", S.CANCELLED, "trips.declare_trip"),
        Transition(S.SUBMITTED, "amend", S.SUBMITTED, "trips.declare_trip", reason_required=True),
        Transition(S.SUBMITTED, "cancel", S.CANCELLED, "trips.declare_trip", reason_required=True),
        Transition(S.SUBMITTED, "reject", S.REJECTED, "trips.reject_trip", reason_required=True),
        # Only the payments service takes "pay", when a receipt is issued.
        Transition(S.SUBMITTED, "pay", S.PAID, None),
        # A cashier revoked the receipt of a truck that has not arrived (refunded, or issued in
        # error): its fees are due again. Taken by the receipts service, never asked for.
        Transition(S.PAID, "receipt_revoked", S.SUBMITTED, None),
        # Cancelling a paid trip revokes its receipt (a refund is due).
        Transition(S.PAID, "cancel", S.CANCELLED, "trips.declare_trip", reason_required=True),
        Transition(S.PAID, "reject", S.REJECTED, "trips.reject_trip", reason_required=True),
        # At the gate: the operator checks the truck in; the inspections service clears it once
        # every required inspection passed; the operator lets it out.
        Transition(S.PAID, "check_in", S.ARRIVED, "trips.operate_gate"),
        Transition(S.ARRIVED, "clear", S.CLEARED, None),
        Transition(S.ARRIVED, "reject", S.REJECTED, "trips.reject_trip", reason_required=True),
        Transition(S.CLEARED, "exit", S.EXITED, "trips.operate_gate"),
        # A truck rejected inside the gate (failed an inspection) is sent back the way it
        # came: the operator lets it out, and it stays rejected. Only while its visit is open
        # (``_may_take``); its fees are not refunded: it used the gate.
        Transition(S.REJECTED, "turn_back", S.REJECTED, "trips.operate_gate"),
    ],
    states=S,
    actions=trip_action_labels,
    verbs=trip_action_verbs,
)

# Clock skew between a phone and the server should not turn "arriving now" into an error.
ARRIVAL_GRACE = dt.timedelta(minutes=10)
# A declaration is for a crossing in the coming weeks; a date beyond this is a typing error
# (and a year 9999 would break every page that shows it in the gate's time zone).
ARRIVAL_HORIZON = dt.timedelta(days=90)
MAX_CARGO_LINES = 50
# The heaviest road vehicle there is: a gate's weighbridge weighs 500 to 80,000 kg, the vehicle
# included (gate.services.WEIGHT_LIMITS, which reads it from here). No declaration's cargo, all its lines together, is heavier:
# more is a typing error (grams for kilograms, a separator misread).
MAX_VEHICLE_GROSS_KG = Decimal(80_000)

TRIP_FIELDS = [
    "gate",
    "direction",
    "expected_arrival",
    "tractor_plate",
    "trailer_plate",
    "vehicle_type",
    "capacity_tonnes",
    "container_size",
    "driver_name",
    "driver_nationality",
    "driver_document_number",
    "driver_phone",
]
LINE_FIELDS = [
    "hs_code",
    "description",
    "quantity",
    "unit",
    "gross_weight_kg",
    "net_weight_kg",
    "value",
    "currency",
    "origin_country",
    "packages",
    "phytosanitary_certificate",
    "customs_declaration",
]


class TripValidationError(FieldErrors):
    """The declaration has errors; ``errors`` maps a field path to its messages.

    Paths are ``driver_name`` for the trip and ``cargo_lines.1.hs_code`` for a cargo line
    (0-based index, as sent).
    """


class TripPermissionDenied(Exception):
    """The actor may not take this action on this trip (HTTP 403)."""


# ---------------------------------------------------------------------------------------------
# Who sees what

# The trips a gate's officers may read: those its enterprise declared to the gate. Not the
# status: a draft withdrawn before it was submitted is "cancelled", yet it was never sent to
# anyone, and its declaration (driver's papers, values, documents) stays the enterprise's.
# Only a submission stamps ``submitted_at``, and nothing clears it.
DECLARED = Q(submitted_at__isnull=False)


def visible_trips(user) -> QuerySet[Trip]:
    """Trips this user may read: own organisation (a driver: the ones they drive), own gates
    (declared ones), or all."""
    qs = Trip.objects.select_related("gate", "organisation")
    user_roles = roles.roles_of(user)
    if user_roles & roles.READ_ALL_ROLES:
        return qs
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return qs.none()
    condition = Q(pk__in=[])
    if roles.ENTERPRISE in user_roles and profile.organisation_id:
        condition |= Q(organisation_id=profile.organisation_id)
    elif roles.DRIVER in user_roles and profile.organisation_id:
        condition |= driven_by(profile)
    if user_roles & roles.GATE_ROLES:
        gate_ids = list(profile.gates.values_list("id", flat=True))
        condition |= Q(gate_id__in=gate_ids) & DECLARED
    return qs.filter(condition)


def driven_by(profile) -> Q:
    """The trips of a driver's organisation declared with the driver's phone: the number the
    gate's messages for the trip go to (``tell_driver``), and the one the administrator keeps
    on the driver's profile. A driver reads the trips they drive, not every other driver's
    papers and cargo; without a phone on their profile, none."""
    try:
        phone = normalise_phone_number(profile.phone or "")
    except ValidationError:
        phone = ""
    if not phone:
        return Q(pk__in=[])
    return Q(organisation_id=profile.organisation_id, driver_phone=phone)


def of_visible_trip(user, trip: str = "trip") -> Exists:
    """A condition on another model's rows: their trip (the field at path ``trip``) is one
    ``user`` may read. Checked row by row through the trip's key: ``trip__in=visible_trips(…)``
    made SQLite list every trip the user may read first, 80,000 for a gate officer on the 90-day
    demo: 30 ms to open one receipt."""
    return Exists(visible_trips(user).order_by().filter(pk=OuterRef(trip)))


def find_trip(user, reference: str) -> Trip:
    """The trip with this reference if the user may see it, else ``Trip.DoesNotExist``.

    A reference whose check character is wrong is reported as such, so a mistyped reference
    is told apart from an unknown one; a trip the user may not see is indistinguishable from a
    trip that does not exist.
    """
    # Quoted back at most as long as a reference, control characters shown as such.
    quoted = shown(reference, 20)
    if not references.is_valid_reference(reference):
        if references.has_reference_shape(reference):
            message = _(
                "%(ref)s is not a valid trip reference (check character mismatch: mistyped?)."
            )
        else:
            message = _("%(ref)s is not a trip reference: it looks like MLT-ABC1234.")
        raise Trip.DoesNotExist(message % {"ref": quoted})
    try:
        return visible_trips(user).get(reference=references.normalise_reference(reference))
    except Trip.DoesNotExist:
        raise Trip.DoesNotExist(_("No trip %(ref)s.") % {"ref": quoted}) from None


def organisation_of(user) -> Organisation | None:
    profile = getattr(user, "profile", None)
    return profile.organisation if profile else None


def can_declare_for(user, trip: Trip) -> bool:
    if not user.has_perm("trips.declare_trip"):
        return False
    profile = getattr(user, "profile", None)
    return profile is not None and profile.organisation_id == trip.organisation_id


def can_review(user, trip: Trip) -> bool:
    return user.has_perm("trips.reject_trip") and works_at(user, trip.gate)


def allowed_actions(user, trip: Trip) -> list[str]:
    actions = []
    for action in TRIP_MACHINE.actions_from(trip.status):
        transition = TRIP_MACHINE.get(trip.status, action)
        if _may_take(user, trip, transition):
            actions.append(action)
    return actions


def _may_take(user, trip: Trip, transition: Transition) -> bool:
    if transition.permission == "trips.declare_trip":
        return can_declare_for(user, trip) or (
            transition.action == "cancel" and user.has_perm("trips.cancel_any_trip")
        )
    if transition.permission == "trips.reject_trip":
        return can_review(user, trip)
    if transition.permission == "trips.operate_gate":
        operates = user.has_perm("trips.operate_gate") and works_at(user, trip.gate)
        if transition.action == "turn_back":
            return operates and is_inside(trip)
        return operates
    return False


def is_inside(trip: Trip) -> bool:
    """Whether the truck was checked in and has not left (its visit is open)."""
    try:
        visit = trip.visit
    except ObjectDoesNotExist:
        return False
    return visit.exited_at is None


def works_at(user, gate) -> bool:
    """An officer attached to this gate (administrators work everywhere)."""
    if roles.ADMINISTRATOR in roles.roles_of(user):
        return True
    # Loaded with a token's owner (accounts.services.authenticate_token): no query.
    gate_ids = getattr(user, "_cuakhau_gate_ids", None)
    if gate_ids is not None:
        return gate.pk in gate_ids
    profile = getattr(user, "profile", None)
    return profile is not None and profile.gates.filter(pk=gate.pk).exists()


# ---------------------------------------------------------------------------------------------
# Validation


def _errors_of(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {f"{prefix}{field}": _said(errors) for field, errors in exc.error_dict.items()}
    return {prefix.rstrip(".") or "__all__": [str(m) for m in exc.messages]}


# What the model says of a missing value ("cannot be null", "cannot be blank", two wordings
# in Vietnamese) is one thing to the person filling the form: the field is required.
_MISSING = ("null", "blank")


# Django's limits of a decimal column, said again when ours (``exactly_stored``) already said
# the number is too long: one limit, not two that disagree (15 significant digits, 16 in all).
_DIGITS = ("max_digits", "max_whole_digits", "max_decimal_places")
_LIMITS = {"min_value": AtLeast.message, "max_value": AtMost.message}


def _a_django_limit(error: ValidationError) -> bool:
    params = error.params or {}
    return "limit_value" in params and "limit" not in params


def _said(errors: list[ValidationError]) -> list[str]:
    too_long = any(error.code == "significant_digits" for error in errors)
    messages = []
    for error in errors:
        if too_long and error.code in _DIGITS:
            continue
        if error.code in _MISSING:
            said = [str(_("This field is required."))]
        elif error.code in _LIMITS and _a_django_limit(error):
            # Django's own limit (an integer column's range): said as the model's are
            # (``inputs.AtLeast``), "0,001" in Vietnamese, not "0.001 .".
            limit = limit_as_written(error.params["limit_value"])
            said = [str(_LIMITS[error.code]) % {"limit": limit}]
        else:
            said = error.messages
        for message in said:
            if message not in messages:
                messages.append(message)
    return messages


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for key, messages in more.items():
        errors.setdefault(key, []).extend(messages)


def _text(value, path: str, errors: dict[str, list[str]]):
    """A text field as stored (NFC, no control characters); an error for the path if not."""
    if not isinstance(value, str):
        return value
    try:
        return clean_text(value.strip())
    except ValidationError as exc:
        errors.setdefault(path, []).extend(exc.messages)
        return ""


def _number(value, model, name: str, path: str, errors: dict[str, list[str]]):
    """A numeric field, checked against its column by ``check_number`` as every other form's
    number is: the model's own check echoed the number rewritten ("“1.5” value must be an
    integer" for "1,5" typed on a Vietnamese page) and said the running database's range."""
    if value is None or value == "":
        return None
    try:
        return check_number(value, model, name)
    except ValidationError as exc:
        errors.setdefault(path, []).extend(exc.messages)
        return None


def _resolve_gate(value) -> Gate | None:
    if isinstance(value, Gate) or value is None:
        return value
    code = str(value).strip().lower()
    if not Gate.could_be_code(code):
        return None
    try:
        return Gate.objects.get(code=code, handles_freight=True)
    except Gate.DoesNotExist:
        return None


# A tractor with its semi-trailer carries a container as often as a container truck does.
CONTAINER_CARRIERS = (VehicleType.CONTAINER_TRUCK, VehicleType.TRACTOR_TRAILER)
# How many containers of a size one chassis carries: one 40-foot or two 20-foot boxes.
CONTAINERS_PER_CHASSIS = {"20": 2, "40": 1}


def _vehicle_errors(trip: Trip) -> dict[str, list[str]]:
    """The fee depends on these, so each vehicle type must say what the schedule asks for."""
    errors: dict[str, list[str]] = {}
    if trip.vehicle_type == VehicleType.CONTAINER_TRUCK and not trip.container_size:
        errors["container_size"] = [
            _("A container truck needs its container size (20 or 40 feet).")
        ]
    if trip.vehicle_type not in CONTAINER_CARRIERS and trip.container_size:
        errors["container_size"] = [
            _("Only a container truck or a tractor-trailer carries a container.")
        ]
    if trip.vehicle_type == VehicleType.TRACTOR_TRAILER and not trip.trailer_plate:
        errors["trailer_plate"] = [_("A tractor-trailer needs its trailer's plate.")]
    if trip.vehicle_type in (
        VehicleType.TRUCK,
        VehicleType.TRACTOR_TRAILER,
    ) and trip.capacity_tonnes in (None, ""):
        errors["capacity_tonnes"] = [_("Give the vehicle's rated capacity in tonnes.")]
    return errors


@dataclass
class _Declaration:
    """A validated declaration, ready to be written."""

    trip: Trip
    lines: list[tuple[CargoLine, list[str]]]
    # Every container on the vehicle, each once, as first named (on the trip or a line).
    containers: list[str]


def _left_for_later(row, require_complete: bool) -> list[str]:
    """The text fields a draft leaves empty: checked when it is submitted. (A moment or a
    figure has no empty value its column could keep: a draft gives them already.)"""
    if require_complete:
        return []
    return [
        field.name
        for field in row._meta.concrete_fields
        if isinstance(field, models.CharField) and getattr(row, field.attname) == ""
    ]


def _build(
    data: dict, trip: Trip, *, require_complete: bool, refused: Iterable[str] = ()
) -> _Declaration:
    """Validate ``data`` onto ``trip`` (in memory only) and build its cargo lines.

    Raises TripValidationError with every error found, so the user can fix them all at once.
    ``refused``: paths the caller refused already (a number a page could not read), said there
    by the caller: every check skips them as it skips a field refused here, and none is said.
    """
    said_elsewhere = set(refused)
    # Seeded as refused here: each check below leaves a field with errors alone.
    errors: dict[str, list[str]] = {path: [] for path in said_elsewhere}
    gate_value = data.get("gate")
    gate = _resolve_gate(gate_value)
    if gate is None:
        errors["gate"] = [
            _("Choose a border gate that handles freight.")
            if not gate_value
            else _("%(gate)s is not a border gate that handles freight on cuakhau.")
            % {"gate": gate_value}
        ]
    for field in TRIP_FIELDS:
        if field == "gate":
            if gate is not None:
                trip.gate = gate
            continue
        value = _text(data.get(field), field, errors)
        setattr(trip, field, value if value is not None else "")
    trip.driver_nationality = (trip.driver_nationality or "").upper()
    # A document number is an identifier: one form however it was typed (fullwidth, another
    # script's digits), as plates and container numbers are.
    trip.driver_document_number = canonical_ascii(trip.driver_document_number)
    # The driver's phone is where the gate's messages go: stored as E.164 ("+84912345678")
    # however it was typed, and refused unless it is a number a driver can be reached at.
    # Empty is for the draft to leave to later, as any text (required at submission).
    refused = []
    try:
        trip.driver_phone = normalise_phone_number(str(trip.driver_phone or ""))
    except ValidationError as exc:
        errors.setdefault("driver_phone", []).extend(exc.messages)
        refused.append("driver_phone")
    if not trip.expected_arrival:
        trip.expected_arrival = None
    trip.capacity_tonnes = _number(
        trip.capacity_tonnes, Trip, "capacity_tonnes", "capacity_tonnes", errors
    )
    trip.vehicle_type = trip.vehicle_type or VehicleType.TRUCK
    try:
        trip.full_clean(
            exclude=["reference", "organisation", "gate", "created_by", "status"]
            + _left_for_later(trip, require_complete)
            + refused
            # A field already refused (a control character) was emptied: not "required" too.
            + [name for name in errors if name in TRIP_FIELDS]
        )
    except ValidationError as exc:
        _merge(errors, _errors_of(exc))

    if "tractor_plate" not in errors and trip.tractor_plate:
        trip.tractor_plate = parse_plate(trip.tractor_plate).display
        trip.tractor_plate_key = normalise_plate(trip.tractor_plate)
    if "trailer_plate" not in errors:
        if trip.trailer_plate:
            trip.trailer_plate = parse_plate(trip.trailer_plate).display
        trip.trailer_plate_key = normalise_plate(trip.trailer_plate)

    _merge(errors, _vehicle_errors(trip))

    if isinstance(trip.expected_arrival, dt.datetime):
        if timezone.is_naive(trip.expected_arrival):
            # Typed on the page or sent without an offset: the gate's local time, as the form's
            # help says — never the server's clock (a host kept on UTC stored 10:00 as 17:00).
            zone = ZoneInfo(gate.time_zone) if gate is not None else None
            trip.expected_arrival = timezone.make_aware(trip.expected_arrival, zone)
        arrival, now = trip.expected_arrival, timezone.now()
        try:
            early, late = arrival < now - ARRIVAL_GRACE, arrival > now + ARRIVAL_HORIZON
        except OverflowError:  # year 1 or 9999 in a time zone that takes it past the calendar
            early = arrival.year < now.year
            late = not early
        if early:
            errors.setdefault("expected_arrival", []).append(
                _("The expected arrival is in the past.")
            )
        elif late:
            errors.setdefault("expected_arrival", []).append(
                _("The expected arrival is more than %(days)d days ahead.")
                % {"days": ARRIVAL_HORIZON.days}
            )

    raw_lines = data.get("cargo_lines") or []
    if len(raw_lines) > MAX_CARGO_LINES:
        errors.setdefault("cargo_lines", []).append(
            _("At most %(n)d cargo lines per trip.") % {"n": MAX_CARGO_LINES}
        )
        raw_lines = raw_lines[:MAX_CARGO_LINES]
    if trip.direction == Direction.EMPTY_RETURN and raw_lines:
        errors.setdefault("cargo_lines", []).append(
            _("An empty return carries no cargo: remove the cargo lines or change the direction.")
        )
    elif (
        require_complete
        and trip.direction
        and trip.direction != Direction.EMPTY_RETURN
        and not raw_lines
    ):
        errors.setdefault("cargo_lines", []).append(
            _("Add at least one cargo line (only an empty return has none).")
        )

    lines: list[tuple[CargoLine, list[str]]] = []
    # Number -> the path where it was first named: its errors go there.
    seen_containers: dict[str, str] = {}
    _container_list(data.get("container_numbers"), "container_numbers", seen_containers, errors)
    for index, raw in enumerate(raw_lines):
        prefix = f"cargo_lines.{index}."
        line = CargoLine(line_no=index + 1)
        for field in LINE_FIELDS:
            value = _text(raw.get(field), f"{prefix}{field}", errors)
            setattr(line, field, value if value is not None else "")
        line.hs_code = compact_hs_code(line.hs_code)
        line.phytosanitary_certificate = canonical_ascii(line.phytosanitary_certificate)
        line.customs_declaration = canonical_ascii(line.customs_declaration)
        line.currency = (line.currency or "").upper()
        line.origin_country = (line.origin_country or "").upper()
        for numeric in ("quantity", "gross_weight_kg", "net_weight_kg", "value", "packages"):
            path = f"{prefix}{numeric}"
            setattr(
                line, numeric, _number(getattr(line, numeric), CargoLine, numeric, path, errors)
            )
        try:
            line.full_clean(
                exclude=[
                    "trip",
                    "containers",
                    *_left_for_later(line, require_complete),
                    *(name.removeprefix(prefix) for name in errors if name.startswith(prefix)),
                ]
            )
        except ValidationError as exc:
            _merge(errors, _errors_of(exc, prefix))
        containers = _container_list(
            raw.get("container_numbers"), f"{prefix}container_numbers", seen_containers, errors
        )
        lines.append((line, containers))
    _merge(errors, _weight_errors([line for line, _c in lines], errors))
    _merge(errors, _load_errors(trip, seen_containers))

    if seen_containers:
        # Another company's draft holds no container (it may never be sent); the company's
        # own drafts still do, so it is told before it declares one box twice.
        clashes = (
            Container.objects.filter(number__in=list(seen_containers))
            .filter(
                Q(active=True) | Q(trip__organisation_id=trip.organisation_id, trip__status=S.DRAFT)
            )
            .exclude(trip_id=trip.pk)
            .select_related("trip")
        )
        for clash in clashes:
            errors.setdefault(seen_containers[clash.number], []).append(_clash_message(trip, clash))
    for path in said_elsewhere:
        del errors[path]
    if errors:
        raise TripValidationError(errors)
    return _Declaration(trip=trip, lines=lines, containers=list(seen_containers))


def _container_list(numbers, path: str, seen: dict[str, str], errors) -> list[str]:
    """The valid ISO 6346 numbers of one list (the trip's or a line's), each once.

    A number another line already named is the same container (a mixed load), not a clash;
    only twice in the same list is an error.
    """
    here: list[str] = []
    for number in numbers or []:
        number = (number or "").strip()
        if not number:
            continue
        compact = normalise_container_number(number)
        try:
            Container(number=compact).clean_fields(exclude=["trip"])
        except ValidationError as exc:
            _merge(errors, {path: [str(m) for m in exc.message_dict["number"]]})
            continue
        if compact in here:
            errors.setdefault(path, []).append(
                _("Container %(number)s is named twice here.") % {"number": compact}
            )
            continue
        here.append(compact)
        seen.setdefault(compact, path)
    return here


def _weight_errors(lines: list[CargoLine], errors) -> dict[str, list[str]]:
    """The lines' gross weights together must be a load one road vehicle can carry; the error
    goes to the heaviest line's gross weight (the likeliest typing error). Lines whose weight
    was refused already, or left for later by a draft, do not count."""
    weighed = [
        (index, line.gross_weight_kg)
        for index, line in enumerate(lines)
        if isinstance(line.gross_weight_kg, Decimal)
        and line.gross_weight_kg.is_finite()
        and f"cargo_lines.{index}.gross_weight_kg" not in errors
    ]
    total = sum((weight for _index, weight in weighed), Decimal(0))
    if total <= MAX_VEHICLE_GROSS_KG:
        return {}
    index, heaviest = max(weighed, key=lambda pair: pair[1])
    most = formats.number_format(MAX_VEHICLE_GROSS_KG, force_grouping=True)
    if heaviest > MAX_VEHICLE_GROSS_KG:
        message = _(
            "A gross weight of %(weight)s kg is more than a road vehicle carries: at most "
            "%(most)s kg. Check the unit (kilograms) and the separators."
        ) % {
            "weight": formats.number_format(heaviest.normalize(), force_grouping=True),
            "most": most,
        }
    else:
        message = _(
            "The cargo lines weigh %(total)s kg gross together, more than a road vehicle "
            "carries: at most %(most)s kg."
        ) % {"total": formats.number_format(total.normalize(), force_grouping=True), "most": most}
    return {f"cargo_lines.{index}.gross_weight_kg": [message]}


def _load_errors(trip: Trip, containers: dict[str, str]) -> dict[str, list[str]]:
    """The containers must fit the declared vehicle: a carrier, of the declared size, as many
    as its chassis takes."""
    if not containers:
        return {}
    path = next(iter(containers.values()))
    if trip.vehicle_type == VehicleType.PASSENGER:
        return {path: [_("A passenger vehicle does not carry containers.")]}
    if trip.vehicle_type == VehicleType.TRACTOR_TRAILER and not trip.container_size:
        return {"container_size": [_("Give the size of the containers carried (20 or 40 feet).")]}
    most = CONTAINERS_PER_CHASSIS.get(trip.container_size)
    if most is not None and len(containers) > most:
        return {
            path: [
                ngettext(
                    "A chassis carries at most %(most)d container of %(size)s feet; "
                    "%(n)d are declared.",
                    "A chassis carries at most %(most)d containers of %(size)s feet; "
                    "%(n)d are declared.",
                    most,
                )
                % {"most": most, "size": trip.container_size, "n": len(containers)}
            ]
        }
    return {}


def _check_market_access(declaration: _Declaration) -> None:
    """Market-access and quarantine rules, checked when a declaration is submitted or amended
    (drafts may be incomplete, so they are not held to them)."""
    from cuakhau.market import services as market

    findings = market.check_declaration(declaration.trip, [line for line, _c in declaration.lines])
    errors = market.errors_of(findings)
    if errors:
        raise TripValidationError(errors)


def _write_lines(declaration: _Declaration, *, new: bool, active: bool) -> None:
    """The declaration's containers and cargo lines in place of the trip's (``new``: it has
    none yet). They are then the trip's prefetched ones: what follows in the same
    transaction (the fee, the price history, the risk channel) reads them from it."""
    trip = declaration.trip
    if not new:
        trip.cargo_lines.all().delete()
        trip.containers.all().delete()
    # Inserted in one order (by number): two declarations racing for the same containers then
    # wait on the unique index in the same order, and one of them gets the clash as a field
    # error, instead of each holding a number the other waits for (a deadlock).
    containers = Container.objects.bulk_create(
        [Container(trip=trip, number=n, active=active) for n in sorted(declaration.containers)]
    )
    by_number = {c.number: c.pk for c in containers}
    links = []
    Link = CargoLine.containers.through
    for line, numbers in declaration.lines:
        line.trip = trip
        line.save()
        as_read_back(line)
        links += [Link(cargoline_id=line.pk, container_id=by_number[n]) for n in numbers]
    Link.objects.bulk_create(links)
    prefetched(trip, "cargo_lines", [line for line, _numbers in declaration.lines])
    prefetched(trip, "containers", containers)


def _save_declaration(
    declaration: _Declaration, *, new: bool = False, active: bool | None = None
) -> None:
    """``active``: the containers are held against every other trip; by default once the
    trip is submitted (a draft's hold no other company's box), or for a new trip submitted
    in the same transaction."""
    trip = declaration.trip
    if active is None:
        active = trip.status != S.DRAFT
    try:
        with transaction.atomic():
            trip.save()
            as_read_back(trip)
            _write_lines(declaration, new=new, active=active)
    except IntegrityError:
        # Another trip took one of these containers between our check and our write.
        taken = (
            Container.objects.filter(number__in=declaration.containers, active=True)
            .exclude(trip_id=trip.pk)
            .select_related("trip")
        )
        if not taken.exists():
            raise
        raise TripValidationError(
            {"container_numbers": [_clash_message(trip, c) for c in taken]}
        ) from None


def _hold_containers(trip: Trip) -> None:
    """A submitted trip's containers, held against every other trip from now on (a draft's
    were not); one another trip took meanwhile is refused as a declaration's clash is."""
    try:
        with transaction.atomic():
            Container.objects.filter(trip_id=trip.pk, active=False).update(active=True)
    except IntegrityError:
        numbers = Container.objects.filter(trip_id=trip.pk).values_list("number", flat=True)
        taken = (
            Container.objects.filter(number__in=list(numbers), active=True)
            .exclude(trip_id=trip.pk)
            .select_related("trip")
        )
        raise TripValidationError(
            {"container_numbers": [_clash_message(trip, c) for c in taken]}
        ) from None


def _clash_message(trip: Trip, clash: Container) -> str:
    if clash.trip.organisation_id == trip.organisation_id:
        return _("Container %(number)s is already on active trip %(ref)s.") % {
            "number": clash.number,
            "ref": clash.trip.reference,
        }
    # Another company's trip: say that the container is taken, never whose it is.
    return _("Container %(number)s is already on another company's active trip.") % {
        "number": clash.number
    }


# ---------------------------------------------------------------------------------------------
# Transitions


def _record(trip, action, from_status, actor, context: RequestContext, reason="") -> None:
    # A reason the system wrote (a ``Phrase``) is kept in each language, for every reader.
    reason, reason_texts = as_stored(reason)
    insert(
        history_row(
            TripTransition,
            trip=trip,
            version=trip.version,
            action=action,
            from_status=from_status,
            to_status=trip.status,
            actor=actor,
            context=context,
            reason=reason,
            reason_texts=reason_texts,
        )
    )


def _locked(trip: Trip) -> Trip:
    """The trip, re-read under a lock on its own row only: the organisation and gate rows are
    shared by every trip of the company and the gate, and locking them too made parallel
    declarations deadlock."""
    return lock_rows(Trip.objects.select_related("gate", "organisation")).get(pk=trip.pk)


_STATUS_COLUMNS = ("status", "submitted_at", "updated_at")
# A trip's containers, free for another trip once it has left or was stopped.
_CONTAINERS_RELEASED = PreparedUpdate(
    lambda trip: Container.objects.filter(trip_id=trip),
    values=lambda trip: {"active": False},
    trip=int,
)
# A gate's transition of a trip read without a lock: written only if still as read.
_STATUS_IF_UNCHANGED = PreparedUpdate(
    lambda pk, status, seen, **_new: Trip.objects.filter(pk=pk, status=status, updated_at=seen),
    values=lambda to, submitted, now, **_where: {
        "status": to,
        "submitted_at": submitted,
        "updated_at": now,
    },
    pk=int,
    status=str,
    seen=dt.datetime,
    to=str,
    submitted=dt.datetime,
    now=dt.datetime,
)


# As the API's ``Reason``: one limit for every way a reason reaches a trip.
MAX_REASON = 2000


def _clean_reason(reason) -> str:
    """A reason as stored (``clean_text``: no control character, NFC), or TripValidationError
    on ``reason``: the web forms passed what was typed straight on, and a NUL or an escape
    sequence in a cancellation later broke the day's reconciliation workbook."""
    try:
        return clean_text(str(reason or ""), multiline=True, max_length=MAX_REASON).strip()
    except ValidationError as exc:
        raise TripValidationError({"reason": exc.messages}) from None


def _transition(
    trip: Trip,
    action: str,
    actor,
    context: RequestContext,
    reason: str = "",
    *,
    status_only: bool = False,
    unchanged_since=None,
    on_behalf_of=None,
    at=None,
) -> Transition:
    """Check and apply one transition of the table; the only writer of ``Trip.status``.

    ``status_only``: the caller changed nothing else of the trip (the gate's and the cashier's
    transitions), so only the status columns are written.
    ``unchanged_since``: the trip's ``updated_at`` when the caller read it without a lock; the
    status is written only if the row still has that status and time (every save of a trip
    moves its time), else ``ChangedMeanwhile``. The write itself then takes the row's lock.
    ``on_behalf_of``: the person whose act made the system take its transition, recorded as
    its actor (the cashier who revoked the receipt).
    ``at``: when the act happened, if not now (a gate tablet's check-in queued offline).
    """
    transition = TRIP_MACHINE.get(trip.status, action)
    # Its refusals are phrases, the action by its words: a gate's device event keeps what
    # refused it in every language, for whoever reads the event later (``gate.apply_event``).
    step = {"action": lambda: TRIP_MACHINE.say("verb", action)}
    if transition.permission is None and actor is not None:
        raise TripPermissionDenied(
            Phrase(gettext_noop("Only the system takes the step “%(action)s” of a trip."), **step)
        )
    if actor is not None and not _may_take(actor, trip, transition):
        raise TripPermissionDenied(
            Phrase(gettext_noop("You may not take the step “%(action)s” on this trip."), **step)
        )
    # A sentence of the system's own (a ``Phrase``) is kept as it is, in each language.
    reason = reason if isinstance(reason, Phrase) else _clean_reason(reason)
    if transition.reason_required and not reason:
        raise TripValidationError({"reason": [Phrase(gettext_noop("Give a reason."))]})
    from_status = trip.status
    trip.status = transition.target
    if transition.target == S.SUBMITTED and from_status == S.DRAFT:
        trip.submitted_at = timezone.now()
    if unchanged_since is not None:
        trip.updated_at = timezone.now()
        changed = _STATUS_IF_UNCHANGED.run(
            pk=trip.pk,
            status=from_status,
            seen=unchanged_since,
            to=trip.status,
            submitted=trip.submitted_at,
            now=trip.updated_at,
        )
        if not changed:
            trip.status, trip.updated_at = from_status, unchanged_since
            raise ChangedMeanwhile("trip")
    else:
        trip.save(update_fields=_STATUS_COLUMNS if status_only else None)
    if transition.target not in ACTIVE_STATUSES:
        _CONTAINERS_RELEASED.run(trip=trip.pk)
    _record(trip, action, from_status, actor or on_behalf_of, context, reason)
    trip_transitioned.send(
        sender=Trip,
        trip=trip,
        action=action,
        from_status=from_status,
        to_status=trip.status,
        actor=actor,
        at=at,
    )
    return transition


@retry_on_conflict
def create_draft(actor, data: dict, context: RequestContext = SYSTEM) -> Trip:
    return forget_prefetched(_create(actor, data, context, submitting=False))


def _create(actor, data: dict, context: RequestContext, *, submitting: bool) -> Trip:
    """A new trip, as a draft; ``submitting``: held to what a submission is (complete, within
    the market-access rules) before anything is written."""
    organisation = organisation_of(actor)
    if organisation is None or not actor.has_perm("trips.declare_trip"):
        raise TripPermissionDenied(_("Only an enterprise user can declare trips."))
    trip = Trip(organisation=organisation, created_by=actor, status=S.DRAFT)
    declaration = _build(data, trip, require_complete=submitting)
    if submitting:
        _check_market_access(declaration)
    with transaction.atomic():
        trip.reference = _unused_reference(trip.gate)
        _save_declaration(declaration, new=True, active=submitting)
        _record(trip, "create", "", actor, context)
    return trip


def _unused_reference(gate: Gate) -> str:
    for _attempt in range(5):
        reference = references.new_reference(gate.code)
        if not Trip.objects.filter(reference=reference).exists():
            break
    return reference


@retry_on_conflict
def read_stamp(trip: Trip) -> str:
    """What a page opened to edit a trip carries back (``as_read``): the trip as it read it.
    Any write to the trip changes it."""
    return trip.updated_at.isoformat() if trip.updated_at else ""


def _still_as_read(trip: Trip, as_read: str | None, version: int | None = None) -> None:
    """Refuse a change made on a trip read before another change (a second tab, a colleague):
    saved, it would silently undo that change."""
    if (as_read is None or str(as_read) == read_stamp(trip)) and (
        version is None or version == trip.version
    ):
        return
    at = formats.date_format(
        timezone.localtime(trip.updated_at, ZoneInfo(trip.gate.time_zone)),
        "SHORT_DATETIME_FORMAT",
    )
    raise TripValidationError(
        {
            "as_read": [
                _(
                    "Trip %(ref)s was changed at %(at)s, after this page was opened. Nothing "
                    "was saved: open it again to see that change, then make yours."
                )
                % {"ref": trip.reference, "at": at}
            ]
        }
    )


def update_draft(
    actor,
    trip: Trip,
    data: dict,
    context: RequestContext = SYSTEM,
    *,
    as_read: str | None = None,
    require_complete: bool = False,
) -> Trip:
    """``as_read``: ``read_stamp`` of the trip the edit was made on (a page's), if known.
    ``require_complete``: saved to be submitted, so held to a submission's completeness."""
    with transaction.atomic():
        trip = _locked(trip)
        if not can_declare_for(actor, trip):
            raise TripPermissionDenied(_("You may not edit this trip."))
        if trip.status != S.DRAFT:
            allowed = TRIP_MACHINE.actions_from(trip.status)
            raise IllegalTransition(trip.status, "edit", allowed, TRIP_MACHINE.say)
        _still_as_read(trip, as_read)
        gate_before = trip.gate_id
        declaration = _build(data, trip, require_complete=require_complete)
        if trip.gate_id != gate_before:
            # A reference names its gate ("MLT-…", checked by its last character): a draft
            # moved to another gate gets one of that gate, before any payment quotes it.
            trip.reference = _unused_reference(trip.gate)
        _save_declaration(declaration)
    return forget_prefetched(trip)


@retry_on_conflict
def submit_trip(actor, trip: Trip, context: RequestContext = SYSTEM) -> Trip:
    """Submit a draft: the whole stored declaration must be complete and valid."""
    with transaction.atomic():
        trip = _locked(trip)
        TRIP_MACHINE.get(trip.status, "submit")
        declaration = _build(declaration_data(trip), trip, require_complete=True)
        _check_market_access(declaration)
        _hold_containers(trip)
        _transition(trip, "submit", actor, context)
    return forget_prefetched(trip)


@retry_on_conflict
def save_and_submit(
    actor,
    trip: Trip | None,
    data: dict,
    context: RequestContext = SYSTEM,
    *,
    as_read: str | None = None,
) -> Trip:
    """The form's "Submit": nothing is written unless the declaration can be submitted."""
    # One transaction: if the submission is refused, the draft's save is rolled back too.
    with transaction.atomic():
        if trip is None:
            # A new declaration is checked as a submission before it is written, all its
            # errors at once: written as a draft, it would be read back only to be checked
            # the same way. What the draft's row holds is what was just checked: only its
            # status changes.
            trip = _create(actor, data, context, submitting=True)
            _transition(trip, "submit", actor, context, status_only=True)
            return forget_prefetched(trip)
        # Checked as a submission already: a draft's check left the empty fields for later,
        # and they were refused only once the others were put right.
        trip = update_draft(actor, trip, data, context, as_read=as_read, require_complete=True)
        return submit_trip(actor, trip, context)


def declaration_errors(
    actor,
    trip: Trip | None,
    data: dict,
    *,
    submitting: bool = False,
    amending: bool = False,
    reason="",
    version: int | None = None,
    refused: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Every other error of a declaration its sender already refused (``refused``: the paths
    refused, such as a number a page could not read), as saving it as asked would say them:
    a new draft or an edited one, ``submitting`` it, or ``amending`` a submitted trip with
    ``reason`` (made on its ``version``). Nothing is written; checks that need a refused value skip it."""
    if trip is None:
        organisation = organisation_of(actor)
        if organisation is None or not actor.has_perm("trips.declare_trip"):
            raise TripPermissionDenied(_("Only an enterprise user can declare trips."))
        trip = Trip(organisation=organisation, created_by=actor, status=S.DRAFT)
    elif can_declare_for(actor, trip):
        # Built onto a copy: the caller's trip stays as stored.
        trip = copy.copy(trip)
    else:
        raise TripPermissionDenied(_("You may not edit this trip."))
    complete = submitting or amending
    try:
        if amending:
            _reason, declaration = _amendment(trip, data, reason, refused, version=version)
        else:
            declaration = _build(data, trip, require_complete=complete, refused=refused)
            if submitting:
                _check_market_access(declaration)
    except TripValidationError as exc:
        return exc.errors
    return {}


@retry_on_conflict
def amend_trip(
    actor,
    trip: Trip,
    data: dict,
    reason: str,
    context: RequestContext = SYSTEM,
    *,
    as_read: str | None = None,
    version: int | None = None,
) -> Trip:
    """Change a submitted declaration, keeping the previous version as a snapshot.

    ``as_read`` (a page's ``read_stamp``) or ``version`` (the API's): the trip as the change
    was made on, refused if it has changed since."""
    with transaction.atomic():
        trip = _locked(trip)
        transition = TRIP_MACHINE.get(trip.status, "amend")
        if not _may_take(actor, trip, transition):
            raise TripPermissionDenied(_("You may not amend this trip."))
        snapshot = declaration_snapshot(trip)
        reason, declaration = _amendment(trip, data, reason, as_read=as_read, version=version)
        TripVersion.objects.create(
            trip=trip,
            version=trip.version,
            snapshot=snapshot,
            replaced_at=timezone.now(),
            replaced_by=actor,
            reason=reason,
        )
        trip.version += 1
        _save_declaration(declaration)
        _transition(trip, "amend", actor, context, reason)
    return forget_prefetched(trip)


def _amendment(
    trip: Trip,
    data: dict,
    reason,
    refused: Iterable[str] = (),
    *,
    as_read: str | None = None,
    version: int | None = None,
) -> tuple[str, _Declaration]:
    """The amendment's reason as stored and its declaration built onto ``trip`` and checked
    for market access; the reason's, the gate's, the declaration's errors and a reading of the
    trip since changed (``as_read``, ``version``) refused together, not the first alone."""
    errors: dict[str, list[str]] = {}
    try:
        _still_as_read(trip, as_read, version)
    except TripValidationError as exc:
        _merge(errors, exc.errors)
    try:
        reason = _clean_reason(reason)
    except TripValidationError as exc:
        _merge(errors, exc.errors)
    else:
        if not reason:
            errors["reason"] = [_("Give a reason for the amendment.")]
    moved = _gate_moved(trip, data)
    if moved:
        errors["gate"] = moved
        data = {**data, "gate": trip.gate}
    try:
        declaration = _build(data, trip, require_complete=True, refused=refused)
        _check_market_access(declaration)
    except TripValidationError as exc:
        _merge(errors, exc.errors)
    if errors:
        raise TripValidationError(errors)
    return reason, declaration


def _gate_moved(trip: Trip, data: dict) -> list[str]:
    """A submitted trip stays at its gate: its reference names the gate, and a transfer for its
    fees may already quote that reference."""
    asked = data.get("gate")
    code = asked.code if isinstance(asked, Gate) else str(asked or "").strip().lower()
    if not code or code == trip.gate.code:
        return []
    wanted = _resolve_gate(code)
    if wanted is None:
        return []
    return [
        _("A submitted trip stays at %(gate)s: cancel it and declare a new trip for %(other)s.")
        % {"gate": trip.gate.name, "other": wanted.name}
    ]


@retry_on_conflict
def cancel_trip(actor, trip: Trip, reason: str = "", context: RequestContext = SYSTEM) -> Trip:
    with transaction.atomic():
        trip = _locked(trip)
        _transition(trip, "cancel", actor, context, reason)
    return trip


def gate_transition(
    trip: Trip,
    action: str,
    actor,
    context: RequestContext = SYSTEM,
    *,
    unchanged_since=None,
    on_behalf_of=None,
    at=None,
) -> Trip:
    """Check-in, clearance and exit, taken by the gate and inspections services in their own
    transaction (they check the gate's rules first), on a trip they locked or, with
    ``unchanged_since``, read without a lock. ``on_behalf_of``: for a transition only the
    system takes (the clearance), the person whose act made it (the officer of the last
    result). ``at``: when the truck checked in or left, if not now (a queued device event's
    own time): what follows the trip (its slot booking) goes by it, and its step, recorded when
    it reached us, says when it happened if that was a while before (``_reported_late``)."""
    _transition(
        trip,
        action,
        actor,
        context,
        _reported_late(trip, at),
        status_only=True,
        unchanged_since=unchanged_since,
        on_behalf_of=on_behalf_of,
        at=at,
    )
    return trip


# A gate's act reported this much after it happened was queued on a device, not just done.
REPORTED_LATE = dt.timedelta(minutes=2)


def _reported_late(trip: Trip, at) -> Phrase | str:
    """What the timeline says of a check-in or exit queued on a gate's tablet while its
    network was down: its step is timed when the event reached us, hours later maybe, and the
    officers read "checked in at 16:32" of a truck inside since 13:32."""
    if at is None or timezone.now() - at < REPORTED_LATE:
        return ""
    zone = ZoneInfo(trip.gate.time_zone)
    return Phrase(
        gettext_noop(
            "Done at the gate at %(at)s; recorded when the gate's tablet was back online."
        ),
        at=lambda: formats.date_format(timezone.localtime(at, zone), "SHORT_DATETIME_FORMAT"),
    )


def mark_paid(trip: Trip, context: RequestContext = SYSTEM) -> Trip:
    """Called by the payments service inside its transaction, once a receipt is issued."""
    _transition(trip, "pay", None, context, "", status_only=True)
    return trip


def mark_unpaid(trip: Trip, cashier, reason: str, context: RequestContext = SYSTEM) -> Trip:
    """Called by the receipts service inside its transaction, on a locked trip, once the
    cashier revoked the receipt of a paid trip: the fees are due again."""
    _transition(
        trip, "receipt_revoked", None, context, reason, status_only=True, on_behalf_of=cashier
    )
    return trip


@retry_on_conflict
def reject_trip(actor, trip: Trip, reason: str, context: RequestContext = SYSTEM) -> Trip:
    with transaction.atomic():
        trip = _locked(trip)
        _transition(trip, "reject", actor, context, reason)
    return trip


# ---------------------------------------------------------------------------------------------
# Reading a declaration back


def _plain(value):
    if isinstance(value, Decimal):
        # "1000", never "1E+3" (what ``str`` of a normalised whole number gives).
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def declaration_data(trip: Trip) -> dict:
    """The stored declaration in the input shape of ``create_draft`` (round-trips).

    Its rows are read as ``trip``'s prefetched ones (unless they already are): a submission's
    fee, price history and risk channel then read them there."""
    prefetch_related_objects([trip], "containers", "cargo_lines__containers")
    data = {field: getattr(trip, field) for field in TRIP_FIELDS}
    data["gate"] = trip.gate
    data["container_numbers"] = [c.number for c in trip.containers.all()]
    lines = []
    for line in trip.cargo_lines.all():
        raw = {field: getattr(line, field) for field in LINE_FIELDS}
        raw["container_numbers"] = [c.number for c in line.containers.all()]
        lines.append(raw)
    data["cargo_lines"] = lines
    return data


def declaration_snapshot(trip: Trip) -> dict:
    data = declaration_data(trip)
    data["gate"] = trip.gate.code
    snapshot = {k: _plain(v) for k, v in data.items() if k != "cargo_lines"}
    snapshot["cargo_lines"] = [
        {k: _plain(v) for k, v in line.items()} for line in data["cargo_lines"]
    ]
    snapshot["version"] = trip.version
    return snapshot


def _stored(field, value):
    """A snapshot's stored value as what it stands for: a number or a moment is compared by
    its value (snapshots of earlier releases wrote 1000 as "1E+3")."""
    if value in (None, "", []) or not isinstance(value, str):
        return value
    if isinstance(field, (models.DecimalField, models.IntegerField)):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(field, models.DateTimeField):
        return parse_datetime(value) or value
    return value


def _shown(field, value, zone) -> str:
    """A snapshot's stored value as a person reads it: a choice's label, a list joined, a
    number as the language writes it, a moment in the gate's time zone."""
    value = _stored(field, value)
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize(), force_grouping=True)
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value, zone), "SHORT_DATETIME_FORMAT")
    return str(value)


def _changed(field, old, new) -> bool:
    return _stored(field, old) != _stored(field, new)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model, name) -> str:
    if name == "container_numbers":
        return str(_("Containers"))
    field = _field(model, name)
    return str(field.verbose_name) if field else name


def _line_field(number: int, name: str) -> str:
    return _("Cargo line %(n)s: %(field)s") % {"n": number, "field": _label(CargoLine, name)}


def path_label(path: str) -> str:
    """A declaration error's path ("cargo_lines.0.hs_code") as a person reads it ("Cargo line
    1: HS code"): where a page lists errors away from the form."""
    parts = path.split(".")
    if parts[0] == "cargo_lines" and len(parts) == 3 and parts[1].isascii() and parts[1].isdigit():
        return _line_field(int(parts[1]) + 1, parts[2])
    if parts[0] == "cargo_lines":
        return str(_("Cargo lines"))
    label = _label(Trip, parts[0])
    return label[:1].upper() + label[1:]


def version_changes(trip: Trip):
    """The earlier versions, each with what the amendment after it changed, in words.

    Each version's ``changes`` lists (what, before, after): trip fields by their verbose
    names, cargo lines by their number; a stored code is shown by its label, never as is.
    """
    versions = list(trip.versions.select_related("replaced_by"))
    if not versions:
        return []
    following = [v.snapshot for v in versions[1:]] + [declaration_snapshot(trip)]
    zone = ZoneInfo(trip.gate.time_zone)
    for version, after in zip(versions, following, strict=True):
        before = version.snapshot
        changes = []
        for name in [*TRIP_FIELDS, "container_numbers"]:
            old, new = before.get(name), after.get(name)
            field = _field(Trip, name)
            if _changed(field, old, new):
                changes.append(
                    (_label(Trip, name), _shown(field, old, zone), _shown(field, new, zone))
                )
        old_lines, new_lines = before.get("cargo_lines", []), after.get("cargo_lines", [])
        for n in range(max(len(old_lines), len(new_lines))):
            old_line = old_lines[n] if n < len(old_lines) else {}
            new_line = new_lines[n] if n < len(new_lines) else {}
            for name in [*LINE_FIELDS, "container_numbers"]:
                old, new = old_line.get(name), new_line.get(name)
                field = _field(CargoLine, name)
                if _changed(field, old, new):
                    what = _line_field(n + 1, name)
                    changes.append((what, _shown(field, old, zone), _shown(field, new, zone)))
        version.changes = changes
    return versions


def sees_gate_details(user) -> bool:
    """Where a step came from (its IP address) and an officer's inspection notes are for the
    gate's staff and auditors, not for the enterprise or its drivers: on the pages and in the
    API alike."""
    return not (roles.roles_of(user) & roles.ORGANISATION_ROLES)


@dataclass(frozen=True)
class InspectionsShown:
    """What the trip's page says of its inspections: as the API's ``GET …/inspections``
    answers whoever may read the trip, from the same services."""

    channel: str | None  # the risk channel's code (its label in the template)
    required: list[str]  # agencies, by code
    outstanding: list[str]  # those the truck still waits for, while it is inside
    inspections: list  # every inspection, oldest first
    # An officer's notes and name are for the gate's staff and auditors (``sees_gate_details``).
    internal: bool


# The truck is not inside the gate yet: the gate's market check is still to come.
NOT_YET_INSIDE = (S.SUBMITTED, S.PAID)


@dataclass(frozen=True)
class MarketWarning:
    """What the trip's page and its fees' API say before the enterprise pays, when the gate
    will refuse the truck: a title, a sentence, and each refusal (``market.services.Finding``,
    its message in the reader's language)."""

    title: str
    text: str
    refusals: list


def market_refusals(trip: Trip, lines: list | None = None) -> list:
    """Why the gate would refuse this trip at check-in under the market-access rules in force
    (a suspension entered after it was submitted, a product losing its access), each with its
    legal basis, while the truck is not yet inside: the gate's own check
    (``market.services.check_trip`` at the trip's gate today) and the same check for its
    expected arrival day. The blocking findings, one per message. ``lines``: the trip's cargo
    lines when the caller has read them already."""
    if trip.status not in NOT_YET_INSIDE:
        return []
    from cuakhau.market import editions
    from cuakhau.market import services as market

    stamp = editions.current_stamp()
    if lines is None:
        lines = list(trip.cargo_lines.all())
    found = [
        *market.check_trip(trip, at_gate=trip.gate, lines=lines, edition=stamp),
        *market.check_trip(trip, lines=lines, edition=stamp),
    ]
    refusals, said = [], set()
    for finding in market.blocking(found):
        if finding.message not in said:
            said.add(finding.message)
            refusals.append(finding)
    return refusals


def market_warning(trip: Trip, lines: list | None = None) -> MarketWarning | None:
    """The warning of ``market_refusals``, or None: the enterprise learns it before it pays
    and drives to the gate, on the trip's page or from the API (the trip, its fees)."""
    refusals = market_refusals(trip, lines)
    if not refusals:
        return None
    return MarketWarning(
        title=_("The gate will refuse this truck"),
        text=_(
            "The market-access rules now in force stop this cargo at the gate's check-in, "
            "whether or not the fees are paid:"
        ),
        refusals=refusals,
    )


def inspections_shown(trip: Trip, reader) -> InspectionsShown | None:
    """The trip's risk channel and each agency's inspections, for its page; None for a draft
    (nothing assessed). The cargo lines are read once with the page's (prefetched)."""
    from cuakhau.inspections import services as inspections
    from cuakhau.inspections.models import Inspection

    if trip.status == S.DRAFT:
        return None
    internal = sees_gate_details(reader)
    rows = Inspection.objects.order_by("started_at", "id")
    prefetch_related_objects(
        [trip],
        models.Prefetch(
            "inspections",
            rows.select_related("officer", "started_by") if internal else rows,
        ),
    )
    return InspectionsShown(
        channel=inspections.current_channel(trip),
        required=inspections.required_agencies(trip),
        outstanding=inspections.outstanding(trip) if trip.status == S.ARRIVED else [],
        inspections=list(trip.inspections.all()),
        internal=internal,
    )


def timeline(trip: Trip):
    return trip.transitions.select_related("actor").order_by("at", "id")


# Who an officer is to the enterprise: their service, as on the inspections' block (the person
# is for the gate's staff and auditors, ``sees_gate_details``). First match wins.
_SERVICE_OF_ROLE = [
    roles.CUSTOMS,
    roles.CUSTOMS_MANAGER,
    roles.BORDER_GUARD,
    roles.QUARANTINE,
    roles.GATE_OPERATOR,
    roles.DESK,
    roles.BOARD,
    roles.ADMINISTRATOR,
]


def timeline_for(trip: Trip, reader) -> list[TripTransition]:
    """The trip's steps, each with ``shown_actor``: who did it as ``reader`` may read it (None:
    the system). The enterprise and its drivers read their own people by name and the gate's
    by their service ("Customs officer"); everyone else reads names. The actor's role is read
    in the steps' own query."""
    from django.contrib.auth.models import Group

    if sees_gate_details(reader):
        steps = list(timeline(trip))
        for step in steps:
            step.shown_actor = step.actor.get_username() if step.actor else None
        return _documents_as_read(steps)
    # The enterprise's own roles first: one of its people is named, whatever else they are.
    ranked = [roles.ENTERPRISE, roles.DRIVER, *_SERVICE_OF_ROLE]
    role = (
        Group.objects.filter(user=OuterRef("actor"), name__in=ranked)
        .annotate(
            rank=models.Case(
                *(models.When(name=name, then=i) for i, name in enumerate(ranked)),
                output_field=models.IntegerField(),
            )
        )
        .order_by("rank")
        .values("name")[:1]
    )
    steps = list(timeline(trip).annotate(actor_role=models.Subquery(role)))
    for step in steps:
        if step.actor is None:
            step.shown_actor = None
            continue
        service = step.actor_role or (roles.ADMINISTRATOR if step.actor.is_superuser else None)
        if service in roles.ORGANISATION_ROLES:
            step.shown_actor = step.actor.get_username()
        else:
            step.shown_actor = str(roles.LABELS[service]) if service else _("Border gate staff")
    return _documents_as_read(steps)


_DOCUMENT_STEPS = {TripAction.ATTACH_DOCUMENT, TripAction.REMOVE_DOCUMENT}


def _documents_as_read(steps: list[TripTransition]) -> list[TripTransition]:
    """A document's step says its kind as its reader says it: the step was written
    "<kind>: <name>" in the language of whoever attached or removed it (a Vietnamese
    enterprise's "Hóa đơn thương mại" read by a Chinese officer as 商业发票)."""
    from django.conf import settings
    from django.utils import translation

    from .choices import DocumentKind

    if not any(step.action in _DOCUMENT_STEPS for step in steps):
        return steps
    kinds = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            kinds.update({f"{label}: ": code for code, label in DocumentKind.choices})
    for step in steps:
        if step.action not in _DOCUMENT_STEPS:
            continue
        for written, code in kinds.items():
            if step.reason.startswith(written):
                step.reason = f"{DocumentKind(code).label}: {step.reason[len(written) :]}"
                break
    return steps


# ---------------------------------------------------------------------------------------------
# Documents


# From the declaration until the truck is cleared: an officer may ask at inspection for a
# certificate the enterprise forgot, and it is sent then; once every agency has cleared the
# truck its record is what they decided on, and an exited, cancelled or rejected trip's is closed.
ATTACHABLE = (S.DRAFT, S.SUBMITTED, S.PAID, S.ARRIVED)


def documents_open(trip: Trip) -> bool:
    """Whether documents may still be attached to the trip (whoever its enterprise is)."""
    return trip.status in ATTACHABLE


def may_attach(user, trip: Trip) -> bool:
    """Whether ``user`` may attach a document to ``trip`` now: the page offers its form then."""
    return documents_open(trip) and can_declare_for(user, trip)


def _actions_of_people(status: str) -> list[str]:
    """What a person may still do to a trip in ``status`` (a refusal names them)."""
    return [
        a for a in TRIP_MACHINE.actions_from(status) if TRIP_MACHINE.table[(status, a)].permission
    ]


class DocumentsClosed(IllegalTransition):
    """A document attached to a trip past clearance (HTTP 409): see ``ATTACHABLE``."""

    def __init__(self, trip: Trip):
        super().__init__(
            trip.status,
            TripAction.ATTACH_DOCUMENT,
            _actions_of_people(trip.status),
            TRIP_MACHINE.say,
        )
        self.reference = trip.reference

    def __str__(self):
        return _(
            "Trip %(ref)s is “%(state)s”: documents can be attached only until the truck is "
            "cleared at the gate (an officer may ask for one at inspection), no longer after."
        ) % {"ref": self.reference, "state": self.say("state", self.state)}


def _room_errors(trip: Trip, size: int) -> list[str]:
    """Why a document of ``size`` bytes does not fit the trip's limits (``MAX_TRIP_DOCUMENTS``,
    and their bytes together ``MAX_TRIP_DOCUMENT_BYTES``); empty when it fits."""
    from django.conf import settings
    from django.db.models import Count, Sum

    held = trip.documents.aggregate(count=Count("id"), size=Sum("size"))
    most = settings.MAX_TRIP_DOCUMENTS
    if held["count"] >= most:
        return [
            ngettext(
                "This trip already has %(count)d document, the most a trip holds.",
                "This trip already has %(count)d documents, the most a trip holds.",
                most,
            )
            % {"count": most}
        ]
    total, limit = (held["size"] or 0) + size, settings.MAX_TRIP_DOCUMENT_BYTES
    if total > limit:
        return [
            _(
                "With this file the trip's documents would come to %(size)s; a trip "
                "holds at most %(limit)s."
            )
            % dict(zip(("size", "limit"), sizes_said(total, limit), strict=True))
        ]
    return []


def document_errors(
    trip: Trip, kind, uploaded, refused: Iterable[str] = (), *, room: bool = True
) -> dict:
    """Every refusal of a document's attachment at once, by field (``kind``, ``file``);
    writes nothing. ``kind`` or ``uploaded`` None, or named in ``refused``: not read (refused
    already, said there), not checked again. ``room``: whether the trip's limits are weighed
    here (``attach_document`` weighs them under the trip's lock instead)."""
    from django.conf import settings

    from .choices import DocumentKind

    refused = set(refused)
    errors: dict[str, list[str]] = {}
    if kind is not None and "kind" not in refused and kind not in DocumentKind.values:
        errors["kind"] = [_("Unknown document kind.")]
    if uploaded is None or "file" in refused:
        return errors
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        errors["file"] = [
            _("The file is %(size)s; the limit is %(limit)s.")
            % dict(zip(("size", "limit"), sizes_said(uploaded.size, limit), strict=True))
        ]
        return errors
    if not uploaded.size:
        # Said as what it is: nothing was sent (a phone's failed attachment), not a wrong kind.
        errors["file"] = [_("The file is empty.")]
        return errors
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    # Sniffed from the first bytes: a phone's declared content type is not to be trusted.
    if sniff(head) is None:
        errors["file"] = [_("Only PDF, JPEG and PNG files are accepted.")]
        return errors
    if room and (full := _room_errors(trip, uploaded.size)):
        errors["file"] = full
    return errors


@retry_on_conflict
def attach_document(actor, trip: Trip, kind: str, uploaded, context: RequestContext = SYSTEM):
    """Attach an invoice, a certificate… to the enterprise's own trip: a step of its timeline
    (who, when, through which channel, which document), as its removal is."""
    from .models import TripDocument

    if not can_declare_for(actor, trip):
        raise TripPermissionDenied(_("You may not attach documents to this trip."))
    if not documents_open(trip):  # said before anything about the file (again under the lock)
        raise DocumentsClosed(trip)
    # The kind and the file together: a wrong kind does not hide a file that is no document,
    # nor a trip with no room left for it (weighed below, under the lock).
    errors = document_errors(trip, kind, uploaded, room=False)
    if "file" in errors:
        raise TripValidationError(errors)
    uploaded.seek(0)  # read again when the transaction is retried
    content_type, extension = sniff(uploaded.read(8))
    uploaded.seek(0)
    document = None
    try:
        with transaction.atomic():
            # Locked: an attachment and the trip's own change are taken one after the other.
            trip = _locked(trip)
            if not documents_open(trip):
                raise DocumentsClosed(trip)
            if full := _room_errors(trip, uploaded.size):
                errors["file"] = full
            if errors:
                raise TripValidationError(errors)
            document = TripDocument.objects.create(
                trip=trip,
                kind=kind,
                file=uploaded,
                # Handed back under this name: ending in what the file is, whatever it was called.
                original_name=kept_name(uploaded.name, extension),
                size=uploaded.size,
                content_type=content_type,
                uploaded_by=actor,
            )
            _record(trip, TripAction.ATTACH_DOCUMENT, trip.status, actor, context, str(document))
    except BaseException:
        # The row is gone with the transaction: its file, written already, goes too.
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


class DocumentRelied(IllegalTransition):
    """A document of a declared trip: the gate's officers may have relied on it (HTTP 409)."""

    def __init__(self, trip: Trip):
        super().__init__(
            trip.status,
            TripAction.REMOVE_DOCUMENT,
            _actions_of_people(trip.status),
            TRIP_MACHINE.say,
        )
        self.reference = trip.reference
        self.submitted = trip.submitted_at is not None

    def __str__(self):
        if not self.submitted:  # a draft withdrawn: its record is closed
            return _("Trip %(ref)s was cancelled: its documents stay with its record.") % {
                "ref": self.reference
            }
        return _(
            "Trip %(ref)s was submitted: the gate's officers may have relied on its documents, "
            "so they stay. Only a draft's documents can be removed; attach the right document "
            "as well, or cancel the trip and declare it again."
        ) % {"ref": self.reference}


@retry_on_conflict
def remove_document(actor, trip: Trip, document_id: int, context: RequestContext = SYSTEM):
    """Remove a document from a draft, as its cargo lines are edited: only while the trip was
    never submitted (a submitted one's documents were read by the gate and stay). The removal
    is a step of the trip's timeline (who, when, which document); the file goes from storage
    once the removal is committed, as no one but the enterprise ever saw it."""
    from .models import TripDocument

    with transaction.atomic():
        # Locked: a removal and a submission of the same draft are taken one after the other.
        trip = _locked(trip)
        if not can_declare_for(actor, trip):
            raise TripPermissionDenied(_("You may not remove documents from this trip."))
        try:
            document = trip.documents.get(pk=document_id)
        except TripDocument.DoesNotExist:
            raise TripDocument.DoesNotExist(
                _("Trip %(ref)s has no document %(id)s.")
                % {"ref": trip.reference, "id": document_id}
            ) from None
        if not trip.is_editable:
            raise DocumentRelied(trip)
        name, storage = document.file.name, document.file.storage
        said = f"{document.get_kind_display()}: {document.original_name}"
        document.delete()
        _record(trip, TripAction.REMOVE_DOCUMENT, trip.status, actor, context, said)
        # Only once the row is gone for good: a rolled-back removal keeps its file.
        transaction.on_commit(lambda: storage.delete(name))
    return trip


# A person is written to in their own language: Vietnamese or Chinese by their country (a
# driver's nationality, an enterprise's registration), English for anyone from a third one.
COUNTRY_LANGUAGE = {"VN": "vi", "CN": "zh-hans"}


def driver_language(trip: Trip) -> str:
    return COUNTRY_LANGUAGE.get(trip.driver_nationality, "en")


def _tell(trip: Trip, whom: str, **message) -> None:
    """``notify(**message)`` in a savepoint of its own: what a person is told is recorded where
    it happened too (the trip's timeline, the waiting board), so a notifier that refuses or
    fails here (not a delivery, which it retries itself) is logged and undoes nothing."""
    from cuakhau.notify.services import notify

    try:
        with transaction.atomic():
            notify(**message)
    except Exception:  # noqa: BLE001
        logger.exception(
            "%s of %s: %s could not be told", message["template"], trip.reference, whom
        )


def tell_driver(trip: Trip, template: str, context: dict, dedupe_key: str) -> None:
    """Notify the trip's driver (the phone declared with the trip, in the driver's language)."""
    _tell(
        trip,
        "the driver",
        recipient=trip.driver_phone,
        language=driver_language(trip),
        template=template,
        context=context,
        dedupe_key=dedupe_key,
    )


def tell_enterprise(trip: Trip, template: str, context: dict, dedupe_key: str) -> None:
    """E-mail the people of the trip's organisation who keep an address on their profile (one
    its owner confirmed), each in the language they chose, else their organisation's."""
    from django.contrib.auth import get_user_model

    people = (
        get_user_model()
        .objects.filter(profile__organisation=trip.organisation_id, is_active=True)
        .exclude(email="")
        .select_related("profile__organisation")
        .order_by("pk")
    )
    for person in people:
        profile = person.profile
        _tell(
            trip,
            f"user {person.pk}",
            recipient={"email": person.email},
            language=profile.language or COUNTRY_LANGUAGE.get(profile.organisation.country, "en"),
            template=template,
            context=context,
            dedupe_key=f"{dedupe_key}:user:{person.pk}",
            channel="email",
        )
