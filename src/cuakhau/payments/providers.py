"""Payment providers behind one interface, chosen in settings (``CUAKHAU_PAYMENT_PROVIDERS``).

A new bank, e-wallet or card gateway is a new class here; trip and receipt code never change.
Every bank adapter turns its provider's webhook into the same ``Notification`` (the transaction
id the provider says to deduplicate on, the bank's reference of the credit and the account
credited, the amount in đồng, the trip reference found in the transfer content, the booking
time), or refuses it with ``NotificationRefused``. Two providers watching one account report
each transfer under their own ids; the bank's reference makes it one payment:

- ``VietQRBankTransfer``: the project's own signed format (any bank that can call a webhook);
- ``PayOS``: payOS payment webhooks (``data`` + ``signature`` over the sorted ``data`` fields);
- ``SePay``: SePay's bank-account webhooks (``Authorization: Apikey …`` or an HMAC header).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from cuakhau.core import freshness, signatures
from cuakhau.core.inputs import CONTROL_CHARACTER
from cuakhau.core.jsontext import read_json
from cuakhau.core.phrases import Phrase, said
from cuakhau.core.wording import join_clauses
from cuakhau.trips import references
from cuakhau.trips.models import Trip

from . import vietqr
from .models import NotificationOutcome, Payment, PaymentMethod


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
    # The trip reference read out of the transfer content (None: kept as an orphan payment).
    reference: str | None = None
    # The credit as the bank knows it (``_CollectionAccount.credited``): the same transfer
    # reported by two providers watching the account is one payment. "": none given.
    bank_reference: str = ""
    credited_account: str = ""


def _(message: str, /, **values) -> Phrase:
    """A sentence of the webhook's, said in the active language and kept in each: its log line
    (``NotificationLog.detail_texts``) is read in each reader's language."""
    return Phrase(message, **values)


class NotificationRefused(Exception):
    """A webhook call that records nothing.

    ``errors`` maps a dotted path inside the request body to its messages (HTTP 422), for a
    call that was authentic, or could not be authenticated, because its body is malformed.
    """

    def __init__(self, outcome: str, detail: str, errors: dict[str, list[str]] | None = None):
        self.outcome = outcome
        self.detail = detail
        self.errors = errors or {}
        super().__init__(detail)


class NotificationIgnored(NotificationRefused):
    """An authentic call that is not money for a trip (an outgoing transfer, a provider's test).

    It is acknowledged as accepted, so the provider stops retrying, and records no payment.
    """

    def __init__(self, detail: str):
        super().__init__(NotificationOutcome.ACCEPTED, detail)


class PaymentProvider(Protocol):
    code: str
    method: str
    label: str

    def instructions(self, trip, amount_vnd: int) -> dict:
        """What the payer needs to pay this amount for this trip."""

    def verify_notification(self, headers, body: bytes) -> Notification:
        """Authenticate and parse a webhook call, or raise NotificationRefused."""


# --- Reading what banks send ---------------------------------------------------------------

# The transaction id is the duplicate check: it is refused when too long, never cut, so two
# different transfers can never collapse into one.
MAX_TRANSACTION_ID = Payment._meta.get_field("external_id").max_length
# The most one transfer can carry: a NAPAS amount has at most 13 digits (VietQR's tag 54).
# Anything above is no money that arrived, and a few such amounts of a trip, once summed,
# overflowed the 64-bit sum its settlement takes (SQLite refuses it: the submission failed).
MAX_AMOUNT_VND = 10**vietqr.MAX_AMOUNT_DIGITS - 1
# Vietnamese banks and both providers below stamp transfers in Vietnam's time, which is the
# zone of every gate the project serves (``Gate.time_zone`` defaults to it).
BANK_TIME_ZONE = "Asia/Ho_Chi_Minh"
# A booking time outside this window is a malformed notification, not a payment to date.
EARLIEST_BOOKING = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST_BOOKING_AHEAD = dt.timedelta(days=1)

_BODY_CHARS = "".join(sorted(set(references.BODY_ALPHABET)))
# Overlapping matches (a lookahead), so a near-miss such as "PAY MLT4..." cannot swallow the
# start of the real reference; no word boundary, so "IBFTMLT4KX7P2Q" still yields it.
_REFERENCE_CANDIDATE = re.compile(
    r"(?=([A-Z]{3})[\s\-_.]{0,3}(["
    + _BODY_CHARS
    + r"]{"
    + str(references.BODY_LENGTH)
    + r"})([0-9A-Z*]))"
)
# Control, bidirectional-override and non-characters (an XLSX cannot hold U+FFFE): as spaces.
_CONTROL = re.compile(f"(?:{CONTROL_CHARACTER.pattern})+")


def _plain_upper(text: str) -> str:
    # Full-width digits and letters become ASCII, accents go: "Mlt－４kx…" reads as "MLT-4KX…".
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text or ""))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def reference_candidates(text: str) -> list[str]:
    """Every well-formed trip reference in a transfer's text, in order, check character valid.

    Banks upper-case the content, drop or replace the dash, and wrap it in their own prefixes
    ("MBVCB.3278907687.IBFT.MLT4KX7P2Q CHUYEN TIEN"); the check character rejects the
    accidental look-alikes that such prefixes contain.
    """
    found = []
    for prefix, body, check in _REFERENCE_CANDIDATE.findall(_plain_upper(text)):
        candidate = f"{prefix}-{body}{check}"
        if references.is_valid_reference(candidate) and candidate not in found:
            found.append(candidate)
    return found


def find_reference(*texts: str) -> str | None:
    """The trip reference a payer wrote in the transfer, or None.

    When the text holds several well-formed references, the first one that names a trip wins
    (a bank prefix may by chance pass the check character); else the first one, so the
    orphan payment still shows what was read.
    """
    candidates = []
    for text in texts:
        candidates += [c for c in reference_candidates(text) if c not in candidates]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    known = set(Trip.objects.filter(reference__in=candidates).values_list("reference", flat=True))
    return next((c for c in candidates if c in known), candidates[0])


def _clean_text(value, limit: int) -> str:
    # What the payer typed is kept (NFC, control characters as spaces) rather than refused:
    # refusing a bank's notification would lose the record of money that did arrive. The
    # whole body stays in ``raw``; the column keeps its first ``limit`` characters.
    text = "" if value is None else str(value)
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text[:limit]


def _refuse_parse_constant(name):
    raise ValueError(f"{name} is not a number")


# What no database keeps in a text or a JSON document: PostgreSQL refuses NUL and a lone UTF-16
# surrogate ("\ud83d", valid JSON escape, no character), and UTF-8 cannot encode the surrogate.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value):
    """``value`` (parsed JSON) with every unstorable character as U+FFFD, keys included."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _load_json(body: bytes):
    """The body as JSON (what no database keeps replaced, ``_storable``), or a 422 refusal
    naming the body. A bank's notification is kept rather than refused for a garbled name: the
    money did arrive."""
    try:
        return _storable(read_json(body, parse_constant=_refuse_parse_constant))
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotificationRefused(
            NotificationOutcome.MALFORMED,
            _("The body is not valid JSON: %(why)s", why=str(exc)[:200]),
            {"": [_("The body is not valid JSON.")]},
        ) from None


class _Fields:
    """Collects field errors of one body, each under its path (``data.amount``)."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(self.prefix + name, []).append(message)

    def required_text(self, data: dict, name: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            self.error(name, _("Required: a non-empty string."))
            return ""
        return value

    def optional_text(self, data: dict, name: str) -> str:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            self.error(name, _("Must be a string or null."))
            return ""
        return value or ""

    def transaction_id(self, value, name: str) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(name, _("Required: the provider's transaction id."))
            return ""
        text = str(value).strip()
        if not text:
            self.error(name, _("Required: the provider's transaction id."))
        elif len(text) > MAX_TRANSACTION_ID:
            self.error(
                name,
                _("A transaction id has at most %(n)s characters.", n=MAX_TRANSACTION_ID),
            )
        elif _CONTROL.search(text):
            self.error(name, _("A transaction id cannot hold control characters."))
        return text

    def amount(self, data: dict, name: str) -> int:
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, _("Required: a whole number of đồng."))
            return 0
        if value <= 0:
            self.error(name, _("The amount must be above zero."))
        elif value > MAX_AMOUNT_VND:
            self.error(name, _("The amount is larger than any payment can be."))
        return value

    def booked_at(self, value, name: str, zone: str) -> dt.datetime | None:
        if not isinstance(value, str):
            self.error(name, _("Required: the transaction's date and time."))
            return None
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            self.error(name, _("Not a date and time (YYYY-MM-DD HH:MM:SS)."))
            return None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        if not EARLIEST_BOOKING <= moment <= timezone.now() + LATEST_BOOKING_AHEAD:
            self.error(name, _("The transaction's date is not plausible."))
            return None
        return moment

    def refuse_if_any(self) -> None:
        if self.errors:
            raise NotificationRefused(
                NotificationOutcome.MALFORMED, _malformed(self.errors), self.errors
            )


def _malformed(errors: dict[str, list]) -> Phrase:
    """The log's line for a body refused: each field's path and what is wrong with it."""

    def fields() -> str:
        return join_clauses(
            " ".join(([path + ":"] if path else []) + [said(m) for m in messages])
            for path, messages in errors.items()
        )

    return _("The notification is malformed: %(fields)s", fields=fields)


def _object(value, path: str) -> dict:
    if not isinstance(value, dict):
        errors = {path: [_("Must be a JSON object.")]}
        raise NotificationRefused(NotificationOutcome.MALFORMED, _malformed(errors), errors)
    return value


def _header(headers, name: str) -> str:
    return (headers.get(name) or "").strip()


# --- Providers -----------------------------------------------------------------------------


class _CollectionAccount:
    """Pays by VietQR to the gate authority's collection account.

    payOS and SePay both watch that account, so their payer sees the same QR: the trip
    reference as the transfer's purpose, which their webhook then carries back.
    """

    method = PaymentMethod.BANK_TRANSFER

    def __init__(self, code, *, bank_bin, account, account_name, label=""):
        self.code = code
        self.bank_bin = bank_bin
        self.account = account
        self.account_name = account_name
        self.label = label or code

    def credited(self, account_number, bank_reference) -> dict:
        """The bank's reference of a credit and the account credited, as every provider of
        this account writes them, so that two reports of one transfer meet. Both "" without
        a usable reference: nothing to match on, the provider's own id still keeps it once."""
        reference = bank_reference.strip().upper() if isinstance(bank_reference, str) else ""
        # Too long is left out, never cut: two transfers must not meet on a shared beginning.
        if not reference or len(reference) > MAX_TRANSACTION_ID or _CONTROL.search(reference):
            return {"bank_reference": "", "credited_account": ""}
        return {
            "bank_reference": reference,
            "credited_account": self.account_credited(account_number),
        }

    def account_credited(self, account_number) -> str:
        """The account a report says was credited ("<bank BIN>/<number>"), this provider's own
        when it names none that can be one."""
        number = re.sub(r"[\s.\-]", "", account_number) if isinstance(account_number, str) else ""
        if not re.fullmatch(r"[0-9A-Za-z]{1,40}", number):
            number = self.account
        return f"{self.bank_bin}/{number}"

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


def sign_body(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a provider sends: HMAC-SHA256 over "<timestamp>.<raw body>"."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _check_timestamp(timestamp: str, tolerance: int, now: float | None) -> None:
    # The same window as every signed webhook's (Zalo's OA events too): ``core.freshness``.
    if not freshness.is_fresh(timestamp, tolerance, now):
        raise NotificationRefused(
            NotificationOutcome.STALE,
            _(
                "The notification's timestamp %(timestamp)s is more than %(n)s seconds from "
                "the server's clock.",
                timestamp=timestamp[:20],
                n=tolerance,
            ),
        )


class VietQRBankTransfer(_CollectionAccount):
    """Bank transfer to the gate authority's account by VietQR, confirmed by the bank's webhook.

    The webhook sends ``X-Cuakhau-Timestamp`` (Unix seconds) and ``X-Cuakhau-Signature``
    (``sha256=<hex HMAC>`` of ``"<timestamp>.<raw body>"`` with the shared secret). Calls older or
    newer than ``tolerance`` seconds are refused, so a captured call cannot be replayed later.
    """

    def __init__(
        self, code, *, secret, tolerance=freshness.WEBHOOK_TOLERANCE_SECONDS, label="", **account
    ):
        super().__init__(code, label=label or "VietQR", **account)
        self.secret = secret
        self.tolerance = tolerance

    def verify_notification(self, headers, body: bytes, now: float | None = None) -> Notification:
        timestamp = _header(headers, "X-Cuakhau-Timestamp")
        signature = _header(headers, "X-Cuakhau-Signature")
        if not freshness.is_unix_time(timestamp) or not signature:
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE,
                _("The timestamp or the signature header is missing."),
            )
        expected = sign_body(self.secret, timestamp, body)
        if not signatures.matches(expected, signature):
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE,
                _("The signature does not match the body."),
            )
        _check_timestamp(timestamp, self.tolerance, now)
        data = _object(_load_json(body), "")
        fields = _Fields()
        transaction_id = fields.transaction_id(data.get("transaction_id"), "transaction_id")
        amount = fields.amount(data, "amount")
        currency = data.get("currency", "VND")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            fields.error("currency", _("An ISO 4217 code such as VND."))
            currency = "VND"
        description = fields.optional_text(data, "description")
        payer_name = fields.optional_text(data, "payer_name")
        payer_account = fields.optional_text(data, "payer_account")
        if data.get("booked_at") is None:
            paid_at = timezone.now()
        else:
            paid_at = fields.booked_at(data["booked_at"], "booked_at", BANK_TIME_ZONE)
        fields.refuse_if_any()
        return Notification(
            transaction_id=transaction_id,
            amount=amount,
            currency=currency.upper(),
            description=_clean_text(description, 300),
            payer_name=_clean_text(payer_name, 200),
            payer_account=_clean_text(payer_account, 40),
            paid_at=paid_at,
            raw=data,
            reference=find_reference(description),
            # The bank's own notification: its transaction id is its reference of the credit.
            **self.credited(None, transaction_id),
        )


# payOS signs ``data`` the way its own SDKs do (payOSHQ/payos-lib-node
# ``createSignatureFromObj``: ``sortObjDataByKey`` then ``convertObjToQueryStr``): keys in
# JavaScript's sort order, ``key=value`` joined by "&", where null, "null" and "undefined"
# become "", an array becomes JSON.stringify of its items (each object's keys sorted), and
# any other value is JavaScript's String(value): numbers as JavaScript prints them (2000.0 is
# "2000"), booleans "true"/"false", a nested object "[object Object]". The tests pin this to
# the SDK's own published test vectors.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _js_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = int(exponent)
    if -7 < power < 21:  # JavaScript writes these positionally, Python in exponent form
        return format(Decimal(text), "f")
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _js_json(value) -> str:
    """``JSON.stringify`` of a parsed JSON value, byte for byte."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "null"
        return _js_number(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if isinstance(value, list):
        return "[" + ",".join(_js_json(item) for item in value) + "]"
    return "{" + ",".join(f"{_js_json(str(k))}:{_js_json(v)}" for k, v in value.items()) + "}"


def _js_sorted(obj: dict) -> dict:
    # Array.prototype.sort compares UTF-16 code units.
    return {k: obj[k] for k in sorted(obj, key=lambda k: k.encode("utf-16-be", "surrogatepass"))}


def _payos_value(value) -> str:
    if isinstance(value, list) and value:
        value = _js_json([_js_sorted(item) if isinstance(item, dict) else item for item in value])
    elif isinstance(value, list):
        value = "[]"
    if value is None or (isinstance(value, str) and value in ("null", "undefined")):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _js_number(value)
    if isinstance(value, dict):
        return "[object Object]"
    # Node hashes a lone surrogate as U+FFFD.
    return _LONE_SURROGATE.sub("\ufffd", value)


def payos_signature(data: dict, checksum_key: str) -> str:
    """payOS's signature of a webhook's ``data`` object with the channel's checksum key."""
    query = "&".join(f"{key}={_payos_value(value)}" for key, value in _js_sorted(data).items())
    return hmac.new(checksum_key.encode(), query.encode(), hashlib.sha256).hexdigest()


class PayOS(_CollectionAccount):
    """payOS (payos.vn) payment webhooks.

    Body: ``{"code": "00", "desc": "success", "success": true, "data": {...}, "signature":
    "<hex>"}``, the signature over ``data`` (see ``payos_signature``). Registering the URL in
    payOS ("confirm webhook") sends a signed sample whose description is one of
    ``TEST_DESCRIPTIONS``: it is answered 200 and records nothing.
    """

    TEST_DESCRIPTIONS = ("VQRIO123", "Ma giao dich thu nghiem")

    def __init__(self, code, *, checksum_key, label="", time_zone=BANK_TIME_ZONE, **account):
        super().__init__(code, label=label or "payOS", **account)
        self.checksum_key = checksum_key
        self.time_zone = time_zone

    def verify_notification(self, headers, body: bytes) -> Notification:
        envelope = _object(_load_json(body), "")
        signature = envelope.get("signature")
        if not isinstance(signature, str) or not signature:
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE, _("The signature is missing.")
            )
        data = _object(envelope.get("data"), "data")
        expected = payos_signature(data, self.checksum_key)
        if not signatures.matches(expected, signature.strip().lower()):
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE,
                _("The signature does not match the data."),
            )
        if data.get("description") in self.TEST_DESCRIPTIONS:
            raise NotificationIgnored(_("payOS's test of the webhook: nothing to record."))
        if envelope.get("success") is False or data.get("code") not in ("00", None):
            raise NotificationIgnored(
                _(
                    "payOS reports no payment (code %(code)s): nothing to record.",
                    code=repr(data.get("code"))[:40],
                )
            )
        fields = _Fields("data.")
        # Deduplicate on ``reference``, the bank's reference of the transfer itself (payOS:
        # "mã tham chiếu giao dịch"). ``orderCode`` and ``paymentLinkId`` name the payment
        # link, which can be paid in several transfers (payOS keeps ``amountPaid`` and a list
        # of transactions per link): keyed on them, a second part payment would vanish.
        transaction_id = fields.transaction_id(data.get("reference"), "reference")
        amount = fields.amount(data, "amount")
        currency = data.get("currency") or "VND"
        if currency != "VND":
            fields.error("currency", _("payOS pays in VND."))
        description = fields.optional_text(data, "description")
        payer_name = fields.optional_text(data, "counterAccountName")
        payer_account = fields.optional_text(data, "counterAccountNumber")
        paid_at = fields.booked_at(
            data.get("transactionDateTime"), "transactionDateTime", self.time_zone
        )
        fields.refuse_if_any()
        return Notification(
            transaction_id=transaction_id,
            amount=amount,
            currency="VND",
            description=_clean_text(description, 300),
            payer_name=_clean_text(payer_name, 200),
            payer_account=_clean_text(payer_account, 40),
            paid_at=paid_at,
            raw=envelope,
            reference=find_reference(description),
            **self.credited(data.get("accountNumber"), transaction_id),
        )


class SePay(_CollectionAccount):
    """SePay (sepay.vn) webhooks: every transaction on the watched bank account.

    Authenticated, as chosen when the webhook is created in SePay, by
    ``Authorization: Apikey <key>`` (``auth="apikey"``) or by an HMAC-SHA256 signature
    (``auth="hmac"``): SePay's docs name the ``X-SePay-Signature`` header and an
    ``X-SePay-Timestamp`` header to refuse replays older than 5 minutes. The signed string
    could not be read in full from the docs at hand; it is taken, as integrations with SePay
    do, to be ``"<timestamp>.<raw body>"`` and the signature hex, with or without a
    ``sha256=`` prefix.

    Only incoming transfers (``transferType == "in"``) are money for a trip; an outgoing one
    is acknowledged and ignored. SePay retries a call up to 7 times until it gets HTTP 200/201
    with ``{"success": true}``; deduplicating on SePay's ``id`` makes every retry of an
    accepted call answer success and record nothing new, and its ``referenceCode`` (the
    bank's) makes payOS's report of the same transfer the same payment.
    """

    AUTH_MODES = ("apikey", "hmac")

    def __init__(
        self,
        code,
        *,
        auth="apikey",
        api_key="",
        hmac_secret="",
        tolerance=freshness.WEBHOOK_TOLERANCE_SECONDS,
        label="",
        time_zone=BANK_TIME_ZONE,
        **account,
    ):
        super().__init__(code, label=label or "SePay", **account)
        if auth not in self.AUTH_MODES:
            raise ImproperlyConfigured(f"SePay auth must be one of {self.AUTH_MODES}, not {auth!r}")
        secret = api_key if auth == "apikey" else hmac_secret
        if not secret:
            raise ImproperlyConfigured(f"SePay auth {auth!r} needs its key")
        self.auth = auth
        self.api_key = api_key
        self.hmac_secret = hmac_secret
        self.tolerance = tolerance
        self.time_zone = time_zone

    def _authenticate(self, headers, body: bytes, now: float | None) -> None:
        if self.auth == "apikey":
            scheme, _sep, key = _header(headers, "Authorization").partition(" ")
            if scheme.lower() != "apikey" or not signatures.matches(key.strip(), self.api_key):
                raise NotificationRefused(
                    NotificationOutcome.BAD_SIGNATURE, _("The API key is missing or wrong.")
                )
            return
        timestamp = _header(headers, "X-SePay-Timestamp")
        signature = _header(headers, "X-SePay-Signature").lower().removeprefix("sha256=")
        if not freshness.is_unix_time(timestamp) or not signature:
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE,
                _("The timestamp or the signature header is missing."),
            )
        expected = sign_body(self.hmac_secret, timestamp, body).removeprefix("sha256=")
        if not signatures.matches(expected, signature):
            raise NotificationRefused(
                NotificationOutcome.BAD_SIGNATURE,
                _("The signature does not match the body."),
            )
        _check_timestamp(timestamp, self.tolerance, now)

    def verify_notification(self, headers, body: bytes, now: float | None = None) -> Notification:
        self._authenticate(headers, body, now)
        data = _object(_load_json(body), "")
        fields = _Fields()
        transfer_type = data.get("transferType")
        if transfer_type not in ("in", "out"):
            fields.error("transferType", _('Must be "in" or "out".'))
        elif transfer_type == "out":
            raise NotificationIgnored(
                _(
                    "An outgoing transfer (%(id)s): nothing to record.",
                    id=repr(data.get("id"))[:40],
                )
            )
        # SePay's ``id`` is its own number for the bank transaction: the key it says to
        # deduplicate on (``referenceCode`` is the bank's, and not every bank sends one).
        sepay_id = data.get("id")
        transaction_id = ""
        if isinstance(sepay_id, bool) or not isinstance(sepay_id, int) or sepay_id <= 0:
            fields.error("id", _("Required: SePay's transaction id (a positive integer)."))
        else:
            transaction_id = fields.transaction_id(sepay_id, "id")
        amount = fields.amount(data, "transferAmount")
        content = fields.optional_text(data, "content")
        payment_code = fields.optional_text(data, "code")
        bank_text = fields.optional_text(data, "description")
        bank_reference = fields.optional_text(data, "referenceCode")
        paid_at = fields.booked_at(data.get("transactionDate"), "transactionDate", self.time_zone)
        fields.refuse_if_any()
        return Notification(
            transaction_id=transaction_id,
            amount=amount,
            currency="VND",
            description=_clean_text(content or bank_text, 300),
            payer_name="",
            payer_account="",
            paid_at=paid_at,
            raw=data,
            # SePay's ``code`` is the payment code it recognised in the content, if set up;
            # its ``description`` is the bank's full statement line.
            reference=find_reference(content, payment_code, bank_text),
            # The bank's reference: what payOS reports the same credit under.
            **self.credited(data.get("accountNumber"), bank_reference),
        )


class CashCounter:
    """Cash paid at the gate's counter, recorded by an officer (no webhook)."""

    method = PaymentMethod.CASH

    def __init__(self, code, *, label=""):
        self.code = code
        self.label = label or gettext_lazy("Cash counter")

    def instructions(self, trip, amount_vnd: int) -> dict:
        return {"provider": self.code, "method": self.method, "amount_vnd": amount_vnd}

    def verify_notification(self, headers, body: bytes) -> Notification:
        raise NotificationRefused(
            NotificationOutcome.UNKNOWN_PROVIDER,
            _("Cash payments are recorded at the counter, not notified."),
        )


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
