"""The demo's registers (issue 12): the example investment projects (49 projects, VND 6.8
trillion registered, as the province publishes; every row marked as example data) with a few
milestones and amendments, and the cooperation register's example rows.

Called by the ``demo`` command after the trips; a second run replaces the example rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cuakhau.cooperation.examples import load_examples
from cuakhau.cooperation.models import (
    Agreement,
    AidProject,
    Commitment,
    Counterpart,
    Delegation,
    Meeting,
)
from cuakhau.cooperation.services import late_q
from cuakhau.investment import imports, services
from cuakhau.investment.models import InvestmentProject, LicenceAmendment, Milestone


@transaction.atomic
def stage_registers() -> None:
    InvestmentProject.objects.filter(is_example=True).delete()
    for model in (Commitment, Meeting, Agreement, Delegation, AidProject, Counterpart):
        model.objects.filter(is_example=True).delete()
    sheet = imports.read_spreadsheet(imports.EXAMPLE_FILE.name, imports.EXAMPLE_FILE.read_bytes())
    imports.import_projects(None, sheet, is_example=True)
    # Milestones for the projects still being built: one met, one due or missed.
    building = InvestmentProject.objects.filter(status="under_construction", is_example=True)
    for project in building.order_by("code"):
        start = project.certificate_date or dt.date(2023, 1, 1)
        Milestone.objects.create(
            project=project,
            title="Giải phóng mặt bằng",
            due_date=start + dt.timedelta(days=180),
            achieved_on=start + dt.timedelta(days=170),
            status="achieved",
        )
        Milestone.objects.create(
            project=project,
            title="Hoàn thành xây dựng, đưa vào hoạt động",
            due_date=start + dt.timedelta(days=900),
            status="planned",
        )
    for project in building.order_by("code")[:3]:
        LicenceAmendment.objects.create(
            project=project,
            number=1,
            date=(project.certificate_date or dt.date(2023, 1, 1)) + dt.timedelta(days=400),
            summary="Điều chỉnh tiến độ thực hiện dự án",
        )
    load_examples()


def summary() -> str:
    totals = services.zone_totals()
    late = Commitment.objects.filter(late_q()).count()
    return (
        f"{totals.count} projects, VND {totals.registered_vnd:,.0f} registered; "
        f"{Commitment.objects.count()} commitments ({late} late)"
    )
