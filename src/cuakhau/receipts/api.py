import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cuakhau.core.api_support import (
    CodeOf,
    OneOf,
    Text,
    checked_further,
    context_of,
    fee_item_out,
    label_of,
)

from . import services
from .models import Receipt, ReceiptState, ReceiptStatus, RevokeKind, VerificationStatus

# A receipt is used up only by the exit of a cleared truck inside the gate
# (POST /gate/{gate}/exit, ``gate.services.exit_truck``): there is no stand-alone "use".
router = Router(tags=["receipts"])


class VerifyIn(Schema):
    token: Text(services.MAX_TOKEN_CHARS) = Field(
        ..., description="The receipt's compact JWS, as scanned"
    )
    gate: Text(8) | None = None


class VerifyOut(Schema):
    status: CodeOf(VerificationStatus)
    status_label: str
    valid: bool
    reasons: list[str] = Field(..., description="Each check that decided, in the caller's words")
    kid: str | None
    claims: dict | None
    receipt: str | None


class RevokeIn(Schema):
    kind: OneOf(RevokeKind, only=[RevokeKind.CANCELLED, RevokeKind.REFUNDED])
    reason: Text(2000, multiline=True)


class ReceiptOut(Schema):
    number: str
    trip: str
    gate: str
    amount_vnd: int
    items: list[dict] = Field(..., description="Each with its `unit` and `confidence` labelled")
    payer_name: str
    issued_at: dt.datetime
    authority: str
    token: str
    status: CodeOf(ReceiptStatus)
    status_label: str
    state: CodeOf(ReceiptState) = Field(
        ...,
        description=(
            "What the receipt is worth now, as its page and PDF say: valid, used (at exit), "
            "revoked, replaced, or compromised_key (signed by a key since compromised, before "
            "any use). `status` is only whether it was revoked."
        ),
    )
    state_label: str
    state_text: str = Field(..., description="The page's sentence, in the caller's language")
    used_at: dt.datetime | None
    # A receipt signed by a compromised key is replaced by a new one for the same payment.
    replaced_by: str | None
    replaces: str | None


def _state_out(receipt: Receipt) -> dict:
    state, text = services.receipt_state(receipt)
    return {"state": state, "state_label": label_of(ReceiptState, state), "state_text": text}


def receipt_out(receipt: Receipt) -> dict:
    return {
        "number": receipt.number,
        "trip": receipt.trip.reference,
        "gate": receipt.gate.code,
        "amount_vnd": receipt.amount_vnd,
        "items": [fee_item_out(item) for item in receipt.items],
        "payer_name": receipt.payer_name,
        "issued_at": receipt.issued_at,
        "authority": receipt.authority,
        "token": receipt.token,
        "status": receipt.status,
        "status_label": label_of(ReceiptStatus, receipt.status),
        **_state_out(receipt),
        "used_at": receipt.used_at,
        "replaced_by": receipt.replaced_by.number if hasattr(receipt, "replaced_by") else None,
        "replaces": receipt.replaces.number if receipt.replaces_id else None,
    }


@router.post(
    "/receipts/verify",
    response=VerifyOut,
    summary="Verify a receipt's signature and standing",
    description=(
        "Gate officers, the board, auditors, administrators and the gate's tablets check a "
        "scanned receipt: signature, revocation, use, and (with `gate`) that it is for that "
        "gate. Changes nothing: a receipt is used only by the truck's exit."
    ),
)
def verify(request: HttpRequest, payload: VerifyIn):
    result, receipt = services.verify_receipt(payload.token, services.checking_gate(payload.gate))
    return {
        "status": result.status,
        "status_label": label_of(VerificationStatus, result.status),
        "valid": result.is_valid,
        "reasons": result.reasons,
        "kid": result.kid,
        "claims": result.claims,
        "receipt": receipt.number if receipt and result.claims else None,
    }


@router.get(
    "/receipts/{number}",
    response=ReceiptOut,
    summary="A receipt",
    description=(
        "Whoever may see the receipt's trip: its items, amount, payer, signed token and "
        "standing. Another organisation's receipt is a 404."
    ),
)
def get_receipt(request: HttpRequest, number: str):
    return receipt_out(services.visible_receipt(request.auth, number))


def _revoke_errors(request, parts, refused, number):
    # A kind that is not one does not hide an empty reason, nor a receipt used at the exit.
    receipt = services.visible_receipt(request.auth, number)
    if not services.is_cashier(request.auth, receipt.gate):
        return {}  # the schema's refusal stands alone: the caller may not revoke it anyway
    return services.revoke_errors(receipt, parts.get("kind"), parts.get("reason"), refused)


@router.post(
    "/receipts/{number}/revoke",
    response=ReceiptOut,
    summary="Revoke a receipt (the gate's cashiers)",
    description=(
        "A cashier of the receipt's gate (its operators and one-stop desk) cancels or refunds "
        "a receipt, with a reason; a truck not yet arrived owes its fee again and its driver "
        "is told."
    ),
)
@checked_further(_revoke_errors)
def revoke(request: HttpRequest, number: str, payload: RevokeIn):
    receipt = services.visible_receipt(request.auth, number)
    services.check_cashier(request.auth, receipt.gate)
    return receipt_out(
        services.revoke_receipt(
            receipt, request.auth, payload.kind, payload.reason, context_of(request)
        )
    )
