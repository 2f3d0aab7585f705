"""Market-access and quarantine rules: checking declarations, suspensions, history.

Every rule answers one of three questions about a cargo line bound for a country:

* access: may the product enter at all, and on which certificate (allowed, phytosanitary,
  veterinary, not permitted);
* routing: through which gates only (designated gates only);
* suspension: is it blocked for a period (an outbreak or an alert).

Within each question the most specific rule wins (longest HS prefix, then a gate-specific rule
over an all-gates one, then an origin-specific one, then the newest); the three answers are
reported side by side, so a banana needs its certificate *and* a designated gate, and a
suspension of heading 0810 is not overridden by the access rule of subheading 081090.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cuakhau.core.errors import FieldErrors
from cuakhau.core.phrases import Phrase
from cuakhau.core.wording import join_words
from cuakhau.reference.localize import country_name, said_with_its_language
from cuakhau.reference.models import Confidence, Gate, HSCode
from cuakhau.reference.validators import compact_hs_code, validate_country, validate_hs_code
from cuakhau.trips.choices import Direction

from . import editions
from .choices import ACCESS, CERTIFICATE, ROUTING, SUSPENSION, Requirement, RuleDirection
from .loading import MarketDataError, load_market_rules  # noqa: F401  (part of this API)
from .models import MarketAccessRule

ADD_PERMISSION = "market.add_marketaccessrule"
CHANGE_PERMISSION = "market.change_marketaccessrule"

# The country a trip's goods enter once they cross: every gate on cuakhau faces China. A
# temporary-import/re-export or transit leg at a land gate carries Thai or Lao goods across
# Vietnam into China (as the demo data models them). An empty return carries nothing to check.
DESTINATIONS = {
    Direction.EXPORT: "CN",
    Direction.TEMPORARY_IMPORT_REEXPORT: "CN",
    Direction.TRANSIT: "CN",
    Direction.IMPORT: "VN",
}

# HS Sections I (live animals and animal products, chapters 01–05) and II (vegetable products,
# 06–14): goods of animal or plant origin, raw or barely processed, which Vietnam's plant and
# animal quarantine inspect at the border. Section III (fats, 15) and Section IV (prepared
# foodstuffs, beverages, tobacco, 16–24) are processed: they go to food-safety control, and
# reach quarantine only where a rule asks for a certificate (as the rules also do for anything
# else, e.g. raw hides or logs, if an authority adds one).
QUARANTINE_CHAPTERS = frozenset(f"{n:02d}" for n in range(1, 15))

# ---------------------------------------------------------------------------------------------
# Findings


@dataclass(frozen=True)
class Finding:
    """What one rule says about one cargo line (or the gate) of one declaration.

    ``path`` uses the trips field paths: ``cargo_lines.0.hs_code``,
    ``cargo_lines.0.phytosanitary_certificate`` (0-based, in the order the lines were given),
    or ``gate``. ``blocking`` findings must stop the trip; the others tell the officer which rule
    applied and that it is met.
    """

    path: str
    rule_id: int
    requirement: str
    blocking: bool
    message: str
    confidence: str = Confidence.PUBLISHED


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def errors_of(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """The blocking findings in the shape of ``FieldErrors.errors`` (path -> messages)."""
    errors: dict[str, list[str]] = {}
    for finding in findings:
        if finding.blocking:
            errors.setdefault(finding.path, []).append(finding.message)
    return errors


# ---------------------------------------------------------------------------------------------
# Which rules are in force


def destination_of(direction: str) -> str | None:
    return DESTINATIONS.get(direction)


def rules_in_force(
    on: dt.date, *, destination: str, direction: str, gate: Gate | None = None
) -> QuerySet[MarketAccessRule]:
    """Active rules for goods entering ``destination`` on a date (end dates are inclusive)."""
    qs = MarketAccessRule.objects.filter(
        is_active=True,
        destination=destination,
        direction__in=[direction, RuleDirection.ANY],
    ).filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=on),
        Q(ends_on__isnull=True) | Q(ends_on__gte=on),
    )
    if gate is None:
        return qs.filter(gate__isnull=True)
    return qs.filter(Q(gate__isnull=True) | Q(gate=gate))


def _in_force(
    rule: MarketAccessRule, on: dt.date, destination: str, direction: str, gate: Gate | None
) -> bool:
    """``rules_in_force``'s filter, for an active rule already in memory."""
    return (
        rule.destination == destination
        and rule.direction in (direction, RuleDirection.ANY)
        and (rule.starts_on is None or rule.starts_on <= on)
        and (rule.ends_on is None or rule.ends_on >= on)
        and (rule.gate_id is None or (gate is not None and rule.gate_id == gate.pk))
    )


def _specificity(rule: MarketAccessRule) -> tuple:
    return (len(rule.hs_prefix), rule.gate_id is not None, bool(rule.origin_country), rule.pk)


def _most_specific(rules: Sequence[MarketAccessRule]) -> MarketAccessRule | None:
    return max(rules, key=_specificity) if rules else None


def _prefixes(code: str) -> list[str]:
    return [code[:n] for n in range(2, min(len(code), 8) + 1)]


# ---------------------------------------------------------------------------------------------
# Checking a declaration


def _gate_of(trip_like) -> Gate | None:
    try:
        return getattr(trip_like, "gate", None)
    except ObjectDoesNotExist:  # an unsaved Trip whose gate is not chosen yet
        return None


def arrival_date(trip_like, gate: Gate | None = None) -> dt.date:
    """The day a trip is expected, on its gate's clock; today if it does not say."""
    zone = ZoneInfo(gate.time_zone) if gate is not None else timezone.get_current_timezone()
    arrival = getattr(trip_like, "expected_arrival", None)
    if isinstance(arrival, str):
        arrival = parse_datetime(arrival) or parse_date(arrival)
    if isinstance(arrival, dt.datetime):
        if timezone.is_naive(arrival):
            arrival = timezone.make_aware(arrival, zone)
        return timezone.localtime(arrival, zone).date()
    if isinstance(arrival, dt.date):
        return arrival
    return timezone.localdate(timezone=zone)


def check_declaration(
    trip_like, lines: Sequence, *, on: dt.date | None = None, edition=editions.UNREAD
) -> list[Finding]:
    """Check cargo lines against the market-access rules in force.

    ``trip_like`` has ``gate``, ``direction`` and ``expected_arrival`` (a Trip, saved or not, or
    any object with these); ``lines`` have ``hs_code``, ``phytosanitary_certificate`` and
    ``origin_country`` (CargoLines, saved or not). Rules in force on ``on`` apply, by default on
    the expected arrival date at the gate. Lines without a usable HS code are skipped: the
    declaration's own validation reports those. ``edition``: the rules' stamp, when the caller
    read it (``editions.active_rules``).
    """
    direction = getattr(trip_like, "direction", "") or ""
    destination = destination_of(direction)
    if destination is None:
        return []
    gate = _gate_of(trip_like)
    day = on or arrival_date(trip_like, gate)
    coded = []
    for index, line in enumerate(lines):
        code = compact_hs_code(getattr(line, "hs_code", "") or "")
        if len(code) >= 2 and code.isdigit():
            coded.append((index, line, code))
    if not coded:
        return []
    prefixes = {p for _index, _line, code in coded for p in _prefixes(code)}
    rules = [
        rule
        for rule in editions.active_rules(edition)
        if rule.hs_prefix in prefixes and _in_force(rule, day, destination, direction, gate)
    ]
    findings: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for index, line, code in coded:
        origin = (getattr(line, "origin_country", "") or "").upper()
        matching = [
            r for r in rules if code.startswith(r.hs_prefix) and r.origin_country in ("", origin)
        ]
        for question in (SUSPENSION, ACCESS, ROUTING):
            rule = _most_specific([r for r in matching if r.requirement in question])
            if rule is None:
                continue
            finding = _finding(rule, index, line, gate, destination)
            # Two lines of bananas at the wrong gate are one problem with the gate, not two.
            if (finding.path, finding.rule_id) not in seen:
                seen.add((finding.path, finding.rule_id))
                findings.append(finding)
    return findings


def check_trip(
    trip,
    *,
    at_gate: Gate | None = None,
    on: dt.date | None = None,
    lines: Sequence | None = None,
    edition=editions.UNREAD,
) -> list[Finding]:
    """Check a saved trip.

    ``at_gate`` is the gate where the truck actually is (the gate console); the check is then
    made for today there, so a suspension declared since the trip was submitted is caught.
    Without ``at_gate`` it is made for the expected arrival date at the declared gate. ``on``
    overrides the date. ``lines``: the trip's cargo lines in order, when the caller read them;
    ``edition``: the rules' stamp, when the caller read it.
    """
    gate = at_gate or trip.gate
    if on is None and at_gate is not None:
        on = timezone.localdate(timezone=ZoneInfo(at_gate.time_zone))
    proxy = SimpleNamespace(
        gate=gate, direction=trip.direction, expected_arrival=trip.expected_arrival
    )
    if lines is None:
        lines = list(trip.cargo_lines.order_by("line_no"))
    return check_declaration(proxy, lines, on=on, edition=edition)


@dataclass(frozen=True)
class CheckResult:
    on: dt.date
    destination: str | None
    findings: list[Finding]


def check_goods(
    *,
    gate: Gate | str,
    direction: str,
    lines: Sequence[dict],
    expected_arrival: dt.datetime | None = None,
    on: dt.date | None = None,
) -> CheckResult:
    """Check goods that are not a trip yet (the API's what-if check); FieldErrors if malformed.

    ``lines`` are dicts with ``hs_code``, ``phytosanitary_certificate`` and ``origin_country``;
    error paths are ``lines.N.field``.
    """
    errors: dict[str, list[str]] = {}
    resolved = _resolve_gate(gate)
    if resolved is None:
        errors["gate"] = [_("%(gate)s is not a border gate.") % {"gate": gate}]
    if direction not in Direction.values:
        errors["direction"] = [
            _("%(direction)s is not a direction (%(choices)s).")
            % {"direction": direction, "choices": ", ".join(Direction.values)}
        ]
    parsed = []
    for index, raw in enumerate(lines):
        code = compact_hs_code(raw.get("hs_code") or "")
        origin = (raw.get("origin_country") or "").strip().upper()
        checks = [("hs_code", validate_hs_code, code)]
        if origin:
            checks.append(("origin_country", validate_country, origin))
        for name, validate, value in checks:
            try:
                validate(value)
            except ValidationError as exc:
                errors[f"lines.{index}.{name}"] = [str(m) for m in exc.messages]
        parsed.append(
            SimpleNamespace(
                hs_code=code,
                phytosanitary_certificate=(raw.get("phytosanitary_certificate") or "").strip(),
                origin_country=origin,
            )
        )
    if errors:
        raise FieldErrors(errors)
    trip = SimpleNamespace(gate=resolved, direction=direction, expected_arrival=expected_arrival)
    day = on or arrival_date(trip, resolved)
    return CheckResult(
        on=day,
        destination=destination_of(direction),
        findings=check_declaration(trip, parsed, on=day),
    )


def requires_quarantine(trip, *, on: dt.date | None = None) -> bool:
    """Whether quarantine must see this trip's cargo.

    True when a line is of animal or plant origin (HS chapters 01–14, see
    ``QUARANTINE_CHAPTERS``) or when a rule in force asks for a phytosanitary or veterinary
    certificate for one of its lines.
    """
    lines = list(trip.cargo_lines.all())
    if any(compact_hs_code(line.hs_code)[:2] in QUARANTINE_CHAPTERS for line in lines):
        return True
    return any(f.requirement in CERTIFICATE for f in check_trip(trip, on=on))


# ---------------------------------------------------------------------------------------------
# Messages


def gate_label(gate: Gate) -> str:
    # "Móng Cái (cầu Bắc Luân I và II)" is "Móng Cái" in a sentence.
    return gate.name.split(" (")[0]


def _product(rule: MarketAccessRule) -> str:
    if rule.product_name:
        return rule.product_name
    code = HSCode.objects.filter(code=rule.hs_prefix[:6]).first()
    return str(code.name) if code else _("Goods")


def _period(rule: MarketAccessRule) -> str:
    start = date_format(rule.starts_on, "SHORT_DATE_FORMAT") if rule.starts_on else None
    end = date_format(rule.ends_on, "SHORT_DATE_FORMAT") if rule.ends_on else None
    if start and end:
        return _("from %(start)s until %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s until further notice") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return _("until further notice")


def _finding(rule: MarketAccessRule, index: int, line, gate: Gate | None, destination: str):
    """The finding of ``rule`` for a cargo line, its message a ``Phrase``: a gate's device
    event keeps it in each language, as every sentence the system writes into a record."""
    written: dict = {}

    def in_active_language():
        # Once per language: the first is the sentence of the moment, read as before.
        language = get_language()
        if language not in written:
            written[language] = _finding_said(rule, index, line, gate, destination)
        return written[language]

    path, is_blocking, _message = in_active_language()
    return Finding(
        path=path,
        rule_id=rule.pk,
        requirement=rule.requirement,
        blocking=is_blocking,
        message=Phrase("%(finding)s", finding=lambda: in_active_language()[2]),
        confidence=rule.confidence,
    )


def _finding_said(rule, index: int, line, gate: Gate | None, destination: str):
    """``_finding``'s path, whether it blocks, and its message in the active language."""
    params = {
        "product": _product(rule),
        "hs": rule.hs_prefix,
        "country": country_name(destination),
        "rule": rule.pk,
        # Written in one language only: marked as such on a page in another.
        "basis": said_with_its_language(rule.legal_basis_text),
        "gate": gate_label(gate) if gate is not None else "",
    }
    path = f"cargo_lines.{index}.hs_code"
    requirement = rule.requirement
    is_blocking = False
    if requirement == Requirement.SUSPENDED:
        is_blocking = True
        params.update(period=_period(rule), by=rule.declared_by)
        if rule.gate_id:
            message = _(
                "%(product)s (%(hs)s) bound for %(country)s through %(gate)s is suspended "
                "%(period)s, as declared by %(by)s (rule %(rule)s). Basis: %(basis)s."
            ) % {**params, "gate": gate_label(rule.gate)}
        else:
            message = (
                _(
                    "%(product)s (%(hs)s) bound for %(country)s is suspended %(period)s, as declared "
                    "by %(by)s (rule %(rule)s). Basis: %(basis)s."
                )
                % params
            )
    elif requirement == Requirement.NOT_PERMITTED:
        is_blocking = True
        if rule.gate_id:
            message = _(
                "%(product)s (%(hs)s) has no market access to %(country)s through %(gate)s yet "
                "(rule %(rule)s). Basis: %(basis)s."
            ) % {**params, "gate": gate_label(rule.gate)}
        else:
            message = (
                _(
                    "%(product)s (%(hs)s) has no market access to %(country)s yet (rule %(rule)s). "
                    "Basis: %(basis)s."
                )
                % params
            )
    elif requirement in CERTIFICATE:
        path = f"cargo_lines.{index}.phytosanitary_certificate"
        number = (getattr(line, "phytosanitary_certificate", "") or "").strip()
        is_blocking = not number
        veterinary = requirement == Requirement.VETERINARY
        if is_blocking and veterinary:
            message = (
                _(
                    "%(product)s (%(hs)s) bound for %(country)s needs a veterinary certificate: enter "
                    "its number in the certificate field (rule %(rule)s). Basis: %(basis)s."
                )
                % params
            )
        elif is_blocking:
            message = (
                _(
                    "%(product)s (%(hs)s) bound for %(country)s needs a phytosanitary certificate for "
                    "each consignment: enter its number (rule %(rule)s). Basis: %(basis)s."
                )
                % params
            )
        elif veterinary:
            message = _(
                "%(product)s (%(hs)s) bound for %(country)s needs a veterinary certificate: "
                "%(number)s declared (rule %(rule)s)."
            ) % {**params, "number": number}
        else:
            message = _(
                "%(product)s (%(hs)s) bound for %(country)s needs a phytosanitary certificate: "
                "%(number)s declared (rule %(rule)s)."
            ) % {**params, "number": number}
    elif requirement == Requirement.DESIGNATED_GATES_ONLY:
        path = "gate"
        designated = list(rule.designated_gates.all())
        # The declarant can only choose gates that run freight on cuakhau.
        listed = [g for g in designated if g.handles_freight] or designated
        gates = join_words(sorted(gate_label(g) for g in listed))
        if gate is None:
            message = _(
                "%(product)s (%(hs)s) bound for %(country)s may only cross at designated gates "
                "(%(gates)s) (rule %(rule)s). Basis: %(basis)s."
            ) % {**params, "gates": gates}
        elif any(g.pk == gate.pk for g in designated):
            message = (
                _(
                    "%(product)s (%(hs)s) bound for %(country)s may only cross at designated gates; "
                    "%(gate)s is one (rule %(rule)s)."
                )
                % params
            )
        else:
            is_blocking = True
            message = _(
                "%(product)s (%(hs)s) bound for %(country)s may only cross at designated gates "
                "(%(gates)s); %(gate)s is not one (rule %(rule)s). Basis: %(basis)s."
            ) % {**params, "gates": gates}
    else:
        message = (
            _("%(product)s (%(hs)s) may enter %(country)s (rule %(rule)s). Basis: %(basis)s.")
            % params
        )
    if rule.confidence != Confidence.PUBLISHED:
        # Chinese sentences follow each other without a space.
        message = ("" if message.endswith("。") else " ").join(
            [
                message,
                _(
                    "This rule is marked %(confidence)s in the reference data: check the official text."
                )
                % {"confidence": rule.get_confidence_display()},
            ]
        )
    return path, is_blocking, message


# ---------------------------------------------------------------------------------------------
# Keeping history: a rule is never edited in place


def _deactivate(rule: MarketAccessRule, actor) -> None:
    now = timezone.now()
    MarketAccessRule.objects.filter(pk=rule.pk).update(
        is_active=False, deactivated_at=now, deactivated_by=actor
    )
    editions.renew()  # an update() sends no signal
    rule.is_active, rule.deactivated_at, rule.deactivated_by = False, now, actor


def _check_may_change(actor) -> None:
    if actor is not None and not actor.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(_("You may not change market-access rules."))


@transaction.atomic
def deactivate_rule(rule: MarketAccessRule, *, actor) -> MarketAccessRule:
    """Take a rule out of force; the row stays as history."""
    _check_may_change(actor)
    rule = MarketAccessRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active:
        _deactivate(rule, actor)
    return rule


@transaction.atomic
def save_new_version(edited: MarketAccessRule, *, actor) -> MarketAccessRule:
    """Store an edited copy of a stored rule as its next version, superseding it.

    ``edited`` is the stored rule with changed attributes (e.g. the admin's form instance); it
    becomes the new row in place, keeping the designated gates unless the caller sets them
    afterwards. The stored row is deactivated, unchanged.
    """
    _check_may_change(actor)
    previous = MarketAccessRule.objects.select_for_update().get(pk=edited.pk)
    if not previous.is_active:
        raise FieldErrors(
            {"__all__": [_("This version is no longer in force; change the current version.")]}
        )
    gates = list(previous.designated_gates.all())
    _deactivate(previous, actor)
    edited.pk = None
    edited._state.adding = True
    edited.supersedes = previous
    edited.created_by = actor
    edited.is_active = True
    edited.deactivated_at = None
    edited.deactivated_by = None
    _validated(edited)
    edited.save()
    edited.designated_gates.set(gates)
    return edited


@transaction.atomic
def record_rule(
    rule: MarketAccessRule, *, actor, designated_gates: Iterable[Gate] | None = None
) -> MarketAccessRule:
    """Store a new rule declared by a person (the admin's "add")."""
    if actor is not None and not actor.has_perm(ADD_PERMISSION):
        raise PermissionDenied(_("You may not declare market-access rules."))
    rule.created_by = actor
    rule.is_active = True
    _validated(rule)
    rule.save()
    if designated_gates is not None:
        rule.designated_gates.set(designated_gates)
    return rule


def revise_rule(
    rule: MarketAccessRule, *, actor, designated_gates: Iterable[Gate] | None = None, **changes
) -> MarketAccessRule:
    """A new version of ``rule`` with ``changes`` (field name -> value)."""
    edited = MarketAccessRule.objects.get(pk=rule.pk)
    for name, value in changes.items():
        setattr(edited, name, value)
    with transaction.atomic():
        new = save_new_version(edited, actor=actor)
        if designated_gates is not None:
            new.designated_gates.set(designated_gates)
    return new


def _validated(rule: MarketAccessRule) -> None:
    try:
        rule.full_clean(exclude=["supersedes", "created_by", "deactivated_by"])
    except ValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


# ---------------------------------------------------------------------------------------------
# Suspensions


def _works_at(actor, gate: Gate) -> bool:
    from cuakhau.trips.services import works_at

    return works_at(actor, gate)


def _resolve_gate(value) -> Gate | None:
    if value is None or isinstance(value, Gate):
        return value
    return Gate.objects.filter(code=str(value).strip().lower()).first()


def _as_date(value):
    if isinstance(value, str):
        return parse_date(value.strip()) if value.strip() else None
    return value


def _covering_suspension(prefix, direction, destination, origin_country, gate, starts_on, ends_on):
    """An active suspension of the same goods (same prefix, flow, origin and gate) whose
    period holds the whole of ``starts_on``–``ends_on``, or None."""
    period = Q(starts_on__isnull=True) | Q(starts_on__lte=starts_on)
    period &= Q(ends_on__isnull=True) | (
        Q(ends_on__gte=ends_on) if ends_on is not None else Q(pk__in=[])
    )
    return (
        MarketAccessRule.objects.filter(
            period,
            is_active=True,
            requirement=Requirement.SUSPENDED,
            hs_prefix=prefix,
            direction=direction,
            destination=destination,
            origin_country=origin_country,
            gate=gate,
        )
        .order_by("pk")
        .first()
    )


# A suspension's fields, as an empty form would send them.
_SUSPENSION_FIELDS = {
    "hs_prefix": "",
    "direction": "",
    "destination": "",
    "gate": None,
    "starts_on": None,
    "ends_on": None,
    "legal_basis": "",
    "declared_by": "",
    "origin_country": "",
}


def _suspension_checked(actor, fields: dict) -> tuple[dict[str, list[str]], dict]:
    """Every refusal of a suspension at once, by field, and the values as they would be
    stored; writes nothing. PermissionDenied for one who may not suspend goods."""
    if actor is None or not actor.has_perm(ADD_PERMISSION):
        raise PermissionDenied(
            _("Only customs managers and quarantine officers may suspend goods.")
        )
    hs_prefix, direction, destination, gate, starts_on, ends_on = (
        fields[name]
        for name in ("hs_prefix", "direction", "destination", "gate", "starts_on", "ends_on")
    )
    legal_basis, declared_by = fields["legal_basis"], fields["declared_by"]
    origin_country = fields["origin_country"]
    errors: dict[str, list[str]] = {}
    prefix = compact_hs_code(hs_prefix or "")
    if not re.fullmatch(r"\d{2,8}", prefix):
        errors["hs_prefix"] = [_("Give an HS chapter, heading or subheading (2 to 8 digits).")]
    elif not HSCode.objects.filter(code=prefix[:6]).exists():
        errors["hs_prefix"] = [
            _("%(code)s is not in the HS 2022 nomenclature.") % {"code": hs_prefix}
        ]
    if direction not in RuleDirection.values:
        errors["direction"] = [_("Choose export, import or any direction.")]
    destination = (destination or "").strip().upper()
    origin_country = (origin_country or "").strip().upper()
    for name, value, required in (
        ("destination", destination, True),
        ("origin_country", origin_country, False),
    ):
        if value or required:
            try:
                validate_country(value)
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
    resolved_gate = _resolve_gate(gate)
    if gate not in (None, "") and resolved_gate is None:
        errors["gate"] = [_("%(gate)s is not a border gate.") % {"gate": gate}]
    elif resolved_gate is not None and not _works_at(actor, resolved_gate):
        # A suspension at one gate is that gate's officers' to declare; one for every gate
        # (a notice of the authority) may be recorded by any of them.
        errors["gate"] = [
            _("You work at other gates: leave the gate empty for a suspension at every gate.")
        ]
    starts_on, ends_on = _as_date(starts_on), _as_date(ends_on)
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = [_("Give the date the suspension starts.")]
    if ends_on is not None and not isinstance(ends_on, dt.date):
        errors["ends_on"] = [_("Give a date.")]
    elif isinstance(starts_on, dt.date) and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    if not (legal_basis or "").strip():
        errors["legal_basis"] = [_("Give the legal basis (the notice, alert or decision).")]
    if not (declared_by or "").strip():
        errors["declared_by"] = [_("Say who declared the suspension.")]
    if not errors:
        covering = _covering_suspension(
            prefix, direction, destination, origin_country, resolved_gate, starts_on, ends_on
        )
        if covering is not None:
            # The same alert sent twice made two rules: one change of either left the goods
            # blocked by the other.
            errors["hs_prefix"] = [
                _("Rule %(rule)s already suspends these goods over the whole period.")
                % {"rule": covering.pk}
            ]
    values = {
        "prefix": prefix,
        "destination": destination,
        "origin_country": origin_country,
        "gate": resolved_gate,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    return errors, values


def suspension_errors(*, actor, **fields) -> dict[str, list[str]]:
    """What ``suspend`` would refuse in these fields (those not given: as left empty), all at
    once; writes nothing. The API asks it for the fields its schema took when it refused
    others."""
    known = {name: fields.get(name, empty) for name, empty in _SUSPENSION_FIELDS.items()}
    return _suspension_checked(actor, known)[0]


@transaction.atomic
def suspend(
    hs_prefix: str,
    *,
    direction: str,
    destination: str,
    gate: Gate | str | None = None,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    legal_basis: str,
    declared_by: str,
    actor,
    origin_country: str = "",
    note: str = "",
) -> MarketAccessRule:
    """Record an outbreak or alert: the goods are blocked from ``starts_on`` to ``ends_on``.

    Only holders of ``market.add_marketaccessrule`` (customs managers, quarantine officers)
    may, and at a named gate only its own officers; raises PermissionDenied otherwise,
    FieldErrors for bad input (another gate's officer: on ``gate``).
    """
    fields = {
        "hs_prefix": hs_prefix,
        "direction": direction,
        "destination": destination,
        "gate": gate,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "legal_basis": legal_basis,
        "declared_by": declared_by,
        "origin_country": origin_country,
    }
    errors, checked = _suspension_checked(actor, fields)
    prefix, destination = checked["prefix"], checked["destination"]
    origin_country, resolved_gate = checked["origin_country"], checked["gate"]
    starts_on, ends_on = checked["starts_on"], checked["ends_on"]
    if errors:
        raise FieldErrors(errors)
    heading = HSCode.objects.filter(code=prefix[:6]).first()
    rule = MarketAccessRule(
        hs_prefix=prefix,
        direction=direction,
        destination=destination,
        origin_country=origin_country,
        gate=resolved_gate,
        requirement=Requirement.SUSPENDED,
        starts_on=starts_on,
        ends_on=ends_on,
        legal_basis=legal_basis.strip(),
        declared_by=declared_by.strip(),
        created_by=actor,
        # The goods named in each language as the nomenclature names them: the English text
        # alone stood in Vietnamese and Chinese refusals.
        product_name_vi=(heading.context_vi or heading.description_vi)[:400] if heading else "",
        product_name_en=heading.description[:400] if heading else "",
        product_name_zh=heading.name_zh[:400] if heading else "",
        confidence=Confidence.PUBLISHED,
        source=_("Declared on cuakhau by %(user)s.") % {"user": actor.get_username()},
        note=(note or "").strip(),
    )
    _validated(rule)
    rule.save()
    return rule


# ---------------------------------------------------------------------------------------------
# Listing


def list_rules(
    *,
    hs: str = "",
    requirement: str = "",
    on: dt.date | None = None,
    gate: Gate | None = None,
    include_inactive: bool = False,
) -> QuerySet[MarketAccessRule]:
    """Rules for the list page and the API.

    ``hs`` finds both the rules that apply to a code (0803 and 080390 for "080390") and the
    rules under a prefix (every chapter 08 rule for "08").
    """
    qs = MarketAccessRule.objects.select_related("gate", "supersedes").prefetch_related(
        "designated_gates"
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    code = compact_hs_code(hs or "")
    if code:
        qs = qs.filter(Q(hs_prefix__startswith=code) | Q(hs_prefix__in=_prefixes(code)))
    if requirement:
        qs = qs.filter(requirement=requirement)
    if on is not None:
        qs = qs.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=on),
            Q(ends_on__isnull=True) | Q(ends_on__gte=on),
        )
    if gate is not None:
        qs = qs.filter(Q(gate__isnull=True) | Q(gate=gate))
    return qs.order_by("hs_prefix", "requirement", "-id")
