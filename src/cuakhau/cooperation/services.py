"""The cooperation register's rules: the commitment status machine, what is late, the totals.

``transition`` is the only writer of ``Commitment.status`` and records every change. A
commitment is late while it is open or in progress after its due date. ``record`` adds every
other row of the register, as it may be stored (``check_record``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cuakhau.core.aggregates import Total
from cuakhau.core.context import SYSTEM
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import check_text, clean_text
from cuakhau.core.statemachine import StateMachine, Transition

from .choices import CommitmentAction, CommitmentStatus
from .models import (
    Agreement,
    AidProject,
    Commitment,
    CommitmentTransition,
    Counterpart,
    Delegation,
    Meeting,
)

MANAGE = "cooperation.manage_cooperation"
S = CommitmentStatus
A = CommitmentAction
PENDING = [S.OPEN, S.IN_PROGRESS]
# The longest evidence or reason a status change keeps (the page's form and the API's alike).
NOTE_LENGTH = 2000

COMMITMENT_MACHINE = StateMachine(
    "commitment",
    [
        Transition(S.OPEN, A.START, S.IN_PROGRESS, MANAGE),
        Transition(S.OPEN, A.FULFIL, S.FULFILLED, MANAGE),
        Transition(S.IN_PROGRESS, A.FULFIL, S.FULFILLED, MANAGE),
        Transition(S.OPEN, A.DROP, S.DROPPED, MANAGE, reason_required=True),
        Transition(S.IN_PROGRESS, A.DROP, S.DROPPED, MANAGE, reason_required=True),
        # A promise marked done too soon, or taken up again after it was dropped.
        Transition(S.FULFILLED, A.REOPEN, S.IN_PROGRESS, MANAGE, reason_required=True),
        Transition(S.DROPPED, A.REOPEN, S.IN_PROGRESS, MANAGE, reason_required=True),
    ],
    states=S,
    actions=A,
)


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE))


def actions_for(user, commitment: Commitment) -> list[str]:
    if not may_manage(user):
        return []
    return COMMITMENT_MACHINE.actions_from(commitment.status)


def is_late(commitment: Commitment, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return commitment.status in PENDING and commitment.due_date < today


def late_q(today: dt.date | None = None) -> Q:
    return Q(status__in=PENDING, due_date__lt=today or timezone.localdate())


@transaction.atomic
def transition(actor, commitment: Commitment, action: str, note: str = "", context=SYSTEM):
    """Fulfilling needs its evidence; dropping and reopening need a reason (the ``note``)."""
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    step = COMMITMENT_MACHINE.get(commitment.status, action)
    if not actor.has_perm(step.permission):
        raise PermissionDenied(_("Only the management board keeps the cooperation register."))
    try:
        note = clean_text((note or "").strip(), multiline=True, max_length=NOTE_LENGTH)
    except ValidationError as exc:
        raise FieldErrors({"note": exc.messages}) from None
    if action == A.FULFIL and not note:
        raise FieldErrors({"note": [_("Give the evidence that it was done.")]})
    if step.reason_required and not note:
        raise FieldErrors({"note": [_("Say why.")]})
    CommitmentTransition.objects.create(
        commitment=commitment,
        action=action,
        source=commitment.status,
        target=step.target,
        actor=actor,
        channel=context.channel,
        remote_addr=context.remote_addr,
        note=note,
    )
    commitment.status = step.target
    fields = ["status"]
    if action == A.FULFIL:
        commitment.evidence = note
        commitment.done_on = timezone.localdate()
        fields += ["evidence", "done_on"]
    elif action == A.REOPEN:
        # Marked done too soon: the page and the API showed the withdrawn evidence beside
        # "in progress", as if it were proof. It stays in the history, with the fulfilment.
        commitment.done_on = None
        commitment.evidence = ""
        fields += ["done_on", "evidence"]
    commitment.save(update_fields=fields)
    return commitment


# ---------------------------------------------------------------------------------------------
# The register's other rows: counterparts, agreements, meetings, commitments, delegations, aid


def check_record(item: models.Model) -> None:
    """``item`` as it may be stored, or ``FieldErrors`` (each field's messages): its texts as
    ``core.inputs`` stores them (NFC, no control character, one line unless the column takes
    several), its numbers and days within the limits its model declares, and the rules across
    its fields (``clean``: a project's end not before its start, a commitment not due before
    its meeting). The texts are set as stored."""
    errors: dict[str, list[str]] = {}
    for field in item._meta.concrete_fields:
        if type(field) not in (models.CharField, models.TextField) or field.choices:
            continue
        try:
            setattr(item, field.attname, check_text(getattr(item, field.attname), item, field.name))
        except ValidationError as exc:
            errors[field.name] = exc.messages
    try:
        item.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    for name, messages in duplicate_errors(item, refused=errors).items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise FieldErrors(errors)


def duplicate_errors(item: models.Model, refused=()) -> dict[str, list[str]]:
    """The row ``item`` repeats, said beside its text, once the fields that make two rows the
    same were read (``refused``: the fields refused already, by a form or ``check_record``). A
    delegation sent again with its visitors mistyped was told of the visitors only, and of the
    repeat once they were put right."""
    if type(item) not in SAME_AS:
        return {}
    fields = SAME_AS[type(item)]
    if any(f.removesuffix("_id") in refused or f in refused for f in fields):
        return {}
    if any(getattr(item, f) in (None, "") for f in fields):
        return {}
    same = duplicate_of(item)
    if same is None:
        return {}
    return {fields[0]: [_("Already in the register: “%(name)s”.") % {"name": same}]}


# What makes two rows of a kind the same entry (the text first: the error stands beside it). A
# form sent twice (a second click, the browser's back and resend) recorded the same commitment
# twice, and each copy then counted as open, and late, in every summary.
SAME_AS = {
    Counterpart: ("name_vi", "country"),
    Agreement: ("title", "signed_on"),
    Meeting: ("title", "held_on"),
    Commitment: ("subject", "meeting_id"),
    Delegation: ("from_name", "received_on"),
    AidProject: ("title", "donor", "starts_on"),
}


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def duplicate_of(item: models.Model) -> models.Model | None:
    """The row already in the register that ``item`` repeats: the same other fields, and the
    same text whatever its case or spacing (compared here, not by the database: SQLite folds
    the case of ASCII letters only, "CỬU" and "cửu" would differ there and not on
    PostgreSQL)."""
    if type(item) not in SAME_AS:
        return None
    text, *others = SAME_AS[type(item)]
    candidates = type(item).objects.filter(**{f: getattr(item, f) for f in others})
    if item.pk is not None:
        candidates = candidates.exclude(pk=item.pk)
    wanted = _words(getattr(item, text) or "")
    return next((row for row in candidates if _words(getattr(row, text)) == wanted), None)


@transaction.atomic
def record(item: models.Model, related=None, actor=None, context=SYSTEM) -> models.Model:
    """Add ``item`` to the register once ``check_record`` accepts it; ``related`` (a callable,
    as a form's ``save_m2m``) then sets its links to other rows (an agreement's parties). A
    commitment's history starts with its recording (``commitment_recorded``)."""
    check_record(item)
    item.save()
    if related is not None:
        related()
    if isinstance(item, Commitment):
        commitment_recorded(item, actor, context)
    return item


def commitment_recorded(commitment: Commitment, actor=None, context=SYSTEM) -> None:
    """The first step of a commitment's history: who recorded it, when, through which channel.
    Its later changes were kept and its making was not, whichever form made it (the register's
    page or the administration)."""
    CommitmentTransition.objects.create(
        commitment=commitment,
        action=A.RECORD,
        source="",
        target=commitment.status,
        actor=actor,
        channel=context.channel,
        remote_addr=context.remote_addr,
    )


# ---------------------------------------------------------------------------------------------
# What was promised and what is late


@dataclass
class CommitmentSummary:
    total: int
    pending: int
    late: int
    fulfilled: int
    dropped: int


def commitments(show: str = "pending", today: dt.date | None = None) -> QuerySet:
    qs = Commitment.objects.select_related("meeting").order_by("due_date", "pk")
    if show == "late":
        return qs.filter(late_q(today))
    if show == "pending":
        return qs.filter(status__in=PENDING)
    if show == "closed":
        return qs.exclude(status__in=PENDING)
    return qs


def commitment_summary(today: dt.date | None = None) -> CommitmentSummary:
    counts = Commitment.objects.aggregate(
        total=Count("pk"),
        pending=Count("pk", filter=Q(status__in=PENDING)),
        late=Count("pk", filter=late_q(today)),
        fulfilled=Count("pk", filter=Q(status=S.FULFILLED)),
        dropped=Count("pk", filter=Q(status=S.DROPPED)),
    )
    return CommitmentSummary(**counts)


# ---------------------------------------------------------------------------------------------
# Delegations and aid, as the province reports them


@dataclass
class ExternalTotals:
    since: dt.date | None
    delegations: int
    visitors: int
    aid_projects: int
    aid_vnd: Decimal
    delegations_by_country: list[dict]
    aid_by_sector: list[dict]


def delegations_since(since: dt.date | None = None) -> QuerySet:
    """The delegations ``external_totals`` counts: received on or after ``since``."""
    delegations = Delegation.objects.all()
    return delegations.filter(received_on__gte=since) if since else delegations


def aid_since(since: dt.date | None = None) -> QuerySet:
    """The aid projects ``external_totals`` counts: running on or after ``since``."""
    aid = AidProject.objects.all()
    return aid.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=since)) if since else aid


def external_totals(since: dt.date | None = None) -> ExternalTotals:
    """Delegations received and visitors since a date (the province counts from 2020), and
    international aid in đồng, by sector."""
    delegations = delegations_since(since)
    aid = aid_since(since)
    d = delegations.aggregate(n=Count("pk"), visitors=Sum("visitors"))
    a = aid.aggregate(n=Count("pk"), vnd=Total("amount_vnd"))
    from .choices import AidSector

    sectors = dict(AidSector.choices)
    return ExternalTotals(
        since=since,
        delegations=d["n"],
        visitors=d["visitors"] or 0,
        aid_projects=a["n"],
        aid_vnd=a["vnd"] or Decimal(0),
        delegations_by_country=list(
            delegations.values("country")
            .annotate(n=Count("pk"), visitors=Sum("visitors"))
            .order_by("-n", "country")
        ),
        aid_by_sector=[
            {
                "sector": row["sector"],
                "label": str(sectors.get(row["sector"], row["sector"])),
                "n": row["n"],
                "vnd": row["vnd"],
            }
            for row in aid.values("sector")
            .annotate(n=Count("pk"), vnd=Total("amount_vnd"))
            .order_by("-vnd", "sector")
        ],
    )
