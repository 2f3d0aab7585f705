from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from cuakhau.core.api_support import (
    CodeOf,
    NumberOf,
    Text,
    checked_further,
    context_of,
    fee_item_out,
    label_of,
    path_steps,
)
from cuakhau.core.context import client_address
from cuakhau.core.errors import StateRefused
from cuakhau.fees.services import current_assessment
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.reference.models import Confidence
from cuakhau.trips import services as trips
from cuakhau.trips.api import MarketWarningOut, market_warning_out

from . import providers, services
from .models import NotificationOutcome, Payment, PaymentFlag, PaymentMethod

router = Router(tags=["fees and payments"])


class NotificationOut(Schema):
    # ``success`` is what SePay waits for before it stops retrying; payOS wants any 2xx.
    success: bool = True
    outcome: CodeOf(NotificationOutcome)
    outcome_label: str = ""
    detail: str = ""
    payment_id: int | None = None
    # null: no payment recorded; "": a payment that needs nobody's attention.
    flag: CodeOf(PaymentFlag, null=True) = None
    flag_label: str | None = None
    receipt: str | None = None


class NotificationRefusedOut(Schema):
    detail: str
    outcome: CodeOf(lambda: _refusals())


class NotificationErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class NotificationInvalidOut(Schema):
    detail: list[NotificationErrorItem]
    outcome: CodeOf([NotificationOutcome.MALFORMED])


class FeesOut(Schema):
    trip: str
    schedule: str
    legal_basis: str
    confidence: CodeOf(Confidence)
    confidence_label: str
    trip_version: int
    items: list[dict] = Field(..., description="Each with its `unit` and `confidence` labelled")
    total_vnd: int
    previous_total_vnd: int | None
    difference_vnd: int | None
    paid_vnd: int = Field(..., description="What the payments counted towards the fee add up to")
    received_vnd: int = Field(
        ..., description="Every payment received, counted towards the fee or to be paid back"
    )
    balance_vnd: int = Field(
        ...,
        description="`due_vnd` minus `refund_vnd`, the two netted: a revoked receipt's money to "
        "pay back and the fee due again can leave it at 0 with both outstanding; read "
        "`due_vnd` for what is still to pay, `refund_vnd` for what is owed back",
    )
    due_vnd: int = Field(..., description="Still to pay before the trip is paid (0 or more)")
    refund_vnd: int = Field(..., description="Owed back to the payer (0 or more)")
    receipt: str | None
    instructions: dict | None
    market_warning: MarketWarningOut | None = Field(
        ...,
        description="The trip page's warning before paying: the gate will refuse the truck "
        "under the market-access rules now in force, whether or not the fees are paid (null: "
        "nothing stops it)",
    )


class SimulatedPaymentOut(NotificationOut):
    market_warning: MarketWarningOut | None = Field(
        ..., description="As in the trip's fees: paid, the truck is still refused at the gate"
    )


class CashIn(Schema):
    amount_vnd: Annotated[NumberOf(Payment, "amount_vnd"), Field(gt=0)]
    slip_number: Text(60)


class PaymentOut(Schema):
    id: int
    provider: str
    method: CodeOf(PaymentMethod)
    method_label: str
    external_id: str
    amount_vnd: int
    flag: CodeOf(PaymentFlag)  # "" (none): nothing to look into
    flag_label: str
    flag_detail: str
    receipt: str | None


def payment_out(payment) -> dict:
    return {
        "id": payment.pk,
        "provider": payment.provider,
        "method": payment.method,
        "method_label": label_of(PaymentMethod, payment.method),
        "external_id": payment.external_id,
        "amount_vnd": payment.amount_vnd,
        "flag": payment.flag,
        "flag_label": label_of(PaymentFlag, payment.flag),
        "flag_detail": str(payment.flag_detail_shown),
        "receipt": payment.receipt.number if payment.receipt_id else None,
    }


def _refusals() -> dict[str, tuple[int, str]]:
    return {
        NotificationOutcome.BAD_SIGNATURE: (
            401,
            _("The notification's signature or key is missing or wrong."),
        ),
        NotificationOutcome.STALE: (
            401,
            _("The notification's timestamp is too old or in the future."),
        ),
        NotificationOutcome.UNKNOWN_PROVIDER: (404, _("No payment provider by that name.")),
    }


@router.post(
    "/payments/notifications/{provider}",
    auth=None,
    response={
        200: NotificationOut,
        401: NotificationRefusedOut,
        404: NotificationRefusedOut,
        422: NotificationInvalidOut,
    },
    summary="Payment provider webhook (vietqr_bank, payos, sepay; authenticated, idempotent)",
)
def notification(request: HttpRequest, provider: str):
    """A provider's word that money arrived: recorded once per provider transaction id, and
    once per bank transfer (another provider's report of the same credit is a duplicate).

    A retry of an accepted call answers 200 (``duplicate``) and records nothing new; an
    authentic call that is not money for a trip (an outgoing transfer, payOS's webhook test)
    answers 200 and records nothing. A refused call records no payment, only its log line.
    """
    log, payment = services.receive_notification(
        provider, request.headers, request.body, client_address(request)
    )
    if log.outcome == NotificationOutcome.MALFORMED:
        refusal = getattr(log, "refusal", None)
        errors = (
            refusal.errors
            if refusal is not None and refusal.errors
            else {"": [str(log.detail_shown)]}
        )
        items = [
            {
                "loc": ["body", *(p for p in path_steps(path) if p != "")],
                "msg": str(message),
                "type": "value_error",
            }
            for path, messages in errors.items()
            for message in messages
        ]
        return Status(422, {"detail": items, "outcome": log.outcome})
    if log.outcome in _refusals():
        status, message = _refusals()[log.outcome]
        return Status(status, {"detail": message, "outcome": log.outcome})
    return {
        "success": True,
        "outcome": log.outcome,
        "outcome_label": label_of(NotificationOutcome, log.outcome),
        "detail": str(log.detail_shown),
        "payment_id": payment.pk if payment else None,
        "flag": payment.flag if payment else None,
        "flag_label": label_of(PaymentFlag, payment.flag) if payment else None,
        "receipt": payment.receipt.number if payment and payment.receipt_id else None,
    }


@router.get(
    "/trips/{reference}/fees",
    response=FeesOut,
    summary="The trip's assessed fees and what is still due",
    description=(
        "Whoever may see the trip: the fee schedule applied, its items, the total, what was "
        "paid, what is due or to be refunded, the receipt, and the bank transfer's details "
        "(VietQR) while the fee is due. A draft has no fee yet (409)."
    ),
)
def trip_fees(request: HttpRequest, reference: str):
    trip = trips.find_trip(request.auth, reference)
    assessment = current_assessment(trip)
    if assessment is None:
        raise StateRefused(_("The fee is assessed when the trip is submitted."))
    receipt = valid_receipt_of(trip)
    balance = services.balance_of(trip)
    return {
        "trip": trip.reference,
        "schedule": str(assessment.schedule),
        "legal_basis": assessment.schedule.legal_basis,
        "confidence": assessment.schedule.confidence,
        "confidence_label": label_of(Confidence, assessment.schedule.confidence),
        "trip_version": assessment.trip_version,
        "items": [fee_item_out(item) for item in assessment.items],
        "total_vnd": assessment.total_vnd,
        "previous_total_vnd": assessment.previous.total_vnd if assessment.previous else None,
        "difference_vnd": assessment.difference_vnd,
        "paid_vnd": balance.paid_vnd,
        "received_vnd": balance.received_vnd,
        "balance_vnd": balance.balance_vnd,
        "due_vnd": balance.due_vnd,
        "refund_vnd": balance.refund_vnd,
        "receipt": receipt.number if receipt else None,
        "instructions": providers.bank_provider().instructions(trip, balance.due_vnd)
        if receipt is None and balance.due_vnd > 0 and trip.status == "submitted"
        else None,
        "market_warning": market_warning_out(trips.market_warning(trip)),
    }


def _cash_payment_errors(request, parts, refused, reference):
    # An amount that is no number does not hide a missing slip, nor one recorded already:
    # every field of the cash payment in one 422. One who takes no cash at the trip's gate
    # hears only the schema's refusal.
    trip = trips.find_trip(request.auth, reference)
    try:
        return services.cash_payment_errors(request.auth, trip, **parts, refused=refused)
    except trips.TripPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None


@router.post(
    "/trips/{reference}/cash-payments",
    response={201: PaymentOut},
    summary="Record a cash payment at the counter",
    description=(
        "A cashier of the trip's gate (its operators and one-stop desk) records cash received "
        "with the counter slip's number; the fee paid in full issues the receipt at once. A "
        "trip that owes nothing (paid, cancelled, not submitted) is a 409."
    ),
)
@checked_further(_cash_payment_errors)
def cash_payment(request: HttpRequest, reference: str, payload: CashIn):
    trip = trips.find_trip(request.auth, reference)
    payment = services.record_cash_payment(
        request.auth, trip, payload.amount_vnd, payload.slip_number, context_of(request)
    )
    return Status(201, payment_out(payment))


@router.post(
    "/trips/{reference}/simulate-bank-transfer",
    response=SimulatedPaymentOut,
    summary="Demo mode only: the bank's signed notification for the amount due",
    description=(
        "The trip's enterprise (or an administrator) pays the amount due as if by bank "
        "transfer; refused (403) outside demo mode."
    ),
)
def simulate(request: HttpRequest, reference: str):
    if not settings.DEMO_MODE:
        raise PermissionDenied(_("Simulated payments exist only in demo mode."))
    trip = trips.find_trip(request.auth, reference)
    log, payment = services.simulate_bank_transfer(trip)
    return {
        "outcome": log.outcome,
        "outcome_label": label_of(NotificationOutcome, log.outcome),
        "payment_id": payment.pk if payment else None,
        "flag": payment.flag if payment else None,
        "flag_label": label_of(PaymentFlag, payment.flag) if payment else None,
        "receipt": payment.receipt.number if payment and payment.receipt_id else None,
        "market_warning": market_warning_out(trips.market_warning(trip)),
    }
