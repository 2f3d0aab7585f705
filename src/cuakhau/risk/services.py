"""The customs risk-channel engine: which trips go green, yellow or red, and why.

Every enabled rule of the active rule set looks at the trip and may add its score with a reason;
the total against the rule set's thresholds gives a channel, and a reproducible random draw may
raise it. The assessment stores the channel, every reason (in Vietnamese and English), the draw
and the rule set version, so an auditor can recompute it later.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import secrets
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation, localcontext
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from cuakhau.core.errors import FieldErrors
from cuakhau.core.prepared import Prepared, PreparedUpdate, insert
from cuakhau.core.retry import ChangedMeanwhile, lock_rows
from cuakhau.core.wording import mid_sentence
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import CargoLine, Trip

from . import history, texts
from .choices import RANK, RiskChannel, RuleKind, higher
from .models import RiskAssessment, RiskRule, RuleSet
from .params import clean_params, clean_score, read_decimal

DATA_FILE = Path(__file__).resolve().parent / "data" / "default_ruleset.json"

CHANGE_PERMISSION = "risk.change_riskrule"
VIEW_RULES_PERMISSION = "risk.view_ruleset"
VIEW_REASONS_PERMISSION = "risk.view_riskassessment"

# Listed by exclusion, so statuses the gate adds later (arrived, cleared, ...) count as declared.
# A draft was never declared, and a cancelled trip may be withdrawn before anyone checked it.
NOT_DECLARED_STATUSES = [TripStatus.DRAFT, TripStatus.CANCELLED]
# A rejected trip will not cross: there is no channel to give it.
NOT_ASSESSABLE_STATUSES = [*NOT_DECLARED_STATUSES, TripStatus.REJECTED]
# Recent prices say more about the market than old ones (``history`` keeps that many).
HISTORY_LIMIT = history.HISTORY_LIMIT
DRAW_PLACES = Decimal("1e-10")


class RiskValidationError(FieldErrors):
    """A rule set change or an assessment input was refused; ``errors`` maps paths to messages."""


class NoActiveRuleSet(Exception):
    """Rule sets exist but none is active: someone changed the database by hand."""


# ---------------------------------------------------------------------------------------------
# The hook for the inspections app


def no_failed_inspections(organisation, since: dt.datetime) -> int:
    return 0


# (organisation, since) -> how many physical inspections it failed since then. Risk does not
# know how inspections are recorded: the inspections app sets its own counter here from its
# AppConfig.ready(). Until it does, no enterprise has a record and the rule never fires.
FAILED_INSPECTIONS_PROVIDER: Callable[[object, dt.datetime], int] = no_failed_inspections
# Sent by ``record`` when a reassessment puts the trip in a higher channel than its previous
# assessment (``assessment``, ``previous``), inside the transaction that records it: a customs
# result recorded for the lower channel (a green-channel release, a document check) no longer
# fits the truck, and the inspections app opens customs' check again.
channel_raised = Signal()
# (organisation id, since) -> the same count as an expression, so that the previous assessment
# and the record are read in one statement; None: asked of the provider.
FAILED_INSPECTIONS_COLUMN: Callable[[int, dt.datetime], object] | None = None


# ---------------------------------------------------------------------------------------------
# Rule sets


# Read at every assessment (the gate's check-in): compiled once per process.
_ACTIVE = Prepared(lambda: RuleSet.objects.filter(is_active=True).order_by("-version")[:1])


def _current_rows(trip):
    return RiskAssessment.objects.filter(trip_id=trip, is_current=True).order_by(
        "-assessed_at", "-id"
    )[:1]


_CURRENT_OF = Prepared(lambda trip: _current_rows(trip).select_related("ruleset"), trip=int)


def active_ruleset() -> RuleSet:
    ruleset = _ACTIVE.first()
    if ruleset is not None:
        return ruleset
    if RuleSet.objects.exists():
        raise NoActiveRuleSet("No risk rule set is active; activate one before assessing.")
    return install_default_ruleset()


def install_default_ruleset() -> RuleSet:
    """Create version 1 from the shipped example rules, unless any version exists (idempotent).

    The seed is drawn here, per installation: a seed shipped in the repository would let any
    declarant compute in advance whether a reference will be picked at random.
    """
    existing = RuleSet.objects.filter(is_active=True).first()
    if existing is None:
        existing = RuleSet.objects.order_by("-version").first()
    if existing is not None:
        return existing
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    rules = []
    for position, raw in enumerate(data["rules"]):
        params, errors = clean_params(raw["kind"], raw["params"])
        if errors:
            raise ValueError(f"{DATA_FILE.name}, rule {position}: {errors}")
        rules.append(
            RiskRule(
                position=position,
                kind=raw["kind"],
                params=params,
                score=raw["score"],
                description_vi=raw["description_vi"],
                description_en=raw["description_en"],
                description_zh=raw.get("description_zh", ""),
                is_enabled=raw.get("is_enabled", True),
            )
        )
    try:
        with transaction.atomic():
            ruleset = RuleSet.objects.create(
                version=1,
                note=data["note"],
                is_active=True,
                yellow_threshold=data["yellow_threshold"],
                red_threshold=data["red_threshold"],
                random_seed=secrets.token_hex(16),
                random_red_rate=Decimal(data["random_red_rate"]),
                random_yellow_rate=Decimal(data["random_yellow_rate"]),
            )
            for rule in rules:
                rule.ruleset = ruleset
            RiskRule.objects.bulk_create(rules)
    except IntegrityError:
        # Another process installed them at the same moment; theirs is as good as ours.
        return RuleSet.objects.get(is_active=True)
    return ruleset


DESCRIPTION_FIELDS = ("description_vi", "description_en", "description_zh")
# A rule needs its description in Vietnamese and English; the Chinese one may come later (a
# Chinese page shows the English, marked so, until it does).
REQUIRED_DESCRIPTIONS = ("description_vi", "description_en")
RULE_EDIT_FIELDS = ("score", "params", "is_enabled", *DESCRIPTION_FIELDS)
SETTINGS_FIELDS = (
    "yellow_threshold",
    "red_threshold",
    "random_red_rate",
    "random_yellow_rate",
    "random_seed",
)

RuleEdits = list[dict]
Changes = Callable[[RuleSet, list[RiskRule]], None] | RuleEdits


def _find_rule(edit: dict, rules: list[RiskRule], current: RuleSet, path: str, errors) -> RiskRule:
    if edit.get("rule_id") is not None:
        for rule in rules:
            if rule.copied_from_id is not None and str(rule.copied_from_id) == str(edit["rule_id"]):
                if edit.get("kind") and edit["kind"] != rule.kind:
                    # A kind beside the id only names the rule again; it never changes what
                    # the rule is (its parameters would no longer mean anything).
                    errors[f"{path}.kind"] = [
                        _(
                            "Rule %(id)s is of kind %(its_kind)s, not %(kind)s: a rule's kind "
                            "cannot be changed. Leave the kind out, or name the rule you mean."
                        )
                        % {
                            "id": edit["rule_id"],
                            "its_kind": RuleKind(rule.kind).label,
                            "kind": _kind_label(edit["kind"]),
                        }
                    ]
                    return None
                return rule
        errors[f"{path}.rule_id"] = [
            _("Rule %(id)s is not in the active rule set (version %(version)d).")
            % {"id": edit["rule_id"], "version": current.version}
        ]
        return None
    if edit.get("kind"):
        matches = [rule for rule in rules if rule.kind == edit["kind"]]
        if len(matches) == 1:
            return matches[0]
        errors[f"{path}.kind"] = [
            _("The active rule set has no rule of kind %(kind)s.") % {"kind": edit["kind"]}
            if not matches
            else _("Several rules have kind %(kind)s: give the rule_id.") % {"kind": edit["kind"]}
        ]
        return None
    errors[path] = [_("Say which rule to change: its rule_id or its kind.")]
    return None


def _kind_label(kind) -> str:
    return str(RuleKind(kind).label) if kind in RuleKind.values else str(kind)


def _text(value, path: str, errors) -> str | None:
    if not isinstance(value, str) or not value.strip():
        errors[path] = [_("This text cannot be empty.")]
        return None
    return value.strip()


def _apply_edits(
    edits, rules: list[RiskRule], current: RuleSet, refused: Iterable[str] = ()
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(edits, list):
        return {"rules": [_("Give a list of rule changes.")]}
    changed_by: dict[int, int] = {}  # id(rule) -> the index of the change that names it
    for index, edit in enumerate(edits):
        path = f"rules.{index}"
        if {f"{path}.rule_id", f"{path}.kind"} & set(refused):
            continue  # which rule it changes is said already: nothing else to weigh it against
        if not isinstance(edit, dict):
            errors[path] = [_("Give each rule change as an object.")]
            continue
        unknown = sorted(set(edit) - set(RULE_EDIT_FIELDS) - {"rule_id", "kind"})
        if unknown:
            errors[path] = [
                _("A rule change cannot set: %(fields)s.") % {"fields": ", ".join(unknown)}
            ]
        rule = _find_rule(edit, rules, current, path, errors)
        if rule is None:
            continue
        if id(rule) in changed_by:
            # The later one silently won: say it, rather than guess which the manager meant.
            named_by = "rule_id" if edit.get("rule_id") is not None else "kind"
            errors[f"{path}.{named_by}"] = [
                _(
                    "This rule is already changed by change %(number)d of this list: give "
                    "each rule's changes once, together."
                )
                % {"number": changed_by[id(rule)] + 1}
            ]
            continue
        changed_by[id(rule)] = index
        if "score" in edit:
            score, error = clean_score(edit["score"])
            if error:
                errors[f"{path}.score"] = [error]
            else:
                rule.score = score
        if "params" in edit:
            if not isinstance(edit["params"], dict):
                errors[f"{path}.params"] = [_("Give the parameters as an object.")]
            else:
                # Only the parameters given change: a new watch list need not repeat the rest.
                params, param_errors = clean_params(rule.kind, {**rule.params, **edit["params"]})
                for key, messages in param_errors.items():
                    errors[f"{path}.{key}"] = messages
                if not param_errors:
                    rule.params = params
        if "is_enabled" in edit:
            if not isinstance(edit["is_enabled"], bool):
                errors[f"{path}.is_enabled"] = [_("Give true or false.")]
            else:
                rule.is_enabled = edit["is_enabled"]
        for field in DESCRIPTION_FIELDS:
            if field in edit:
                if field not in REQUIRED_DESCRIPTIONS and isinstance(edit[field], str):
                    # The Chinese one is optional: clearing it is allowed (the English is
                    # then shown to a Chinese reader, marked so), as a new rule may omit it.
                    setattr(rule, field, edit[field].strip())
                    continue
                text = _text(edit[field], f"{path}.{field}", errors)
                if text is not None:
                    setattr(rule, field, text)
    return errors


def _validate_rules(rules: list[RiskRule]) -> dict[str, list[str]]:
    """Every rule as a whole, for changes made by a callable (which may add or drop rules)."""
    errors: dict[str, list[str]] = {}
    for index, rule in enumerate(rules):
        path = f"rules.{index}"
        params, param_errors = clean_params(rule.kind, rule.params)
        for key, messages in param_errors.items():
            errors[f"{path}.{key}"] = messages
        if not param_errors:
            rule.params = params
        score, error = clean_score(rule.score)
        if error:
            errors[f"{path}.score"] = [error]
        else:
            rule.score = score
        for field in DESCRIPTION_FIELDS:
            value = getattr(rule, field)
            if field not in REQUIRED_DESCRIPTIONS and value in ("", None):
                setattr(rule, field, "")
                continue
            text = _text(value, f"{path}.{field}", errors)
            if text is not None:
                setattr(rule, field, text)
    return errors


def _rate(value) -> Decimal | None:
    rate = read_decimal(value)
    if rate is None or not rate.is_finite() or not 0 <= rate <= 1:
        return None
    # The draw is kept to 10 places; a rate with more could not be compared exactly to it.
    if rate != rate.quantize(Decimal("0.0001")):
        return None
    return rate


def _apply_settings(ruleset: RuleSet, settings: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(settings, dict):
        return {"settings": [_("Give the settings as an object.")]}
    unknown = sorted(set(settings) - set(SETTINGS_FIELDS))
    if unknown:
        errors["settings"] = [
            _("These settings do not exist: %(fields)s.") % {"fields": ", ".join(unknown)}
        ]
    for field in ("yellow_threshold", "red_threshold"):
        if field in settings:
            value, error = clean_score(settings[field])
            if error or value == 0:
                errors[f"settings.{field}"] = [
                    error or _("A threshold of 0 would send every trip to this channel.")
                ]
            else:
                setattr(ruleset, field, value)
    for field in ("random_red_rate", "random_yellow_rate"):
        if field in settings:
            rate = _rate(settings[field])
            if rate is None:
                errors[f"settings.{field}"] = [
                    _("Give a rate from 0 to 1 with at most 4 decimals (0.03 is 3 per cent).")
                ]
            else:
                setattr(ruleset, field, rate)
    if "random_seed" in settings:
        seed = _text(settings["random_seed"], "settings.random_seed", errors)
        if seed is not None:
            ruleset.random_seed = seed[:64]
    return errors


def _validate_settings(ruleset: RuleSet, unread: set[str] = frozenset()) -> dict[str, list[str]]:
    """The settings together; ``unread``: those refused already ("*": all of them)."""
    errors: dict[str, list[str]] = {}
    thresholds_read = not unread & {"*", "yellow_threshold", "red_threshold"}
    rates_read = not unread & {"*", "random_red_rate", "random_yellow_rate"}
    if thresholds_read and ruleset.yellow_threshold >= ruleset.red_threshold:
        errors["settings.red_threshold"] = [
            _("The red threshold must be above the yellow threshold (%(yellow)d).")
            % {"yellow": ruleset.yellow_threshold}
        ]
    if rates_read and ruleset.random_red_rate + ruleset.random_yellow_rate > 1:
        errors["settings.random_yellow_rate"] = [
            _("The red and yellow rates together cannot exceed 1.")
        ]
    return errors


def _fingerprint(ruleset: RuleSet, rules: list[RiskRule]) -> str:
    return json.dumps(
        [
            [str(getattr(ruleset, field)) for field in SETTINGS_FIELDS],
            [
                [
                    r.kind,
                    r.params,
                    r.score,
                    r.is_enabled,
                    *(getattr(r, f) for f in DESCRIPTION_FIELDS),
                ]
                for r in rules
            ],
        ],
        sort_keys=True,
        default=str,
    )


def can_change_rules(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(CHANGE_PERMISSION))


def can_view_rules(user) -> bool:
    return can_change_rules(user) or bool(
        user and user.is_authenticated and user.has_perm(VIEW_RULES_PERMISSION)
    )


def can_view_reasons(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_REASONS_PERMISSION))


def reason_text(reason: dict, language: str | None = None):
    """One stored reason in the reader's language (default: the active one).

    A reason of an assessment made before Chinese was written, which migration 0009 could not
    read back, has none: it comes in English, and the ``LocalizedText`` says so."""
    from cuakhau.reference.localize import localized

    return localized(
        *(reason.get(f"reason_{lang}") or "" for lang in texts.LANGUAGES), language=language
    )


def _edited_copy(
    current: RuleSet,
    changes: Changes,
    note: str | None,
    *,
    settings: dict | None = None,
    base_version: int | None = None,
    refused: Iterable[str] = (),
) -> tuple[RuleSet, list[RiskRule], list[RiskRule], dict[str, list[str]]]:
    """The active version ``current`` copied (unsaved) with ``changes`` and ``settings`` made,
    its rules, the active ones, and every refusal of the change by path. ``note`` None: not
    given or refused already. ``refused``: paths refused already (a schema's, a form's), not
    checked again; a threshold among them leaves the two thresholds' comparison unsaid."""
    refused = set(refused)
    errors: dict[str, list[str]] = {}
    if note is not None and not note.strip():
        errors["note"] = [_("Say why the rules change: the note is kept for audit.")]
    if base_version is not None and str(base_version) != str(current.version):
        errors["base_version"] = [
            _(
                "The rules were changed meanwhile: version %(version)d is now active. "
                "Review it and make your change again."
            )
            % {"version": current.version}
        ]
    old_rules = list(current.rules.all())
    new = RuleSet(
        based_on=current,
        note=(note or "").strip(),
        is_active=False,
        **{field: getattr(current, field) for field in SETTINGS_FIELDS},
    )
    rules = [
        RiskRule(
            copied_from=rule,
            position=rule.position,
            kind=rule.kind,
            params=copy.deepcopy(rule.params),
            score=rule.score,
            description_vi=rule.description_vi,
            description_en=rule.description_en,
            description_zh=rule.description_zh,
            is_enabled=rule.is_enabled,
        )
        for rule in old_rules
    ]
    if callable(changes):
        changes(new, rules)
        errors.update(_validate_rules(rules))
    else:
        errors.update(_apply_edits(changes or [], rules, current, refused))
    if settings:
        errors.update(_apply_settings(new, settings))
    if not any(key.startswith("settings.") for key in errors):
        # A value refused already is not weighed against the other (it is the old one still).
        unread = {
            path.split(".")[1] if "." in path else "*"
            for path in refused
            if path.split(".")[0] == "settings"
        }
        errors.update(_validate_settings(new, unread))
    return new, rules, old_rules, errors


def ruleset_errors(
    changes: RuleEdits,
    note: str | None,
    *,
    settings: dict | None = None,
    base_version: int | None = None,
    refused: Iterable[str] = (),
    current: RuleSet | None = None,
) -> dict[str, list[str]]:
    """What ``new_ruleset_version`` would refuse in this change, every path at once; writes
    nothing. For a change a schema or a form refused in part (``refused``: its paths, not
    said again): the rest is still checked, so one answer names every wrong value.
    ``current``: the active version as the caller read it already (its rules prefetched)."""
    _new, _rules, _old, errors = _edited_copy(
        current or active_ruleset(),
        changes,
        note,
        settings=settings,
        base_version=base_version,
        refused=refused,
    )
    from cuakhau.core.api_support import without_refused

    return without_refused(errors, refused)


def new_ruleset_version(
    actor,
    changes: Changes,
    note: str,
    *,
    settings: dict | None = None,
    base_version: int | None = None,
) -> RuleSet:
    """Copy the active rule set, apply ``changes``, save it as the next version and activate it.

    ``changes`` is either a callable ``(new_ruleset, rules)`` that edits the unsaved copies in
    place (it may also append or remove rules), or a list of edits, each naming its rule by
    ``rule_id`` (a rule of the active version) or by ``kind`` (when only one rule has it) and
    giving any of ``score``, ``params`` (merged into the current ones), ``is_enabled``,
    ``description_vi``, ``description_en``, ``description_zh``. ``settings`` changes the thresholds, the random
    rates or the seed. With ``base_version``, the change is refused if someone activated another
    version since the editor loaded it. The previous versions stay, with their assessments.

    ``actor`` None is the system itself; anyone else needs ``risk.change_riskrule``.
    """
    if actor is not None and not can_change_rules(actor):
        raise PermissionDenied(_("Only a customs manager may change the risk rules."))
    note = (note or "").strip()
    with transaction.atomic():
        active_ruleset()
        # Locking the active version makes two managers' changes queue up instead of racing.
        current = RuleSet.objects.select_for_update().get(is_active=True)
        new, rules, old_rules, errors = _edited_copy(
            current, changes, note, settings=settings, base_version=base_version
        )
        new.created_by = actor
        if errors:
            raise RiskValidationError(errors)
        if _fingerprint(new, rules) == _fingerprint(current, old_rules):
            raise RiskValidationError(
                {"rules": [_("Nothing changed: version %(v)d stays.") % {"v": current.version}]}
            )
        new.version = (RuleSet.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        new.save()
        for position, rule in enumerate(rules):
            rule.ruleset = new
            rule.position = position
        RiskRule.objects.bulk_create(rules)
        current.is_active = False
        current.save(update_fields=["is_active"])
        new.is_active = True
        new.save(update_fields=["is_active"])
    return new


# ---------------------------------------------------------------------------------------------
# Assessment


def random_draw(seed: str, reference: str) -> Decimal:
    """The trip's draw in [0, 1): anyone holding the seed can recompute it from the reference.

    Rounded down to 10 places. The rates have at most 4 decimals, so ``draw < rate`` gives the
    same answer for the rounded draw as for the exact fraction.
    """
    digest = hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(int(digest[:8], 16)) / Decimal(2**32)).quantize(
            DRAW_PLACES, rounding=ROUND_FLOOR
        )


def recompute_draw(assessment: RiskAssessment) -> Decimal:
    return random_draw(assessment.ruleset.random_seed, assessment.trip.reference)


def channel_for_score(ruleset: RuleSet, score: int) -> str:
    if score >= ruleset.red_threshold:
        return RiskChannel.RED
    if score >= ruleset.yellow_threshold:
        return RiskChannel.YELLOW
    return RiskChannel.GREEN


@dataclass
class Finding:
    rule: RiskRule | None
    kind: str
    score: int
    reason: dict[str, str]
    channel: str | None = None

    def as_json(self) -> dict:
        entry = {
            "rule_id": self.rule.pk if self.rule is not None else None,
            "kind": self.kind,
            "score": self.score,
            **texts.stored(self.reason),
        }
        if self.channel:
            entry["channel"] = self.channel
        return entry


@dataclass
class Facts:
    trip: Trip
    ruleset: RuleSet
    lines: list[CargoLine]
    declared_gross_kg: Decimal
    weighbridge_kg: Decimal | None
    organisation_failures: int | None
    draw: Decimal
    now: dt.datetime
    previous: RiskAssessment | None = None


def _hs_watch(rule: RiskRule, facts: Facts) -> Finding | None:
    sentences = []
    for line in facts.lines:
        prefix = next((p for p in rule.params["prefixes"] if line.hs_code.startswith(p)), None)
        if prefix:
            sentences.append(
                texts.sentence("hs_watch.line", line=line.line_no, code=line.hs_code, prefix=prefix)
            )
    if not sentences:
        return None
    return Finding(rule, rule.kind, rule.score, texts.join(sentences))


def majority_currency(counts: Counter, own: str) -> str | None:
    """The currency most declarations of an HS code use; on a tie the line's own currency wins,
    being as much "the market" as the other."""
    if not counts:
        return None
    top = max(counts.values())
    leaders = sorted(c for c, n in counts.items() if n == top)
    return own if own in leaders else leaders[0]


def judge_unit_value(
    line, majority: str, unit_values, ratio: Decimal, min_history: int, *, median=None
):
    """One line against its HS code's price history: ("fired" | "skipped", sentence) or None.
    ``median``: the unit values' median, when already worked out.

    Shared by the engine and the demo generator, which replays the same rule over history it
    holds in memory.
    """
    if len(unit_values) < min_history:
        return None  # too few declarations to know what a normal price is: say nothing
    hs6 = line.hs_code[:6]
    if line.currency != majority:
        return "skipped", texts.sentence(
            "undervaluation.other_currency",
            line=line.line_no,
            code=line.hs_code,
            hs6=hs6,
            currency=line.currency,
            majority=majority,
        )
    if median is None:
        median = statistics.median(unit_values)
    unit_value = line.value / line.net_weight_kg
    if unit_value >= ratio * median:
        return None
    return "fired", texts.sentence(
        "undervaluation.line",
        line=line.line_no,
        code=line.hs_code,
        hs6=hs6,
        currency=line.currency,
        value=texts.as_number(unit_value, 4),
        median=texts.as_number(median, 4),
        ratio=texts.as_number(ratio),
        count=len(unit_values),
    )


def _undervaluation(rule: RiskRule, facts: Facts) -> Finding | None:
    ratio = Decimal(rule.params["ratio"])
    min_history = int(rule.params["min_history"])
    found: dict[str, list] = {"fired": [], "skipped": []}
    # The other trips' declared lines of each subheading, from its maintained summary.
    summaries = history.window(facts.trip, facts.lines)
    cache: dict[tuple[str, str], tuple[str, history.Window]] = {}
    for line in facts.lines:
        hs6 = line.hs_code[:6]
        key = (hs6, line.currency)
        if key not in cache:
            counts, windows = summaries[hs6]
            majority = majority_currency(counts, line.currency)
            cache[key] = (majority or "", windows.get(majority) or history.Window())
        majority, window = cache[key]
        # The median only of a window long enough to judge by (kept with the window).
        median = window.median if len(window) >= max(min_history, 1) else None
        # The values in order stand for the values (only their number and median count).
        verdict = judge_unit_value(
            line, majority, window.sorted_values, ratio, min_history, median=median
        )
        if verdict is not None:
            found[verdict[0]].append(verdict[1])
    fired, skipped = found["fired"], found["skipped"]
    if not fired and not skipped:
        return None
    # A line that could not be compared is reported even when nothing fired, with no score,
    # so the officer knows the rule did not vouch for it.
    return Finding(rule, rule.kind, rule.score if fired else 0, texts.join(fired + skipped))


def _failed_inspections(rule: RiskRule, facts: Facts) -> Finding | None:
    days = int(rule.params["window_days"])
    minimum = int(rule.params["min_failures"])
    count = facts.organisation_failures
    if count is None:
        count = FAILED_INSPECTIONS_PROVIDER(
            facts.trip.organisation, facts.now - dt.timedelta(days=days)
        )
    if count < minimum:
        return None
    return Finding(
        rule,
        rule.kind,
        rule.score,
        texts.sentence("failed_inspections", count=count, days=days, minimum=minimum),
    )


_EARLIER_DECLARATION = Prepared(
    lambda organisation, trip, submitted: (
        Trip.objects.filter(
            organisation_id=organisation, submitted_at__isnull=False, submitted_at__lt=submitted
        )
        .exclude(pk=trip)
        .only("pk")
        .order_by()[:1]
    ),
    organisation=int,
    trip=int,
    submitted=dt.datetime,
)


def _first_time_declarant(rule: RiskRule, facts: Facts) -> Finding | None:
    trip = facts.trip
    # "Earlier" is fixed by this trip's own submission, so a reassessment gives the same answer
    # however many trips the enterprise submitted since: under the same rule set (the same
    # rules, this one among them) the previous assessment's answer is taken, not asked again.
    previous = facts.previous
    if previous is not None and previous.ruleset_id == facts.ruleset.pk:
        if not any(r.get("kind") == rule.kind for r in previous.reasons or ()):
            return None
        return Finding(rule, rule.kind, rule.score, texts.sentence("first_time_declarant"))
    if trip.submitted_at is not None:
        earlier = _EARLIER_DECLARATION.first(
            organisation=trip.organisation_id, trip=trip.pk, submitted=trip.submitted_at
        )
    else:
        earlier = (
            Trip.objects.filter(organisation_id=trip.organisation_id, submitted_at__isnull=False)
            .exclude(pk=trip.pk)
            .first()
        )
    if earlier is not None:
        return None
    return Finding(rule, rule.kind, rule.score, texts.sentence("first_time_declarant"))


def _weight_difference(rule: RiskRule, facts: Facts) -> Finding | None:
    weighed = facts.weighbridge_kg
    if weighed is None:
        return None
    declared = facts.declared_gross_kg
    threshold = Decimal(rule.params["percent"])
    if declared <= 0:
        if weighed <= 0:
            return None
        # No percentage of nothing: shown to the officer, but it scores nothing by itself.
        return Finding(
            rule,
            rule.kind,
            0,
            texts.sentence(
                "weight_difference.nothing_declared", weighed=texts.as_number(weighed, 3)
            ),
        )
    percent = abs(weighed - declared) / declared * 100
    if percent <= threshold:
        return None
    return Finding(
        rule,
        rule.kind,
        rule.score,
        texts.sentence(
            "weight_difference",
            weighed=texts.as_number(weighed, 3),
            declared=texts.as_number(declared, 3),
            percent=texts.as_number(percent, 1),
            threshold=texts.as_number(threshold),
        ),
    )


def _random(rule: RiskRule, facts: Facts) -> Finding | None:
    ruleset, draw = facts.ruleset, facts.draw
    red = ruleset.random_red_rate
    limit = red + ruleset.random_yellow_rate
    if draw < red:
        reason = texts.sentence(
            "random.red", draw=texts.as_number(draw), red=texts.as_number(red.normalize())
        )
        return Finding(rule, rule.kind, rule.score, reason, channel=RiskChannel.RED)
    if draw < limit:
        reason = texts.sentence(
            "random.yellow",
            draw=texts.as_number(draw),
            red=texts.as_number(red.normalize()),
            limit=texts.as_number(limit.normalize()),
        )
        return Finding(rule, rule.kind, rule.score, reason, channel=RiskChannel.YELLOW)
    return None


EVALUATORS: dict[str, Callable[[RiskRule, Facts], Finding | None]] = {
    RuleKind.HS_WATCH: _hs_watch,
    RuleKind.UNDERVALUATION: _undervaluation,
    RuleKind.FAILED_INSPECTIONS: _failed_inspections,
    RuleKind.FIRST_TIME_DECLARANT: _first_time_declarant,
    RuleKind.WEIGHT_DIFFERENCE: _weight_difference,
    RuleKind.RANDOM: _random,
}


def _weighbridge(value) -> Decimal | None:
    if value is None:
        return None
    try:
        weighed = Decimal(str(value))
    except InvalidOperation:
        weighed = None
    if weighed is None or not weighed.is_finite() or weighed <= 0 or weighed >= Decimal("1e9"):
        raise RiskValidationError(
            {"weighbridge_kg": [_("Give the weighbridge reading in kilograms, above 0.")]}
        )
    return weighed.quantize(Decimal("0.001"))


def current_assessment(trip: Trip) -> RiskAssessment | None:
    return _CURRENT_OF.first(trip=trip.pk)


@functools.cache
def _current_with_failures() -> Prepared:
    # Built once the inspections app has set its column (at start-up, before any request).
    # Without the rule set's row: planning compares the previous assessment's rule set by id.
    column = FAILED_INSPECTIONS_COLUMN
    return Prepared(
        lambda trip, organisation, since: _current_rows(trip).annotate(
            organisation_failures=column(organisation, since)
        ),
        trip=int,
        organisation=int,
        since=dt.datetime,
    )


def _previous_and_failures(trip: Trip, rules: list[RiskRule], now: dt.datetime, known):
    """The trip's current assessment, and the organisation's failed inspections in the window
    of the rule that weighs them, read with it when that is one statement (one such rule, a
    previous assessment); the count is None when the rule is to ask for it."""
    windows = {
        int(rule.params["window_days"])
        for rule in rules
        if rule.kind == RuleKind.FAILED_INSPECTIONS
    }
    if known is not None or len(windows) != 1 or FAILED_INSPECTIONS_COLUMN is None:
        return current_assessment(trip), known
    since = now - dt.timedelta(days=windows.pop())
    previous = _current_with_failures().first(
        trip=trip.pk, organisation=trip.organisation_id, since=since
    )
    if previous is None:  # never assessed: no row to carry the count
        return None, None
    return previous, previous.organisation_failures


def assess(
    trip: Trip,
    *,
    weighbridge_kg: Decimal | None = None,
    organisation_failures: int | None = None,
    locked: bool = False,
) -> RiskAssessment:
    """Assess the trip under the active rule set; the result becomes its current assessment.

    ``weighbridge_kg`` is the load's gross weight read at the gate; without it, the reading of
    the previous assessment (if any) still counts. ``organisation_failures`` is the number of
    failed physical inspections in the rule's window, for a caller that already knows it;
    otherwise ``FAILED_INSPECTIONS_PROVIDER`` is asked. ``locked``: the caller's transaction
    holds the trip's row lock and ``trip`` is the row as it now stands (a transition's signal).
    """
    weighed = _weighbridge(weighbridge_kg)
    with transaction.atomic():
        if not locked:
            # Lock the trip so two readings arriving together cannot both become current.
            # Its own row only (``lock_rows``): locking the joined organisation and gate rows
            # made parallel submissions and check-ins of one company or gate deadlock.
            trip = lock_rows(Trip.objects.select_related("organisation", "gate")).get(pk=trip.pk)
        return _assess(trip, list(trip.cargo_lines.all()), weighed, organisation_failures)


def plan(
    trip: Trip,
    lines: list[CargoLine],
    *,
    weighbridge_kg: Decimal | None = None,
    ruleset: RuleSet | None = None,
) -> RiskAssessment:
    """The assessment ``assess`` would make, read and worked out but not saved: the gate's
    check-in does this before its transaction and saves it with ``record`` inside.
    ``ruleset``: the active rule set, when the caller read it."""
    return _plan(trip, lines, _weighbridge(weighbridge_kg), None, ruleset)


_NO_LONGER_CURRENT = PreparedUpdate(
    lambda pk: RiskAssessment.objects.filter(pk=pk, is_current=True),
    values=lambda pk: {"is_current": False},
    pk=int,
)


def record(assessment: RiskAssessment) -> RiskAssessment:
    """Save a planned assessment as the trip's current one.

    ``ChangedMeanwhile`` if the assessment it replaces is no longer current, or another became
    current since it was planned (the partial unique index refuses a second): planned on what
    was read, it must be planned again. The caller's transaction is then to be rolled back.
    """
    previous = assessment.previous
    if previous is not None:
        if not _NO_LONGER_CURRENT.run(pk=previous.pk):
            raise ChangedMeanwhile("risk assessment")
        previous.is_current = False
    try:
        # No savepoint: the error leaves through the caller's transaction, rolled back whole.
        insert(assessment)
    except IntegrityError:
        if previous is None:
            raise ChangedMeanwhile("risk assessment") from None
        raise
    if previous is not None and RANK[assessment.channel] > RANK[previous.channel]:
        channel_raised.send(sender=RiskAssessment, assessment=assessment, previous=previous)
    return assessment


# Rule set id -> (what identifies its row, its enabled rules in order). A version's rules never
# change once saved (a change is a new version), so a process keeps them; the identity also
# holds the creation time and seed, so a number reused after a rollback is not mistaken.
_RULES: dict[int, tuple[tuple, list[RiskRule]]] = {}


def _enabled_rules(ruleset: RuleSet) -> list[RiskRule]:
    identity = (ruleset.version, ruleset.created_at, ruleset.random_seed)
    cached = _RULES.get(ruleset.pk)
    if cached is not None and cached[0] == identity:
        return cached[1]
    rules = list(ruleset.rules.filter(is_enabled=True).order_by("position", "id"))
    _RULES[ruleset.pk] = (identity, rules)
    return rules


def _assess(
    trip: Trip, lines: list[CargoLine], weighed: Decimal | None, organisation_failures
) -> RiskAssessment:
    with transaction.atomic(savepoint=False):
        return record(_plan(trip, lines, weighed, organisation_failures))


def _plan(
    trip: Trip,
    lines: list[CargoLine],
    weighed: Decimal | None,
    organisation_failures,
    ruleset: RuleSet | None = None,
) -> RiskAssessment:
    if trip.status in NOT_ASSESSABLE_STATUSES:
        raise RiskValidationError(
            {
                "status": [
                    _("A trip is assessed once submitted; this one is %(status)s.")
                    % {"status": mid_sentence(trip.get_status_display())}
                ]
            }
        )
    ruleset = ruleset or active_ruleset()
    rules = _enabled_rules(ruleset)
    now = timezone.now()
    previous, organisation_failures = _previous_and_failures(
        trip, rules, now, organisation_failures
    )
    if weighed is None and previous is not None:
        weighed = previous.weighbridge_kg
    facts = Facts(
        trip=trip,
        ruleset=ruleset,
        lines=lines,
        declared_gross_kg=sum((line.gross_weight_kg for line in lines), Decimal(0)),
        weighbridge_kg=weighed,
        organisation_failures=organisation_failures,
        draw=random_draw(ruleset.random_seed, trip.reference),
        now=now,
        previous=previous,
    )
    findings = []
    for rule in rules:
        finding = EVALUATORS[rule.kind](rule, facts)
        if finding is not None:
            findings.append(finding)
    score = sum(f.score for f in findings)
    channel = channel_for_score(ruleset, score)
    for finding in findings:
        if finding.channel:
            channel = higher(channel, finding.channel)
    if previous is not None and RANK[previous.channel] > RANK[channel]:
        # Never lower: officers and the driver were already told this truck goes to the
        # previous channel. A later, lower score (an amended declaration, a new rule set,
        # a reading that looks fine) must not silently release a truck someone decided to
        # look at; lowering it is a human decision, recorded as such, not a side effect.
        findings.append(
            Finding(
                None,
                "previous_channel",
                0,
                texts.sentence(
                    "previous_channel",
                    previous=texts.channel_name(previous.channel),
                    computed=texts.channel_name(channel),
                    when=timezone.localtime(
                        previous.assessed_at, ZoneInfo(trip.gate.time_zone)
                    ).strftime("%Y-%m-%d %H:%M"),
                ),
            )
        )
        channel = previous.channel
    return RiskAssessment(
        trip=trip,
        trip_version=trip.version,
        ruleset=ruleset,
        channel=channel,
        score=score,
        reasons=[f.as_json() for f in findings],
        random_draw=facts.draw,
        declared_gross_kg=facts.declared_gross_kg,
        weighbridge_kg=weighed,
        previous=previous,
        assessed_at=facts.now,
        is_current=True,
    )
