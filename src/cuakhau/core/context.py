"""Where a change came from: recorded with every transition of every state machine."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    SYSTEM = "system", _("system")
    DEVICE = "device", _("gate device")


@dataclass(frozen=True)
class RequestContext:
    channel: str = Channel.SYSTEM
    remote_addr: str | None = None


SYSTEM = RequestContext()


def client_address(request) -> str | None:
    # Behind the gate's reverse proxy the first X-Forwarded-For hop is the device.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def context_of(request, channel: str = Channel.WEB) -> RequestContext:
    return RequestContext(channel=channel, remote_addr=client_address(request))
