"""Issuing, verifying, using and revoking e-receipts.

The receipt is a compact JWS signed with the gate authority's Ed25519 key (see ``signing``);
anyone can verify it with the keys published at ``/.well-known/jwks.json``. The database adds
what a signature cannot say: whether a receipt was revoked or already used at exit.
"""

from __future__ import annotations

import base64
import json
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cuakhau.core.errors import FieldErrors
from cuakhau.reference.models import Gate

from . import signing
from .models import Receipt, ReceiptSequence, ReceiptStatus, ReceiptUse, RevokeKind, UseOutcome


@cache
def _store_for(directory: str, env_key: str) -> signing.KeyStore:
    return signing.KeyStore.from_env(directory)


def key_store() -> signing.KeyStore:
    import os

    return _store_for(str(settings.SIGNING_KEY_DIR), os.environ.get(signing.DEFAULT_ENV_VAR, ""))


def authority_of(gate: Gate) -> str:
    return f"Ban Quản lý Khu kinh tế cửa khẩu tỉnh {gate.province}"


def _next_number(gate: Gate, year: int) -> tuple[int, str]:
    """The next number of the gate's series for the year, inside the caller's transaction.

    The row lock makes concurrent issuers queue; a rolled-back issue gives its number back, so
    the series has no gaps.
    """
    try:
        with transaction.atomic():
            ReceiptSequence.objects.get_or_create(gate=gate, year=year)
    except IntegrityError:
        pass  # another transaction created the row first
    sequence = ReceiptSequence.objects.select_for_update().get(gate=gate, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"{gate.code.upper()}-{year}-{sequence.last:06d}"


def claims_of(receipt: Receipt) -> dict:
    return {
        "rcp": receipt.number,
        "trp": receipt.trip.reference,
        "gte": receipt.gate.code,
        "amt": receipt.amount_vnd,
        "cur": "VND",
        "iat": int(receipt.issued_at.timestamp()),
        "iss": receipt.authority,
        "plt": [p for p in (receipt.tractor_plate, receipt.trailer_plate) if p],
        "pyr": receipt.payer_tax_code,
        "itm": [[item["code"], item["amount_vnd"]] for item in receipt.items],
    }


def _kid_of(token: str) -> str:
    header = token.split(".", 1)[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


@transaction.atomic
def issue_receipt(trip, assessment) -> Receipt:
    now = timezone.now()
    year = timezone.localtime(now).year
    sequence, number = _next_number(trip.gate, year)
    receipt = Receipt(
        number=number,
        gate=trip.gate,
        year=year,
        sequence=sequence,
        trip=trip,
        assessment=assessment,
        amount_vnd=assessment.total_vnd,
        items=assessment.items,
        payer_name=trip.organisation.name,
        payer_tax_code=trip.organisation.tax_code,
        tractor_plate=trip.tractor_plate,
        trailer_plate=trip.trailer_plate,
        authority=authority_of(trip.gate),
        issued_at=now,
    )
    receipt.token = signing.sign_claims(key_store(), claims_of(receipt), trip.gate.code)
    receipt.kid = _kid_of(receipt.token)
    receipt.save()
    return receipt


def _unverified_number(token: str) -> str | None:
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).get("rcp")
    except (IndexError, ValueError, AttributeError):
        return None


def verify_receipt(
    token: str, gate_code: str | None = None
) -> tuple[signing.VerificationResult, Receipt | None]:
    """Verify online: the signature against published keys, then revocation and use."""
    token = (token or "").strip()
    store = key_store()
    number = _unverified_number(token)
    receipt = (
        Receipt.objects.select_related("gate", "trip").filter(number=number).first()
        if number
        else None
    )
    revoked = [number] if receipt and receipt.status == ReceiptStatus.REVOKED else []
    used = [number] if receipt and receipt.used_at else []
    result = signing.verify(
        token,
        store.jwks(),
        revoked_kids=store.revoked_kids(),
        revoked_receipts=revoked,
        expected_gate=gate_code,
        used_receipts=used,
    )
    if result.is_valid and (receipt is None or receipt.token != token):
        # Signed by our key but not a receipt we issued as such: treat as forged.
        result = signing.VerificationResult(
            signing.FORGED,
            [_("the signature is valid but no such receipt was issued")],
            None,
            result.kid,
        )
    if receipt and receipt.status == ReceiptStatus.REVOKED:
        result.reasons.append(
            _("revoked on %(at)s (%(kind)s): %(reason)s")
            % {
                "at": timezone.localtime(receipt.revoked_at).strftime("%Y-%m-%d %H:%M"),
                "kind": receipt.get_revoke_kind_display(),
                "reason": receipt.revoke_reason,
            }
        )
    if receipt and receipt.used_at:
        result.reasons.append(
            _("used at exit at %(gate)s on %(at)s")
            % {
                "gate": receipt.used_gate.name if receipt.used_gate else "?",
                "at": timezone.localtime(receipt.used_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return result, receipt


def revocation_list() -> dict:
    store = key_store()
    return {
        "generated_at": timezone.now().isoformat(),
        "revoked_kids": store.revoked_kids(),
        "revoked_receipts": list(
            Receipt.objects.filter(status=ReceiptStatus.REVOKED)
            .order_by("number")
            .values_list("number", flat=True)
        ),
    }


def used_receipts() -> list[str]:
    return list(
        Receipt.objects.exclude(used_at=None).order_by("number").values_list("number", flat=True)
    )


@transaction.atomic
def use_at_exit(token: str, gate: Gate, actor) -> ReceiptUse:
    """Accept a receipt once, at its own gate; every refusal is recorded for reconciliation."""
    number = _unverified_number(token) or ""
    receipt = Receipt.objects.select_for_update().filter(number=number).first()
    result, _receipt = verify_receipt(token, gate.code)
    outcome = UseOutcome.USED
    if receipt is None or result.status in (signing.FORGED, signing.MALFORMED, signing.UNKNOWN_KEY):
        outcome = UseOutcome.INVALID
    elif receipt.status == ReceiptStatus.REVOKED or result.status == signing.REVOKED:
        outcome = UseOutcome.REVOKED
    elif result.status == signing.WRONG_GATE:
        outcome = UseOutcome.WRONG_GATE
    elif receipt.used_at is not None:
        outcome = UseOutcome.ALREADY_USED
    use = ReceiptUse.objects.create(
        receipt=receipt,
        number=number[:24],
        gate=gate,
        at=timezone.now(),
        actor=actor,
        outcome=outcome,
        detail="; ".join(result.reasons),
    )
    if outcome == UseOutcome.USED:
        receipt.used_at = use.at
        receipt.used_gate = gate
        receipt.used_by = actor
        receipt.save(update_fields=["used_at", "used_gate", "used_by"])
    return use


@transaction.atomic
def revoke_receipt(receipt: Receipt, actor, kind: str, reason: str) -> Receipt:
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if kind not in RevokeKind.values:
        raise FieldErrors({"kind": [_("Choose cancelled or refunded.")]})
    if not (reason or "").strip():
        raise FieldErrors({"reason": [_("Give a reason.")]})
    if receipt.status == ReceiptStatus.REVOKED:
        raise FieldErrors({"receipt": [_("This receipt is already revoked.")]})
    receipt.status = ReceiptStatus.REVOKED
    receipt.revoked_at = timezone.now()
    receipt.revoked_by = actor
    receipt.revoke_kind = kind
    receipt.revoke_reason = reason.strip()
    receipt.save()
    return receipt


def valid_receipt_of(trip) -> Receipt | None:
    return trip.receipts.filter(status=ReceiptStatus.VALID).first()


def visible_receipt(user, number: str) -> Receipt:
    """A receipt of a trip this user may see; ``Receipt.DoesNotExist`` otherwise."""
    from cuakhau.trips.services import visible_trips

    return Receipt.objects.select_related("trip", "gate").get(
        number=(number or "").upper(), trip__in=visible_trips(user)
    )
