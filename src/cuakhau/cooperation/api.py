"""The cooperation register over the API: the commitments (what was promised, what is late)
and their status changes, and the totals of delegations and aid as the province reports them."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from cuakhau.core.api_support import (
    MAX_PAGE_SIZE,
    CodeOf,
    FormDay,
    OneOf,
    PageNumber,
    PageSize,
    Text,
    WholeNumber,
    context_of,
    page_of,
)

from . import services
from .choices import CommitmentAction
from .forms import CommitmentFilterForm
from .models import AidProject, Commitment

router = Router(tags=["cooperation"])

# Recording is the history's first step, not a step the API can take.
Action = OneOf(CommitmentAction, only=["start", "fulfil", "drop", "reopen"])
CommitmentId = WholeNumber(1, 2**31 - 1)


class CommitmentOut(Schema):
    id: int
    subject: str
    side: CodeOf(Commitment, "side")
    side_label: str
    owner: str
    due_date: dt.date
    status: CodeOf(Commitment, "status")
    status_label: str
    late: bool
    evidence: str
    done_on: dt.date | None
    meeting: str
    meeting_date: dt.date
    is_example: bool


class CommitmentActionIn(Schema):
    note: Text(services.NOTE_LENGTH, multiline=True) = ""


class CommitmentSummaryOut(Schema):
    total: int
    pending: int
    late: int
    fulfilled: int
    dropped: int


class AidSectorOut(Schema):
    sector: CodeOf(AidProject, "sector")
    label: str
    n: int
    vnd: Decimal


class CooperationTotalsOut(Schema):
    since: dt.date | None
    delegations: int
    visitors: int
    aid_projects: int
    aid_vnd: Decimal
    aid_by_sector: list[AidSectorOut]
    commitments: CommitmentSummaryOut


def _commitment(c: Commitment, today: dt.date) -> dict:
    return {
        "id": c.pk,
        "subject": c.subject,
        "side": c.side,
        "side_label": str(c.get_side_display()),
        "owner": c.owner,
        "due_date": c.due_date,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "late": services.is_late(c, today),
        "evidence": c.evidence,
        "done_on": c.done_on,
        "meeting": c.meeting.title,
        "meeting_date": c.meeting.held_on,
        "is_example": c.is_example,
    }


@router.get(
    "/cooperation/commitments",
    response=list[CommitmentOut],
    summary="Commitments made with the counterparts",
    description=(
        "The board, auditors and administrators: what was promised in meetings with the "
        "counterpart authorities (pending, late, closed or all), by pages."
    ),
)
def list_commitments(
    request: HttpRequest,
    response: HttpResponse,
    show: OneOf(
        lambda: dict(CommitmentFilterForm.base_fields["show"].choices),
        only=["pending", "late", "closed", "all"],
    ) = "pending",
    page: PageNumber = 1,
    page_size: PageSize = MAX_PAGE_SIZE,
):
    today = timezone.localdate()
    rows = services.commitments(show, today)
    return [_commitment(c, today) for c in page_of(rows, page, page_size, request, response)]


@router.post(
    "/cooperation/commitments/{commitment_id}/actions/{action}",
    response=CommitmentOut,
    summary="Change a commitment's status",
    description=(
        "The board (or holders of the permission cooperation.manage_cooperation): start, "
        "fulfil, drop or reopen a commitment, with a note; a step its status does not allow "
        "is a 409."
    ),
)
def act(
    request: HttpRequest, commitment_id: CommitmentId, action: Action, payload: CommitmentActionIn
):
    c = get_object_or_404(Commitment, pk=commitment_id)
    c = services.transition(request.user, c, action, payload.note, context_of(request))
    return _commitment(c, timezone.localdate())


@router.get(
    "/cooperation/totals",
    response=CooperationTotalsOut,
    summary="Delegations, aid, commitments",
    description=(
        "The board, auditors and administrators: delegations and visitors since `since`, aid "
        "projects by sector, and the commitments' counts. `since` is a day from 2000-01-01 "
        "to 2100-12-31, as every form takes one (422 otherwise)."
    ),
)
def totals(request: HttpRequest, since: FormDay | None = dt.date(2020, 1, 1)):
    t = services.external_totals(since)
    return {**t.__dict__, "commitments": services.commitment_summary().__dict__}
