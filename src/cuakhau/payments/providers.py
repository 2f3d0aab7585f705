"""Payment providers behind one interface, chosen in settings (``CUAKHAU_PAYMENT_PROVIDERS``).

A new bank, e-wallet or card gateway is a new class here; trip and receipt code never change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import vietqr
from .models import PaymentMethod


@dataclass(frozen=True)
class Notification:
    """A provider's word that money arrived, after its authenticity was checked."""

    transaction_id: str
    amount: int
    currency: str
    description: str
    payer_name: str
    payer_account: str
    paid_at: dt.datetime
    raw: dict


class NotificationRefused(Exception):
    def __init__(self, outcome: str, detail: str):
        self.outcome = outcome
        self.detail = detail
        super().__init__(detail)


class PaymentProvider(Protocol):
    code: str
    method: str
    label: str

    def instructions(self, trip, amount_vnd: int) -> dict:
        """What the payer needs to pay this amount for this trip."""

    def verify_notification(self, headers, body: bytes) -> Notification:
        """Authenticate and parse a webhook call, or raise NotificationRefused."""


def sign_body(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a provider sends: HMAC-SHA256 over "<timestamp>.<raw body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class VietQRBankTransfer:
    """Bank transfer to the gate authority's account by VietQR, confirmed by the bank's webhook.

    The webhook sends ``X-Cuakhau-Timestamp`` (Unix seconds) and ``X-Cuakhau-Signature``
    (``sha256=<hex HMAC>`` of ``"<timestamp>.<raw body>"`` with the shared secret). Calls older or
    newer than ``tolerance`` seconds are refused, so a captured call cannot be replayed later.
    """

    method = PaymentMethod.BANK_TRANSFER

    def __init__(self, code, *, bank_bin, account, account_name, secret, tolerance=300, label=""):
        self.code = code
        self.bank_bin = bank_bin
        self.account = account
        self.account_name = account_name
        self.secret = secret
        self.tolerance = tolerance
        self.label = label or "VietQR"

    def instructions(self, trip, amount_vnd: int) -> dict:
        payload = vietqr.build_payload(
            bank_bin=self.bank_bin,
            account=self.account,
            amount=amount_vnd,
            purpose=trip.reference,
            bill_number=trip.reference,
        )
        bank = vietqr.bank_by_bin(self.bank_bin)
        return {
            "provider": self.code,
            "method": self.method,
            "vietqr": payload,
            "bank_bin": self.bank_bin,
            "bank_name": bank.short_name if bank else self.bank_bin,
            "account": self.account,
            "account_name": self.account_name,
            "amount_vnd": amount_vnd,
            "purpose": trip.reference,
        }

    def verify_notification(self, headers, body: bytes, now: float | None = None) -> Notification:
        timestamp = headers.get("X-Cuakhau-Timestamp", "")
        signature = headers.get("X-Cuakhau-Signature", "")
        if not timestamp.isdigit() or not signature:
            raise NotificationRefused("malformed", "missing timestamp or signature header")
        expected = sign_body(self.secret, timestamp, body)
        if not hmac.compare_digest(expected, signature):
            raise NotificationRefused("bad_signature", "signature does not match the body")
        now = time.time() if now is None else now
        if abs(now - int(timestamp)) > self.tolerance:
            raise NotificationRefused(
                "stale", f"timestamp {timestamp} is outside ±{self.tolerance}s"
            )
        try:
            data = json.loads(body)
            amount = data["amount"]
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise ValueError("amount must be an integer number of đồng")
            paid_at = dt.datetime.fromisoformat(data.get("booked_at") or timezone.now().isoformat())
            if timezone.is_naive(paid_at):
                paid_at = timezone.make_aware(paid_at)
            return Notification(
                transaction_id=str(data["transaction_id"])[:64],
                amount=amount,
                currency=str(data.get("currency", "VND")).upper(),
                description=str(data.get("description", ""))[:300],
                payer_name=str(data.get("payer_name", ""))[:200],
                payer_account=str(data.get("payer_account", ""))[:40],
                paid_at=paid_at,
                raw=data,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRefused("malformed", f"bad notification body: {exc}") from None


class CashCounter:
    """Cash paid at the gate's counter, recorded by an officer (no webhook)."""

    method = PaymentMethod.CASH

    def __init__(self, code, *, label=""):
        self.code = code
        self.label = label or "Cash"

    def instructions(self, trip, amount_vnd: int) -> dict:
        return {"provider": self.code, "method": self.method, "amount_vnd": amount_vnd}

    def verify_notification(self, headers, body: bytes) -> Notification:
        raise NotificationRefused("unknown_provider", "cash payments are recorded at the counter")


@cache
def _providers() -> dict[str, PaymentProvider]:
    built = {}
    for code, conf in settings.CUAKHAU_PAYMENT_PROVIDERS.items():
        options = dict(conf)
        cls = import_string(options.pop("class"))
        built[code] = cls(code, **options)
    return built


def get_provider(code: str) -> PaymentProvider | None:
    return _providers().get(code)


def bank_provider() -> PaymentProvider:
    return next(p for p in _providers().values() if p.method == PaymentMethod.BANK_TRANSFER)


def cash_provider() -> PaymentProvider:
    return next(p for p in _providers().values() if p.method == PaymentMethod.CASH)
