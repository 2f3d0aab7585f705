"""Where a change came from: recorded with every transition of every state machine."""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
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
    """The address a request came from, as recorded with every change, counted by every
    throttle (the desk's tracking, failed sign-ins) and checked by the payment webhooks.

    ``REMOTE_ADDR``, unless ``PROXY_HOPS`` reverse proxies of ours stand in front: each
    appends the address it was called from to ``X-Forwarded-For``, so the entry the outermost
    one appended is the caller. Whatever comes before it the caller wrote, and is never
    believed (a forged header bought a guesser fresh attempts). None when that is no IP address
    (a column of addresses stores only addresses: PostgreSQL refuses anything else).
    """
    address = request.META.get("REMOTE_ADDR")
    hops = settings.PROXY_HOPS
    if hops:
        chain = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [hop for hop in chain if hop]
        if len(chain) >= hops:
            address = chain[-hops]
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def context_of(request, channel: str = Channel.WEB) -> RequestContext:
    return RequestContext(channel=channel, remote_addr=client_address(request))
