"""Delivery receipts from the providers (public endpoints: each provider proves itself).

eSMS calls its CallbackUrl by GET with our secret ``key`` in the query; Zalo posts the OA's
``user_received_message`` event signed with the OA secret key. A refused call is a 401 and
changes nothing; a receipt for a message we do not know is accepted and ignored (providers
also report messages sent from their own consoles).
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cuakhau.core.api_support import CodeOf

from . import adapters, services
from .models import MessageStatus

router = Router(tags=["notifications"])


# What a delivery receipt did: recorded on our message, or about one we never sent.
RECORDED, UNKNOWN_MESSAGE = "recorded", "unknown message"


class DeliveryOut(Schema):
    status: CodeOf([RECORDED, UNKNOWN_MESSAGE])
    message_status: CodeOf(MessageStatus, null=True) = None  # null: not our message


class DeliveryRefusedOut(Schema):
    detail: str


def _receive(request: HttpRequest, provider: str):
    adapter = adapters.adapter_by_name(provider)
    if adapter is None or not hasattr(adapter, "delivery_report"):
        return Status(404, {"detail": _("No delivery-receipt webhook for that provider.")})
    try:
        report = adapter.delivery_report(request.GET, request.headers, request.body)
    except adapters.WebhookRefused as exc:
        return Status(401, {"detail": _("Refused: %(reason)s.") % {"reason": exc}})
    message = services.record_delivery(adapter.name, report)
    return Status(
        200,
        {
            "status": RECORDED if message else UNKNOWN_MESSAGE,
            "message_status": message.status if message else None,
        },
    )


@router.get(
    "/notify/delivery/esms",
    auth=None,
    response={200: DeliveryOut, 401: DeliveryRefusedOut, 404: DeliveryRefusedOut},
    summary="eSMS delivery report (CallbackUrl; authenticated by its secret key)",
    description="Public, for eSMS.vn only: a text message's delivery, proven by our secret key.",
)
def esms_delivery(request: HttpRequest):
    return _receive(request, "esms")


@router.post(
    "/notify/delivery/zalo",
    auth=None,
    response={200: DeliveryOut, 401: DeliveryRefusedOut, 404: DeliveryRefusedOut},
    summary="Zalo OA webhook: ZNS delivery (X-ZEvent-Signature)",
    description="Public, for Zalo only: a ZNS message's delivery, signed with the OA secret.",
)
def zalo_delivery(request: HttpRequest):
    return _receive(request, "zalo")
