"""Market access over the JSON API. Handlers translate HTTP to service calls and nothing more.

Paths carry their own ``/market`` prefix: mount with ``api.add_router("/", router)``.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from cuakhau.core.api_support import paginate
from cuakhau.core.errors import FieldErrors, form_errors

from . import services
from .forms import RuleFilterForm

router = Router(tags=["market access"])


class RuleFilters(Schema):
    hs: str = ""
    requirement: str = ""
    on: str = ""
    gate: str = ""
    include_inactive: bool = False
    page: int = 1
    page_size: int = 50


class RuleOut(Schema):
    id: int
    hs_prefix: str
    product_name: str
    product_name_vi: str
    product_name_en: str
    product_name_zh: str
    requirement: str
    direction: str
    destination: str
    origin_country: str
    gate: str | None
    designated_gates: list[str]
    starts_on: dt.date | None
    ends_on: dt.date | None
    legal_basis: str
    declared_by: str
    confidence: str
    source: str
    note: str
    is_active: bool
    supersedes: int | None
    created_at: dt.datetime


class RulePage(Schema):
    count: int
    items: list[RuleOut]


class LineIn(Schema):
    hs_code: str
    phytosanitary_certificate: str = ""
    origin_country: str = "VN"


class CheckIn(Schema):
    gate: str
    direction: str
    expected_arrival: dt.datetime | None = None
    on: dt.date | None = None
    lines: list[LineIn] = []


class FindingOut(Schema):
    path: str
    rule_id: int
    requirement: str
    blocking: bool
    message: str
    confidence: str


class CheckOut(Schema):
    on: dt.date
    destination: str | None
    blocking: bool
    findings: list[FindingOut]


class SuspensionIn(Schema):
    hs_prefix: str
    direction: str = "export"
    destination: str = "CN"
    gate: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None
    legal_basis: str
    declared_by: str
    origin_country: str = ""
    note: str = ""


def rule_out(rule) -> dict:
    return {
        "id": rule.pk,
        "hs_prefix": rule.hs_prefix,
        "product_name": rule.product_name,
        "product_name_vi": rule.product_name_vi,
        "product_name_en": rule.product_name_en,
        "product_name_zh": rule.product_name_zh,
        "requirement": rule.requirement,
        "direction": rule.direction,
        "destination": rule.destination,
        "origin_country": rule.origin_country,
        "gate": rule.gate.code if rule.gate_id else None,
        "designated_gates": sorted(g.code for g in rule.designated_gates.all()),
        "starts_on": rule.starts_on,
        "ends_on": rule.ends_on,
        "legal_basis": rule.legal_basis,
        "declared_by": rule.declared_by,
        "confidence": rule.confidence,
        "source": rule.source,
        "note": rule.note,
        "is_active": rule.is_active,
        "supersedes": rule.supersedes_id,
        "created_at": rule.created_at,
    }


@router.get("/market/rules", response=RulePage, summary="List market-access rules")
def list_rules(request: HttpRequest, filters: Query[RuleFilters]):
    form = RuleFilterForm(filters.model_dump(exclude={"page", "page_size"}))
    if not form.is_valid():
        raise FieldErrors(form_errors(form), location="query")
    qs = services.list_rules(**form.filters())
    return paginate(qs, filters.page, filters.page_size, rule_out)


@router.post(
    "/market/check",
    response=CheckOut,
    summary="Check goods against the rules in force",
    description=(
        "Finding paths index `lines` as `cargo_lines.N.…`, the field paths of a trip "
        "declaration. `on` defaults to the expected arrival date (today without one)."
    ),
)
def check(request: HttpRequest, payload: CheckIn):
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


@router.post(
    "/market/suspensions",
    response={201: RuleOut},
    summary="Declare a suspension (customs managers, quarantine officers)",
)
def declare_suspension(request: HttpRequest, payload: SuspensionIn):
    data = payload.model_dump()
    rule = services.suspend(data.pop("hs_prefix"), actor=request.auth, **data)
    return Status(201, rule_out(rule))
