"""The investment register's rules: the project status machine, the zone's totals, the import.

``transition`` is the only writer of ``InvestmentProject.status``; every change is recorded
(``ProjectTransition``: who, when, channel, address, why). ``import_projects`` saves a whole
spreadsheet in one transaction or nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from cuakhau.core.aggregates import Total
from cuakhau.core.context import SYSTEM
from cuakhau.core.errors import FieldErrors
from cuakhau.core.statemachine import StateMachine, Transition

from .choices import ProjectAction, ProjectStatus, Sector
from .models import InvestmentProject, ProjectTransition

MANAGE = "investment.manage_projects"
S = ProjectStatus
A = ProjectAction

PROJECT_MACHINE = StateMachine(
    "investment project",
    [
        Transition(S.REGISTERED, A.START_CONSTRUCTION, S.UNDER_CONSTRUCTION, MANAGE),
        Transition(S.UNDER_CONSTRUCTION, A.START_OPERATION, S.OPERATING, MANAGE),
        Transition(S.REGISTERED, A.SUSPEND, S.SUSPENDED, MANAGE, reason_required=True),
        Transition(S.UNDER_CONSTRUCTION, A.SUSPEND, S.SUSPENDED, MANAGE, reason_required=True),
        Transition(S.OPERATING, A.SUSPEND, S.SUSPENDED, MANAGE, reason_required=True),
        Transition(S.SUSPENDED, A.RESUME_CONSTRUCTION, S.UNDER_CONSTRUCTION, MANAGE),
        Transition(S.SUSPENDED, A.RESUME_OPERATION, S.OPERATING, MANAGE),
        # Termination (the certificate withdrawn) ends the project: no way back.
        Transition(S.REGISTERED, A.TERMINATE, S.TERMINATED, MANAGE, reason_required=True),
        Transition(S.UNDER_CONSTRUCTION, A.TERMINATE, S.TERMINATED, MANAGE, reason_required=True),
        Transition(S.OPERATING, A.TERMINATE, S.TERMINATED, MANAGE, reason_required=True),
        Transition(S.SUSPENDED, A.TERMINATE, S.TERMINATED, MANAGE, reason_required=True),
    ],
    states=S,
    actions=A,
)
# A project whose certificate was withdrawn no longer counts in the zone's capital.
COUNTED = ~Q(status=S.TERMINATED)


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE))


def actions_for(user, project: InvestmentProject) -> list[str]:
    if not may_manage(user):
        return []
    return PROJECT_MACHINE.actions_from(project.status)


@transaction.atomic
def transition(
    actor, project: InvestmentProject, action: str, reason: str = "", context=SYSTEM
) -> InvestmentProject:
    project = InvestmentProject.objects.select_for_update().get(pk=project.pk)
    step = PROJECT_MACHINE.get(project.status, action)
    if not actor.has_perm(step.permission):
        raise PermissionDenied(_("Only the management board keeps the investment register."))
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise FieldErrors({"reason": [_("Say why.")]})
    ProjectTransition.objects.create(
        project=project,
        action=action,
        source=project.status,
        target=step.target,
        actor=actor,
        channel=context.channel,
        remote_addr=context.remote_addr,
        reason=reason[:500],
    )
    project.status = step.target
    project.save(update_fields=["status", "updated_at"])
    return project


def project_recorded(actor, project: InvestmentProject, context=SYSTEM, action=A.RECORD) -> None:
    """The first step of a project's history: entered by hand (the administration), or
    ``action`` IMPORT for a register's import. Its history started only with a status change,
    so who entered it, and when, was nowhere."""
    ProjectTransition.objects.create(
        project=project,
        action=action,
        source="",
        target=project.status,
        actor=actor,
        channel=context.channel,
        remote_addr=context.remote_addr,
    )


# ---------------------------------------------------------------------------------------------
# Money


def to_usd(amount_vnd: Decimal, rate: Decimal | None) -> Decimal | None:
    """Đồng to US dollars at the noted rate (VND per USD), to the cent; None without a rate."""
    if not rate:
        return None
    return (Decimal(amount_vnd) / Decimal(rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def disbursement_share(registered: Decimal, disbursed: Decimal) -> Decimal | None:
    """Disbursed as a percentage of registered, one decimal."""
    if not registered:
        return None
    return (Decimal(disbursed) * 100 / Decimal(registered)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------
# The list and the zone's totals


@dataclass
class Filters:
    sector: str = ""
    country: str = ""
    status: str = ""
    q: str = ""


def filter_projects(filters: Filters, qs: QuerySet | None = None) -> QuerySet:
    qs = InvestmentProject.objects.all() if qs is None else qs
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.country:
        qs = qs.filter(investor_country=filters.country.upper())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q.strip():
        q = filters.q.strip()
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(investor__icontains=q)
            | Q(location__icontains=q)
        )
    return qs


@dataclass
class Totals:
    count: int = 0
    registered_vnd: Decimal = Decimal(0)
    disbursed_vnd: Decimal = Decimal(0)
    registered_usd: Decimal = Decimal(0)
    # Projects with no noted rate are left out of the US-dollar figure, never guessed: how
    # many, and their capital in đồng, so the figure is read as the part it is.
    without_rate: int = 0
    without_rate_vnd: Decimal = Decimal(0)
    area_ha: Decimal = Decimal(0)
    terminated: int = 0
    by_sector: list[dict] = field(default_factory=list)
    by_country: list[dict] = field(default_factory=list)

    @property
    def disbursed_share(self):
        return disbursement_share(self.registered_vnd, self.disbursed_vnd)


def zone_totals(qs: QuerySet | None = None) -> Totals:
    """Count, registered and disbursed capital, area, by sector and by investor's country.

    Terminated projects are left out of every figure (and counted apart): the province reports
    the capital of projects in force. The US-dollar total adds each project's own conversion.
    """
    qs = InvestmentProject.objects.all() if qs is None else qs
    counted = qs.filter(COUNTED)
    sums = counted.aggregate(
        count=Count("pk"),
        registered=Total("registered_capital_vnd"),
        disbursed=Total("disbursed_capital_vnd"),
        area=Total("area_ha"),
    )
    usd, without_rate, without_rate_vnd = Decimal(0), 0, Decimal(0)
    for amount, rate in counted.values_list("registered_capital_vnd", "usd_rate"):
        # A rate no conversion can use (0, from a row written before the checks) counts as none.
        converted = to_usd(amount, rate)
        if converted is None:
            without_rate += 1
            without_rate_vnd += amount
        else:
            usd += converted
    sectors = dict(Sector.choices)
    by_sector = [
        {
            "sector": row["sector"],
            "label": str(sectors.get(row["sector"], row["sector"])),
            "count": row["n"],
            "registered_vnd": row["registered"] or Decimal(0),
            "disbursed_vnd": row["disbursed"] or Decimal(0),
        }
        for row in counted.values("sector")
        .annotate(
            n=Count("pk"),
            registered=Total("registered_capital_vnd"),
            disbursed=Total("disbursed_capital_vnd"),
        )
        .order_by("-registered", "sector")
    ]
    by_country = [
        {
            "country": row["investor_country"],
            "count": row["n"],
            "registered_vnd": row["registered"] or Decimal(0),
        }
        for row in counted.values("investor_country")
        .annotate(n=Count("pk"), registered=Total("registered_capital_vnd"))
        .order_by("-registered", "investor_country")
    ]
    return Totals(
        count=sums["count"],
        registered_vnd=sums["registered"] or Decimal(0),
        disbursed_vnd=sums["disbursed"] or Decimal(0),
        registered_usd=usd,
        without_rate=without_rate,
        without_rate_vnd=without_rate_vnd,
        area_ha=sums["area"] or Decimal(0),
        terminated=qs.filter(status=S.TERMINATED).count(),
        by_sector=by_sector,
        by_country=by_country,
    )
