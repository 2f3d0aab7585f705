"""Recording payments exactly once and settling trips: the receipt is issued at once.

Every path that records money (bank webhook, counter, demo simulation) ends in ``_settle``,
which decides, under a lock on the trip, whether the fee is now paid, and flags anything that
does not fit (short, over, late, for a cancelled trip, for no trip) instead of dropping it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from cuakhau.accounts import roles
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.inputs import clean_text
from cuakhau.core.phrases import Phrase, as_stored, said
from cuakhau.core.retry import lock_rows, retry_on_conflict
from cuakhau.core.wording import join_clauses, mid_sentence
from cuakhau.fees.services import current_assessment
from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import ReceiptStatus
from cuakhau.trips import references
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripAction, TripStatus
from cuakhau.trips.models import Trip

from . import providers
from .models import (
    SLIP_KEY,
    NotificationLog,
    NotificationOutcome,
    Payment,
    PaymentFlag,
    PaymentMethod,
)

# What one transfer can carry (``providers.MAX_AMOUNT_VND``), for every way money comes in.
MAX_AMOUNT_VND = providers.MAX_AMOUNT_VND

_REFERENCE_IN_TEXT = re.compile(r"\b([A-Z]{3})[\s\-_.]?([0-9A-Z]{6}[0-9A-Z*])")


def reference_in(text: str) -> str | None:
    """The first valid trip reference in a transfer's free text (banks mangle separators)."""
    for prefix, body in _REFERENCE_IN_TEXT.findall((text or "").upper()):
        candidate = f"{prefix}-{body}"
        if references.is_valid_reference(candidate):
            return candidate
    return None


def amount_due(trip: Trip) -> int | None:
    assessment = current_assessment(trip)
    return None if assessment is None else assessment.total_vnd


# Payments that are owed back rather than counted, whatever their receipt.
_OWED_BACK = (PaymentFlag.ALREADY_PAID, PaymentFlag.TRIP_CANCELLED)


def counted(payments):
    """The payments that count towards a trip's fee: in VND, not paid a second time or for a
    trip that will not cross, and not behind a receipt since revoked (that money goes back)."""
    return (
        payments.filter(currency="VND")
        .exclude(flag__in=_OWED_BACK)
        .exclude(receipt__status=ReceiptStatus.REVOKED)
    )


def paid_total(trip: Trip) -> int:
    return counted(trip.payments.all()).aggregate(total=Sum("amount_vnd"))["total"] or 0


def _flag(payment: Payment, flag: str, message, **params) -> None:
    """Flag the payment, its detail written in each language whoever's request settled it (a
    bank's webhook, an officer's cash entry), for each reader to read theirs
    (``Payment.flag_detail_shown``); ``flag_detail`` keeps the platform's. Whole numbers in
    ``params`` are amounts, grouped as each language does."""
    values = {k: (lambda v=v: grouped(v)) if type(v) is int else v for k, v in params.items()}
    detail, texts = as_stored(Phrase(message, **values))
    payment.flag = flag
    payment.flag_detail = detail[:300]
    payment.flag_detail_texts = {key: text[:300] for key, text in texts.items()}
    payment.save(update_fields=["flag", "flag_detail", "flag_detail_texts"])


@dataclass(frozen=True)
class Balance:
    """Where a trip's money stands: what is still due, or what is to be paid back."""

    fee_vnd: int | None  # None before the fee is assessed
    paid_vnd: int  # counted towards the fee
    due_vnd: int  # still to pay (0 when nothing is due)
    refund_vnd: int  # received beyond the fee, or for a trip that will not cross, not yet settled
    # Every payment in VND received for the trip, those counted and those to pay back alike:
    # what the payments listed on its page add up to.
    received_vnd: int = 0

    @property
    def balance_vnd(self) -> int:
        """Positive: due; negative: to refund; zero: settled."""
        return self.due_vnd - self.refund_vnd


def balance_of(trip: Trip) -> Balance:
    """The trip's balance after every payment, amendment and cancellation so far."""
    # Each with its receipt's status, in one statement: money behind a revoked receipt goes
    # back. What counts towards the fee is ``counted``'s, worked out on these rows.
    payments = list(
        trip.payments.filter(currency="VND").annotate(receipt_status=F("receipt__status"))
    )
    received = sum(p.amount_vnd for p in payments)
    going_back = [
        p for p in payments if p.flag in _OWED_BACK or p.receipt_status == ReceiptStatus.REVOKED
    ]
    paid = received - sum(p.amount_vnd for p in going_back)
    # Money a person has already dealt with (a resolved flag) is not owed back any more.
    returned = sum(p.amount_vnd for p in going_back if not p.resolved_at)
    closed = trip.status in (TripStatus.CANCELLED, TripStatus.REJECTED)
    if closed and not used_the_gate(trip):
        unresolved = sum(p.amount_vnd for p in payments if not p.resolved_at)
        return Balance(amount_due(trip), paid, 0, unresolved, received)
    fee = amount_due(trip)
    if fee is None:
        return Balance(None, paid, 0, returned, received)
    excess = max(0, paid - fee)
    if excess and any(p.flag == PaymentFlag.OVERPAID and p.resolved_at for p in payments):
        excess = 0
    # A truck rejected after its check-in owes nothing more, whatever it had paid.
    due = 0 if closed else max(0, fee - paid)
    return Balance(fee, paid, due, excess + returned, received)


def used_the_gate(trip: Trip) -> bool:
    """A trip rejected after its truck was checked in: it used the gate (its receipt is not
    revoked, ``receipts.signals``), so its fees stand and are not refunded; only what was paid
    beyond them, or after, goes back. Its valid receipt is no disagreement either (the daily
    reconciliation asks here too, for trips read with ``checked_in``: ``checked_in()``)."""
    if trip.status != TripStatus.REJECTED:
        return False
    checked_in = getattr(trip, "checked_in", None)
    if checked_in is not None:
        return checked_in
    return trip.transitions.filter(action=TripAction.CHECK_IN).exists()


def checked_in():
    """Whether a trip was ever checked in, as an annotation (``checked_in``) of a trips' query:
    what ``used_the_gate`` reads of each, in the same statement."""
    from django.db.models import Exists, OuterRef

    from cuakhau.trips.models import TripTransition

    return Exists(TripTransition.objects.filter(trip=OuterRef("pk"), action=TripAction.CHECK_IN))


def _settle(payment: Payment, context: RequestContext) -> None:
    """Decide what a newly recorded payment means for its trip (caller holds the transaction)."""
    if payment.currency != "VND":
        _flag(
            payment,
            PaymentFlag.CURRENCY,
            _lazy("Paid in %(c)s; fees are due in VND."),
            c=payment.currency,
        )
        return
    if payment.trip_id is None:
        _flag(
            payment,
            PaymentFlag.UNKNOWN_TRIP,
            _lazy("No valid trip reference in: %(t)s"),
            t=payment.description,
        )
        return
    trip = _locked_trip(payment.trip_id)
    if trip.status in (TripStatus.CANCELLED, TripStatus.REJECTED):
        _flag(
            payment,
            PaymentFlag.TRIP_CANCELLED,
            _lazy("Trip %(ref)s is %(status)s: refund due."),
            ref=trip.reference,
            status=mid_sentence(TripStatus(trip.status).label),
        )
        return
    if trip.status == TripStatus.DRAFT:
        _flag(
            payment,
            PaymentFlag.NOT_SUBMITTED,
            _lazy("Trip %(ref)s was not submitted, so no fee was assessed."),
            ref=trip.reference,
        )
        return
    if trip.status == TripStatus.PAID or receipts.valid_receipt_of(trip) is not None:
        twin = possibly_same_transfer(payment, trip)
        if twin is not None:
            payment.possibly_same_as = twin
            payment.save(update_fields=["possibly_same_as"])
            _flag(
                payment,
                PaymentFlag.ALREADY_PAID,
                ALREADY_PAID_MAYBE_SAME,
                ref=trip.reference,
                id=str(twin.pk),
                provider=provider_label(twin.provider),
            )
            return
        _flag(
            payment,
            PaymentFlag.ALREADY_PAID,
            _lazy("Trip %(ref)s was already paid: refund due."),
            ref=trip.reference,
        )
        return
    assessment = current_assessment(trip)
    due = assessment.total_vnd
    total = paid_total(trip)
    if total < due:
        _flag(
            payment,
            PaymentFlag.UNDERPAID,
            _lazy("Received %(paid)s of %(due)s VND for %(ref)s."),
            paid=total,
            due=due,
            ref=trip.reference,
        )
        return
    resolution = _("completed by later payment; receipt %(n)s")
    _complete(trip, assessment, payment, total, context, resolution)


# How far apart two providers' reports of one transfer are booked (their clocks, the bank's
# posting): further apart, two transfers of the same amount are two payments.
SAME_TRANSFER_WINDOW = dt.timedelta(minutes=10)
ALREADY_PAID_MAYBE_SAME = gettext_noop(
    "Trip %(ref)s was already paid: refund due. Possibly the same transfer as payment %(id)s "
    "reported by %(provider)s: check the bank statement before refunding."
)
MAYBE_SAME = gettext_noop(
    "Possibly the same transfer as payment %(id)s reported by %(provider)s: check the bank "
    "statement before refunding."
)


def provider_label(code: str) -> str:
    """A payment provider as people name it (payOS, SePay), its code if none is configured."""
    provider = providers.get_provider(code)
    return str(getattr(provider, "label", "") or code)


def _account_of(payment: Payment) -> str:
    """The account a bank transfer credited: as recorded with the bank's reference, else as
    its report names it, else its provider's own account ("" for none: cash)."""
    if payment.credited_account:
        return payment.credited_account
    provider = providers.get_provider(payment.provider)
    if not hasattr(provider, "account_credited"):
        return ""
    raw = payment.raw if isinstance(payment.raw, dict) else {}
    return provider.account_credited(raw.get("accountNumber"))


def possibly_same_transfer(payment: Payment, trip: Trip) -> Payment | None:
    """The earlier payment of ``trip`` that ``payment`` may be reported again: another
    provider's report of the same amount to the same account minutes apart, one of the two
    without the bank's reference (with both, ``record_payment`` met them already, or they
    differ: two transfers). None when nothing is that close."""
    if payment.method != PaymentMethod.BANK_TRANSFER:
        return None
    account = _account_of(payment)
    if not account:
        return None
    near = (
        trip.payments.exclude(pk=payment.pk)
        .exclude(provider=payment.provider)
        .filter(
            method=PaymentMethod.BANK_TRANSFER,
            amount_vnd=payment.amount_vnd,
            currency=payment.currency,
            paid_at__gte=payment.paid_at - SAME_TRANSFER_WINDOW,
            paid_at__lte=payment.paid_at + SAME_TRANSFER_WINDOW,
        )
        .order_by("pk")
    )
    for other in near:
        if payment.bank_reference and other.bank_reference:
            continue
        if _account_of(other) == account:
            return other
    return None


def _locked_trip(pk: int) -> Trip:
    """The trip under its row's lock, with the gate and company its receipt names."""
    return lock_rows(Trip.objects.select_related("gate", "organisation")).get(pk=pk)


def grouped(amount: int) -> str:
    """An amount as the reader's language groups its digits (vi 1.500.000, en 1,500,000)."""
    return number_format(amount, force_grouping=True)


def _complete(trip, assessment, last: Payment, total: int, context, resolution: str):
    """The money received covers the fee (``assessment``, the trip's current one): issue the
    receipt and mark the trip paid."""
    due = assessment.total_vnd
    receipt = receipts.issue_receipt(trip, assessment)
    now = timezone.now()
    open_payments = counted(trip.payments.filter(receipt=None))
    # Earlier partial payments, and those received before the trip was submitted, are settled
    # by this receipt: their flag is resolved, not erased.
    open_payments.filter(flag__in=[PaymentFlag.UNDERPAID, PaymentFlag.NOT_SUBMITTED]).update(
        resolved_at=now, resolution=(resolution % {"n": receipt.number})[:300]
    )
    open_payments.update(receipt=receipt)
    if total > due:
        last.refresh_from_db()
        last.resolved_at, last.resolution = None, ""
        last.save(update_fields=["resolved_at", "resolution"])
        _flag(
            last,
            PaymentFlag.OVERPAID,
            _lazy("Received %(paid)s VND for a fee of %(due)s VND: %(excess)s VND to refund."),
            paid=total,
            due=due,
            excess=total - due,
        )
    if trip.status == TripStatus.SUBMITTED:
        trips.mark_paid(trip, context)
    # Else a truck inside whose receipt was revoked meanwhile: the new receipt is the one it
    # leaves on, and its trip stays where it is.
    # The enterprise pays from its office; the driver, on the road, learns it here.
    trips.tell_driver(
        trip,
        "receipt_issued",
        {
            "reference": trip.reference,
            "number": receipt.number,
            "gate": trip.gate,
            "plate": receipt.tractor_plate,
        },
        dedupe_key=f"receipts.issued:{receipt.pk}",
    )
    return receipt


def settle_after_reassessment(trip: Trip, action: str = "amend", context: RequestContext = SYSTEM):
    """The fee was assessed (``action``: the submission, or an amendment): the money already
    received may now cover it.

    Called inside that transaction, after the new assessment. Returns the receipt when the
    trip is now paid, else None (its balance shows what is still due).
    """
    trip = _locked_trip(trip.pk)
    if trip.status != TripStatus.SUBMITTED or receipts.valid_receipt_of(trip) is not None:
        return None
    assessment = current_assessment(trip)
    total = paid_total(trip)
    last = counted(trip.payments.filter(receipt=None)).order_by("-paid_at", "-id").first()
    if assessment is None or last is None or total < assessment.total_vnd:
        return None
    resolution = (
        _("covered at the submission; receipt %(n)s")
        if action == "submit"
        else _("covered after the amendment; receipt %(n)s")
    )
    return _complete(trip, assessment, last, total, context, resolution)


def _trip_for_reference(reference: str | None) -> Trip | None:
    if reference is None:
        return None
    return Trip.objects.filter(reference=reference).first()


# One transaction: an accepted notification's log row is committed with its payment, before
# the bank hears "accepted", so a crash can never leave one without the other.
@retry_on_conflict
@transaction.atomic
def receive_notification(
    provider_code: str, headers, body: bytes, remote_addr: str | None = None
) -> tuple[NotificationLog, Payment | None]:
    """Authenticate a provider's webhook call and record its payment exactly once."""
    digest = hashlib.sha256(body).hexdigest()
    provider = providers.get_provider(provider_code)
    if provider is None:
        log = NotificationLog.objects.create(
            provider=provider_code[:32],
            remote_addr=remote_addr,
            outcome=NotificationOutcome.UNKNOWN_PROVIDER,
            body_sha256=digest,
        )
        return log, None
    try:
        notification = provider.verify_notification(headers, body)
    except providers.NotificationRefused as refused:
        log = NotificationLog.objects.create(
            provider=provider_code,
            remote_addr=remote_addr,
            outcome=refused.outcome,
            body_sha256=digest,
            **_logged(refused.detail),
        )
        log.refusal = refused  # the API answers with its field errors (422)
        return log, None
    payment, created = record_payment(
        provider_code=provider_code,
        method=provider.method,
        external_id=notification.transaction_id,
        amount_vnd=notification.amount,
        currency=notification.currency,
        description=notification.description,
        payer_name=notification.payer_name,
        payer_account=notification.payer_account,
        paid_at=notification.paid_at,
        raw=notification.raw,
        trip=_trip_for_reference(notification.reference),
        context=RequestContext(channel="api", remote_addr=remote_addr),
        bank_reference=notification.bank_reference,
        credited_account=notification.credited_account,
    )
    log = NotificationLog.objects.create(
        provider=provider_code,
        remote_addr=remote_addr,
        outcome=NotificationOutcome.ACCEPTED if created else NotificationOutcome.DUPLICATE,
        body_sha256=digest,
        **_logged("" if created else _repeat(provider_code, payment, notification)),
        payment=payment,
    )
    return log, payment


def _logged(detail) -> dict:
    """A log line's detail as ``NotificationLog`` keeps it: in the platform's language, and in
    each for its readers (a ``Phrase``, or a function putting phrases together)."""
    if not detail:
        return {"detail": "", "detail_texts": {}}
    text, texts = as_stored(detail)
    return {"detail": text[:300], "detail_texts": {k: v[:300] for k, v in texts.items()}}


def _repeat(provider_code: str, payment: Payment, notification: providers.Notification):
    """The log line of a transfer already recorded: another provider's report of the same
    credit says which payment it is, and from whom it first came (``_conflict`` after it).
    A ``Phrase`` (or a function of them), "" when there is nothing to say."""
    conflict = _conflict(payment, notification)
    if payment.provider == provider_code and payment.external_id == notification.transaction_id:
        return conflict
    first = providers.get_provider(payment.provider)
    same = Phrase(
        gettext_noop(
            "Same bank transfer (reference %(ref)s) as payment %(id)s, first reported by "
            "%(provider)s as %(tx)s: not recorded again."
        ),
        ref=payment.bank_reference,
        id=payment.pk,
        provider=first.label if first is not None else payment.provider,
        tx=payment.external_id,
    )
    if not conflict:
        return same
    return lambda: f"{said(same)} {said(conflict)}"


def _conflict(payment: Payment, notification: providers.Notification):
    """What an authentic repeat of a transaction says differently from the payment recorded.

    The first word stands (a transaction is recorded once); a repeat that names another amount,
    currency or trip is no retry, and its log line says so for the reconciliation.
    """
    differences = []
    if notification.amount != payment.amount_vnd:
        differences.append(
            Phrase(
                gettext_noop("amount %(new)s instead of %(old)s"),
                new=lambda: grouped(notification.amount),
                old=lambda: grouped(payment.amount_vnd),
            )
        )
    if notification.currency != payment.currency:
        differences.append(
            Phrase(
                gettext_noop("currency %(new)s instead of %(old)s"),
                new=notification.currency,
                old=payment.currency,
            )
        )
    trip = _trip_for_reference(notification.reference)
    if (trip.pk if trip else None) != payment.trip_id:
        differences.append(
            Phrase(
                gettext_noop("trip %(new)s instead of %(old)s"),
                new=trip.reference if trip else "—",
                old=payment.trip.reference if payment.trip_id else "—",
            )
        )
    if not differences:
        return ""
    return Phrase(
        gettext_noop("Same transaction as payment %(id)s, kept as first recorded, but: %(what)s."),
        id=payment.pk,
        what=lambda: join_clauses(said(d) for d in differences),
    )


@retry_on_conflict
def record_payment(
    *,
    provider_code,
    method,
    external_id,
    amount_vnd,
    currency="VND",
    description="",
    payer_name="",
    payer_account="",
    paid_at=None,
    raw=None,
    recorded_by=None,
    trip=None,
    context: RequestContext = SYSTEM,
    bank_reference="",
    credited_account="",
) -> tuple[Payment, bool]:
    """Record one provider transaction; a second delivery returns the first record unchanged.

    So does another provider's report of the same bank transfer (``bank_reference`` to
    ``credited_account``, ``providers.Notification``): payOS and SePay watching one account
    report each credit under their own ids, and it is paid once.

    Every provider and the cash counter come through here, so the checks that keep the
    duplicate check sound and the money real are made here: the transaction id is stored
    whole (an id too long for its column is refused, never cut: two transfers must not
    collapse into one), and an amount must be a positive whole number of đồng.
    """
    errors = {}
    limit = Payment._meta.get_field("external_id").max_length
    if not isinstance(external_id, str) or not external_id.strip():
        errors["transaction_id"] = [_("A payment needs the provider's transaction id.")]
    elif len(external_id) > limit:
        errors["transaction_id"] = [
            _("A transaction id has at most %(n)d characters.") % {"n": limit}
        ]
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        errors["amount_vnd"] = [_("Enter a positive whole number of đồng.")]
    elif amount_vnd > MAX_AMOUNT_VND:
        errors["amount_vnd"] = [_("The amount is larger than any payment can be.")]
    if errors:
        raise FieldErrors(errors)
    existing = _recorded(provider_code, external_id, bank_reference, credited_account)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                provider=provider_code,
                external_id=external_id,
                method=method,
                trip=trip or _trip_for_reference(reference_in(description)),
                amount_vnd=amount_vnd,
                currency=currency,
                description=description,
                payer_name=payer_name,
                payer_account=payer_account,
                paid_at=paid_at or timezone.now(),
                recorded_by=recorded_by,
                raw=raw or {},
                bank_reference=bank_reference if credited_account else "",
                credited_account=credited_account if bank_reference else "",
            )
            _settle(payment, context)
            payment.refresh_from_db()
    except IntegrityError:
        # The same transaction arrived concurrently (a retry, or the other provider's report)
        # and the other delivery won the insert.
        existing = _recorded(provider_code, external_id, bank_reference, credited_account)
        if existing is None:
            raise
        return existing, False
    return payment, True


def _recorded(provider_code, external_id, bank_reference, credited_account) -> Payment | None:
    """The payment already recorded for this provider's transaction, or for this bank transfer
    whoever reported it."""
    same = Q(provider=provider_code, external_id=external_id)
    if bank_reference and credited_account:
        same |= Q(bank_reference=bank_reference, credited_account=credited_account)
    # One statement, at most two rows (each key is unique): this provider's own first.
    found = list(Payment.objects.filter(same).order_by("pk")[:2])
    return next(
        (p for p in found if (p.provider, p.external_id) == (provider_code, external_id)),
        found[0] if found else None,
    )


def _nothing_due(trip: Trip) -> str:
    """Why no cash is taken for this trip now, or "" when its fees are due."""
    if trip.status == TripStatus.DRAFT:
        return _("Trip %(ref)s is not submitted yet: its fees are not assessed.") % {
            "ref": trip.reference
        }
    if trip.status in (TripStatus.CANCELLED, TripStatus.REJECTED):
        return _("Trip %(ref)s is %(status)s: no fees are due.") % {
            "ref": trip.reference,
            "status": mid_sentence(TripStatus(trip.status).label),
        }
    if trip.status == TripStatus.SUBMITTED:
        # Its receipt revoked, or none issued yet (``_settle`` checks again under the lock).
        return ""
    # Paid, or inside the gate: due again only if its receipt was revoked meanwhile.
    receipt = receipts.valid_receipt_of(trip)
    if receipt is not None:
        return _("Trip %(ref)s is already paid (receipt %(n)s): no cash is due.") % {
            "ref": trip.reference,
            "n": receipt.number,
        }
    return ""


# Cash handed over for the fees: up to ten times what they are, and at least this much (a few
# large notes for a small fee; the change is a refund).
CASH_FLOOR_VND = 10_000_000


def _most_cash_for(due: int) -> int:
    return max(CASH_FLOOR_VND, 10 * due)


def _cash_checked(
    officer, trip: Trip, amount_vnd, slip_number, refused=()
) -> tuple[dict[str, list[str]], str, str]:
    """Every refusal of a cash payment's fields at once, by field, with the slip number as
    kept and the transaction id made of it; writes nothing. ``refused``: fields the caller
    could not read (the API's schema, the page's number box), neither checked nor said again.
    TripPermissionDenied for one who does not take cash at the trip's gate; StateRefused for a
    trip that owes nothing (its fields are moot)."""
    user_roles = roles.roles_of(officer)
    allowed = user_roles & {roles.GATE_OPERATOR, roles.DESK, roles.ADMINISTRATOR}
    if not allowed or (
        roles.ADMINISTRATOR not in user_roles
        and not officer.profile.gates.filter(pk=trip.gate_id).exists()
    ):
        raise trips.TripPermissionDenied(
            _("Only a gate operator or desk officer of this gate records cash.")
        )
    # Cash is handed over at the counter: a trip that owes nothing has it handed back there
    # and then, rather than recorded and owed back as a refund (its page no longer offers the
    # form; a page left open, or the API, still could).
    nothing_due = _nothing_due(trip)
    if nothing_due:
        raise StateRefused(nothing_due)
    errors: dict[str, list[str]] = {}
    if "amount_vnd" in refused:
        pass
    elif isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        errors["amount_vnd"] = [_("Enter a positive whole number of đồng.")]
    elif amount_vnd > _most_cash_for(due := amount_due(trip) or 0):
        # A slip's amount typed with a few zeros too many would be kept, and the refund owed
        # with it: far beyond what the fees are, it is a typing slip, not cash in the drawer.
        errors["amount_vnd"] = [
            _("%(amount)s đồng is far more than the fees (%(due)s đồng): check the amount.")
            % {
                "amount": number_format(amount_vnd, force_grouping=True),
                "due": number_format(due, force_grouping=True),
            }
        ]
    slip_refused = None
    try:
        slip_number = clean_text((slip_number or "").strip())
    except ValidationError as exc:
        slip_refused = exc.messages
    # The slip number is the cash payment's transaction id: kept whole, like a bank's.
    external_id = f"{trip.gate.code}-{slip_number}"
    limit = Payment._meta.get_field("external_id").max_length
    if "slip_number" in refused:
        pass
    elif slip_refused:
        errors["slip_number"] = slip_refused
    elif not slip_number:
        errors["slip_number"] = [_("Enter the number of the cash slip.")]
    elif len(external_id) > limit:
        errors["slip_number"] = [
            _("A cash slip number has at most %(n)d characters.")
            % {"n": limit - len(trip.gate.code) - 1}
        ]
    elif (errors or refused) and Payment.objects.filter(
        provider=providers.cash_provider().code, external_id=external_id
    ).exists():
        # Said beside the other fields' refusals; alone, ``record_payment`` finds it without
        # this query.
        errors["slip_number"] = [_slip_recorded(slip_number)]
    return errors, slip_number, external_id


def _slip_recorded(slip_number: str) -> str:
    return _("Cash slip %(n)s is already recorded.") % {"n": slip_number}


def cash_payment_errors(
    officer, trip: Trip, *, amount_vnd=None, slip_number="", refused=()
) -> dict[str, list[str]]:
    """What ``record_cash_payment`` would refuse in these fields, all at once (``refused``:
    fields refused already, not checked again nor said again); writes nothing. The API asks
    it for the fields its schema took when it refused others."""
    try:
        return _cash_checked(officer, trip, amount_vnd, slip_number, refused)[0]
    except FieldErrors as exc:
        return exc.errors


def record_cash_payment(
    officer,
    trip: Trip,
    amount_vnd: int,
    slip_number: str,
    context: RequestContext = SYSTEM,
    *,
    refused: dict[str, list[str]] | None = None,
) -> Payment:
    """Record cash received at the counter against its slip. Every field is checked before
    any is refused: one FieldErrors names each wrong one, with ``refused``, the fields the
    caller could not read (the page's amount box)."""
    errors, slip_number, external_id = _cash_checked(
        officer, trip, amount_vnd, slip_number, tuple(refused or ())
    )
    errors = {**(refused or {}), **errors}
    if errors:
        raise FieldErrors(errors)
    provider = providers.cash_provider()
    payment, created = record_payment(
        provider_code=provider.code,
        method=PaymentMethod.CASH,
        external_id=external_id,
        amount_vnd=amount_vnd,
        description=trip.reference,
        payer_name=trip.organisation.name,
        raw={SLIP_KEY: slip_number},
        recorded_by=officer,
        trip=trip,
        context=context,
    )
    if not created:
        raise FieldErrors({"slip_number": [_slip_recorded(slip_number)]})
    return payment


def simulate_bank_transfer(
    trip: Trip, amount_vnd: int | None = None
) -> tuple[NotificationLog, Payment | None]:
    """Demo only: the bank's signed notification for a transfer of the amount due."""
    provider = providers.bank_provider()
    body = json.dumps(
        {
            "transaction_id": f"SIM{int(time.time() * 1000)}{trip.pk}",
            "amount": amount_vnd if amount_vnd is not None else amount_due(trip),
            "currency": "VND",
            "description": f"{trip.reference} thanh toan phi ha tang cua khau",
            "payer_name": trip.organisation.name,
            "payer_account": "0000000000",
            "booked_at": timezone.now().isoformat(),
        }
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "X-Cuakhau-Timestamp": timestamp,
        "X-Cuakhau-Signature": providers.sign_body(provider.secret, timestamp, body),
    }
    return receive_notification(provider.code, headers, body, "127.0.0.1")


# One discrepancy is the payments behind it: a handful, never a day's worth.
MAX_RESOLVED_AT_ONCE = 50


def _payment_ids(raw) -> list[int]:
    ids = set()
    for value in raw:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise FieldErrors({"payments": [_("No such payment.")]})
        ids.add(int(text))
    if not ids:
        raise FieldErrors({"payments": [_("Say which payments the resolution is for.")]})
    if len(ids) > MAX_RESOLVED_AT_ONCE:
        raise FieldErrors(
            {
                "payments": [
                    _("Resolve at most %(n)d payments at once.") % {"n": MAX_RESOLVED_AT_ONCE}
                ]
            }
        )
    return sorted(ids)


@retry_on_conflict
@transaction.atomic
def resolve_discrepancy(actor, payment_ids, resolution: str, *, gate, day) -> list[Payment]:
    """Record what a person did about a discrepancy (a refund made, a payment matched by hand):
    its payments leave the day's open discrepancies, and stay in its identity (the money did
    come in). Who, when and how are kept on each payment.

    ``payment_ids`` are those of one open discrepancy of the reconciliation of ``gate`` (None:
    all gates, an administrator's report only) on ``day`` (None: no report, refused), the report the cashier resolves it from:
    a payment that is no discrepancy (a transfer matched to its receipt) is not marked
    resolved.

    Only a cashier of the payments' gate (``receipts.services.is_cashier``) resolves them; a
    payment that names no trip belongs to no gate, and only an administrator resolves it."""
    from django.core.exceptions import PermissionDenied

    from cuakhau.policy import CASHIERS
    from cuakhau.reference.models import Gate

    from .reconciliation import daily_report

    ids = _payment_ids(payment_ids)
    try:
        resolution = clean_text(str(resolution or ""), max_length=300).strip()
    except ValidationError as exc:
        raise FieldErrors({"resolution": exc.messages}) from None
    if not resolution:
        raise FieldErrors({"resolution": [_("Say how the discrepancy was resolved.")]})
    if not roles.roles_of(actor) & set(CASHIERS):
        raise PermissionDenied(_("Only a cashier of the payments' gate resolves them."))
    payments = list(lock_rows(Payment.objects.filter(pk__in=ids)).order_by("pk"))
    gate_ids = set(
        Trip.objects.filter(pk__in={p.trip_id for p in payments}).values_list("gate_id", flat=True)
    )
    allowed = all(receipts.is_cashier(actor, gate) for gate in Gate.objects.filter(pk__in=gate_ids))
    if any(p.trip_id is None for p in payments):
        allowed = allowed and roles.ADMINISTRATOR in roles.roles_of(actor)
    if gate is not None:
        # The payments are of the report's gate, so of a gate the cashier works at (checked
        # above, for each payment's gate; a payment of no gate is the administrator's).
        allowed = allowed and gate_ids <= {gate.pk}
    elif roles.ADMINISTRATOR not in roles.roles_of(actor):
        # The all-gates report is not a cashier's page (``views._reconciliation`` refuses it):
        # nor is resolving from it, even a payment of their own gate.
        allowed = False
    if len(payments) != len(ids) or not allowed:
        # A payment that does not exist is refused as another gate's is, word for word: a
        # cashier learns nothing of the payments other gates received.
        raise PermissionDenied(_("Only a cashier of the payments' gate resolves them."))
    if any(p.resolved_at is not None for p in payments):
        raise StateRefused(_("This discrepancy is already resolved."))
    wanted = set(ids)
    if day is None:
        raise FieldErrors({"payments": [_("Open the report of a gate and a day to resolve.")]})
    report = daily_report(gate, day, lists=False)
    if not any(d.is_open and set(d.payment_ids) == wanted for d in report.discrepancies):
        raise FieldErrors(
            {"payments": [_("These payments are not an open discrepancy of this report.")]}
        )
    now = timezone.now()
    for payment in payments:
        payment.resolved_at = now
        payment.resolved_by = actor
        payment.resolution = resolution
        payment.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return payments
