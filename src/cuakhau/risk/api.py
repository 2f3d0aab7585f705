"""Risk channels over the JSON API. Handlers translate HTTP to service calls and nothing more."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cuakhau.core.api_support import (
    Choice,
    CodeOf,
    NumberOf,
    Text,
    WholeNumber,
    checked_further,
    label_of,
)
from cuakhau.trips import services as trips

from . import services
from .choices import RiskChannel, RuleKind
from .models import RiskAssessment, RiskRule, RuleSet

router = Router(tags=["risk"])


class RiskRuleOut(Schema):
    id: int
    position: int
    kind: CodeOf(RuleKind)
    kind_label: str
    params: dict
    score: int
    description_vi: str
    description_en: str
    description_zh: str = Field(description="Empty until written: a reader then gets the English")
    is_enabled: bool


class RuleSetOut(Schema):
    version: int
    is_active: bool
    created_at: dt.datetime
    created_by: str | None
    note: str
    yellow_threshold: int
    red_threshold: int
    random_red_rate: Decimal
    random_yellow_rate: Decimal
    rules: list[RiskRuleOut]


class ReasonOut(Schema):
    rule_id: int | None
    kind: CodeOf(RuleKind)
    kind_label: str
    score: int
    # Only a rule that sets the channel itself (random selection) names one.
    channel: CodeOf(RiskChannel, null=True) = None
    channel_label: str | None = None
    reason_vi: str
    reason_en: str
    # None for a reason of an older assessment whose English could not be read back into Chinese.
    reason_zh: str | None = None
    # In the caller's language; ``text_language`` says which it is when the record lacks it.
    text: str
    text_language: Literal["vi", "en", "zh"]


class AssessmentOut(Schema):
    trip: str
    trip_version: int
    channel: CodeOf(RiskChannel)
    channel_label: str
    assessed_at: dt.datetime
    # Only for those who may see why (risk.view_riskassessment): telling a declarant which
    # rule picked the truck would tell them how to avoid it next time.
    score: int | None = None
    ruleset_version: int | None = None
    reasons: list[ReasonOut] | None = None
    random_draw: Decimal | None = None
    declared_gross_kg: Decimal | None = None
    weighbridge_kg: Decimal | None = None


RecordId = WholeNumber(1, 2**31 - 1)
Description = Text(2000, multiline=True)


class RuleEditIn(Schema):
    rule_id: RecordId | None = None
    kind: Choice(RuleKind) = None
    score: NumberOf(RiskRule, "score") | None = None
    params: dict | None = None
    is_enabled: bool | None = None
    description_vi: Description | None = None
    description_en: Description | None = None
    description_zh: Description | None = None


class SettingsIn(Schema):
    yellow_threshold: NumberOf(RuleSet, "yellow_threshold") | None = None
    red_threshold: NumberOf(RuleSet, "red_threshold") | None = None
    random_red_rate: NumberOf(RuleSet, "random_red_rate") | None = None
    random_yellow_rate: NumberOf(RuleSet, "random_yellow_rate") | None = None


class NewRuleSetIn(Schema):
    note: Text(2000, multiline=True)
    base_version: NumberOf(RuleSet, "version") | None = None
    settings: SettingsIn | None = None
    rules: list[RuleEditIn] = Field([], max_length=100)


def rule_out(rule: RiskRule) -> dict:
    return {
        "id": rule.pk,
        "position": rule.position,
        "kind": rule.kind,
        "kind_label": label_of(RuleKind, rule.kind),
        "params": rule.params,
        "score": rule.score,
        "description_vi": rule.description_vi,
        "description_en": rule.description_en,
        "description_zh": rule.description_zh,
        "is_enabled": rule.is_enabled,
    }


def ruleset_out(ruleset: RuleSet) -> dict:
    # The seed stays out: whoever knows it can tell in advance which references get picked.
    return {
        "version": ruleset.version,
        "is_active": ruleset.is_active,
        "created_at": ruleset.created_at,
        "created_by": ruleset.created_by.get_username() if ruleset.created_by else None,
        "note": ruleset.note,
        "yellow_threshold": ruleset.yellow_threshold,
        "red_threshold": ruleset.red_threshold,
        "random_red_rate": ruleset.random_red_rate,
        "random_yellow_rate": ruleset.random_yellow_rate,
        "rules": [rule_out(rule) for rule in ruleset.rules.all()],
    }


def assessment_out(assessment: RiskAssessment, with_reasons: bool) -> dict:
    body = {
        "trip": assessment.trip.reference,
        "trip_version": assessment.trip_version,
        "channel": assessment.channel,
        "channel_label": label_of(RiskChannel, assessment.channel),
        "assessed_at": assessment.assessed_at,
    }
    if with_reasons:
        body.update(
            score=assessment.score,
            ruleset_version=assessment.ruleset.version,
            reasons=[
                {
                    **r,
                    "text": str(text := services.reason_text(r)),
                    "text_language": text.lang,
                    "kind_label": label_of(RuleKind, r.get("kind")),
                    "channel_label": label_of(RiskChannel, r.get("channel")),
                }
                for r in assessment.reasons
            ],
            random_draw=assessment.random_draw,
            declared_gross_kg=assessment.declared_gross_kg,
            weighbridge_kg=assessment.weighbridge_kg,
        )
    return body


@router.get(
    "/risk/rulesets/active",
    response=RuleSetOut,
    summary="The active risk rule set",
    description=(
        "Customs managers, auditors and administrators (or holders of the permission): the "
        "rules, scores and thresholds that choose a truck's green, yellow or red channel."
    ),
)
def active_ruleset(request: HttpRequest):
    if not services.can_view_rules(request.auth):
        raise PermissionDenied(_("Only customs managers and auditors may read the risk rules."))
    return ruleset_out(services.active_ruleset())


def _ruleset_errors(request, parts, refused):
    # A score that is no number does not hide a rule that is not in the set, a ratio above 1
    # or an empty note: every wrong value of the change in one 422.
    if not services.can_change_rules(request.auth):
        return {}  # the schema's refusal stands alone: the caller may not change them anyway
    return services.ruleset_errors(
        [{k: v for k, v in edit.items() if v is not None} for edit in parts.get("rules") or []],
        parts.get("note"),
        settings={k: v for k, v in (parts.get("settings") or {}).items() if v is not None},
        base_version=parts.get("base_version"),
        refused=refused,
    )


@router.post(
    "/risk/rulesets",
    response={201: RuleSetOut},
    summary="Change the risk rules: saved and activated as a new version",
    description=(
        "Customs managers and administrators: the edits (rules, thresholds, random rates) on "
        "top of `base_version` become the new active version; a stale `base_version` is "
        "refused (422), so two managers never overwrite each other."
    ),
)
@checked_further(_ruleset_errors)
def new_ruleset(request: HttpRequest, payload: NewRuleSetIn):
    settings = payload.settings.model_dump(exclude_none=True) if payload.settings else None
    ruleset = services.new_ruleset_version(
        request.auth,
        [edit.model_dump(exclude_none=True) for edit in payload.rules],
        payload.note,
        settings=settings,
        base_version=payload.base_version,
    )
    return Status(201, ruleset_out(ruleset))


@router.get(
    "/risk/assessments/{trip_reference}",
    response=AssessmentOut,
    summary="The trip's current risk channel (with the reasons, for customs)",
    description=(
        "Whoever may see the trip reads its channel; only those who may read the risk rules "
        "also get the score and the reasons (telling a declarant why would tell them how to "
        "avoid it)."
    ),
)
def current_assessment(request: HttpRequest, trip_reference: str):
    trip = trips.find_trip(request.auth, trip_reference)
    assessment = services.current_assessment(trip)
    if assessment is None:
        raise RiskAssessment.DoesNotExist(
            _("Trip %(ref)s has no risk channel yet: it is assessed when submitted.")
            % {"ref": trip.reference}
        )
    return assessment_out(assessment, services.can_view_reasons(request.auth))
