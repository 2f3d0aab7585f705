"""The gate's rules: find the truck, say loudly what is wrong, check it in, weigh it, let it out.

Every device event carries an id made by the device, so a tablet that lost its network can
queue events and send them again later: each is applied exactly once, at the device's time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import CONTROL_CHARACTER, check_number, check_text, shown
from cuakhau.core.phrases import Phrase, every_language, phrases_of, said
from cuakhau.core.prepared import Prepared, insert, save_fields
from cuakhau.core.retry import ChangedMeanwhile, lock_rows, retry_on_conflict
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.core.wording import as_sentences, join_clauses, join_words, mid_sentence
from cuakhau.fees.services import current_assessment
from cuakhau.inspections import services as inspections
from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import UseOutcome
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import normalise_plate, parse_plate
from cuakhau.trips import references
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import CargoLine, Trip

from .models import (
    Device,
    DeviceKind,
    EventKind,
    GateEvent,
    Lane,
    PlateRead,
    Visit,
    WeighbridgeReading,
)

S = TripStatus
# Statuses a truck can be in when it shows up at, or is inside, the gate.
AT_GATE = [S.SUBMITTED, S.PAID, S.ARRIVED, S.CLEARED]


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    blocking: bool = True


@dataclass
class GateCheck:
    """What the console shows after a scan: the trip, what is wrong, and what can be done."""

    trip: Trip | None
    problems: list[Problem] = field(default_factory=list)
    action: str | None = None
    token: str | None = None
    # The receipt the check verified (read under the trip's lock by check-in and exit), so
    # the action that follows uses the same row instead of reading it again.
    receipt: object | None = None
    # The active risk rule set, read with the market rules' stamp for a truck to check in.
    ruleset: object | None = None
    # When a truck to turn back was rejected: its exit cannot come before.
    rejected_at: dt.datetime | None = None
    # Found by a typed plate: the action that follows names the trip by its reference, so
    # it acts on the trip the card showed whatever else carries the plate.
    found_by_plate: bool = False

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def ok(self) -> bool:
        return self.action is not None and not self.blocking


class GateRefused(Exception):
    """The gate refused the action; ``problems`` say why (HTTP 409)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        # Set by a refusal that must outlive the rollback of what was refused (an exit).
        self.keep = None
        super().__init__(as_sentences(p.message for p in problems))


def _is_jws(text: str) -> bool:
    return text.count(".") == 2 and len(text) > 60


def at_gate(gate: Gate):
    """The trips a caller working at this gate may find there: its own, declared ones.

    Every lookup at the gate (receipt QR, trip QR, typed plate, camera read) starts here, so a
    scan can never reveal a trip declared for another gate or never submitted (a draft, or a
    draft withdrawn: ``trips.services.DECLARED``).
    """
    return Trip.objects.select_related("gate", "organisation").filter(trips.DECLARED, gate=gate)


def _is_plate(text: str) -> bool:
    try:
        parse_plate(text)
    except ValidationError:
        return False
    return True


def _is_text(text: str) -> bool:
    """Whether a scan is text at all (no NUL or other control character, which no trip's data
    holds and PostgreSQL cannot even compare)."""
    return CONTROL_CHARACTER.search(text) is None


def find(text: str, gate: Gate, *, lock: bool = False) -> tuple[Trip | None, str | None]:
    """The trip of this gate a scanned QR (receipt or trip reference) or a typed plate points to,
    and the scanned receipt's token if it was one.

    With ``lock``, the trip's row is locked and the trip read after the lock, in the same
    statement where the scan names one trip: two booths scanning the same truck
    cannot both act on it, and the checks that follow see what the action will change.
    """
    found = _find(text, gate, lock=lock)
    return found.trip, found.token


@dataclass
class _Found:
    trip: Trip | None
    token: str | None = None
    # The scanned receipt, when it was read with its trip (not under a lock).
    receipt: object | None = None
    # A typed plate: the other trips that carry it (the card names them).
    by_plate: bool = False
    others: list = field(default_factory=list)


def _find(text: str, gate: Gate, *, lock: bool) -> _Found:
    """``find``, with what the look-up read on the way."""
    text = (text or "").strip()
    if not text or not _is_text(text):
        return _Found(None)
    if _is_jws(text):
        number = receipts._unverified_number(text) or ""
        if lock:
            return _Found(_LOCKED_BY_RECEIPT.first(gate=gate.pk, value=number), text)
        # The receipt with its trip, in one statement: the checks that follow use both.
        receipt = receipts.receipt_with_trip(number)
        trip = receipt.trip if receipt is not None else None
        if trip is None or trip.gate_id != gate.pk or trip.submitted_at is None:
            return _Found(None, text)
        return _Found(trip, text, receipt)
    number = receipts.typed_number(text)
    if number:
        # A receipt's number typed from the paper: its trip, whose valid receipt is then
        # verified as for a trip found by reference.
        by_number = _LOCKED_BY_RECEIPT if lock else _BY_RECEIPT
        return _Found(by_number.first(gate=gate.pk, value=number))
    if references.is_valid_reference(text):
        reference = references.normalise_reference(text)
        by_reference = _LOCKED_BY_REFERENCE if lock else _BY_REFERENCE
        return _Found(by_reference.first(gate=gate.pk, value=reference))
    best, others = _by_plate(normalise_plate(text), gate)
    if best is not None and lock:
        # Chosen first, then locked and read again.
        best = _LOCKED_BY_PK.first(gate=gate.pk, value=best.pk)
    return _Found(best, by_plate=True, others=others)


def _by_plate(key: str, gate: Gate) -> tuple[Trip | None, list[Trip]]:
    """The trip a typed plate names at this gate, and the others that carry the plate.

    A truck is in one place: one inside the gate (checked in, not yet out — a rejected one
    too, to be turned back) is the one at the booth; else the trip expected nearest now.
    The others are said on the card, never chosen silently.
    """
    from django.db.models import Q

    candidates = list(
        at_gate(gate)
        .select_related("visit")
        .filter(
            Q(status__in=AT_GATE)
            | Q(status=S.REJECTED, visit__isnull=False, visit__exited_at__isnull=True)
        )
        .filter(models_q_plate(key))
        .order_by("pk")
    )
    now = timezone.now()
    candidates.sort(
        key=lambda t: (not trips.is_inside(t), abs((t.expected_arrival - now).total_seconds()))
    )
    return (candidates[0], candidates[1:]) if candidates else (None, [])


def _plate_shared(trip: Trip, others: list[Trip], gate: Gate) -> Problem:
    named = [
        Phrase(
            gettext_noop("%(ref)s (%(status)s, expected %(at)s)"),
            ref=other.reference,
            status=other.get_status_display,
            at=_local_later(other.expected_arrival, gate),
        )
        for other in others
    ]
    return Problem(
        "plate_shared",
        Phrase(
            gettext_noop(
                "Other trips with this plate: %(trips)s. Scan the receipt or type the reference "
                "to act on one of them."
            ),
            trips=lambda: join_words(said(other) for other in named),
        ),
        False,
    )


def _at_gate_by_id(gate: int):
    return (
        Trip.objects.select_related("gate", "organisation")
        .filter(trips.DECLARED, gate_id=gate)
        .order_by("pk")
    )


def _locked_at_gate(gate: int):
    """``at_gate``, its trip's row locked: what check-in and exit act on.

    Not joined with the visit: a booth that waited for another's lock gets the trip row as
    the other left it, but PostgreSQL does not read an outer-joined row again, so the visit
    the other just made would be missing. The visit is read after the lock, when needed.
    """
    return lock_rows(_at_gate_by_id(gate))


def _at_gate_lookups(lookup: str, kind: type) -> tuple[Prepared, Prepared]:
    """A trip of a gate found by ``lookup``: as it is, and read under its row lock."""

    def by(rows):
        return lambda gate, value: rows(gate).filter(**{lookup: value})[:1]

    return (
        Prepared(by(_at_gate_by_id), gate=int, value=kind),
        Prepared(by(_locked_at_gate), gate=int, value=kind),
    )


# The lookups of every look-up, check-in and exit, compiled once per process (``Prepared``).
_BY_RECEIPT, _LOCKED_BY_RECEIPT = _at_gate_lookups("receipts__number", str)
_BY_REFERENCE, _LOCKED_BY_REFERENCE = _at_gate_lookups("reference", str)
_LOCKED_BY_PK = _at_gate_lookups("pk", int)[1]
_LANE = Prepared(
    lambda gate, code: Lane.objects.filter(gate_id=gate, code=code).order_by("pk")[:1],
    gate=int,
    code=str,
)


_VISIT_OF = Prepared(
    lambda trip: Visit.objects.select_related("entry_lane").filter(trip_id=trip), trip=int
)


def _visit_read_with(trip: Trip) -> Visit | None:
    """The trip's visit when it came with the trip's own statement (a scanned receipt's,
    ``receipts.receipt_with_trip``), else None: read it then."""
    return Trip._meta.get_field("visit").get_cached_value(trip, default=None)


def models_q_plate(key: str):
    from django.db.models import Q

    return Q(tractor_plate_key=key) | Q(trailer_plate_key=key)


def _cargo_with_history_stamps(trip: int):
    from cuakhau.risk import history

    # Each line with its subheading's price-history stamp: the risk assessment then reads the
    # history only when it changed since this process last did.
    return (
        CargoLine.objects.filter(trip_id=trip)
        .annotate(history_stamp=history.stamp_of_line())
        .order_by("line_no")
    )


_CARGO = Prepared(_cargo_with_history_stamps, trip=int)


def cargo_of(trip: Trip) -> list:
    """The trip's cargo lines, read once for the market check and the risk assessment."""
    cached = getattr(trip, "_gate_cargo_lines", None)
    if cached is None:
        cached = trip._gate_cargo_lines = _CARGO.all(trip=trip.pk)
        for line in cached:
            line.trip = trip
    return cached


def _rules_in_force():
    from cuakhau.market import editions
    from cuakhau.risk.models import RuleSet

    return (
        RuleSet.objects.filter(is_active=True)
        .order_by("-version")
        .annotate(market_stamp=editions.stamp_subquery())[:1]
    )


# What a truck is checked in against, in one statement: the active risk rule set and the
# stamp of the market-access rules in force (each would otherwise be a read of its own).
_RULES_IN_FORCE = Prepared(_rules_in_force)


def _market_problems(trip: Trip, gate: Gate, ruleset) -> list[Problem]:
    """What the market-access rules in force stop at this gate; ``ruleset`` is the active risk
    rule set read with their stamp (``_RULES_IN_FORCE``), None if there is none."""
    from cuakhau.market import editions
    from cuakhau.market.services import check_trip

    # No active rule set: the risk service says why (or installs the default) at the plan.
    stamp = ruleset.market_stamp if ruleset is not None else editions.UNREAD
    return [
        Problem("market_access", finding.message)
        for finding in check_trip(trip, at_gate=gate, lines=cargo_of(trip), edition=stamp)
        if finding.blocking
    ]


def assess(text: str, gate: Gate, *, plate_seen: str = "", lock: bool = False) -> GateCheck:
    """Everything the operator must know about this truck before pressing a button.

    ``lock`` (check-in and exit, inside their transaction): the trip and its receipt are read
    under their row locks, for the action that follows.
    """
    found = _find(text, gate, lock=lock)
    trip, token, scanned = found.trip, found.token, found.receipt
    check = GateCheck(trip=trip, token=token, found_by_plate=found.by_plate)
    if trip is not None and found.others:
        check.problems.append(_plate_shared(trip, found.others, gate))
    if trip is None:
        number = receipts._unverified_number(token) if token else receipts.typed_number(text)
        if number:
            # A receipt code is named by the number it claims, never by its text.
            found = Phrase(
                gettext_noop("No trip of this gate found for receipt %(number)s."), number=number
            )
        elif token:
            found = Phrase(gettext_noop("This code is not a receipt of this system."))
        elif references.is_valid_reference(text) or _is_plate(text):
            what = _REFERENCE if references.is_valid_reference(text) else _PLATE
            found = Phrase(
                gettext_noop("No trip of this gate found for this %(what)s: %(text)s"),
                what=what,
                text=shown(text),
            )
        else:  # another system's QR code, a URL, a typing slip
            found = Phrase(
                gettext_noop(
                    "This is no trip reference, plate or receipt of this system: %(text)s"
                ),
                text=shown(text),
            )
        check.problems.append(Problem("not_found", found))
        if token:
            # What the signed receipt itself says (its gate, its signature) is no secret of
            # anyone's: the driver holds it.
            check.problems.extend(_receipt_problems(token, gate))
        return check
    status = trip.status
    # A truck rejected inside the gate is sent back: the gate's one action left is to let it
    # out (read only for a rejected trip: the normal check-in and exit read no visit here).
    turning_back = status == S.REJECTED and trips.is_inside(trip)
    if turning_back:
        check.rejected_at, message = _rejected_inside(trip, gate)
        check.problems.append(Problem("rejected_inside", message, False))
    elif status in (S.CANCELLED, S.REJECTED):
        check.problems.append(
            Problem(
                "cancelled",
                Phrase(
                    gettext_noop("Trip %(ref)s is %(status)s."),
                    ref=trip.reference,
                    status=mid_sentence(trip.get_status_display),
                ),
            )
        )
    elif status == S.SUBMITTED:
        assessment = current_assessment(trip)
        due = assessment.total_vnd if assessment else 0
        check.problems.append(
            Problem(
                "unpaid",
                Phrase(
                    gettext_noop("Fees not paid: %(due)s VND due."),
                    due=lambda: formats.number_format(due, force_grouping=True),
                ),
            )
        )
    elif status == S.EXITED:
        check.problems.append(
            Problem(
                "exited",
                Phrase(
                    gettext_noop("Already exited at %(at)s."),
                    at=_local_later(trip.visit.exited_at, gate),
                ),
            )
        )
    if turning_back:
        pass  # it leaves whatever its receipt says: the receipt is not what lets it out
    elif token:
        check.receipt = scanned or receipts.receipt_numbered(
            receipts._unverified_number(token), lock=lock
        )
        if check.receipt is not None and check.receipt.trip_id == trip.pk:
            check.receipt.trip = trip
        check.problems.extend(_receipt_problems(token, gate, receipt=check.receipt))
    elif status in (S.PAID, S.ARRIVED, S.CLEARED):
        receipt = check.receipt = receipts.valid_receipt_of(trip, lock=lock)
        if receipt is None:
            check.problems.append(
                Problem("no_receipt", Phrase(gettext_noop("No valid receipt for this trip.")))
            )
        else:
            receipt.trip = trip
            # Found by reference or plate, the trip's receipt must still verify: one signed by
            # a key since compromised lets no truck in (its replacement does).
            result, _receipt = receipts.verify_receipt(
                receipt.token, receipt.gate.code, receipt=receipt
            )
            if result.status not in ("valid", "already_used"):
                check.problems.append(
                    Problem(
                        f"receipt_{result.status}",
                        Phrase(
                            gettext_noop("Receipt %(number)s is not accepted: %(why)s"),
                            number=receipt.number,
                            why=_reasons_of(result),
                        ),
                    )
                )
    if plate_seen:
        seen = normalise_plate(plate_seen)
        if seen and seen not in (trip.tractor_plate_key, trip.trailer_plate_key):
            check.problems.append(
                Problem(
                    "plate_mismatch",
                    Phrase(
                        gettext_noop(
                            "Plate %(seen)s does not match the declaration (%(declared)s)."
                        ),
                        seen=plate_seen,
                        declared=trip.tractor_plate,
                    ),
                )
            )
    if status == S.PAID:
        check.ruleset = _RULES_IN_FORCE.first()
        check.problems.extend(_market_problems(trip, gate, check.ruleset))
        check.action = "check_in"
    elif status == S.ARRIVED:
        missing = inspections.outstanding(trip)
        done = inspections.latest(trip)
        failed = [a for a in missing if a in done and done[a].result == inspections.Result.FAIL]
        waiting = [a for a in missing if a not in failed]
        parts = [
            Phrase(
                gettext_noop("Inside since %(at)s"), at=_local_later(trip.visit.arrived_at, gate)
            )
        ]
        if failed:
            # Not "waiting": the truck failed an inspection and is not to be let through.
            parts.append(
                Phrase(gettext_noop("failed the inspection of: %(what)s"), what=_agencies(failed))
            )
        if waiting:
            parts.append(Phrase(gettext_noop("waiting for: %(what)s"), what=_agencies(waiting)))
        check.problems.append(
            Problem(
                "inspection_failed" if failed else "inside",
                Phrase("%(parts)s.", parts=lambda: join_clauses(said(part) for part in parts)),
            )
        )
    elif status == S.CLEARED:
        check.action = "exit"
    elif turning_back:
        check.action = "turn_back"
    return check


def _rejected_inside(trip: Trip, gate: Gate) -> tuple[dt.datetime, str]:
    """When the truck inside was rejected, and the console's sentence saying so and why."""
    rejection = (
        trip.transitions.filter(action="reject").order_by("-at", "-id").values_list("at", "reason")
    )
    at, reason = next(iter(rejection[:1]), (trip.visit.arrived_at, ""))
    return at, Phrase(
        gettext_noop(
            "Rejected while inside the gate (since %(at)s): %(reason)s. Turn the truck back: let"
            " it out the way it came."
        ),
        at=_local_later(at, gate),
        reason=reason,  # as the officer typed it
    )


@dataclass(frozen=True)
class ChannelShown:
    """A risk channel as the console shows it: its label, never its code (``code`` is for
    the badge's style), and the labels of its reasons for a reader allowed to know them."""

    code: str
    label: str
    reasons: list[str] = field(default_factory=list)


def channel_shown(assessment, reader) -> ChannelShown | None:
    """The assessment's channel in the reader's language, or None without one.

    The reasons are named by their rule's kind ("Undervaluation", "Random selection"), each
    once, and only to a reader who may read an assessment's reasons (customs): a gate
    operator sees the channel, never why, as at every other place that shows it."""
    from cuakhau.risk import services as risk
    from cuakhau.risk.choices import RiskChannel, RuleKind

    if assessment is None:
        return None
    labels = dict(RiskChannel.choices)
    reasons: list[str] = []
    if risk.can_view_reasons(reader):
        kinds = {**dict(RuleKind.choices), "previous_channel": _PREVIOUS_CHANNEL}
        for reason in assessment.reasons or []:
            kind = reason.get("kind") if isinstance(reason, dict) else None
            # A kind no enumeration knows (a row of an older version) is left out, not shown
            # as its code.
            text = str(kinds[kind]) if kind in kinds else None
            if text and text not in reasons:
                reasons.append(text)
    return ChannelShown(
        code=assessment.channel,
        label=str(labels.get(assessment.channel, "")),
        reasons=reasons,
    )


# The reason an assessment keeps the higher channel an earlier one gave (``risk.services``).
_PREVIOUS_CHANNEL = gettext_lazy("Channel kept from the earlier assessment")


def _receipt_problems(token: str, gate: Gate, **known) -> list[Problem]:
    from django.utils.text import capfirst

    result, _receipt = receipts.verify_receipt(token, gate.code, **known)
    if result.status in ("valid", "already_used"):
        return []
    why = _reasons_of(result)
    # The number the code claims, even unverified, says which receipt the driver holds; a code
    # without one is no receipt of this system, and its reasons say so.
    number = receipts._unverified_number(token)
    if isinstance(number, str) and number:
        message = Phrase(
            gettext_noop("Receipt %(number)s is not accepted: %(why)s"),
            number=shown(number, 24),
            why=why,
        )
    else:
        message = Phrase("%(why)s", why=lambda: capfirst(why()))
    return [Problem(f"receipt_{result.status}", message)]


# How far a queued event's clock may disagree with what the server recorded before it is
# taken for a wrong clock and refused.
EVENT_CLOCK_SKEW = dt.timedelta(hours=1)


def _reasons_of(result):
    """A verification's reasons as one ``Phrase`` value, separated as each language does."""
    reasons = list(result.reasons)
    return lambda: join_clauses(said(reason) for reason in reasons)


def _agencies(agencies):
    """Agencies named as a ``Phrase`` value, in each language's way of listing."""
    return lambda: join_words(inspections.Agency(a).label for a in agencies)


# "reference" or "plate", in a sentence saying what was typed.
_REFERENCE = gettext_lazy("reference")
_PLATE = gettext_lazy("plate")


def _local_later(moment, gate: Gate):
    """``_local`` as a ``Phrase`` value: the time as each language writes it."""
    return lambda: _local(moment, gate)


def _local(moment, gate: Gate) -> str:
    """A time in the console's words: on the gate's clock (the server's zone is not the gate's),
    with its date, as the reader's language writes it everywhere else (a fixed "05/12 05:25"
    read as 12 May in English and was no Chinese date at all)."""
    return receipts.at_gate(moment, gate) if moment else "?"


def lane_named(gate: Gate, code: str | None) -> Lane | None:
    """The gate's lane of this code, or None: a code longer than any or with a control
    character names none (PostgreSQL refuses a NUL in a query rather than finding nothing)."""
    if not _could_name_a_lane(code):
        return None
    return _LANE.first(gate=gate.pk, code=code)


def _could_name_a_lane(code: str | None) -> bool:
    return bool(code) and len(code) <= Lane._meta.get_field("code").max_length and _is_text(code)


def _lane(gate: Gate, code: str | None) -> Lane | None:
    if not code:
        return None
    lane = lane_named(gate, code)
    if lane is None:
        raise FieldErrors(
            {"lane": [Phrase(gettext_noop("No lane %(code)s at this gate."), code=shown(code, 8))]}
        )
    if not lane.is_open:
        raise FieldErrors({"lane": [Phrase(gettext_noop("Lane %(code)s is closed."), code=code)]})
    return lane


def _field_places(name: str) -> int:
    return WeighbridgeReading._meta.get_field(name).decimal_places


# The weights a weighbridge can read of a road vehicle, in kg (the console's script checks a
# weight typed offline against them too: ``weight_rules``).
WEIGHT_LIMITS = {"gross_kg": (500, trips.MAX_VEHICLE_GROSS_KG), "tare_kg": (500, 40000)}


def weight_out_of_range(name: str) -> str:
    _low, high = WEIGHT_LIMITS[name]  # every weight's least is 500 kg, as the message says
    return Phrase(
        gettext_noop("Between 500 and %(high)s kg."),
        high=lambda: formats.number_format(high, force_grouping=True),
    )


def _checked_weights(gross, tare, errors: dict) -> tuple[Decimal | None, Decimal | None]:
    """The weighbridge's total and the vehicle's tare, both in kg, checked for sense. Each
    refusal is added to ``errors`` rather than raised: both weights are checked, so one answer
    names every wrong one (the tare's refusal came only on the next try once the reading was
    put right). A field already in ``errors`` (its text could not be read as a number) is not
    checked again."""
    values: dict[str, Decimal | None] = {}
    for name, value in (("gross_kg", gross), ("tare_kg", tare)):
        values[name] = None
        if value in (None, "") or name in errors:
            continue
        try:
            # As the column stores it (one decimal): a reading is refused, never rounded.
            kg = check_number(value, WeighbridgeReading, name)
        except ValidationError as exc:
            errors[name] = phrases_of(exc)
            continue
        low, high = WEIGHT_LIMITS[name]
        if not Decimal(low) <= kg <= Decimal(high):
            errors[name] = [weight_out_of_range(name)]
            continue
        # In the stored form ("41972.0", whether typed "41972" or "41972.000"): the answer
        # says what was kept.
        values[name] = kg.quantize(Decimal(1).scaleb(-_field_places(name)))
    gross_kg, tare_kg = values["gross_kg"], values["tare_kg"]
    if tare not in (None, "") and gross in (None, "") and "gross_kg" not in errors:
        errors["gross_kg"] = [Phrase(gettext_noop("Enter the weighbridge reading too."))]
    elif tare_kg is not None and gross_kg is not None and tare_kg >= gross_kg:
        errors["tare_kg"] = [
            Phrase(gettext_noop("The tare must be below the weighbridge reading."))
        ]
    return gross_kg, tare_kg


def _collect(errors: dict, check, *args):
    """``check(*args)``, or None with its refusal kept in ``errors``: an entry's fields are all
    checked before any is refused, so one answer names each wrong one."""
    try:
        return check(*args)
    except FieldErrors as exc:
        errors.update(exc.errors)
        return None


def _entry_of(gate: Gate, lane, yard_position, gross_kg, tare_kg, errors: dict) -> _Entry:
    """A check-in's fields as stored, each refusal kept in ``errors`` (a field already there,
    refused by the caller, is not checked again)."""
    return _Entry(
        lane=None if "lane" in errors else _collect(errors, _lane, gate, lane),
        yard_position=(
            "" if "yard_position" in errors else _collect(errors, _yard_position, yard_position)
        ),
        weights=_checked_weights(gross_kg, tare_kg, errors),
        at=None,
        device_clock=False,
    )


def check_in_errors(
    gate: Gate, *, lane=None, yard_position="", gross_kg=None, tare_kg=None, refused=()
) -> dict[str, list[str]]:
    """What ``check_in`` would refuse in its fields, all at once (``refused``: fields refused
    already, not checked again nor said again); writes nothing."""
    errors = dict.fromkeys(refused, [])
    _entry_of(gate, lane, yard_position or "", gross_kg, tare_kg, errors)
    return {path: messages for path, messages in errors.items() if messages}


@retry_on_conflict
def check_in(
    operator,
    gate: Gate,
    text: str,
    *,
    lane: str | None = None,
    yard_position: str = "",
    plate_seen: str = "",
    gross_kg=None,
    tare_kg=None,
    at: dt.datetime | None = None,
    context: RequestContext = SYSTEM,
    device_clock: bool = False,
    refused: dict[str, list[str]] | None = None,
) -> Visit:
    """Check a paid truck in: visit, weighing, risk channel, green-channel release.

    Every field entered is checked before any is refused: one FieldErrors names each wrong
    one, with ``refused``, the fields the caller could not read (the console's typed numbers).

    ``device_clock``: ``at`` comes from a queued device event, whose clock may be wrong: a
    moment hours before the fees were paid is refused (a person backdating a check-in names
    the time they mean).

    Everything the check-in decides on is read first, outside its transaction: on SQLite the
    transaction holds the database's one write lock, so other booths wait only for the few
    writes. Those writes go ahead only if the trip (and its current risk assessment) are still
    as read; else the check-in is done again, reading under the lock.
    """
    if not trips.works_at(operator, gate) or not operator.has_perm("trips.operate_gate"):
        raise trips.TripPermissionDenied(
            Phrase(gettext_noop("Only a gate operator of this gate checks trucks in."))
        )
    errors = dict(refused or {})
    entry = _entry_of(gate, lane, yard_position, gross_kg, tare_kg, errors)
    entry = dataclasses.replace(entry, at=at, device_clock=device_clock)
    if errors:
        raise FieldErrors(errors)
    try:
        return _check_in(operator, gate, text, entry, plate_seen, context, lock=False)
    except ChangedMeanwhile:
        return _check_in(operator, gate, text, entry, plate_seen, context, lock=True)


def _yard_position(text) -> str:
    # Checked as every stored text is (never cut short): the booth's field, the API and a
    # tablet's queued event alike.
    try:
        return check_text(text, Visit, "yard_position")
    except ValidationError as exc:
        raise FieldErrors({"yard_position": phrases_of(exc)}) from None


@dataclass(frozen=True)
class _Entry:
    """What the operator entered at check-in, checked."""

    lane: Lane | None
    yard_position: str
    weights: tuple[Decimal | None, Decimal | None]
    at: dt.datetime | None
    device_clock: bool = False


def _check_in(operator, gate, text, entry: _Entry, plate_seen, context, *, lock: bool) -> Visit:
    from cuakhau.risk import services as risk

    with transaction.atomic() if lock else contextlib.nullcontext():
        check = assess(text, gate, plate_seen=plate_seen, lock=lock)
        if check.blocking or check.action != "check_in":
            raise GateRefused(
                check.blocking
                or [Problem("no_action", Phrase(gettext_noop("Nothing to check in.")))]
            )
        trip = check.trip
        receipt = check.receipt
        if (
            entry.device_clock
            and entry.at is not None
            and receipt is not None
            and entry.at < receipt.issued_at - EVENT_CLOCK_SKEW
        ):
            # A queued event with a wrong clock: a truck cannot arrive on fees paid hours
            # later. (Within the skew: a tablet's clock, a transfer confirmed late.)
            raise GateRefused(
                [
                    Problem(
                        "before_payment",
                        Phrase(
                            gettext_noop(
                                "The check-in time %(at)s is before the fees were paid (%(paid)s)."
                            ),
                            at=_local_later(entry.at, gate),
                            paid=_local_later(receipt.issued_at, gate),
                        ),
                    )
                ]
            )
        gross, tare = entry.weights
        cargo_kg = None if tare is None else gross - tare
        assessment = risk.plan(trip, cargo_of(trip), weighbridge_kg=cargo_kg, ruleset=check.ruleset)
        arrived_at = entry.at or timezone.now()
        with transaction.atomic():
            # First: the trip's row, written only if still as read, and locked from here on.
            trips.gate_transition(
                trip,
                "check_in",
                operator,
                context,
                unchanged_since=None if lock else trip.updated_at,
                at=arrived_at,
            )
            visit = insert(
                Visit(
                    trip=trip,
                    gate=gate,
                    entry_lane=entry.lane,
                    yard_position=entry.yard_position,
                    arrived_at=arrived_at,
                    checked_in_by=operator,
                )
            )
            if gross is not None:
                insert(
                    WeighbridgeReading(
                        trip=trip,
                        gate=gate,
                        gross_kg=gross,
                        tare_kg=tare,
                        measured_at=arrived_at,
                        source="manual",
                        recorded_by=operator,
                    )
                )
            risk.record(assessment)
            # Only a green channel is released; others wait for their officers.
            inspections.release_green_channel(trip, assessment.channel)
    # The channel just given, for the console's card: no need to read it back.
    visit.assessment = assessment
    return visit


@retry_on_conflict
def exit_truck(
    operator,
    gate: Gate,
    text: str,
    *,
    lane: str | None = None,
    at: dt.datetime | None = None,
    context: RequestContext = SYSTEM,
    plate_seen: str = "",
) -> Visit:
    """Let a cleared truck out; its receipt is used here, once. A plate read or typed at the
    lane must be the declared one, as at check-in (another truck must not leave on this
    receipt). A truck rejected inside the gate is turned back (``turn_back``).

    A refused exit changes nothing, but the refusal itself is kept for reconciliation and
    audit: it is written after the exit was rolled back. A caller that rolls back its own
    transaction around this call (a device event's savepoint) calls ``refused.keep()`` again
    once it has: the record is written once, whoever rolled back what.
    """
    return _out(operator, gate, text, lane, at, context, plate_seen, ("exit", "turn_back"))


@retry_on_conflict
def turn_back(
    operator,
    gate: Gate,
    text: str,
    *,
    lane: str | None = None,
    at: dt.datetime | None = None,
    context: RequestContext = SYSTEM,
    plate_seen: str = "",
) -> Visit:
    """Let a truck rejected inside the gate out the way it came: its visit closes, the trip
    stays rejected and its turning back is recorded (who, when). Its receipt, if still
    valid, is used up by this exit: the truck used the gate, its fees are not refunded.
    ``exit_truck`` does the same for such a truck (a device's queued exit, the API)."""
    return _out(operator, gate, text, lane, at, context, plate_seen, ("turn_back",))


def _out(operator, gate, text, lane, at, context, plate_seen, actions) -> Visit:
    if not trips.works_at(operator, gate) or not operator.has_perm("trips.operate_gate"):
        raise trips.TripPermissionDenied(
            Phrase(gettext_noop("Only a gate operator of this gate lets trucks out."))
        )
    try:
        # As the check-in: read first, write in a short transaction if nothing changed meanwhile.
        try:
            return _let_out(
                operator, gate, text, lane=lane, at=at, context=context, lock=False,
                seen=plate_seen, actions=actions,
            )  # fmt: skip
        except ChangedMeanwhile:
            return _let_out(
                operator, gate, text, lane=lane, at=at, context=context, lock=True,
                seen=plate_seen, actions=actions,
            )  # fmt: skip
    except GateRefused as refused:
        refused.keep = _ExitRefusal(operator, gate, text, refused.problems, at)
        refused.keep()
        raise


# What a receipt problem at exit means as a recorded use of the receipt.
_OUTCOME_OF_PROBLEM = {
    "receipt_revoked": UseOutcome.REVOKED,
    "receipt_wrong_gate": UseOutcome.WRONG_GATE,
    "receipt_already_used": UseOutcome.ALREADY_USED,
    "receipt_invalid": UseOutcome.INVALID,
    "receipt_forged": UseOutcome.INVALID,
    "receipt_malformed": UseOutcome.INVALID,
    "receipt_unknown_key": UseOutcome.INVALID,
    "no_receipt": UseOutcome.INVALID,
    "not_found": UseOutcome.INVALID,
}


class _ExitRefusal:
    """Writes one refused exit as a ``ReceiptUse``; calling it again after a rollback that
    took the record away writes it again, otherwise nothing."""

    def __init__(self, operator, gate: Gate, text: str, problems: list[Problem], at):
        self.operator, self.gate, self.text, self.problems = operator, gate, text, problems
        self.at = at or timezone.now()
        self.pk = None

    def __call__(self):
        if self.pk is not None and receipts.ReceiptUse.objects.filter(pk=self.pk).exists():
            return
        trip, token = find(self.text, self.gate)
        number = receipts._unverified_number(token) if token else None
        receipt = receipts.Receipt.objects.filter(number=number).first() if number else None
        if receipt is None and trip is not None:
            # Its valid receipt, else the last one it had (revoked): the money it stands for.
            receipt = (
                receipts.valid_receipt_of(trip) or trip.receipts.order_by("-issued_at").first()
            )
        codes = [p.code for p in self.problems]
        outcome = next(
            (_OUTCOME_OF_PROBLEM[c] for c in codes if c in _OUTCOME_OF_PROBLEM),
            UseOutcome.REFUSED,
        )
        if receipt is not None and receipt.gate_id != self.gate.pk:
            outcome = UseOutcome.WRONG_GATE
        elif outcome == UseOutcome.REFUSED and receipt is not None and receipt.used_at:
            outcome = UseOutcome.ALREADY_USED  # a receipt presented again after its exit
        prefix = f"{trip.reference}: " if trip is not None else f"{self._scan_named(number)}: "
        problems = self.problems
        # The problems as the operator read them, written in every language for whoever reads
        # the record later (``core.phrases``); their codes are the outcome's.
        use = receipts.with_detail(
            receipts.ReceiptUse(
                receipt=receipt,
                number=(receipt.number if receipt else number or "")[:24],
                gate=self.gate,
                at=self.at,
                actor=self.operator,
                outcome=outcome,
            ),
            lambda: prefix + as_sentences(said(p.message) for p in problems),
        )
        with transaction.atomic():
            use.save(force_insert=True)
        self.pk = use.pk

    def _scan_named(self, number: str | None) -> str:
        """What was scanned, for a refusal that found no trip: a receipt's code by the number
        it claims (read from its payload, trusted for nothing else), never by the start of its
        signed text (40 characters of base64 named nothing in the reconciliation); anything
        else as typed, cut short."""
        if isinstance(number, str) and number:
            return shown(number, 24)
        return shown(self.text.strip(), 24)


def _let_out(
    operator,
    gate: Gate,
    text: str,
    *,
    lane,
    at,
    context,
    lock: bool,
    seen: str = "",
    actions=("exit",),
) -> Visit:
    with transaction.atomic() if lock else contextlib.nullcontext():
        exit_lane = _lane(gate, lane)
        check = assess(text, gate, plate_seen=seen, lock=lock)
        if not check.blocking and check.action == "turn_back" and "turn_back" in actions:
            return _turn_back(operator, gate, check, exit_lane, at, context, lock=lock)
        if check.blocking or check.action != "exit" or "exit" not in actions:
            raise GateRefused(
                check.blocking
                or [Problem("not_cleared", Phrase(gettext_noop("Not cleared for exit.")))]
            )
        trip = check.trip
        token = check.token or check.receipt.token
        use = receipts.judge_at_exit(token, gate, operator, receipt=check.receipt)
        if use.outcome != UseOutcome.USED:
            raise GateRefused(
                [
                    Problem(
                        f"receipt_{use.outcome}",
                        Phrase(
                            gettext_noop("Receipt refused at exit: %(why)s"),
                            why=use.get_outcome_display,
                        ),
                    )
                ]
            )
        visit = _visit_read_with(trip) or _VISIT_OF.first(trip=trip.pk)
        if at is not None and at < visit.arrived_at - EVENT_CLOCK_SKEW:
            # A queued event with a wrong clock: a stay of minus two weeks would enter every
            # clearance figure. (Within the skew, the exit is taken at the arrival.)
            raise GateRefused(
                [
                    Problem(
                        "before_arrival",
                        Phrase(
                            gettext_noop(
                                "The exit time %(at)s is before the truck arrived (%(arrived)s)."
                            ),
                            at=_local_later(at, gate),
                            arrived=_local_later(visit.arrived_at, gate),
                        ),
                    )
                ]
            )
        if at is not None and visit.cleared_at and at < visit.cleared_at - EVENT_CLOCK_SKEW:
            # Nor leave before its officers cleared it: the stay after clearance would be
            # negative in every figure.
            raise GateRefused(
                [
                    Problem(
                        "before_clearance",
                        Phrase(
                            gettext_noop(
                                "The exit time %(at)s is before the truck was cleared (%(cleared)s)."
                            ),
                            at=_local_later(at, gate),
                            cleared=_local_later(visit.cleared_at, gate),
                        ),
                    )
                ]
            )
        trip.visit = visit
        if at is not None:
            at = max(at, visit.arrived_at, visit.cleared_at or visit.arrived_at)
            # The receipt was used when the truck crossed, as a turned-back truck's is: a
            # queued exit's use timed at its delivery put the crossing on the day the tablet's
            # network came back in the reconciliation, its visit on the day it left.
            use.at = at
        if visit.gate_id == gate.pk:
            visit.gate = gate  # the row in hand, for whoever reads the visit next
        with transaction.atomic():
            # First: the trip's row, written only if still as read, and locked from here on.
            trips.gate_transition(
                trip, "exit", operator, context,
                unchanged_since=None if lock else trip.updated_at, at=at,
            )  # fmt: skip
            receipts.record_use(use, as_read=not lock)
            visit.exited_at = at or use.at
            visit.exit_lane = exit_lane
            visit.exited_by = operator
            save_fields(visit, ("exited_at", "exit_lane", "exited_by"))
    return visit


_TURNED_BACK = gettext_lazy("turned back after its rejection: its fees are not refunded")


def _turn_back(operator, gate: Gate, check: GateCheck, exit_lane, at, context, *, lock) -> Visit:
    trip = check.trip
    visit = trip.visit  # read by ``assess`` (``trips.is_inside``)
    if at is not None and at < visit.arrived_at - EVENT_CLOCK_SKEW:
        raise GateRefused(
            [
                Problem(
                    "before_arrival",
                    Phrase(
                        gettext_noop(
                            "The exit time %(at)s is before the truck arrived (%(arrived)s)."
                        ),
                        at=_local_later(at, gate),
                        arrived=_local_later(visit.arrived_at, gate),
                    ),
                )
            ]
        )
    rejected_at = check.rejected_at or visit.arrived_at
    if at is not None and at < rejected_at - EVENT_CLOCK_SKEW:
        # Nor leave before it was rejected: until then it was waiting for its officers, and a
        # queued exit from before is some other exit (as ``_let_out``'s before its clearance).
        raise GateRefused(
            [
                Problem(
                    "before_rejection",
                    Phrase(
                        gettext_noop(
                            "The exit time %(at)s is before the truck was rejected (%(rejected)s)."
                        ),
                        at=_local_later(at, gate),
                        rejected=_local_later(rejected_at, gate),
                    ),
                )
            ]
        )
    left_at = max(at, visit.arrived_at, rejected_at) if at is not None else timezone.now()
    receipt = receipts.valid_receipt_of(trip, lock=lock)
    with transaction.atomic():
        trips.gate_transition(
            trip, "turn_back", operator, context,
            unchanged_since=None if lock else trip.updated_at, at=at and left_at,
        )  # fmt: skip
        if receipt is not None and receipt.used_at is None:
            # The exit it was paid for, although not the one planned: the reconciliation
            # counts the truck's crossing back, and the receipt lets no other truck out.
            use = receipts.with_detail(
                receipts.ReceiptUse(
                    receipt=receipt,
                    number=receipt.number,
                    gate=gate,
                    at=left_at,
                    actor=operator,
                    outcome=UseOutcome.USED,
                ),
                _TURNED_BACK,
            )
            receipts.record_use(use, as_read=not lock)
        visit.exited_at, visit.exit_lane, visit.exited_by = left_at, exit_lane, operator
        save_fields(visit, ("exited_at", "exit_lane", "exited_by"))
    return visit


@retry_on_conflict
@transaction.atomic
def weighing_errors(
    gate: Gate, scan, *, gross_kg=None, tare_kg=None, refused=()
) -> dict[str, list[str]]:
    """What ``weigh`` would refuse in its fields, all at once (``refused``: fields refused
    already, not checked again nor said again); writes nothing."""
    errors = dict.fromkeys(refused, [])
    _weighing_of(gate, scan, gross_kg, tare_kg, errors)
    return {path: messages for path, messages in errors.items() if messages}


def _weighing_of(gate: Gate, scan, gross_kg, tare_kg, errors: dict):
    """(trip, gross, tare) of a reading named by a scan, each refusal kept in ``errors``: a
    scan that finds no truck no longer hid a tare above the gross until the next try."""
    trip = None
    if "scan" not in errors:
        trip, _token = find(scan or "", gate)
        if trip is None:
            errors["scan"] = [
                Phrase(gettext_noop("No trip found for %(text)s"), text=shown(scan or "", 40))
            ]
    return (trip, *_reading_of(gate, trip, gross_kg, tare_kg, errors))


def _reading_of(gate: Gate, trip: Trip | None, gross_kg, tare_kg, errors: dict):
    """(gross, tare) of a reading of ``trip`` (None: no truck found), each refusal kept in
    ``errors``."""
    # A truck in the wrong state is no field's error (the scan found it): ``record_weighing``
    # refuses it as the gate's other state refusals are, a 409 with its problem.
    kg, tare = _checked_weights(gross_kg, tare_kg, errors)
    if kg is None and "gross_kg" not in errors:
        errors["gross_kg"] = [Phrase(gettext_noop("Enter the weight in kilograms."))]
    return kg, tare


def weigh(actor, gate: Gate, scan: str, gross_kg, **kwargs) -> WeighbridgeReading:
    """``record_weighing`` of the truck a scan names (the API's and a weighbridge's queued
    reading): the scan and both weights refused together, never one per try."""
    errors: dict[str, list[str]] = {}
    trip, _kg, _tare = _weighing_of(gate, scan, gross_kg, kwargs.get("tare_kg"), errors)
    if errors:
        raise FieldErrors(errors)
    return record_weighing(actor, gate, trip, gross_kg, **kwargs)


def record_weighing(
    actor,
    gate: Gate,
    trip: Trip,
    gross_kg,
    *,
    tare_kg=None,
    at=None,
    source="manual",
    device_id="",
    device: Device | None = None,
) -> WeighbridgeReading:
    errors: dict[str, list[str]] = {}
    kg, tare = _reading_of(gate, trip, gross_kg, tare_kg, errors)
    if errors:
        raise FieldErrors(errors)
    at = not_ahead(at)
    # Only a reading of a truck inside and not yet cleared can raise its channel (``assess``
    # at check-in reads the weights it is given, no reading before): any other would be kept
    # and count for nothing.
    if trip.gate_id != gate.pk or trip.status not in (S.PAID, S.ARRIVED, S.CLEARED):
        where = (
            Phrase(gettext_noop("Trip %(ref)s is declared for another gate."), ref=trip.reference)
            if trip.gate_id != gate.pk
            else Phrase(
                gettext_noop("This truck is not inside the gate: trip %(ref)s is %(status)s."),
                ref=trip.reference,
                status=mid_sentence(trip.get_status_display),
            )
        )
        raise GateRefused([Problem("not_inside", where)])
    if trip.status == S.PAID:
        raise GateRefused(
            [
                Problem(
                    "not_checked_in",
                    Phrase(
                        gettext_noop(
                            "This truck is not checked in yet: weigh it at its check-in, which"
                            " takes the gross and tare weights."
                        )
                    ),
                )
            ]
        )
    if trip.status == S.CLEARED:
        raise GateRefused(
            [
                Problem(
                    "already_cleared",
                    Phrase(
                        gettext_noop(
                            "This truck is already cleared: a weighing now would change nothing."
                            " Weigh it before its officers clear it."
                        )
                    ),
                )
            ]
        )
    # Another truck's load or a device's wrong clock: a reading from before this truck came in
    # would still raise its channel. (A reading within the skew of now is after any arrival:
    # its visit is read only for an older one.)
    earlier = at is not None and at < timezone.now() - EVENT_CLOCK_SKEW
    arrived_at = trip.visit.arrived_at if earlier else None
    if earlier and at < arrived_at - EVENT_CLOCK_SKEW:
        raise GateRefused(
            [
                Problem(
                    "before_arrival",
                    Phrase(
                        gettext_noop(
                            "The weighing time %(at)s is before the truck arrived (%(arrived)s)."
                        ),
                        at=_local_later(at, gate),
                        arrived=_local_later(arrived_at, gate),
                    ),
                )
            ]
        )
    reading = WeighbridgeReading.objects.create(
        trip=trip,
        gate=gate,
        gross_kg=kg,
        tare_kg=tare,
        measured_at=at or timezone.now(),
        source="device" if device else source,
        device_id=device.name if device else device_id,
        gate_device=device,
        recorded_by=actor,
    )
    if trip.status == S.ARRIVED and reading.cargo_kg is not None:
        from cuakhau.risk import services as risk

        # A load far from the declaration raises the channel.
        risk.assess(trip, weighbridge_kg=reading.cargo_kg)
    return reading


def plate_read_errors(
    gate: Gate, plate, *, lane=None, device: Device | None = None, refused=()
) -> dict[str, list[str]]:
    """What ``record_plate_read`` would refuse in its fields, all at once (``refused``: fields
    refused already, not checked again nor said again); writes nothing."""
    errors = dict.fromkeys(refused, [])
    _plate_read_of(gate, plate, lane, device, errors)
    return {path: messages for path, messages in errors.items() if messages}


def _plate_read_of(gate: Gate, plate_text, lane, device, errors: dict):
    """(plate as stored, its key, lane) of a camera's read, each refusal kept in ``errors``: a
    misread plate no longer hid a lane the camera may not report for."""
    text = key = None
    if "plate" not in errors:
        try:
            # Kept whole or refused: a queued read's scan is longer than the column, and was cut
            # to its first 20 characters (another plate, or none).
            text = check_text(plate_text or "", PlateRead, "plate_text")
        except ValidationError as exc:
            errors["plate"] = phrases_of(exc)
        else:
            key = normalise_plate(text)
            if not key:
                errors["plate"] = [Phrase(gettext_noop("Empty plate."))]
            elif not key.isalnum() or len(key) > PlateRead._meta.get_field("plate_key").max_length:
                # A misread ("!!!"): kept, it would raise a mismatch at the lane's console. (A
                # key longer than its column, "Ⅻ" read as "XII", is no plate either.)
                errors["plate"] = [
                    Phrase(
                        gettext_noop("“%(text)s” is no plate: a plate is letters and digits."),
                        text=shown(text, 20),
                    )
                ]
    found_lane = None if "lane" in errors else _collect(errors, _device_lane, device, gate, lane)
    return text, key, found_lane


def record_plate_read(
    gate: Gate,
    camera_id: str,
    plate_text: str,
    *,
    read_at=None,
    confidence=None,
    lane: str | None = None,
    device: Device | None = None,
) -> PlateRead:
    errors: dict[str, list[str]] = {}
    text, key, found_lane = _plate_read_of(gate, plate_text, lane, device, errors)
    if errors:
        raise FieldErrors(errors)
    trip, _token = find(text, gate)
    return PlateRead.objects.create(
        gate=gate,
        lane=found_lane,
        camera_id=device.name if device else camera_id,
        gate_device=device,
        plate_text=text,
        plate_key=key,
        confidence=confidence,
        # A read timed ahead would stay the lane's latest over the reads after it.
        read_at=not_ahead(read_at) or timezone.now(),
        trip=trip,
    )


def latest_plate_at_lane(
    gate: Gate, lane_code: str, within: dt.timedelta = dt.timedelta(minutes=5)
) -> PlateRead | None:
    """The lane's camera's latest read, the lane named by its code (one statement); None for
    a lane the gate does not have, never another lane's read."""
    if not _could_name_a_lane(lane_code):
        return None  # names no lane (and PostgreSQL refuses a NUL in a query)
    return (
        PlateRead.objects.filter(
            gate=gate, lane__gate=gate, lane__code=lane_code, read_at__gte=timezone.now() - within
        )
        .order_by("-read_at")
        .first()
    )


def latest_plate(
    gate: Gate, lane: Lane | None, within: dt.timedelta = dt.timedelta(minutes=5)
) -> PlateRead | None:
    qs = PlateRead.objects.filter(gate=gate, read_at__gte=timezone.now() - within)
    if lane is not None:
        qs = qs.filter(lane=lane)
    return qs.order_by("-read_at").first()


# ---------------------------------------------------------------------------------------------
# Device events (offline queue)


def not_ahead(moment: dt.datetime | None) -> dt.datetime | None:
    """A device's time as what happened: a clock a few minutes ahead (within what a device
    time may be) says a moment not come yet, and nothing happened later than its report
    reached us. Taken as sent, a check-in stood minutes in the future: its truck was cleared
    and let out before it arrived, a negative stay in every figure."""
    return None if moment is None else min(moment, timezone.now())


def _event_time(value) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
    if moment is None:
        raise FieldErrors(
            {"occurred_at": [_("Give the device time as ISO 8601 with a UTC offset.")]}
        )
    if timezone.is_naive(moment):
        raise FieldErrors({"occurred_at": [_("Give the device time with its UTC offset.")]})
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise FieldErrors(
            {"occurred_at": [_("The device time is in the future: check the device clock.")]}
        )
    return moment


# What each kind of caller may report through the event queue: a plate read comes only from a
# plate camera (a person's claim would raise false alarms on the console), a device never
# checks a truck in or out (a person answers for that).
EVENTS_OF_DEVICE = {
    DeviceKind.PLATE_CAMERA: {EventKind.PLATE_READ},
    DeviceKind.WEIGHBRIDGE: {EventKind.WEIGHBRIDGE},
    DeviceKind.TABLET: set(),
}
EVENTS_OF_PEOPLE = {EventKind.CHECK_IN, EventKind.EXIT, EventKind.WEIGHBRIDGE}


def _event_body(event: dict) -> dict:
    """What an event says besides its id and time, as a resending of it says it again: its
    texts as sent (an empty one as none) and its weights as numbers ("28500" is 28500.0)."""
    body = {}
    for key, value in event.items():
        # A payload keeps its values as text: a None the service was given reads "None".
        if key in ("client_id", "occurred_at") or value is None or str(value) in ("", "None"):
            continue
        body[key] = str(value)
        if key in ("gross_kg", "tare_kg"):
            with contextlib.suppress(ArithmeticError, ValueError):
                body[key] = Decimal(str(value))
    return body


def _delivered_again(
    stored: GateEvent,
    gate: Gate,
    *,
    device: Device | None,
    kind: str,
    occurred_at: dt.datetime,
    event: dict,
    actor=None,
) -> GateEvent:
    """An event delivered again, as first recorded. The id is the event's only when the same
    sender sends the same event again: an id first used at another gate says nothing of that
    gate's trip (an id replayed from one gate answered with another's), and another event under
    a taken id — another device's, another kind, another time, plate or weight — would be
    answered as done and dropped from its sender's queue without ever being applied."""
    same = (
        stored.gate_id == gate.pk
        and stored.gate_device_id == (device.pk if device else None)
        and stored.kind == kind
        and stored.occurred_at == occurred_at
        and _event_body(stored.payload or {}) == _event_body(event)
    ) or _queued_copy_of(stored, gate, device=device, kind=kind, event=event, actor=actor)
    if not same:
        raise FieldErrors({"client_id": [_TAKEN_ID]})
    return stored


_TAKEN_ID = gettext_lazy("This event id is already taken: the device must make a new one.")

# What marks an event as a console action done online (``done_online``).
_ONLINE = "console"


def _queued_copy_of(
    stored: GateEvent, gate: Gate, *, device: Device | None, kind: str, event: dict, actor
) -> bool:
    """Whether ``event`` is the queued copy of the console action ``stored`` recorded online:
    the same person's same action at the same gate, on the same scan. Its time is the
    tablet's, taken when the answer was lost, and its fields as the queue writes them."""
    return (
        (stored.payload or {}).get("channel") == _ONLINE
        and device is None
        and actor is not None
        and stored.actor_id == actor.pk
        and stored.gate_id == gate.pk
        and stored.kind == kind
        and stored.payload.get("scan") == str(event.get("scan") or "")
    )


def done_online(operator, gate: Gate, kind: str, text: str, action_id, act) -> tuple[Visit, bool]:
    """A console action pressed online, once: (its visit, whether it was done before).

    ``action_id``: the id the console gave this press of the button (a UUID; anything else is
    no id). The console queues the same action under the same id when its answer is lost on a
    poor network, the request having maybe reached us: sent later, that copy is the action
    done here (``_queued_copy_of``), answered as a duplicate. Made again under a new id, it
    was refused when it came (the truck was inside, or out), and a refused exit kept a
    receipt "presented again after it was used" for the reconciliation to flag. The same
    press sent twice is answered with what it did the first time.

    ``act``: the action itself, returning its visit."""
    try:
        client_id = uuid.UUID(str(action_id))
    except ValueError:
        return act(), False
    done = GateEvent.objects.filter(client_id=client_id).select_related("trip").first()
    if done is not None:
        if not _queued_copy_of(
            done, gate, device=None, kind=kind, event={"scan": text}, actor=operator
        ):
            raise FieldErrors({"client_id": [_TAKEN_ID]})
        visit = Visit.objects.get(trip=done.trip_id)
        visit.trip = done.trip
        return visit, True
    visit = act()
    with contextlib.suppress(IntegrityError), transaction.atomic():
        GateEvent.objects.create(
            client_id=client_id,
            device_id=_ONLINE,
            gate=gate,
            kind=kind,
            occurred_at=visit.exited_at if kind == EventKind.EXIT else visit.arrived_at,
            actor=operator,
            trip=visit.trip,
            payload={"scan": text, "channel": _ONLINE},
            accepted=True,
        )
    return visit, False


def check_event(
    event: dict, gate: Gate, device: Device | None = None, *, actor=None
) -> CheckedEvent:
    """The event as checked, or ``FieldErrors`` if the caller may not send it as it is: what
    a batch checks of all its events before it applies any (a refused batch changes nothing).

    ``actor``: the person sending it (None for a device). An event that names the person who
    queued it (the console's ``operator_id``, or ``operator`` its username) is sent by that
    person only (``_check_queued_by``). An event naming nobody (queued before the console named
    anyone) is the sender's, as ever.
    """
    try:
        client_id = uuid.UUID(str(event.get("client_id")))
    except ValueError:
        raise FieldErrors(
            {"client_id": [_("Each event needs a UUID made by the device.")]}
        ) from None
    kind = event.get("kind")
    if kind not in EventKind.values:
        raise FieldErrors({"kind": [_("Unknown event kind.")]})
    _check_queued_by(event, actor)
    allowed = EVENTS_OF_DEVICE[DeviceKind(device.kind)] if device else EVENTS_OF_PEOPLE
    if kind not in allowed:
        raise FieldErrors(
            {
                "kind": [
                    _("A %(caller)s may not report this event: %(kind)s.")
                    % {
                        "caller": device.get_kind_display() if device else _("person"),
                        "kind": EventKind(kind).label,
                    }
                ]
            }
        )
    occurred_at = _event_time(event.get("occurred_at"))
    existing = GateEvent.objects.filter(client_id=client_id).first()
    if existing is not None:
        existing = _delivered_again(
            existing, gate, device=device, kind=kind, occurred_at=occurred_at, event=event,
            actor=actor,
        )  # fmt: skip
    return CheckedEvent(client_id, kind, occurred_at, existing)


def check_events(
    events: list[dict], gate: Gate, device: Device | None = None, *, actor=None
) -> list[CheckedEvent]:
    """A batch's events as checked, or one ``FieldErrors`` naming each refused event by its
    place in the batch: every event is checked before any is applied, so a refused batch
    leaves nothing behind.

    An id twice in the batch is one event sent twice (its second answered as a duplicate)
    only when both say the same: another event under it was refused only once the first was
    applied, and the batch, answered 422, had changed the gate after all."""
    refused: dict[str, list] = {}
    checked: list[CheckedEvent] = []
    first_of: dict[uuid.UUID, dict] = {}
    for index, event in enumerate(events):
        try:
            its_check = check_event(event, gate, device, actor=actor)
            first = first_of.setdefault(its_check.client_id, event)
            if first is not event and not _same_event(first, event):
                raise FieldErrors({"client_id": [_TAKEN_ID]})
            checked.append(its_check)
        except FieldErrors as exc:
            refused.update({f"{index}.{path}": messages for path, messages in exc.errors.items()})
    if refused:
        raise FieldErrors(refused)
    return checked


def _same_event(one: dict, other: dict) -> bool:
    return (
        one.get("kind") == other.get("kind")
        and _event_time(one.get("occurred_at")) == _event_time(other.get("occurred_at"))
        and _event_body(one) == _event_body(other)
    )


def _check_queued_by(event: dict, actor) -> None:
    """``FieldErrors`` unless the person who queued the event is ``actor``: a shared tablet's
    queue sent under the next shift's session would record them as its author.

    By id (``operator_id``), which a rename leaves: a username in the queue stranded the
    actions of a person renamed before the network was back. The username (``operator``) is
    what consoles queued before they sent ids: it names whoever holds it now, as it did."""
    queued_by = event.get("operator_id")
    if queued_by not in (None, "") and (actor is None or str(queued_by) != str(actor.pk)):
        raise FieldErrors(
            {
                "operator_id": [
                    _("Queued by someone else: only they may send it, signed in as themselves.")
                ]
            }
        )
    operator = event.get("operator")
    if operator not in (None, "") and (actor is None or str(operator) != actor.get_username()):
        raise FieldErrors(
            {
                "operator": [
                    _("Queued by %(operator)s: only they may send it, signed in as themselves.")
                    % {"operator": shown(str(operator), 150)}
                ]
            }
        )


@dataclass(frozen=True)
class CheckedEvent:
    client_id: uuid.UUID
    kind: str
    occurred_at: dt.datetime
    delivered_before: GateEvent | None  # the same event, recorded at this gate before


@retry_on_conflict
def apply_event(
    actor,
    gate: Gate,
    event: dict,
    context: RequestContext = SYSTEM,
    device: Device | None = None,
    checked: CheckedEvent | None = None,
) -> tuple[GateEvent, bool]:
    """Apply one device event exactly once; returns (event, was_duplicate).

    ``actor`` is the person who sent it, or None when ``device`` (a registered gate device)
    did. ``checked``: what ``check_event`` made of it, when the caller already asked.
    """
    checked = checked or check_event(event, gate, device, actor=actor)
    if checked.delivered_before is not None:
        return checked.delivered_before, True
    client_id, kind, occurred_at = checked.client_id, checked.kind, checked.occurred_at
    text = str(event.get("scan") or event.get("reference") or event.get("plate") or "")
    happened_at = not_ahead(occurred_at)  # the event itself keeps the device's own time
    with transaction.atomic():
        # Claim the event id first: a concurrent second delivery waits on this row and then
        # finds it taken, so the action below runs once.
        try:
            with transaction.atomic():
                stored = GateEvent.objects.create(
                    client_id=client_id,
                    device_id=device.name if device else str(event.get("device_id", "")),
                    gate_device=device,
                    gate=gate,
                    kind=kind,
                    occurred_at=occurred_at,
                    actor=actor,
                    payload={k: str(v) for k, v in event.items()},
                    accepted=False,
                )
        except IntegrityError:
            first = GateEvent.objects.get(client_id=client_id)
            again = _delivered_again(
                first, gate, device=device, kind=kind, occurred_at=occurred_at, event=event,
                actor=actor,
            )  # fmt: skip
            return again, True
        problems: list[Problem] = []
        try:
            with transaction.atomic():
                stored.trip = _apply(actor, gate, kind, text, event, happened_at, context, device)
                stored.accepted = True
        except (GateRefused, FieldErrors, trips.TripPermissionDenied, IllegalTransition) as exc:
            if isinstance(exc, GateRefused):
                problems = exc.problems
                if exc.keep is not None:
                    exc.keep()  # a refused exit is kept, although its savepoint rolled back
            elif isinstance(exc, FieldErrors):
                problems = [Problem(k, _all_said(v)) for k, v in exc.errors.items()]
            elif isinstance(exc, IllegalTransition):
                # The trip's state refused the step after the gate's checks (it moved
                # meanwhile): a refused event like the others, its words in each language (it
                # escaped as a 409 that hid the batch's other answers).
                problems = [Problem("not_allowed", Phrase("%(all)s", all=exc.__str__))]
            else:
                problems = [Problem("forbidden", _all_said(exc.args[:1] or [str(exc)]))]
            stored.trip = find(text, gate)[0]
        # Each in every language too (``core.phrases``): the event is read again later, by
        # whoever, in their language (``problems_shown``).
        stored.problems = [
            {"code": p.code, "message": str(p.message), "texts": every_language(p.message)}
            for p in problems
        ]
        stored.save(update_fields=["trip", "accepted", "problems"])
    return stored, False


def _all_said(messages):
    """A field's messages as one problem: a ``Phrase`` when each of them is one (so the event
    keeps it in every language), else as said now."""
    messages = list(messages)
    if messages and all(isinstance(m, Phrase | Promise) for m in messages):
        return Phrase("%(all)s", all=lambda: " ".join(said(m) for m in messages))
    return " ".join(map(str, messages))


def problems_shown(problems) -> list[dict]:
    """A device event's stored problems as the reader reads them: each code with its message
    in the reader's language (one stored before it was kept in each: as stored)."""
    from cuakhau.core.phrases import in_reader_language

    return [
        {
            "code": p.get("code", ""),
            "message": str(in_reader_language(p.get("texts"), p.get("message", ""))),
        }
        for p in problems or []
        if isinstance(p, dict)
    ]


def _apply(actor, gate, kind, text, event, occurred_at, context, device=None) -> Trip | None:
    if kind == EventKind.CHECK_IN:
        return check_in(
            actor,
            gate,
            text,
            lane=event.get("lane"),
            yard_position=event.get("yard_position", ""),
            plate_seen=event.get("plate_seen", ""),
            gross_kg=event.get("gross_kg"),
            tare_kg=event.get("tare_kg"),
            at=occurred_at,
            context=context,
            device_clock=True,
        ).trip
    if kind == EventKind.EXIT:
        return exit_truck(
            actor,
            gate,
            text,
            lane=event.get("lane"),
            at=occurred_at,
            context=context,
            plate_seen=event.get("plate_seen", ""),
        ).trip
    if kind == EventKind.WEIGHBRIDGE:
        try:
            reading = weigh(
                actor,
                gate,
                text,
                event.get("gross_kg"),
                tare_kg=event.get("tare_kg"),
                at=occurred_at,
                source="device",
                device_id=str(event.get("device_id", "")),
                device=device,
            )
        except FieldErrors as exc:
            # The queue's code for a scan that names no truck, as for a check-in's or an exit's.
            raise FieldErrors(
                {"not_found" if k == "scan" else k: v for k, v in exc.errors.items()}
            ) from None
        return reading.trip
    return record_plate_read(
        gate,
        str(event.get("device_id", "camera")),
        text,
        read_at=occurred_at,
        lane=event.get("lane"),
        device=device,
    ).trip


# Lanes of the gates on cuakhau: cargo lanes reported for the smart border gates (Huu Nghi's
# dedicated freight road went from 4 to 6 lanes in 2025); other gates get a modest default.
DEFAULT_LANES = {"hng": 6, "tth": 4, "kth": 4, "mci": 4, "mlt": 3}


def ensure_lanes() -> int:
    """Create the default lanes of every freight gate that has none (idempotent)."""
    created = 0
    for gate in Gate.objects.filter(handles_freight=True):
        if gate.lanes.exists():
            continue
        for n in range(1, DEFAULT_LANES.get(gate.code, 2) + 1):
            Lane.objects.create(gate=gate, code=f"L{n}")
            created += 1
    return created


# ---------------------------------------------------------------------------------------------
# Gate devices: cameras, weighbridges and tablets call the API with their own credential


def _device_lane(device: Device | None, gate: Gate, code: str | None) -> Lane | None:
    """The lane of a reading: a device fixed to a lane reports only for that lane."""
    if device is not None and device.lane_id is not None:
        if code and code != device.lane.code:
            raise FieldErrors(
                {
                    "lane": [
                        Phrase(
                            gettext_noop("This device is registered for lane %(lane)s."),
                            lane=device.lane.code,
                        )
                    ]
                }
            )
        return device.lane
    return _lane(gate, code)


def device_errors(gate: Gate, kind: str, name: str, lane: str | None) -> dict[str, list[str]]:
    """What keeps a device from being registered, by field (the admin's form asks first)."""
    errors = {}
    if gate is not None and not gate.handles_freight:
        # Every call of a device there would be refused: no trucks cross it.
        errors["gate"] = [
            _("%(gate)s takes no freight: a gate device has nothing to do there.")
            % {"gate": gate.name}
        ]
    if kind not in DeviceKind.values:
        errors["kind"] = [_("Choose one of: %(kinds)s.") % {"kinds": join_words(DeviceKind.labels)}]
    name = (name or "").strip()
    if not name or len(name) > 80 or not name.isprintable():
        errors["name"] = [_("Give the device a name of 1 to 80 printable characters.")]
    elif Device.objects.filter(gate=gate, name=name, revoked_at__isnull=True).exists():
        errors["name"] = [_("This gate already has a device with this name.")]
    if lane and not Lane.objects.filter(gate=gate, code=lane).exists():
        errors["lane"] = [_("No lane %(code)s at this gate.") % {"code": lane}]
    return errors


def _only_administrators(person, refusal: str) -> None:
    """A device's credentials are an administrator's to give (None: a command at the server)."""
    from cuakhau.accounts import roles

    if person is not None and roles.ADMINISTRATOR not in roles.roles_of(person):
        raise trips.TripPermissionDenied(refusal)


def register_device(
    administrator, gate: Gate, kind: str, name: str, *, lane: str | None = None
) -> tuple[Device, str]:
    """A new device credential for one gate (and lane); the raw key is returned once only."""
    from cuakhau.accounts.models import new_secret

    _only_administrators(administrator, _("Only an administrator registers gate devices."))
    errors = device_errors(gate, kind, name, lane)
    if errors:
        raise FieldErrors(errors)
    name = name.strip()
    lane_obj = Lane.objects.filter(gate=gate, code=lane).first() if lane else None
    raw, key_hash, hint = new_secret(Device.PREFIX)
    device = Device.objects.create(
        gate=gate,
        lane=lane_obj,
        kind=kind,
        name=name,
        key_hash=key_hash,
        hint=hint,
        registered_by=administrator,
    )
    return device, raw


def device_named(gate: Gate, name: str) -> Device | None:
    """The device in service at this gate under this name (a revoked one's name may be reused)."""
    return Device.objects.filter(gate=gate, name=(name or "").strip(), revoked_at=None).first()


@transaction.atomic
def give_device_new_key(administrator, device: Device) -> tuple[Device, str]:
    """A new key for a device in service; its old key is turned away from now on. The raw
    key is returned once only."""
    from cuakhau.accounts.models import new_secret

    _only_administrators(administrator, _("Only an administrator gives gate devices their keys."))
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.revoked_at is not None:
        raise FieldErrors(
            {"name": [_("This device is revoked: register a new one (it may take the same name).")]}
        )
    raw, device.key_hash, device.hint = new_secret(Device.PREFIX)
    device.key_issued_at = timezone.now()
    device.key_issued_by = administrator
    device.save(update_fields=["key_hash", "hint", "key_issued_at", "key_issued_by"])
    return device, raw


def revoke_device(device: Device) -> Device:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


def authenticate_device(raw: str) -> Device | None:
    """The active device holding this credential, or None. Notes when it was last seen."""
    from cuakhau.accounts.models import hash_token, note_use

    if not raw or not raw.startswith(Device.PREFIX):
        return None
    device = (
        Device.objects.select_related("gate", "lane")
        .filter(key_hash=hash_token(raw.strip()), revoked_at__isnull=True)
        .first()
    )
    if device is None:
        return None
    note_use(device, "last_seen_at", timezone.now())
    return device
