from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from cuakhau.core.api_support import context_of
from cuakhau.core.context import client_address
from cuakhau.core.errors import FieldErrors
from cuakhau.fees.services import current_assessment
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

from . import providers, services
from .models import NotificationOutcome

router = Router(tags=["fees and payments"])


class NotificationOut(Schema):
    outcome: str
    payment_id: int | None = None
    flag: str | None = None
    receipt: str | None = None


class FeesOut(Schema):
    trip: str
    schedule: str
    legal_basis: str
    confidence: str
    trip_version: int
    items: list[dict]
    total_vnd: int
    previous_total_vnd: int | None
    difference_vnd: int | None
    paid_vnd: int
    receipt: str | None
    instructions: dict | None


class CashIn(Schema):
    amount_vnd: int
    slip_number: str


class PaymentOut(Schema):
    id: int
    provider: str
    external_id: str
    amount_vnd: int
    flag: str
    flag_detail: str
    receipt: str | None


def payment_out(payment) -> dict:
    return {
        "id": payment.pk,
        "provider": payment.provider,
        "external_id": payment.external_id,
        "amount_vnd": payment.amount_vnd,
        "flag": payment.flag,
        "flag_detail": payment.flag_detail,
        "receipt": payment.receipt.number if payment.receipt_id else None,
    }


REFUSALS = {
    NotificationOutcome.BAD_SIGNATURE: 401,
    NotificationOutcome.STALE: 401,
    NotificationOutcome.MALFORMED: 400,
    NotificationOutcome.UNKNOWN_PROVIDER: 404,
}


@router.post(
    "/payments/notifications/{provider}",
    auth=None,
    response={
        200: NotificationOut,
        400: NotificationOut,
        401: NotificationOut,
        404: NotificationOut,
    },
    summary="Payment provider webhook (HMAC-signed, idempotent)",
)
def notification(request: HttpRequest, provider: str):
    log, payment = services.receive_notification(
        provider, request.headers, request.body, client_address(request)
    )
    body = {
        "outcome": log.outcome,
        "payment_id": payment.pk if payment else None,
        "flag": payment.flag if payment else None,
        "receipt": payment.receipt.number if payment and payment.receipt_id else None,
    }
    return Status(REFUSALS.get(log.outcome, 200), body)


@router.get("/trips/{reference}/fees", response=FeesOut, summary="The trip's assessed fees")
def trip_fees(request: HttpRequest, reference: str):
    trip = trips.find_trip(request.auth, reference)
    assessment = current_assessment(trip)
    if assessment is None:
        raise FieldErrors({"status": ["The fee is assessed when the trip is submitted."]})
    receipt = valid_receipt_of(trip)
    paid = services.paid_total(trip)
    due = assessment.total_vnd - paid
    return {
        "trip": trip.reference,
        "schedule": str(assessment.schedule),
        "legal_basis": assessment.schedule.legal_basis,
        "confidence": assessment.schedule.confidence,
        "trip_version": assessment.trip_version,
        "items": assessment.items,
        "total_vnd": assessment.total_vnd,
        "previous_total_vnd": assessment.previous.total_vnd if assessment.previous else None,
        "difference_vnd": assessment.difference_vnd,
        "paid_vnd": paid,
        "receipt": receipt.number if receipt else None,
        "instructions": providers.bank_provider().instructions(trip, due)
        if receipt is None and due > 0
        else None,
    }


@router.post("/trips/{reference}/cash-payments", response={201: PaymentOut})
def cash_payment(request: HttpRequest, reference: str, payload: CashIn):
    trip = trips.find_trip(request.auth, reference)
    payment = services.record_cash_payment(
        request.auth, trip, payload.amount_vnd, payload.slip_number, context_of(request)
    )
    return Status(201, payment_out(payment))


@router.post(
    "/trips/{reference}/simulate-bank-transfer",
    response=NotificationOut,
    summary="Demo mode only: the bank's signed notification for the amount due",
)
def simulate(request: HttpRequest, reference: str):
    if not settings.DEMO_MODE:
        raise PermissionDenied("Simulated payments exist only in demo mode.")
    trip = trips.find_trip(request.auth, reference)
    log, payment = services.simulate_bank_transfer(trip)
    return {
        "outcome": log.outcome,
        "payment_id": payment.pk if payment else None,
        "flag": payment.flag if payment else None,
        "receipt": payment.receipt.number if payment and payment.receipt_id else None,
    }
