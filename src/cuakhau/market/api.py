"""Market access over the JSON API. Handlers translate HTTP to service calls and nothing more.

Paths carry their own ``/market`` prefix: mount with ``api.add_router("/", router)``.
"""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from cuakhau.core.api_support import (
    Choice,
    CodeOf,
    Day,
    Moment,
    OneOf,
    PageNumber,
    PageSize,
    Text,
    TextOf,
    checked_further,
    label_of,
    paginate,
)
from cuakhau.core.errors import FieldErrors, form_errors
from cuakhau.reference.localize import country_name
from cuakhau.reference.models import Confidence
from cuakhau.trips.choices import Direction
from cuakhau.trips.models import CargoLine
from cuakhau.trips.services import MAX_CARGO_LINES

from . import services
from .choices import Requirement, RuleDirection
from .forms import RuleFilterForm
from .models import MarketAccessRule

router = Router(tags=["market access"])


class RuleFilters(Schema):
    hs: Text(10) = ""
    requirement: Choice(Requirement) = None
    on: Text(10) = Field("", description="YYYY-MM-DD")
    gate: Text(8) = ""
    include_inactive: bool = False
    page: PageNumber = 1
    page_size: PageSize = 50


class MarketRuleOut(Schema):
    id: int
    hs_prefix: str
    product_name: str
    product_name_vi: str
    product_name_en: str
    product_name_zh: str
    requirement: CodeOf(Requirement)
    requirement_label: str
    direction: CodeOf(RuleDirection)
    direction_label: str
    destination: str
    # Each country's name in the caller's language beside its ISO code ("" for no origin).
    destination_name: str
    origin_country: str
    origin_country_name: str
    gate: str | None
    designated_gates: list[str]
    starts_on: dt.date | None
    ends_on: dt.date | None
    legal_basis: str
    declared_by: str
    confidence: CodeOf(Confidence)
    confidence_label: str
    source: str
    note: str
    # The note in the request's language where its lines are known texts, else as written.
    note_localized: str
    is_active: bool
    supersedes: int | None
    created_at: dt.datetime


class RulePage(Schema):
    count: int
    items: list[MarketRuleOut]


# A market-access question is about goods crossing within a few years either way; beyond
# that a date is a typing error (and the first or last day of the calendar breaks the query).
RuleDay = Day(past=dt.timedelta(days=3660), future=dt.timedelta(days=3660))


class LineIn(Schema):
    hs_code: Text(40)
    phytosanitary_certificate: TextOf(CargoLine, "phytosanitary_certificate") = ""
    origin_country: Text(2) = "VN"


class MarketCheckIn(Schema):
    gate: Text(8)
    direction: OneOf(Direction)
    expected_arrival: (
        Moment(past=dt.timedelta(days=3660), future=dt.timedelta(days=3660), naive_kept=True) | None
    ) = Field(
        None,
        description="Its day on the gate's clock decides the rules in force; one without a UTC "
        "offset is the gate's local time.",
    )
    on: RuleDay | None = None
    lines: list[LineIn] = Field([], max_length=MAX_CARGO_LINES)


class FindingOut(Schema):
    path: str
    rule_id: int
    requirement: CodeOf(Requirement)
    requirement_label: str
    blocking: bool
    message: str
    confidence: CodeOf(Confidence)
    confidence_label: str

    @staticmethod
    def resolve_requirement_label(obj) -> str:
        return label_of(Requirement, obj.requirement)

    @staticmethod
    def resolve_confidence_label(obj) -> str:
        return label_of(Confidence, obj.confidence)


class MarketCheckOut(Schema):
    on: dt.date
    destination: str | None
    blocking: bool
    findings: list[FindingOut]


class SuspensionIn(Schema):
    hs_prefix: Text(12)
    direction: OneOf(RuleDirection) = RuleDirection.EXPORT
    destination: Text(2) = "CN"
    gate: Text(8) = ""
    starts_on: RuleDay
    ends_on: RuleDay | None = None
    legal_basis: Text(4000, multiline=True)
    declared_by: TextOf(MarketAccessRule, "declared_by")
    origin_country: Text(2) = ""
    note: Text(4000, multiline=True) = ""


def rule_out(rule) -> dict:
    return {
        "id": rule.pk,
        "hs_prefix": rule.hs_prefix,
        "product_name": rule.product_name,
        "product_name_vi": rule.product_name_vi,
        "product_name_en": rule.product_name_en,
        "product_name_zh": rule.product_name_zh,
        "requirement": rule.requirement,
        "requirement_label": label_of(Requirement, rule.requirement),
        "direction": rule.direction,
        "direction_label": label_of(RuleDirection, rule.direction),
        "destination": rule.destination,
        "destination_name": country_name(rule.destination),
        "origin_country": rule.origin_country,
        "origin_country_name": country_name(rule.origin_country),
        "gate": rule.gate.code if rule.gate_id else None,
        "designated_gates": sorted(g.code for g in rule.designated_gates.all()),
        "starts_on": rule.starts_on,
        "ends_on": rule.ends_on,
        "legal_basis": rule.legal_basis,
        "declared_by": rule.declared_by,
        "confidence": rule.confidence,
        "confidence_label": label_of(Confidence, rule.confidence),
        "source": rule.source,
        "note": rule.note,
        "note_localized": str(rule.note_text),
        "is_active": rule.is_active,
        "supersedes": rule.supersedes_id,
        "created_at": rule.created_at,
    }


@router.get(
    "/market/rules",
    response=RulePage,
    summary="List market-access rules",
    description=(
        "Any signed-in person: the market-access and quarantine rules per HS prefix, "
        "direction, destination and gate (China's fruit access list, designated gates, "
        "suspensions), in force on `on` (today without it), by pages."
    ),
)
def list_rules(request: HttpRequest, response: HttpResponse, filters: Query[RuleFilters]):
    form = RuleFilterForm(filters.model_dump(exclude={"page", "page_size"}))
    if not form.is_valid():
        raise FieldErrors(form_errors(form), location="query")
    qs = services.list_rules(**form.filters())
    return paginate(qs, filters.page, filters.page_size, rule_out, response, request)


@router.post(
    "/market/check",
    response=MarketCheckOut,
    summary="Check goods against the rules in force",
    description=(
        "Any signed-in person asks, before declaring, what the rules say of these goods at "
        "this gate. Changes nothing. Finding paths index `lines` as `cargo_lines.N.…`, the field paths of a trip "
        "declaration. `on` defaults to the expected arrival date (today without one)."
    ),
)
def check(request: HttpRequest, payload: MarketCheckIn):
    result = services.check_goods(
        gate=payload.gate,
        direction=payload.direction,
        lines=[line.model_dump() for line in payload.lines],
        expected_arrival=payload.expected_arrival,
        on=payload.on,
    )
    return {
        "on": result.on,
        "destination": result.destination,
        "blocking": any(f.blocking for f in result.findings),
        "findings": result.findings,
    }


def _suspension_errors(request, parts, refused):
    # A missing declarer does not hide an HS prefix out of the nomenclature, a gate that is
    # none, an end before the start: every field in one 422.
    return services.suspension_errors(actor=request.auth, **parts)


@router.post(
    "/market/suspensions",
    response={201: MarketRuleOut},
    summary="Declare a suspension (customs and quarantine officers)",
    description=(
        "Customs officers and managers, quarantine officers (or holders of the permission) "
        "suspend an HS prefix's market access from a date, with its legal basis; at a named "
        "gate only an officer of that gate may."
    ),
)
@checked_further(_suspension_errors)
def declare_suspension(request: HttpRequest, payload: SuspensionIn):
    data = payload.model_dump()
    rule = services.suspend(data.pop("hs_prefix"), actor=request.auth, **data)
    return Status(201, rule_out(rule))
