"""Notification channels behind one interface: ``send(message) -> SendResult``.

A new gateway is a new class named in ``settings.CUAKHAU_NOTIFY["adapters"]``; callers never
name one. Each adapter says whether it can reach a recipient (``accepts``) and answers a send
with the provider's message id, or with an error that is *transient* (try the same channel
again later: timeouts, 5xx, rate limits) or *permanent* (this channel will not reach them:
try the next one).

Shipped adapters:
- ``ESMSBrandname``: eSMS.vn's brandname SMS (the text cut to three segments, ``sms.fit``) (customer-care type 2) over its JSON REST API,
  ``SendMultipleMessage_V4_post_json``; ``RequestId`` carries our message uid, which eSMS
  refuses to send twice, so a repeat after a crash is safe. Delivery reports arrive by GET on
  the ``CallbackUrl`` we pass, which carries our secret (eSMS signs nothing).
- ``ZaloZNS``: Zalo Notification Service, ``POST /message/template`` with the OA's
  ``access_token`` header, a template registered with Zalo per code and language, the phone as
  84…, and our uid as ``tracking_id``. Delivery comes as the OA webhook's
  ``user_received_message`` event, signed ``X-ZEvent-Signature: mac=sha256(app_id + body +
  timestamp + OA secret key)``; an event whose timestamp is more than five minutes from now (a
  replay) is refused.
- ``EmailAdapter``: Django's mail (``EMAIL_BACKEND``: SMTP when configured, else the console).
- ``ConsoleAdapter``: writes the message to the log; the default for every channel in
  development, the demo and tests.

HTTP goes through ``urllib`` from the standard library (no extra dependency), always with a
timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cuakhau.core import freshness, signatures
from cuakhau.core.inputs import shown
from cuakhau.core.jsontext import read_json

from . import sms
from .messages import localized_context, render
from .recipients import is_vietnamese_mobile

logger = logging.getLogger("cuakhau.notify")

TRANSIENT = "transient"
PERMANENT = "permanent"


@dataclass(frozen=True)
class SendResult:
    provider_id: str = ""
    error: str = ""
    # None when the provider accepted the message; else TRANSIENT or PERMANENT.
    error_kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    @classmethod
    def transient(cls, error: str) -> SendResult:
        return cls(error=error[:300], error_kind=TRANSIENT)

    @classmethod
    def permanent(cls, error: str) -> SendResult:
        return cls(error=error[:300], error_kind=PERMANENT)


@dataclass(frozen=True)
class DeliveryReport:
    """What a provider's delivery-receipt webhook said about one of our messages."""

    provider_id: str
    delivered: bool | None  # None: still on its way (the report is recorded, nothing changes)
    status: str
    at_ms: int | None = None


# The delivery receipts' statuses as recorded on an attempt (``DeliveryReport.status``):
# eSMS's SendStatus 5 is delivered and 4 refused (any other: still on its way); Zalo reports
# only a delivery.
ZALO_DELIVERED = "user_received_message"
_DELIVERY_MEANING = {"SendStatus 5": True, "SendStatus 4": False, ZALO_DELIVERED: True}


def delivery_meaning(status: str) -> bool | None:
    """What a recorded receipt status means: delivered, not delivered, or None (on its way)."""
    return _DELIVERY_MEANING.get(status)


class WebhookRefused(Exception):
    """A delivery receipt without a valid signature or secret, or one we cannot read."""


class Adapter(Protocol):
    name: str
    channel: str
    # The provider as the notifications page names it ("eSMS brandname SMS"), where ``name``
    # is the code stored with each attempt and named by delivery webhooks.
    label: str
    # True when the provider itself refuses a repeated request id: a send whose answer was
    # lost may then be tried again without risking a second message.
    idempotent: bool

    def accepts(self, message) -> bool: ...

    def send(self, message) -> SendResult: ...


class ConsoleAdapter:
    """Prints instead of sending: development, the demo and tests."""

    idempotent = True
    label = pgettext_lazy("notify provider", "Server log only (test, nothing sent)")

    def __init__(self, name: str, channel: str, **options):
        self.name = name
        self.channel = channel

    def accepts(self, message) -> bool:
        if self.channel == "email":
            return bool(message.recipient_email)
        return bool(message.recipient_phone)

    def send(self, message) -> SendResult:
        text = render(message.template, message.language, message.context).text
        if self.channel == "sms":
            text = sms.fit(text)  # what a real gateway would be given
        to = message.recipient_email if self.channel == "email" else message.recipient_phone
        logger.info("[%s → %s] %s", self.channel, to, text)
        return SendResult(provider_id=f"console-{message.uid}")


class EmailAdapter:
    """E-mail through Django's mail backend."""

    idempotent = False
    label = pgettext_lazy("notify provider", "Mail server")

    def __init__(self, name: str, channel: str = "email", from_email: str | None = None, **_):
        self.name = name
        self.channel = channel
        self.from_email = from_email

    def accepts(self, message) -> bool:
        return bool(message.recipient_email)

    def send(self, message) -> SendResult:
        rendered = render(message.template, message.language, message.context)
        try:
            send_mail(
                rendered.subject,
                rendered.text,
                self.from_email,
                [message.recipient_email],
                fail_silently=False,
            )
        except (OSError, TimeoutError) as exc:
            # SMTP server down or refusing for now: worth another try later.
            return SendResult.transient(f"smtp: {exc}")
        except Exception as exc:  # a refused address, a bad header: not going to improve
            return SendResult.permanent(f"mail: {exc}")
        return SendResult(provider_id=f"email-{message.uid}")


def post_json(url: str, payload: dict, headers: dict, timeout: float):
    """POST JSON; returns (HTTP status, parsed body or None). Network trouble raises OSError."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        body = read_json(raw or b"null")
    except ValueError:
        body = None
    return status, body


def _call(url, payload, headers, timeout) -> tuple[int, object] | SendResult:
    try:
        return post_json(url, payload, headers, timeout)
    except TimeoutError as exc:
        return SendResult.transient(f"timeout: {exc}")
    except OSError as exc:  # URLError, connection refused, DNS
        return SendResult.transient(f"network: {exc}")


class ESMSBrandname:
    """eSMS.vn brandname SMS (customer care, SmsType 2)."""

    idempotent = True
    label = pgettext_lazy("notify provider", "eSMS.vn brandname SMS")
    DEFAULT_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    # eSMS's CodeResult table: 100 accepted; 99 unknown error and 5xx are worth a retry.
    # 124 is "RequestId already used": the message was accepted before, so it counts as sent.
    SUCCESS = "100"
    DUPLICATE_REQUEST = "124"
    TRANSIENT_CODES = {"99"}

    def __init__(
        self,
        name: str,
        channel: str = "sms",
        *,
        api_key: str,
        secret_key: str,
        brandname: str,
        url: str = DEFAULT_URL,
        sms_type: str = "2",
        sandbox: bool = False,
        callback_url: str = "",
        callback_secret: str = "",
        timeout: float = 10,
        **_,
    ):
        self.name, self.channel = name, channel
        self.api_key, self.secret_key, self.brandname = api_key, secret_key, brandname
        self.url, self.sms_type, self.sandbox = url, sms_type, sandbox
        self.callback_url, self.callback_secret = callback_url, callback_secret
        self.timeout = timeout

    def accepts(self, message) -> bool:
        # Brandname SMS reaches Vietnamese subscribers only.
        return is_vietnamese_mobile(message.recipient_phone)

    def send(self, message) -> SendResult:
        # Billed per segment: a long reason is cut (``sms``), not sent as thirty messages.
        text = sms.fit(render(message.template, message.language, message.context).text)
        payload = {
            "ApiKey": self.api_key,
            "SecretKey": self.secret_key,
            "Phone": message.recipient_phone,
            "Content": text,
            "Brandname": self.brandname,
            "SmsType": self.sms_type,
            "IsUnicode": "0" if sms.is_gsm7(text) else "1",
            "Sandbox": "1" if self.sandbox else "0",
            "RequestId": str(message.uid),
        }
        if self.callback_url:
            payload["CallbackUrl"] = self.callback_url
        answer = _call(self.url, payload, {}, self.timeout)
        if isinstance(answer, SendResult):
            return answer
        status, body = answer
        if status >= 500 or status == 429:
            return SendResult.transient(f"eSMS HTTP {status}")
        if not isinstance(body, dict):
            return SendResult.transient(f"eSMS HTTP {status}: unreadable answer")
        code = str(body.get("CodeResult", ""))
        if code == self.SUCCESS:
            return SendResult(provider_id=str(body.get("SMSID", "")))
        if code == self.DUPLICATE_REQUEST:
            return SendResult(provider_id=str(body.get("SMSID") or f"request:{message.uid}"))
        error = f"eSMS {code}: {body.get('ErrorMessage', '')}".strip()
        if code in self.TRANSIENT_CODES:
            return SendResult.transient(error)
        return SendResult.permanent(error)

    def delivery_report(self, query, headers, body: bytes) -> DeliveryReport:
        """eSMS calls the CallbackUrl by GET: SMSID, SendStatus (5 sent, 4 refused, else pending)."""
        given = query.get("key", "")
        if not self.callback_secret or not signatures.matches(given, self.callback_secret):
            raise WebhookRefused(_("the callback key is wrong or missing"))
        sms_id, status = query.get("SMSID", ""), str(query.get("SendStatus", ""))
        if not sms_id or not status:
            raise WebhookRefused(_("SMSID and SendStatus are required"))
        report_status = f"SendStatus {status}"
        return DeliveryReport(
            provider_id=sms_id, delivered=delivery_meaning(report_status), status=report_status
        )


class ZaloZNS:
    """Zalo Notification Service: template messages to a Vietnamese phone's Zalo account."""

    idempotent = False
    label = pgettext_lazy("notify provider", "Zalo notification service (ZNS)")
    DEFAULT_URL = "https://business.openapi.zalo.me/message/template"
    # Zalo's error table: these mean "this phone cannot get ZNS" or "this OA/template cannot
    # send" — another channel may still reach the driver. Rate limits and the night-time
    # sending window pass with time.
    TRANSIENT_CODES = {-32, -133}

    def __init__(
        self,
        name: str,
        channel: str = "zns",
        *,
        access_token: str,
        templates: dict,
        url: str = DEFAULT_URL,
        app_id: str = "",
        oa_secret_key: str = "",
        timeout: float = 10,
        event_tolerance: int = freshness.WEBHOOK_TOLERANCE_SECONDS,
        **_,
    ):
        self.name, self.channel = name, channel
        self.access_token, self.templates, self.url = access_token, templates, url
        self.app_id, self.oa_secret_key, self.timeout = app_id, oa_secret_key, timeout
        self.event_tolerance = event_tolerance

    def template_id(self, message) -> str | None:
        return (self.templates.get(message.template) or {}).get(message.language)

    def accepts(self, message) -> bool:
        return is_vietnamese_mobile(message.recipient_phone) and bool(self.template_id(message))

    def send(self, message) -> SendResult:
        payload = {
            "phone": message.recipient_phone,
            "template_id": self.template_id(message),
            "template_data": {
                k: str(v) for k, v in localized_context(message.context, message.language).items()
            },
            "tracking_id": str(message.uid),
        }
        answer = _call(self.url, payload, {"access_token": self.access_token}, self.timeout)
        if isinstance(answer, SendResult):
            return answer
        status, body = answer
        if status >= 500 or status == 429:
            return SendResult.transient(f"ZNS HTTP {status}")
        if not isinstance(body, dict):
            return SendResult.transient(f"ZNS HTTP {status}: unreadable answer")
        code = body.get("error")
        if code == 0:
            return SendResult(provider_id=str((body.get("data") or {}).get("msg_id", "")))
        error = f"ZNS {code}: {body.get('message', '')}"
        if code in self.TRANSIENT_CODES:
            return SendResult.transient(error)
        return SendResult.permanent(error)

    def signature(self, body: bytes, timestamp: str) -> str:
        raw = self.app_id.encode() + body + timestamp.encode() + self.oa_secret_key.encode()
        return hashlib.sha256(raw).hexdigest()

    def delivery_report(self, query, headers, body: bytes) -> DeliveryReport:
        if not self.oa_secret_key:
            raise WebhookRefused(_("no OA secret key is configured"))
        try:
            event = read_json(body)
            timestamp = str(event["timestamp"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WebhookRefused(_("the event cannot be read")) from exc
        given = (headers.get("X-ZEvent-Signature") or "").strip().removeprefix("mac=")
        if not signatures.matches(given, self.signature(body, timestamp)):
            raise WebhookRefused(_("the signature does not match the body"))
        # Signed, but a genuine event replayed later is signed too: its timestamp (Zalo's, in
        # milliseconds) must be as recent as the payment webhooks' are.
        if not freshness.is_fresh(timestamp, self.event_tolerance, per_second=1000):
            raise WebhookRefused(_("the event is too old (or from the future)"))
        if event.get("event_name") != "user_received_message":
            raise WebhookRefused(
                _("not a delivery event: %(event)s")
                % {"event": shown(str(event.get("event_name")))}
            )
        msg = event.get("message")
        if not isinstance(msg, dict):
            raise WebhookRefused(_("the event cannot be read"))
        msg_id = msg.get("msg_id")
        # Zalo's ids are text (or a number): a list or an object names no message of ours.
        if isinstance(msg_id, bool) or not isinstance(msg_id, str | int) or not str(msg_id):
            raise WebhookRefused(_("msg_id is required"))
        at = str(msg.get("delivery_time") or "")
        return DeliveryReport(
            provider_id=str(msg_id),
            delivered=delivery_meaning(ZALO_DELIVERED),
            status=ZALO_DELIVERED,
            # ASCII digits only: "１２３" is a digit string to Python, not a time to Zalo.
            at_ms=int(at) if at.isascii() and at.isdigit() else None,
        )


def configured() -> dict[str, dict]:
    return settings.CUAKHAU_NOTIFY["adapters"]


def get_adapter(channel: str) -> Adapter | None:
    """The adapter configured for a channel, or None when the channel is off."""
    options = configured().get(channel)
    if not options:
        return None
    options = dict(options)
    cls = import_string(options.pop("class"))
    return cls(name=options.pop("name", channel), channel=channel, **options)


def adapter_by_name(name: str) -> Adapter | None:
    """The adapter whose provider name is ``name`` (delivery webhooks name their provider)."""
    for channel, options in configured().items():
        if options and options.get("name", channel) == name:
            return get_adapter(channel)
    return None


# The shipped configuration's provider names: a message sent before the configuration changed
# still names its provider by the adapter that sent it.
SHIPPED_PROVIDERS = {
    "console": ConsoleAdapter,
    "email": EmailAdapter,
    "esms": ESMSBrandname,
    "zalo": ZaloZNS,
}


def provider_label(name: str) -> str:
    """The provider stored as ``name``, as a person reads it: the label of the adapter
    configured under that name (else of the shipped adapter of that name); a name neither
    knows is shown as stored."""
    if not name:
        return ""
    adapter = SHIPPED_PROVIDERS.get(name)
    for channel, options in configured().items():
        if options and options.get("name", channel) == name:
            adapter = import_string(options["class"])
            break
    label = getattr(adapter, "label", "")
    return str(label) if label else name
