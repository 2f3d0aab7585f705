"""The investment register over the API: the list with filters, one project, the zone's
totals (read by the board, the province's auditors and administrators), and status changes
(the board). Imports are a page: a spreadsheet is previewed before anything is saved."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from cuakhau.core.api_support import (
    MAX_PAGE_SIZE,
    Choice,
    CodeOf,
    OneOf,
    PageNumber,
    PageSize,
    Text,
    context_of,
    label_of,
    page_of,
)
from cuakhau.reference.localize import country_name

from . import services
from .choices import MilestoneStatus, ProjectAction, ProjectStatus, Sector
from .models import InvestmentProject, Milestone

router = Router(tags=["investment projects"])

Action = OneOf(
    ProjectAction,
    only=[
        "start_construction",
        "start_operation",
        "suspend",
        "resume_construction",
        "resume_operation",
        "terminate",
    ],
)


class InvestmentProjectFilters(Schema):
    sector: Choice(Sector) = None
    status: Choice(ProjectStatus) = None
    country: Text(2) = ""
    q: Text(100) = ""


class ProjectMilestoneOut(Schema):
    title: str
    due_date: dt.date
    achieved_on: dt.date | None
    status: CodeOf(Milestone, "status")
    status_label: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return label_of(MilestoneStatus, obj.status)


class InvestmentProjectOut(Schema):
    code: str
    name: str
    investor: str
    investor_country: str
    # The country's name in the caller's language beside its ISO code.
    investor_country_name: str
    sector: CodeOf(InvestmentProject, "sector")
    sector_label: str
    registered_capital_vnd: Decimal
    disbursed_capital_vnd: Decimal
    registered_capital_usd: Decimal | None
    disbursed_capital_usd: Decimal | None
    usd_rate: Decimal | None
    usd_rate_date: dt.date | None
    area_ha: Decimal
    location: str
    certificate_number: str
    certificate_date: dt.date | None
    status: CodeOf(InvestmentProject, "status")
    status_label: str
    is_example: bool
    milestones: list[ProjectMilestoneOut] = []


class InvestmentSectorTotal(Schema):
    sector: CodeOf(InvestmentProject, "sector")
    label: str
    count: int
    registered_vnd: Decimal
    disbursed_vnd: Decimal


class InvestmentCountryTotal(Schema):
    country: str
    country_name: str
    count: int
    registered_vnd: Decimal


class InvestmentTotalsOut(Schema):
    count: int
    registered_vnd: Decimal
    disbursed_vnd: Decimal
    registered_usd: Decimal
    # Left out of registered_usd: the projects without a noted rate, and their capital.
    projects_without_rate: int
    registered_vnd_without_rate: Decimal
    area_ha: Decimal
    terminated: int
    by_sector: list[InvestmentSectorTotal]
    by_country: list[InvestmentCountryTotal]


class ProjectActionIn(Schema):
    reason: Text(500) = ""


def _filters(f: InvestmentProjectFilters) -> services.Filters:
    return services.Filters(sector=f.sector or "", status=f.status or "", country=f.country, q=f.q)


def _project(p: InvestmentProject, with_milestones=False) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "investor": p.investor,
        "investor_country": p.investor_country,
        "investor_country_name": country_name(p.investor_country),
        "sector": p.sector,
        "sector_label": str(p.get_sector_display()),
        "registered_capital_vnd": p.registered_capital_vnd,
        "disbursed_capital_vnd": p.disbursed_capital_vnd,
        "registered_capital_usd": services.to_usd(p.registered_capital_vnd, p.usd_rate),
        "disbursed_capital_usd": services.to_usd(p.disbursed_capital_vnd, p.usd_rate),
        "usd_rate": p.usd_rate,
        "usd_rate_date": p.usd_rate_date,
        "area_ha": p.area_ha,
        "location": p.location,
        "certificate_number": p.certificate_number,
        "certificate_date": p.certificate_date,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "is_example": p.is_example,
        "milestones": list(p.milestones.all()) if with_milestones else [],
    }


@router.get(
    "/investment/projects",
    response=list[InvestmentProjectOut],
    summary="Investment projects",
    description=(
        "The board, auditors and administrators: the economic zone's investment projects, "
        "filtered by sector, status, investor country or words, by pages."
    ),
)
def list_projects(
    request: HttpRequest,
    response: HttpResponse,
    filters: Query[InvestmentProjectFilters],
    page: PageNumber = 1,
    page_size: PageSize = MAX_PAGE_SIZE,
):
    projects = services.filter_projects(_filters(filters))
    return [_project(p) for p in page_of(projects, page, page_size, request, response)]


@router.get(
    "/investment/totals",
    response=InvestmentTotalsOut,
    summary="The zone's totals",
    description=(
        "The board, auditors and administrators: capital registered and disbursed, area and "
        "counts of the projects the filters select, by sector and by investor country; US "
        "dollars at each project's noted rate, the projects without one counted apart."
    ),
)
def totals(request: HttpRequest, filters: Query[InvestmentProjectFilters]):
    t = services.zone_totals(services.filter_projects(_filters(filters)))
    return {
        **t.__dict__,
        "by_country": [
            {**row, "country_name": country_name(row["country"])} for row in t.by_country
        ],
        "projects_without_rate": t.without_rate,
        "registered_vnd_without_rate": t.without_rate_vnd,
    }


@router.get(
    "/investment/projects/{code}",
    response=InvestmentProjectOut,
    summary="One investment project and its milestones",
    description="The board, auditors and administrators.",
)
def get_project(request: HttpRequest, code: str):
    p = get_object_or_404(InvestmentProject, code=code.upper()[:20])
    return _project(p, with_milestones=True)


@router.post(
    "/investment/projects/{code}/actions/{action}",
    response=InvestmentProjectOut,
    summary="Change a project's status",
    description=(
        "The board (or holders of the permission investment.manage_projects): start "
        "construction or operation, suspend, resume or terminate, with a reason; a step the "
        "project's status does not allow is a 409."
    ),
)
def act(request: HttpRequest, code: str, action: Action, payload: ProjectActionIn):
    p = get_object_or_404(InvestmentProject, code=code.upper()[:20])
    p = services.transition(request.user, p, action, payload.reason, context_of(request))
    return _project(p, with_milestones=True)
