"""The daily reconciliation of a gate: money received, receipts issued, vehicles crossing.

A day is a calendar day in the gate's time zone (the all-gates report uses the installation's
time zone; every gate on this border shares it). Everything is read from the records the
services wrote, never recomputed from rates, so the report agrees with what the payer was told
and what the receipt says.

The report's money identity
---------------------------
For the money received in VND on the day (``P``: payments whose ``paid_at`` falls in the day)
and the receipts issued on the day (``R``)::

    received = receipts issued
             + overpaid            (paid above the amount of a receipt of R)
             - receipts unpaid     (part of a receipt of R that no payment covers)
             + unreceipted         (payments of P with no receipt: short, for a cancelled or
                                    already paid trip, for no trip, for an unsubmitted trip)
             + for other days      (payments of P that settled a receipt issued another day)
             - from other days     (payments of other days that settled a receipt of R)

It holds to the đồng by construction: every payment of ``P`` either settles a receipt of ``R``,
settles another day's receipt, or has none; and the payments of a receipt of ``R`` add up to its
amount plus its excess (or minus its shortfall). On an ordinary day the last three terms are
zero and the identity reads "received = receipts + overpayments + money still without a
receipt". Resolving a flag records what a person did about it (a refund, a match); it does not
change what came in that day, so resolved items stay in the identity while they leave the list
of open discrepancies. Payments in another currency are outside the VND identity and are listed
as discrepancies. Receipts revoked for a refund stay in "receipts issued": the money did come in
and the receipt was issued; the refund due is a discrepancy until it is resolved. A receipt
replaced because its signing key was compromised is left out of the identity (it is listed):
its payments moved to the replacement, which stands for the same money.

Beside the money, every trip touched on the day is checked for a receipt, payment and trip
state that disagree (``receipt_state_mismatch``): a trip paid, inside or gone without a valid
receipt (the money would stand behind nothing), a valid receipt for a trip that is not paid, a
trip that left without using its receipt. Whatever path led there, it is shown.
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.core.phrases import in_reader_language
from cuakhau.core.spreadsheets import CsvWriter, xlsx_text
from cuakhau.core.templatetags.cuakhau import money
from cuakhau.core.wording import mid_sentence
from cuakhau.core.zones import zone_label
from cuakhau.fees.models import FeeRate
from cuakhau.receipts.models import (
    Receipt,
    ReceiptStatus,
    ReceiptUse,
    RevokeKind,
    UseOutcome,
)
from cuakhau.reference.localize import localized_name
from cuakhau.reference.models import Gate

from .models import (
    SLIP_KEY,
    NotificationLog,
    NotificationOutcome,
    Payment,
    PaymentFlag,
    PaymentMethod,
    shown_transaction,
)
from .services import MAYBE_SAME, checked_in, counted, grouped, provider_label, used_the_gate

# Discrepancy kinds, in the order a supervisor deals with them.
PAID_NO_RECEIPT = "paid_no_receipt"
RECEIPT_WITHOUT_PAYMENT = "receipt_without_payment"
CROSSING_WITHOUT_VALID_RECEIPT = "crossing_without_valid_receipt"
EXIT_REFUSED = "exit_refused"
RECEIPT_STATE_MISMATCH = "receipt_state_mismatch"
DUPLICATE_USE = "duplicate_use"
AMOUNT_MISMATCH = "amount_mismatch"
REFUND_DUE = "refund_due"
UNKNOWN_TRIP = "unknown_trip"

KIND_LABELS = {
    PAID_NO_RECEIPT: gettext_lazy("paid, no receipt"),
    RECEIPT_WITHOUT_PAYMENT: gettext_lazy("receipt without payment"),
    CROSSING_WITHOUT_VALID_RECEIPT: gettext_lazy("crossing without a valid receipt"),
    EXIT_REFUSED: gettext_lazy("exit refused"),
    RECEIPT_STATE_MISMATCH: gettext_lazy("receipt and trip disagree"),
    DUPLICATE_USE: gettext_lazy("receipt used twice"),
    AMOUNT_MISMATCH: gettext_lazy("amount mismatch"),
    REFUND_DUE: gettext_lazy("refund due"),
    UNKNOWN_TRIP: gettext_lazy("unknown trip"),
}
KINDS = list(KIND_LABELS)

# One discrepancy per flagged payment, so its money is counted once. An underpayment is "paid,
# no receipt" (the vehicle cannot cross until the rest arrives or the money goes back);
# "amount mismatch" is money beside a receipt that exists or can never exist in VND.
_KIND_OF_FLAG = {
    PaymentFlag.UNDERPAID: PAID_NO_RECEIPT,
    PaymentFlag.NOT_SUBMITTED: PAID_NO_RECEIPT,
    PaymentFlag.OVERPAID: AMOUNT_MISMATCH,
    PaymentFlag.ALREADY_PAID: AMOUNT_MISMATCH,
    PaymentFlag.CURRENCY: AMOUNT_MISMATCH,
    PaymentFlag.TRIP_CANCELLED: REFUND_DUE,
    PaymentFlag.UNKNOWN_TRIP: UNKNOWN_TRIP,
}

_REFUSED_CROSSINGS = {UseOutcome.INVALID, UseOutcome.REVOKED, UseOutcome.WRONG_GATE}


# ---------------------------------------------------------------------------------------------
# The report's rows


@dataclass(frozen=True)
class PaymentRow:
    id: int
    provider: str
    external_id: str
    method: str
    method_label: str
    paid_at: dt.datetime
    gate_code: str
    trip_reference: str
    receipt_number: str
    amount_vnd: int
    currency: str
    payer_name: str
    description: str
    flag: str
    flag_label: str
    flag_detail: str
    resolved_at: dt.datetime | None
    resolution: str
    slip_number: str = ""

    @property
    def shown_id(self) -> str:
        return shown_transaction(self.method, self.external_id, self.slip_number)


@dataclass(frozen=True)
class ReceiptRow:
    number: str
    gate_code: str
    trip_reference: str
    payer_name: str
    issued_at: dt.datetime
    amount_vnd: int
    paid_vnd: int
    status: str
    status_label: str
    revoked_at: dt.datetime | None
    revoke_kind: str
    used_at: dt.datetime | None
    used_gate_code: str


@dataclass(frozen=True)
class CrossingRow:
    """A vehicle presenting itself at exit; ``source`` names the record it came from."""

    at: dt.datetime
    gate_code: str
    receipt_number: str
    trip_reference: str
    outcome: str
    outcome_label: str
    detail: str
    actor: str
    source: str = "receipt_use"

    @property
    def valid(self) -> bool:
        return self.outcome == UseOutcome.USED


@dataclass(frozen=True)
class Discrepancy:
    """Something a person must look at; ``amount_vnd`` is the money at issue, in ``currency``.

    The amount is what is at stake, not always the whole payment: the excess for an
    overpayment, the uncovered part for a receipt without payment, the receipt's amount for a
    refund or a refused crossing (None for a code that is no receipt at all).
    """

    kind: str
    at: dt.datetime
    reason: str
    amount_vnd: int | None
    trip_reference: str = ""
    receipt_number: str = ""
    payment_ids: tuple[int, ...] = ()
    external_ids: tuple[str, ...] = ()
    currency: str = "VND"
    resolved_at: dt.datetime | None = None
    resolution: str = ""
    # The payments' transactions as a person reads them (``shown_transaction``).
    shown_ids: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def payment_id(self) -> int | None:
        return self.payment_ids[0] if self.payment_ids else None

    @property
    def external_id(self) -> str:
        return ", ".join(self.external_ids)

    @property
    def shown_id(self) -> str:
        return ", ".join(self.shown_ids)

    @property
    def payment_key(self) -> str:
        """The payments as the page's resolve form posts them, to find its refusal again."""
        return ",".join(str(pk) for pk in self.payment_ids)


@dataclass(frozen=True)
class MethodTotal:
    method: str
    label: str
    count: int
    amount_vnd: int


@dataclass(frozen=True)
class ItemTotal:
    """One fee item over the day's receipts; ``lines`` counts items (one per container)."""

    schedule: str
    code: str
    label_vi: str
    label_en: str
    lines: int
    amount_vnd: int
    label_zh: str = ""
    # The schedule by its title (the key is a slug no person should have to read).
    schedule_title_vi: str = ""
    schedule_title_en: str = ""
    schedule_title_zh: str = ""


@dataclass(frozen=True)
class Balance:
    """The money identity of the module docstring, term by term."""

    received_vnd: int
    receipts_vnd: int
    overpaid_vnd: int
    receipts_unpaid_vnd: int
    unreceipted_vnd: int
    for_other_days_vnd: int
    from_other_days_vnd: int
    unreceipted_by_flag: dict[str, int] = field(default_factory=dict)

    @property
    def expected_vnd(self) -> int:
        return (
            self.receipts_vnd
            + self.overpaid_vnd
            - self.receipts_unpaid_vnd
            + self.unreceipted_vnd
            + self.for_other_days_vnd
            - self.from_other_days_vnd
        )

    @property
    def difference_vnd(self) -> int:
        return self.received_vnd - self.expected_vnd

    @property
    def is_balanced(self) -> bool:
        return self.difference_vnd == 0

    def lines(self) -> list[tuple[str, int]]:
        """The identity as signed (label, amount) lines, receipts first, for display."""
        lines = [
            (_("Receipts issued"), self.receipts_vnd),
            (_("Paid above the receipt (to refund)"), self.overpaid_vnd),
            (_("Receipts not covered by a payment"), -self.receipts_unpaid_vnd),
        ]
        for flag, amount in sorted(self.unreceipted_by_flag.items()):
            label = PaymentFlag(flag).label if flag in PaymentFlag.values else flag
            lines.append((_("Without receipt: %(flag)s") % {"flag": label}, amount))
        lines += [
            (_("Settling receipts of other days"), self.for_other_days_vnd),
            (_("Paid on other days for these receipts"), -self.from_other_days_vnd),
        ]
        return lines


@dataclass(frozen=True)
class Counts:
    payments: int
    receipts_issued: int
    receipts_revoked: int
    crossings: int
    crossings_refused: int
    notifications_duplicate: int
    notifications_refused: int
    discrepancies_open: int
    discrepancies_resolved: int


@dataclass(frozen=True)
class Report:
    gate: Gate | None
    day: dt.date
    time_zone: str
    start: dt.datetime
    end: dt.datetime
    generated_at: dt.datetime
    # Lists, or ``PagedRows`` read a page at a time (``daily_report(lists=False)``).
    payments: list[PaymentRow] | PagedRows
    receipts: list[ReceiptRow] | PagedRows
    crossings: list[CrossingRow] | PagedRows
    discrepancies: list[Discrepancy]
    by_method: list[MethodTotal]
    by_item: list[ItemTotal]
    balance: Balance
    counts: Counts

    @property
    def received_vnd(self) -> int:
        return self.balance.received_vnd

    @property
    def receipts_vnd(self) -> int:
        return self.balance.receipts_vnd

    @property
    def open_discrepancies(self) -> list[Discrepancy]:
        return [d for d in self.discrepancies if d.is_open]

    @property
    def resolved_discrepancies(self) -> list[Discrepancy]:
        return [d for d in self.discrepancies if not d.is_open]

    @property
    def gate_label(self) -> str:
        return self.gate.name if self.gate is not None else _("All gates")

    def local(self, value: dt.datetime | None) -> dt.datetime | None:
        """A stored (UTC) time in the report's time zone."""
        return None if value is None else timezone.localtime(value, self.tzinfo)

    @property
    def tzinfo(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(self.time_zone)


# ---------------------------------------------------------------------------------------------
# Building the report


def day_bounds(day: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The aware start (inclusive) and end (exclusive) of a local calendar day."""
    tz = zoneinfo.ZoneInfo(time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    # Built from the next date rather than start + 24 h, so a zone with DST stays right.
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def time_zone_of(gate: Gate | None) -> str:
    return gate.time_zone if gate is not None else settings.TIME_ZONE


def _in_day(prefix: str, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(**{f"{prefix}__gte": start, f"{prefix}__lt": end})


# The report reads plain rows (``values()``), the columns it shows and nothing else: a busy day
# is a few thousand records, and building a model instance for each, with its trip, cost more
# than everything else on the page.
_PAYMENT_COLUMNS = (
    "id",
    "provider",
    "external_id",
    "method",
    # The slip number of a cash payment (``shown_transaction``), not the whole body.
    f"raw__{SLIP_KEY}",
    "paid_at",
    "amount_vnd",
    "currency",
    "payer_name",
    "description",
    "flag",
    "flag_detail",
    "flag_detail_texts",
    # A second payment that may be the first transfer reported again: said before a refund.
    "possibly_same_as_id",
    "possibly_same_as__provider",
    "resolved_at",
    "resolution",
    "trip_id",
    "receipt_id",
    "receipt__number",
    "receipt__amount_vnd",
)
_RECEIPT_COLUMNS = (
    "id",
    "number",
    "gate_id",
    "trip_id",
    "payer_name",
    "issued_at",
    "amount_vnd",
    "status",
    "revoked_at",
    "revoke_kind",
    "revoke_reason",
    "revoke_reason_texts",
    "used_at",
    "used_gate_id",
)


# What the totals, counts and discrepancy tests read of every record of the day when the page
# shows its lists a page at a time (``daily_report(lists=False)``): the rows themselves, with
# everything they show, are read for the page only.
_PAYMENT_SUMS = ("id", "method", "amount_vnd", "currency", "flag", "trip_id", "receipt_id")
_RECEIPT_SUMS = (
    "id",
    "number",
    "gate_id",
    "trip_id",
    "issued_at",
    "amount_vnd",
    "status",
    "revoke_kind",
)


class PagedRows:
    """A list of the day's rows, read a page at a time.

    Its length is the day's; a slice reads just those rows (by key, in the day's order), so
    Django's ``Paginator`` shows page 20 of a busy day without building the other 19.
    """

    def __init__(self, ids: list, read):
        self.ids = ids
        self._read = read

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._read(self.ids[index])
        return self._read([self.ids[index]])[0]

    def __iter__(self):
        return iter(self[:])


def _labels(choices) -> dict[str, str]:
    """A choice's code to its label in the active language, translated once per report."""
    return {value: str(label) for value, label in choices}


class _Trip(NamedTuple):
    reference: str | None
    status: str | None
    gate_id: int | None
    has_valid_receipt: bool
    valid_receipt_used: bool


def _day_trips(start, end) -> dict[int, _Trip]:
    """Every trip touched on the day (``_touch_sources``), with its valid receipt, in one query.

    The day's payments, receipts and revocations are records that touched their trip, so the
    trips they name, and the disagreement tests, are all among these: read once here rather
    than sent back as a thousand keys three times (the payments' trips, the states, the valid
    receipts), which cost PostgreSQL three round trips and this process the arrays.

    The trips are picked by a UNION of the day's records by time: as five IN-subqueries OR'ed
    together, PostgreSQL would test every trip ever declared. On PostgreSQL the UNION is an
    array (``= ANY(ARRAY(…))``), worked out once and looked up by key: as ``IN (…)`` it hashed
    every trip. The valid receipt is joined (at most one per trip, by constraint): as EXISTS
    subqueries, PostgreSQL hashed every valid receipt ever issued.
    """
    from cuakhau.trips.models import Trip

    sources = [qs.order_by().values_list(field) for qs, field, _time in _touch_sources(start, end)]
    sql, params = sources[0].union(*sources[1:]).query.sql_with_params()
    if connection.vendor == "postgresql":
        touched = f'"trips_trip"."id" = ANY(ARRAY({sql}))'
    else:
        touched = f'"trips_trip"."id" IN ({sql})'
    rows = (
        Trip.objects.extra(where=[touched], params=params)
        .annotate(
            valid=FilteredRelation("receipts", condition=Q(receipts__status=ReceiptStatus.VALID)),
            has_valid=ExpressionWrapper(Q(valid__id__isnull=False), BooleanField()),
            valid_used=ExpressionWrapper(Q(valid__used_at__isnull=False), BooleanField()),
        )
        .order_by()  # the model's ordering would sort the trips for nothing
        .values_list("pk", "reference", "status", "gate_id", "has_valid", "valid_used")
    )
    return {pk: _Trip(*rest) for pk, *rest in rows}


_NO_TRIP = _Trip(None, None, None, False, False)


def _with_trips(rows: list[dict], trips: dict[int, _Trip]) -> list[dict]:
    """Each row given its trip's reference, status and gate (``trip__…``) from the day's trips.

    Joined in the rows' own query, PostgreSQL would hash every trip ever declared to match a
    day's few hundred.
    """
    for row in rows:
        trip = trips.get(row["trip_id"], _NO_TRIP)
        row["trip__reference"], row["trip__status"], row["trip__gate_id"] = trip[:3]
    return rows


def _payments(start, end, trips: dict[int, _Trip], columns=_PAYMENT_COLUMNS) -> list[dict]:
    """The day's payments at every gate (``_at_gate`` keeps one gate's)."""
    qs = Payment.objects.filter(_in_day("paid_at", start, end))
    return _with_trips(list(qs.order_by("paid_at", "id").values(*columns)), trips)


def _at_gate(payments: list[dict], gate: Gate | None) -> list[dict]:
    if gate is None:
        return payments
    # A payment with no trip belongs to no gate: only the all-gates report shows it.
    return [row for row in payments if row["trip__gate_id"] == gate.pk]


def _with_paid(
    receipts: list[dict], day_payments: list[dict], gate: Gate | None, start, end
) -> dict[int, int]:
    """Each of the day's receipts given ``paid_vnd`` (its VND payments, all days, as
    ``_receipts`` works it out); returns what each was paid on other days.

    The day's own payments are already read (every gate's: a receipt's money is its, whatever
    the payment's trip); only the other days' are asked for, by receipt, in one query. As a
    subquery of each receipt, PostgreSQL ran it once per receipt of the day.
    """
    paid: dict[int, int] = defaultdict(int)
    for p in day_payments:
        if p["receipt_id"] is not None and p["currency"] == "VND":
            paid[p["receipt_id"]] += p["amount_vnd"]
    # The day's receipts as a query: a busy day's keys as parameters cost more.
    of_day = Receipt.objects.filter(_in_day("issued_at", start, end))
    if gate is not None:
        of_day = of_day.filter(gate=gate)
    other_days = dict(
        Payment.objects.filter(receipt__in=of_day.order_by().values("id"), currency="VND")
        .exclude(_in_day("paid_at", start, end))
        .order_by()
        .values("receipt")
        .annotate(total=Sum("amount_vnd"))
        .values_list("receipt", "total")
    )
    for r in receipts:
        r["paid_vnd"] = paid.get(r["id"], 0) + other_days.get(r["id"], 0)
    return other_days


def _receipts(
    gate: Gate | None,
    condition: Q,
    *,
    items: bool = False,
    columns=_RECEIPT_COLUMNS,
    trips: dict[int, _Trip] | None = None,
    paid: bool = True,
) -> list[dict]:
    """Receipts as rows, each with ``paid_vnd``: what its VND payments add up to, all days.

    Given ``trips`` (the day's, which hold every receipt's of the day), each row is given its
    trip's (``_with_trips``). ``paid=False`` leaves ``paid_vnd`` out (the day's receipts have
    it from ``_with_paid``).
    """
    total = (
        Payment.objects.filter(receipt=OuterRef("pk"), currency="VND")
        .order_by()
        .values("receipt")
        .annotate(total=Sum("amount_vnd"))
        .values("total")
    )
    qs = Receipt.objects.filter(condition)
    if gate is not None:
        qs = qs.filter(gate=gate)
    schedule = (
        "items",
        "assessment__schedule__key",
        "assessment__schedule__title_vi",
        "assessment__schedule__title_en",
        "assessment__schedule__title_zh",
    )
    columns = columns + (schedule if items else ())
    qs = qs.order_by("issued_at", "number")
    if paid:
        qs = qs.annotate(paid_vnd=Coalesce(Subquery(total, output_field=BigIntegerField()), 0))
        columns += ("paid_vnd",)
    rows = list(qs.values(*columns))
    return _with_trips(rows, trips) if trips is not None else rows


def _crossings(
    gate: Gate | None, start, end, codes: dict[int, str], condition: Q | None = None
) -> list[CrossingRow]:
    """Vehicles presenting themselves at exit during the day.

    Until the gate-operations app records crossings itself, every scan of a receipt at exit
    (``ReceiptUse``) is the record of a vehicle crossing or being turned back. Another source
    only has to return ``CrossingRow``s here, with its own ``source``.
    """
    qs = ReceiptUse.objects.filter(_in_day("at", start, end) & (condition or Q()))
    if gate is not None:
        qs = qs.filter(gate=gate)
    outcomes = _labels(UseOutcome.choices)
    return [
        CrossingRow(
            at=at,
            gate_code=codes[gate_id],
            receipt_number=receipt_number if receipt_id is not None else number,
            trip_reference=trip_reference if receipt_id is not None else "",
            outcome=outcome,
            outcome_label=outcomes.get(outcome, outcome),
            # In the reader's language, whoever's the exit was (as stored for an older use).
            detail=str(in_reader_language(detail_texts, detail)),
            actor=actor or "",
        )
        for (
            at,
            gate_id,
            receipt_id,
            receipt_number,
            number,
            trip_reference,
            outcome,
            detail,
            detail_texts,
            actor,
        ) in qs.order_by("at", "id").values_list(
            "at",
            "gate_id",
            "receipt_id",
            "receipt__number",
            "number",
            "receipt__trip__reference",
            "outcome",
            "detail",
            "detail_texts",
            "actor__username",
        )
    ]


# A few rows of the day read by key (a page of a list, the flagged payments) take their trips
# from the day's and a receipt's payments from the day's rows: joined or summed again in their
# own query, they cost a plan and a lookup per row for what is already in hand.


def _payments_by_id(ids, trips: dict[int, _Trip]) -> list[dict]:
    """These payments of the day as whole rows, in the day's order."""
    if not ids:
        return []
    qs = Payment.objects.filter(pk__in=ids).order_by("paid_at", "id")
    return _with_trips(list(qs.values(*_PAYMENT_COLUMNS)), trips)


def _receipts_by_id(ids, trips: dict[int, _Trip], paid_of: dict[int, int]) -> list[dict]:
    """These receipts of the day as whole rows, in the day's order; ``paid_of`` is what each
    was paid (``_with_paid``)."""
    if not ids:
        return []
    rows = _receipts(None, Q(pk__in=ids), trips=trips, paid=False)
    for row in rows:
        row["paid_vnd"] = paid_of[row["id"]]
    return rows


def _payment_row(p: dict, codes: dict, methods: dict, flags: dict) -> PaymentRow:
    has_trip = p["trip_id"] is not None
    return PaymentRow(
        id=p["id"],
        provider=p["provider"],
        external_id=p["external_id"],
        method=p["method"],
        method_label=methods.get(p["method"], p["method"]),
        paid_at=p["paid_at"],
        gate_code=codes[p["trip__gate_id"]] if has_trip else "",
        trip_reference=p["trip__reference"] if has_trip else "",
        receipt_number=p["receipt__number"] if p["receipt_id"] is not None else "",
        amount_vnd=p["amount_vnd"],
        currency=p["currency"],
        payer_name=p["payer_name"],
        description=p["description"],
        flag=p["flag"],
        flag_label=flags.get(p["flag"], p["flag"]) if p["flag"] else "",
        flag_detail=str(in_reader_language(p["flag_detail_texts"], p["flag_detail"])),
        resolved_at=p["resolved_at"],
        resolution=p["resolution"],
        slip_number=_slip(p),
    )


def _slip(payment: dict) -> str:
    slip = payment.get(f"raw__{SLIP_KEY}")
    return slip if isinstance(slip, str) else ""


def _shown(payment: dict) -> str:
    return shown_transaction(payment["method"], payment["external_id"], _slip(payment))


def _receipt_row(r: dict, codes: dict, statuses: dict) -> ReceiptRow:
    return ReceiptRow(
        number=r["number"],
        gate_code=codes[r["gate_id"]],
        trip_reference=r["trip__reference"],
        payer_name=r["payer_name"],
        issued_at=r["issued_at"],
        amount_vnd=r["amount_vnd"],
        paid_vnd=r["paid_vnd"],
        status=r["status"],
        status_label=statuses.get(r["status"], r["status"]),
        revoked_at=r["revoked_at"],
        revoke_kind=r["revoke_kind"],
        used_at=r["used_at"],
        used_gate_code=codes[r["used_gate_id"]] if r["used_gate_id"] is not None else "",
    )


def _time(value: dt.datetime, tz) -> str:
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class _Context:
    """What the flagged payments' reasons need beyond their own row, read once for all."""

    excess_of: dict[int, int]  # receipt id → its VND payments minus its amount
    due_of: dict[int, int]  # trip id → the current assessment's total (underpaid trips)
    paid_of: dict[int, int]  # trip id → VND paid towards the fee (underpaid trips)
    trip_statuses: dict[str, str]


def _context(payments: list[dict]) -> _Context:
    from cuakhau.fees.models import FeeAssessment
    from cuakhau.trips.choices import TripStatus

    overpaid = {
        p["receipt_id"]
        for p in payments
        if p["flag"] == PaymentFlag.OVERPAID and p["receipt_id"] is not None
    }
    underpaid = {
        p["trip_id"]
        for p in payments
        if p["flag"] == PaymentFlag.UNDERPAID and p["trip_id"] is not None
    }
    excess_of: dict[int, int] = {}
    if overpaid:
        # An overpayment's own row carries the whole excess of its receipt, whatever day it was.
        totals = dict(
            Payment.objects.filter(receipt__in=overpaid, currency="VND")
            .order_by()
            .values("receipt")
            .annotate(total=Sum("amount_vnd"))
            .values_list("receipt", "total")
        )
        amounts = {p["receipt_id"]: p["receipt__amount_vnd"] for p in payments}
        excess_of = {pk: totals.get(pk, 0) - amounts[pk] for pk in overpaid}
    due_of: dict[int, int] = {}
    paid_of: dict[int, int] = {}
    if underpaid:
        # As services.amount_due and services.paid_total, for every underpaid trip at once.
        due_of = dict(
            FeeAssessment.objects.filter(trip__in=underpaid, is_current=True).values_list(
                "trip", "total_vnd"
            )
        )
        paid_of = dict(
            counted(Payment.objects.filter(trip__in=underpaid))
            .order_by()
            .values("trip")
            .annotate(total=Sum("amount_vnd"))
            .values_list("trip", "total")
        )
    return _Context(excess_of, due_of, paid_of, _labels(TripStatus.choices))


def _payment_discrepancy(payment: dict, context: _Context) -> Discrepancy | None:
    flag = payment["flag"]
    has_trip = payment["trip_id"] is not None
    has_receipt = payment["receipt_id"] is not None
    ref = payment["trip__reference"] if has_trip else ""
    receipt_number = payment["receipt__number"] if has_receipt else ""
    if not flag:
        if has_receipt or not has_trip:
            return None
        # Settlement always flags or links; an unflagged orphan means something bypassed it.
        kind, amount = PAID_NO_RECEIPT, payment["amount_vnd"]
        reason = _("Payment of %(amount)s for %(ref)s is not linked to any receipt.") % {
            "amount": money(payment["amount_vnd"]),
            "ref": ref,
        }
    else:
        kind = _KIND_OF_FLAG.get(flag, AMOUNT_MISMATCH)
        amount = payment["amount_vnd"]
        if flag == PaymentFlag.UNDERPAID:
            trip_id = payment["trip_id"]
            reason = _(
                "Received %(paid)s of %(due)s for %(ref)s: no receipt until the rest is paid"
                " or the money is refunded."
            ) % {
                "paid": money(context.paid_of.get(trip_id, 0)),
                "due": money(context.due_of.get(trip_id) or 0),
                "ref": ref,
            }
        elif flag == PaymentFlag.NOT_SUBMITTED:
            reason = _(
                "%(amount)s arrived for %(ref)s before it was submitted: no fee was assessed,"
                " so no receipt."
            ) % {"amount": money(payment["amount_vnd"]), "ref": ref}
        elif flag == PaymentFlag.OVERPAID:
            amount = context.excess_of.get(payment["receipt_id"], payment["amount_vnd"])
            reason = _("Paid %(excess)s above receipt %(receipt)s (%(due)s): to refund.") % {
                "excess": money(amount),
                "receipt": receipt_number if has_receipt else "?",
                "due": money(payment["receipt__amount_vnd"]) if has_receipt else "?",
            }
        elif flag == PaymentFlag.ALREADY_PAID:
            reason = _("%(ref)s was already paid: %(amount)s paid a second time, to refund.") % {
                "ref": ref,
                "amount": money(payment["amount_vnd"]),
            }
            if payment.get("possibly_same_as_id"):
                warning = _(MAYBE_SAME) % {
                    "id": payment["possibly_same_as_id"],
                    "provider": provider_label(payment["possibly_same_as__provider"]),
                }
                reason = f"{reason} {warning}"
        elif flag == PaymentFlag.CURRENCY:
            reason = _("Paid %(amount)s %(currency)s; fees are due in VND.") % {
                "amount": grouped(payment["amount_vnd"]),
                "currency": payment["currency"],
            }
        elif flag == PaymentFlag.TRIP_CANCELLED:
            status = payment["trip__status"]
            reason = _("%(ref)s is %(status)s: %(amount)s to refund.") % {
                "ref": ref,
                "status": mid_sentence(context.trip_statuses.get(status, status))
                if has_trip
                else "?",
                "amount": money(payment["amount_vnd"]),
            }
        elif flag == PaymentFlag.UNKNOWN_TRIP:
            reason = _("No trip reference in the transfer text: “%(text)s”.") % {
                "text": payment["description"]
            }
        else:
            reason = str(in_reader_language(payment["flag_detail_texts"], payment["flag_detail"]))
    return Discrepancy(
        kind=kind,
        at=payment["paid_at"],
        reason=reason,
        amount_vnd=amount,
        trip_reference=ref,
        receipt_number=receipt_number,
        payment_ids=(payment["id"],),
        external_ids=(payment["external_id"],),
        shown_ids=(_shown(payment),),
        currency=payment["currency"],
        resolved_at=payment["resolved_at"],
        resolution=payment["resolution"],
    )


def _refunds_of_revoked(receipts: list[dict], tz) -> list[Discrepancy]:
    """A refund due for each receipt revoked for one; their payments read in one query."""
    if not receipts:
        return []
    payments_of: dict[int, list[dict]] = defaultdict(list)
    for p in (
        Payment.objects.filter(receipt__in=[r["id"] for r in receipts])
        .order_by("paid_at", "id")
        .values(
            "receipt_id",
            "id",
            "external_id",
            "method",
            f"raw__{SLIP_KEY}",
            "resolved_at",
            "resolution",
        )
    ):
        payments_of[p["receipt_id"]].append(p)
    found = []
    for receipt in receipts:
        payments = payments_of.get(receipt["id"], [])
        # No refund record exists yet: the refund counts as done once its payments are resolved.
        resolved = [p["resolved_at"] for p in payments if p["resolved_at"] is not None]
        done = bool(payments) and len(resolved) == len(payments)
        found.append(
            Discrepancy(
                kind=REFUND_DUE,
                at=receipt["revoked_at"],
                reason=_(
                    "Receipt %(receipt)s was revoked for a refund at %(at)s (%(why)s):"
                    " refund %(amount)s."
                )
                % {
                    "receipt": receipt["number"],
                    "at": _time(receipt["revoked_at"], tz),
                    "why": in_reader_language(
                        receipt["revoke_reason_texts"], receipt["revoke_reason"]
                    ),
                    "amount": money(receipt["amount_vnd"]),
                },
                amount_vnd=receipt["amount_vnd"],
                trip_reference=receipt["trip__reference"],
                receipt_number=receipt["number"],
                payment_ids=tuple(p["id"] for p in payments),
                external_ids=tuple(p["external_id"] for p in payments),
                shown_ids=tuple(_shown(p) for p in payments),
                resolved_at=max(resolved) if done else None,
                resolution="; ".join(p["resolution"] for p in payments if p["resolution"])
                if done
                else "",
            )
        )
    return found


def _crossing_discrepancy(crossing: CrossingRow, amounts: dict[str, int], tz) -> Discrepancy:
    if crossing.outcome == UseOutcome.REFUSED:
        kind = EXIT_REFUSED
        reason = _("Exit refused at %(at)s.") % {"at": _time(crossing.at, tz)}
    elif crossing.outcome == UseOutcome.ALREADY_USED:
        kind = DUPLICATE_USE
        reason = _("Receipt %(receipt)s presented again at %(at)s after it was used.") % {
            "receipt": crossing.receipt_number,
            "at": _time(crossing.at, tz),
        }
    else:
        kind = CROSSING_WITHOUT_VALID_RECEIPT
        reason = _("Turned back at %(at)s: %(outcome)s.") % {
            "at": _time(crossing.at, tz),
            "outcome": crossing.outcome_label,
        }
    if crossing.detail and kind != DUPLICATE_USE:
        # What the gate's verifier said, as it was recorded (a used receipt says no more than
        # the sentence above, in the reader's language).
        reason = f"{reason} {crossing.detail}"
    return Discrepancy(
        kind=kind,
        at=crossing.at,
        reason=reason,
        amount_vnd=amounts.get(crossing.receipt_number),
        trip_reference=crossing.trip_reference,
        receipt_number=crossing.receipt_number,
    )


# A trip in one of these has paid its fee: it must hold a valid receipt (used once it left).
_PAID_STATUSES = {"paid", "arrived", "cleared", "exited"}


def _touch_sources(start, end) -> list[tuple]:
    """(records of the day, their trip field, their time field): what "touched" a trip."""
    from cuakhau.trips.models import TripTransition

    return [
        (Receipt.objects.filter(_in_day("issued_at", start, end)), "trip_id", "issued_at"),
        (Receipt.objects.filter(_in_day("revoked_at", start, end)), "trip_id", "revoked_at"),
        (Receipt.objects.filter(_in_day("used_at", start, end)), "trip_id", "used_at"),
        (TripTransition.objects.filter(_in_day("at", start, end)), "trip_id", "at"),
        (
            Payment.objects.filter(_in_day("paid_at", start, end)).exclude(trip=None),
            "trip_id",
            "paid_at",
        ),
    ]


def _trips_touched(trip_ids, start, end) -> dict[int, dt.datetime]:
    """Of these trips, each with the time of its latest record on the day."""
    latest: dict[int, dt.datetime] = {}
    for qs, trip_field, time_field in _touch_sources(start, end):
        rows = qs.filter(trip__in=trip_ids).order_by().values_list(trip_field, time_field)
        for trip_id, at in rows:
            if trip_id not in latest or at > latest[trip_id]:
                latest[trip_id] = at
    return latest


def _state_mismatches(
    gate: Gate | None, start, end, day_trips: dict[int, _Trip]
) -> list[Discrepancy]:
    """Receipt, payments and trip state that disagree, for every trip touched on the day.

    The trips that disagree (of a day's thousand or so, usually none) are picked by the three
    tests below from the day's trips as ``_day_trips`` read them (status, valid receipt and
    whether used); only those are read whole, to word what is wrong.
    """
    from cuakhau.trips.models import Trip

    disagreeing = [
        pk
        for pk, trip in day_trips.items()
        if (gate is None or trip.gate_id == gate.pk)
        and (
            (trip.status in _PAID_STATUSES and not trip.has_valid_receipt)
            or (trip.status not in _PAID_STATUSES and trip.has_valid_receipt)
            or (trip.status == "exited" and trip.has_valid_receipt and not trip.valid_receipt_used)
        )
    ]
    if not disagreeing:
        return []
    trips = list(
        Trip.objects.filter(pk__in=disagreeing)
        .only("id", "reference", "status")
        .annotate(checked_in=checked_in())
        .prefetch_related("receipts", "payments")
        .order_by("reference")
    )
    touched_at = _trips_touched([trip.pk for trip in trips], start, end)
    found = []
    for trip in trips:
        receipts = sorted(trip.receipts.all(), key=lambda r: (r.issued_at, r.number))
        valid = [r for r in receipts if r.status == ReceiptStatus.VALID]
        payments = [
            p
            for p in trip.payments.all()
            if p.currency == "VND"
            and p.flag not in (PaymentFlag.ALREADY_PAID, PaymentFlag.TRIP_CANCELLED)
        ]
        paid = sum(p.amount_vnd for p in payments)
        status = mid_sentence(trip.get_status_display())
        reason = amount = None
        receipt = valid[0] if valid else (receipts[-1] if receipts else None)
        if trip.status in _PAID_STATUSES and not valid:
            amount = paid or (receipt.amount_vnd if receipt else None)
            if receipt is not None:
                reason = _(
                    "Trip %(ref)s is %(status)s but its receipt %(receipt)s was revoked"
                    " (%(kind)s: %(why)s): %(paid)s received stand behind no valid receipt."
                ) % {
                    "ref": trip.reference,
                    "status": status,
                    "receipt": receipt.number,
                    "kind": receipt.get_revoke_kind_display(),
                    "why": receipt.revoke_reason_shown,
                    "paid": money(paid),
                }
            else:
                reason = _("Trip %(ref)s is %(status)s but has no receipt at all.") % {
                    "ref": trip.reference,
                    "status": status,
                }
        elif trip.status not in _PAID_STATUSES and valid and not used_the_gate(trip):
            # A truck rejected inside the gate keeps its receipt (its fees stand); turned back,
            # it used it at that exit.
            amount = receipt.amount_vnd
            reason = _("Receipt %(receipt)s is still valid but trip %(ref)s is %(status)s.") % {
                "receipt": receipt.number,
                "ref": trip.reference,
                "status": status,
            }
        elif trip.status == "exited" and valid and not any(r.used_at for r in valid):
            amount = receipt.amount_vnd
            reason = _("Trip %(ref)s left the gate without using its receipt %(receipt)s.") % {
                "ref": trip.reference,
                "receipt": receipt.number,
            }
        if reason is None:
            continue
        resolved = [p.resolved_at for p in payments if p.resolved_at is not None]
        done = bool(payments) and len(resolved) == len(payments)
        found.append(
            Discrepancy(
                kind=RECEIPT_STATE_MISMATCH,
                at=touched_at[trip.pk],
                reason=reason,
                amount_vnd=amount,
                trip_reference=trip.reference,
                receipt_number=receipt.number if receipt else "",
                payment_ids=tuple(p.pk for p in payments),
                external_ids=tuple(p.external_id for p in payments),
                shown_ids=tuple(p.shown_id for p in payments),
                resolved_at=max(resolved) if done else None,
                resolution="; ".join(p.resolution for p in payments if p.resolution)
                if done
                else "",
            )
        )
    return found


def _item_totals(receipts: list[dict]) -> list[ItemTotal]:
    rate_ids = {item.get("rate_id") for r in receipts for item in r["items"]}
    # Container items carry the container number in their label; the rate's label groups them.
    rates = {
        pk: (label_vi, label_en, label_zh)
        for pk, label_vi, label_en, label_zh in FeeRate.objects.filter(
            pk__in=[i for i in rate_ids if i]
        ).values_list("pk", "label_vi", "label_en", "label_zh")
    }
    totals: dict[tuple[str, str, str], list] = {}
    titles: dict[str, tuple[str, str, str]] = {}
    for receipt in receipts:
        schedule = receipt["assessment__schedule__key"]
        titles[schedule] = tuple(
            receipt.get(f"assessment__schedule__title_{lang}") or "" for lang in ("vi", "en", "zh")
        )
        for item in receipt["items"]:
            rate = rates.get(item.get("rate_id"))
            label_vi = rate[0] if rate else item.get("label_vi", "")
            label_en = rate[1] if rate else item.get("label_en", "")
            label_zh = rate[2] if rate else item.get("label_zh", "")
            key = (schedule, item["code"], label_vi)
            entry = totals.setdefault(key, [label_en, label_zh, 0, 0])
            entry[2] += 1
            entry[3] += int(item["amount_vnd"])
    return [
        ItemTotal(schedule, code, label_vi, label_en, lines, amount, label_zh, *titles[schedule])
        for (schedule, code, label_vi), (label_en, label_zh, lines, amount) in sorted(
            totals.items()
        )
    ]


def _method_totals(payments: list[dict], methods: dict[str, str]) -> list[MethodTotal]:
    counts = {method: [0, 0] for method in PaymentMethod.values}
    for payment in payments:
        if payment["currency"] == "VND":
            entry = counts.setdefault(payment["method"], [0, 0])
            entry[0] += 1
            entry[1] += payment["amount_vnd"]
    return [
        MethodTotal(method, methods.get(method, method), count, amount)
        for method, (count, amount) in counts.items()
    ]


def _sorted(discrepancies: list[Discrepancy]) -> list[Discrepancy]:
    # Open ones first; within each, by kind then time, so like problems sit together.
    return sorted(
        discrepancies, key=lambda d: (not d.is_open, KINDS.index(d.kind), d.at, d.receipt_number)
    )


def daily_report(gate: Gate | None, day: dt.date, *, lists: bool = True) -> Report:
    """Reconcile one gate (or, with ``gate=None``, all gates) for one local calendar day.

    A fixed number of queries whatever the day's traffic (pinned by the tests): each list is
    one query of the columns it shows, and what a few flagged rows need beside their own row
    is read once for all of them.

    ``lists=False`` (the page, which shows its lists a page at a time) reads every payment,
    receipt and crossing of the day narrow — what the totals, counts and discrepancy tests
    need — and gives the three lists as ``PagedRows``, read whole a page at a time. The
    figures are the same either way (the tests compare them); exports take every row.
    """
    time_zone = time_zone_of(gate)
    tz = zoneinfo.ZoneInfo(time_zone)
    start, end = day_bounds(day, time_zone)
    # Rows carry gate ids, named here: joining the gates would lead SQLite (which keeps no
    # statistics) to read a gate's every receipt rather than the day's by time.
    codes = dict(Gate.objects.values_list("pk", "code"))
    trips = _day_trips(start, end)

    day_payments = _payments(start, end, trips, _PAYMENT_COLUMNS if lists else _PAYMENT_SUMS)
    payments = _at_gate(day_payments, gate)
    receipts = _receipts(
        gate,
        _in_day("issued_at", start, end),
        items=True,
        columns=_RECEIPT_COLUMNS if lists else _RECEIPT_SUMS,
        trips=trips if lists else None,
        paid=False,
    )
    other_days = _with_paid(receipts, day_payments, gate, start, end)
    # A receipt revoked while its trip will not cross, or crosses on another receipt (paid
    # again): the money goes back. (One revoked while the trip stays paid on nothing else is a
    # state mismatch below: the money stands behind no receipt.)
    # Read for all gates, then kept for this one: a day's revocations are few, and asked for
    # one gate's, SQLite (no statistics) walks the gate's every receipt, not the day's by time.
    revoked_for_refund = [
        r
        for r in _receipts(
            None,
            _in_day("revoked_at", start, end)
            & Q(revoke_kind__in=[RevokeKind.REFUNDED, RevokeKind.CANCELLED])
            & (
                ~Q(trip__status__in=_PAID_STATUSES)
                | Exists(Receipt.objects.filter(trip=OuterRef("trip"), status=ReceiptStatus.VALID))
            ),
            trips=trips,
            paid=False,
        )
        if gate is None or r["gate_id"] == gate.pk
    ]
    if lists:
        crossings = _crossings(gate, start, end, codes)
        outcomes = [c.outcome for c in crossings]
        crossing_ids = []
    else:
        # Every crossing's outcome, and only the refused ones whole (their discrepancies).
        uses = ReceiptUse.objects.filter(_in_day("at", start, end))
        if gate is not None:
            uses = uses.filter(gate=gate)
        crossing_ids, outcomes = [], []
        for pk, outcome in uses.order_by("at", "id").values_list("id", "outcome"):
            crossing_ids.append(pk)
            outcomes.append(outcome)
        crossings = (
            _crossings(gate, start, end, codes, ~Q(outcome=UseOutcome.USED))
            if any(outcome != UseOutcome.USED for outcome in outcomes)
            else []
        )

    vnd = [p for p in payments if p["currency"] == "VND"]
    # A replaced receipt's payments moved to its replacement: the money is counted there.
    standing = [r for r in receipts if r["revoke_kind"] != RevokeKind.REPLACED]
    receipt_ids = {r["id"] for r in standing}
    excess_of = {r["id"]: r["paid_vnd"] - r["amount_vnd"] for r in standing}
    unreceipted_by_flag: dict[str, int] = defaultdict(int)
    for p in vnd:
        if p["receipt_id"] is None:
            unreceipted_by_flag[p["flag"]] += p["amount_vnd"]
    balance = Balance(
        received_vnd=sum(p["amount_vnd"] for p in vnd),
        receipts_vnd=sum(r["amount_vnd"] for r in standing),
        overpaid_vnd=sum(e for e in excess_of.values() if e > 0),
        receipts_unpaid_vnd=-sum(e for e in excess_of.values() if e < 0),
        unreceipted_vnd=sum(unreceipted_by_flag.values()),
        for_other_days_vnd=sum(
            p["amount_vnd"]
            for p in vnd
            if p["receipt_id"] is not None and p["receipt_id"] not in receipt_ids
        ),
        from_other_days_vnd=sum(other_days.get(pk, 0) for pk in receipt_ids),
        unreceipted_by_flag=dict(unreceipted_by_flag),
    )

    discrepancies = []
    flagged = payments
    if not lists:
        # The payments that can be a discrepancy (see ``_payment_discrepancy``), read whole.
        flagged = _payments_by_id(
            [
                p["id"]
                for p in payments
                if p["flag"] or (p["receipt_id"] is None and p["trip_id"] is not None)
            ],
            trips,
        )
    context = _context(flagged)
    for payment in flagged:
        found = _payment_discrepancy(payment, context)
        if found is not None:
            discrepancies.append(found)
    unpaid = [
        r
        for r in receipts
        if r["status"] == ReceiptStatus.VALID and r["paid_vnd"] < r["amount_vnd"]
    ]
    if not lists and unpaid:
        _with_trips(unpaid, trips)
    for receipt in unpaid:
        discrepancies.append(
            Discrepancy(
                kind=RECEIPT_WITHOUT_PAYMENT,
                at=receipt["issued_at"],
                reason=_("Receipt %(receipt)s is for %(amount)s but its payments total %(paid)s.")
                % {
                    "receipt": receipt["number"],
                    "amount": money(receipt["amount_vnd"]),
                    "paid": money(receipt["paid_vnd"]),
                },
                amount_vnd=receipt["amount_vnd"] - receipt["paid_vnd"],
                trip_reference=receipt["trip__reference"],
                receipt_number=receipt["number"],
            )
        )
    discrepancies += _refunds_of_revoked(revoked_for_refund, tz)
    refused = {c.receipt_number for c in crossings if not c.valid}
    amounts = (
        dict(Receipt.objects.filter(number__in=refused).values_list("number", "amount_vnd"))
        if refused
        else {}
    )
    for crossing in crossings:
        if not crossing.valid:
            discrepancies.append(_crossing_discrepancy(crossing, amounts, tz))
    discrepancies += _state_mismatches(gate, start, end, trips)
    discrepancies = _sorted(discrepancies)

    notifications = NotificationLog.objects.filter(_in_day("received_at", start, end))
    if gate is not None:
        notifications = notifications.filter(payment__trip__gate=gate)
    notified = notifications.aggregate(
        duplicate=Count("pk", filter=Q(outcome=NotificationOutcome.DUPLICATE)),
        refused=Count(
            "pk",
            filter=~Q(outcome__in=[NotificationOutcome.ACCEPTED, NotificationOutcome.DUPLICATE]),
        ),
    )
    counts = Counts(
        payments=len(payments),
        receipts_issued=len(receipts),
        receipts_revoked=sum(1 for r in receipts if r["status"] == ReceiptStatus.REVOKED),
        crossings=sum(1 for outcome in outcomes if outcome == UseOutcome.USED),
        crossings_refused=sum(1 for outcome in outcomes if outcome != UseOutcome.USED),
        notifications_duplicate=notified["duplicate"],
        notifications_refused=notified["refused"],
        discrepancies_open=sum(1 for d in discrepancies if d.is_open),
        discrepancies_resolved=sum(1 for d in discrepancies if not d.is_open),
    )
    methods = _labels(PaymentMethod.choices)
    flags = _labels(PaymentFlag.choices)
    statuses = _labels(ReceiptStatus.choices)
    if lists:
        payment_rows = [_payment_row(p, codes, methods, flags) for p in payments]
        receipt_rows = [_receipt_row(r, codes, statuses) for r in receipts]
    else:
        payment_rows = PagedRows(
            [p["id"] for p in payments],
            lambda ids: [
                _payment_row(p, codes, methods, flags) for p in _payments_by_id(ids, trips)
            ],
        )
        paid_of = {r["id"]: r["paid_vnd"] for r in receipts}
        receipt_rows = PagedRows(
            [r["id"] for r in receipts],
            lambda ids: [
                _receipt_row(r, codes, statuses) for r in _receipts_by_id(ids, trips, paid_of)
            ],
        )
        crossings = PagedRows(
            crossing_ids,
            lambda ids: _crossings(None, start, end, codes, Q(pk__in=ids)) if ids else [],
        )
    return Report(
        gate=gate,
        day=day,
        time_zone=time_zone,
        start=start,
        end=end,
        generated_at=timezone.now(),
        payments=payment_rows,
        receipts=receipt_rows,
        crossings=crossings,
        discrepancies=discrepancies,
        by_method=_method_totals(payments, methods),
        by_item=_item_totals(standing),
        balance=balance,
        counts=counts,
    )


# ---------------------------------------------------------------------------------------------
# Export: the same sections as tables, for CSV and XLSX

_MONEY = "money"
_TIME = "time"


@dataclass(frozen=True)
class _Column:
    title: str
    kind: str = ""  # "money" (integer đồng), "time" (a stored UTC datetime), or plain


def _summary_rows(report: Report) -> list[list]:
    b, c = report.balance, report.counts
    rows = [
        [_("Gate"), report.gate.code.upper() if report.gate else _("All gates")],
        [_("Day"), report.day],
        # As the page says it (Vietnam (UTC+07:00)), never the zone's code.
        [_("Time zone"), zone_label(report.time_zone, day_bounds(report.day, report.time_zone)[0])],
        [_("Generated at"), report.generated_at],
        [_("Money received (VND)"), b.received_vnd],
    ]
    rows += [[label, amount] for label, amount in b.lines()]
    rows += [
        [_("Difference (should be 0)"), b.difference_vnd],
        [_("Number of payments"), c.payments],
        [_("Number of receipts issued"), c.receipts_issued],
        [_("of which revoked"), c.receipts_revoked],
        [_("Crossings with a valid receipt"), c.crossings],
        [_("Crossings refused"), c.crossings_refused],
        [_("Duplicate bank notifications"), c.notifications_duplicate],
        [_("Refused bank notifications"), c.notifications_refused],
        [_("Open discrepancies"), c.discrepancies_open],
        [_("Resolved discrepancies"), c.discrepancies_resolved],
    ]
    return rows


def _table(title: str, spec: list[tuple], items) -> tuple[str, list[_Column], list[list]]:
    """A section from (column title, kind, attribute name or function) triples."""
    columns = [_Column(name, kind) for name, kind, _get in spec]
    getters = [attrgetter(get) if isinstance(get, str) else get for _n, _k, get in spec]
    return title, columns, [[get(item) for get in getters] for item in items]


def _provider_label(code: str) -> str:
    """The provider as people know it (VietQR, payOS, the cash counter), not its setting's key."""
    from .providers import get_provider

    provider = get_provider(code)
    return str(provider.label) if provider is not None else code


def _upper(name: str):
    return lambda item: getattr(item, name).upper()


def _sections(report: Report) -> list[tuple[str, list[_Column], list[list]]]:
    """(title, columns, rows) per section; values stay typed until the writer formats them."""
    return [
        (
            _("Summary"),
            [_Column(_("Item")), _Column(_("Value"), _MONEY)],
            _summary_rows(report),
        ),
        _table(
            _("Totals by method"),
            [
                (_("Method"), "", "label"),
                (_("Payments"), "", "count"),
                (_("Amount (VND)"), _MONEY, "amount_vnd"),
            ],
            report.by_method,
        ),
        _table(
            _("Totals by fee item"),
            [
                (_("Schedule"), "", lambda t: str(localized_name(t, "schedule_title"))),
                (_("Item"), "", "code"),
                (_("Label (Vietnamese)"), "", "label_vi"),
                (_("Lines"), "", "lines"),
                (_("Amount (VND)"), _MONEY, "amount_vnd"),
            ],
            report.by_item,
        ),
        _table(
            _("Payments"),
            [
                (_("Id"), "", "id"),
                (_("Paid at"), _TIME, "paid_at"),
                (_("Method"), "", "method_label"),
                (_("Provider"), "", lambda p: _provider_label(p.provider)),
                (_("Transaction id"), "", "shown_id"),
                (_("Gate"), "", _upper("gate_code")),
                (_("Trip"), "", "trip_reference"),
                (_("Receipt"), "", "receipt_number"),
                (_("Amount"), _MONEY, "amount_vnd"),
                (_("Currency"), "", "currency"),
                (_("Payer"), "", "payer_name"),
                (_("Description"), "", "description"),
                (_("Flag"), "", "flag_label"),
                (_("Resolved at"), _TIME, "resolved_at"),
                (_("Resolution"), "", "resolution"),
            ],
            report.payments,
        ),
        _table(
            _("Receipts"),
            [
                (_("Number"), "", "number"),
                (_("Issued at"), _TIME, "issued_at"),
                (_("Gate"), "", _upper("gate_code")),
                (_("Trip"), "", "trip_reference"),
                (_("Payer"), "", "payer_name"),
                (_("Amount (VND)"), _MONEY, "amount_vnd"),
                (_("Paid (VND)"), _MONEY, "paid_vnd"),
                (_("Status"), "", "status_label"),
                (_("Revoked at"), _TIME, "revoked_at"),
                (_("Used at"), _TIME, "used_at"),
                (_("Used at gate"), "", _upper("used_gate_code")),
            ],
            report.receipts,
        ),
        _table(
            _("Crossings"),
            [
                (_("At"), _TIME, "at"),
                (_("Gate"), "", _upper("gate_code")),
                (_("Receipt"), "", "receipt_number"),
                (_("Trip"), "", "trip_reference"),
                (_("Outcome"), "", "outcome_label"),
                (_("Officer"), "", "actor"),
                (_("Detail"), "", "detail"),
            ],
            report.crossings,
        ),
        _table(
            _("Discrepancies"),
            [
                (_("State"), "", lambda d: _("open") if d.is_open else _("resolved")),
                (_("Kind"), "", "kind_label"),
                (_("At"), _TIME, "at"),
                (_("Trip"), "", "trip_reference"),
                (_("Receipt"), "", "receipt_number"),
                (_("Payment id"), "", lambda d: ", ".join(str(i) for i in d.payment_ids)),
                (_("Transaction id"), "", "shown_id"),
                (_("Amount"), _MONEY, "amount_vnd"),
                (_("Currency"), "", "currency"),
                (_("Reason"), "", "reason"),
                (_("Resolved at"), _TIME, "resolved_at"),
                (_("Resolution"), "", "resolution"),
            ],
            report.discrepancies,
        ),
    ]


def _text(value, report: Report) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = report.local(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def to_csv(report: Report) -> str:
    """All sections one after another: a title row, a header row, the rows, a blank row.

    Starts with a byte order mark, without which Excel reads UTF-8 as the local code page and
    garbles Vietnamese. Amounts are plain integers (no separators), so a spreadsheet sums them.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    # Texts quoted where a spreadsheet would split them (";" in Vietnamese Excel) and never
    # read as formulas: a payer's name or a transfer's text is the payer's own.
    writer = CsvWriter(buffer)
    for title, columns, rows in _sections(report):
        writer.writerow([title])
        writer.writerow([column.title for column in columns])
        for row in rows:
            writer.writerow([_text(value, report) for value in row])
        writer.writerow([])
    return buffer.getvalue()


_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def to_xlsx(report: Report) -> bytes:
    """One sheet per section; amounts are integers formatted "#,##0", times local and naive.

    Written as a stream (openpyxl's write-only mode), each sheet's column widths measured while
    its rows are prepared: building every cell as an object and walking the columns again for
    their widths took a second for one day at Hữu Nghị."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in _sections(report):
        sheet = workbook.create_sheet(title.translate(_SHEET_FORBIDDEN)[:31])
        widths = [len(column.title) for column in columns]
        prepared = []
        for row in rows:
            values = []
            for index, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    # openpyxl refuses aware datetimes; the local wall time is what people read,
                    # to the second (Excel would otherwise keep stray milliseconds).
                    value = report.local(value).replace(tzinfo=None, microsecond=0)
                values.append(value)
                if index < len(widths):
                    widths[index] = max(widths[index], len(_text(value, report)))
            prepared.append(values)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        money = {i for i, column in enumerate(columns) if column.kind == _MONEY}
        for values in prepared:
            cells = []
            for index, value in enumerate(values):
                if isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(value, dt.date):
                    # The report's day: a date a spreadsheet can sort and compare, like the times.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                elif index in money and type(value) is int:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "#,##0"
                else:
                    cell = xlsx_text(sheet, value)
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
