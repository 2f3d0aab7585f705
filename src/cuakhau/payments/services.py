"""Recording payments exactly once and settling trips: the receipt is issued at once.

Every path that records money (bank webhook, counter, demo simulation) ends in ``_settle``,
which decides, under a lock on the trip, whether the fee is now paid, and flags anything that
does not fit (short, over, late, for a cancelled trip, for no trip) instead of dropping it.
"""

from __future__ import annotations

import hashlib
import json
import re
import time

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cuakhau.accounts import roles
from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.fees.services import current_assessment
from cuakhau.receipts import services as receipts
from cuakhau.trips import references
from cuakhau.trips import services as trips
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip

from . import providers
from .models import NotificationLog, NotificationOutcome, Payment, PaymentFlag, PaymentMethod

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


def paid_total(trip: Trip) -> int:
    return (
        trip.payments.filter(currency="VND")
        .exclude(flag__in=[PaymentFlag.ALREADY_PAID, PaymentFlag.TRIP_CANCELLED])
        .aggregate(total=Sum("amount_vnd"))["total"]
        or 0
    )


def _flag(payment: Payment, flag: str, detail: str) -> None:
    payment.flag = flag
    payment.flag_detail = detail[:300]
    payment.save(update_fields=["flag", "flag_detail"])


def _settle(payment: Payment, context: RequestContext) -> None:
    """Decide what a newly recorded payment means for its trip (caller holds the transaction)."""
    if payment.currency != "VND":
        _flag(
            payment,
            PaymentFlag.CURRENCY,
            _("Paid in %(c)s; fees are due in VND.") % {"c": payment.currency},
        )
        return
    if payment.trip_id is None:
        _flag(
            payment,
            PaymentFlag.UNKNOWN_TRIP,
            _("No valid trip reference in: %(t)s") % {"t": payment.description},
        )
        return
    trip = Trip.objects.select_for_update().get(pk=payment.trip_id)
    if trip.status in (TripStatus.CANCELLED, TripStatus.REJECTED):
        _flag(
            payment,
            PaymentFlag.TRIP_CANCELLED,
            _("Trip %(ref)s is %(status)s: refund due.")
            % {"ref": trip.reference, "status": trip.get_status_display()},
        )
        return
    if trip.status == TripStatus.DRAFT:
        _flag(
            payment,
            PaymentFlag.NOT_SUBMITTED,
            _("Trip %(ref)s was not submitted, so no fee was assessed.") % {"ref": trip.reference},
        )
        return
    if trip.status == TripStatus.PAID or receipts.valid_receipt_of(trip) is not None:
        _flag(
            payment,
            PaymentFlag.ALREADY_PAID,
            _("Trip %(ref)s was already paid: refund due.") % {"ref": trip.reference},
        )
        return
    due = amount_due(trip)
    total = paid_total(trip)
    if total < due:
        _flag(
            payment,
            PaymentFlag.UNDERPAID,
            _("Received %(paid)s of %(due)s VND for %(ref)s.")
            % {"paid": f"{total:,}", "due": f"{due:,}", "ref": trip.reference},
        )
        return
    receipt = receipts.issue_receipt(trip, current_assessment(trip))
    now = timezone.now()
    open_payments = trip.payments.filter(receipt=None, currency="VND").exclude(
        flag__in=[PaymentFlag.ALREADY_PAID, PaymentFlag.TRIP_CANCELLED]
    )
    # Earlier partial payments are settled by this one: their flag is resolved, not erased.
    open_payments.filter(flag=PaymentFlag.UNDERPAID).update(
        resolved_at=now,
        resolution=_("completed by later payment; receipt %(n)s") % {"n": receipt.number},
    )
    open_payments.update(receipt=receipt)
    if total > due:
        _flag(
            payment,
            PaymentFlag.OVERPAID,
            _("Received %(paid)s VND for a fee of %(due)s VND: %(excess)s VND to refund.")
            % {"paid": f"{total:,}", "due": f"{due:,}", "excess": f"{total - due:,}"},
        )
    trips.mark_paid(trip, context)


def _trip_for_reference(reference: str | None) -> Trip | None:
    if reference is None:
        return None
    return Trip.objects.filter(reference=reference).first()


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
            detail=refused.detail[:300],
            body_sha256=digest,
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
    )
    log = NotificationLog.objects.create(
        provider=provider_code,
        remote_addr=remote_addr,
        outcome=NotificationOutcome.ACCEPTED if created else NotificationOutcome.DUPLICATE,
        body_sha256=digest,
        payment=payment,
    )
    return log, payment


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
) -> tuple[Payment, bool]:
    """Record one provider transaction; a second delivery returns the first record unchanged."""
    existing = Payment.objects.filter(provider=provider_code, external_id=external_id).first()
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
            )
            _settle(payment, context)
            payment.refresh_from_db()
    except IntegrityError:
        # The same transaction arrived concurrently and the other delivery won the insert.
        existing = Payment.objects.filter(provider=provider_code, external_id=external_id).first()
        if existing is None:
            raise
        return existing, False
    return payment, True


def record_cash_payment(
    officer, trip: Trip, amount_vnd: int, slip_number: str, context: RequestContext = SYSTEM
) -> Payment:
    user_roles = roles.roles_of(officer)
    allowed = user_roles & {roles.GATE_OPERATOR, roles.DESK, roles.ADMINISTRATOR}
    if not allowed or (
        roles.ADMINISTRATOR not in user_roles
        and not officer.profile.gates.filter(pk=trip.gate_id).exists()
    ):
        raise trips.TripPermissionDenied(
            _("Only a gate operator or desk officer of this gate records cash.")
        )
    errors = {}
    if not isinstance(amount_vnd, int) or amount_vnd <= 0:
        errors["amount_vnd"] = [_("Enter a positive whole number of đồng.")]
    slip_number = (slip_number or "").strip()
    if not slip_number:
        errors["slip_number"] = [_("Enter the number of the cash slip.")]
    if errors:
        raise FieldErrors(errors)
    provider = providers.cash_provider()
    payment, created = record_payment(
        provider_code=provider.code,
        method=PaymentMethod.CASH,
        external_id=f"{trip.gate.code}-{slip_number}"[:64],
        amount_vnd=amount_vnd,
        description=trip.reference,
        payer_name=trip.organisation.name,
        recorded_by=officer,
        trip=trip,
        context=context,
    )
    if not created:
        raise FieldErrors(
            {"slip_number": [_("Cash slip %(n)s is already recorded.") % {"n": slip_number}]}
        )
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


@transaction.atomic
def resolve_flag(payment: Payment, actor, resolution: str) -> Payment:
    if not (resolution or "").strip():
        raise FieldErrors({"resolution": [_("Say how the discrepancy was resolved.")]})
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    payment.resolved_at = timezone.now()
    payment.resolved_by = actor
    payment.resolution = resolution.strip()[:300]
    payment.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return payment
