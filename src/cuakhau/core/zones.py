"""A time zone as a person reads it: "Vietnam (UTC+07:00)", never "Asia/Ho_Chi_Minh".

Every page writes a zone's offset one way, ``UTC+07:00`` (``utc_offset``), and names a zone by
its country when it has one (``zone_label``); the help of a form and the footnote of a report
say the same words. ``{{ moment|utc_offset }}`` and ``{{ zone|zone_label }}`` in templates
(``cuakhau`` tags).

A time of day a person must act by, read away from any page that names the zone (a driver's
SMS, the call on the trip's page), says whose clock it is: ``clock_time`` ("02:39 Vietnam time
(UTC+07:00)"; 越南时间 02:39（UTC+07:00）) — a Chinese driver's phone is on Beijing's clock, an
hour ahead, and read a bare "02:39" as an hour later than the gate meant.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.translation import gettext_lazy, pgettext

# Every gate of cuakhau is in Vietnam; a zone not named here is shown by its name.
_COUNTRIES = {"Asia/Ho_Chi_Minh": gettext_lazy("Vietnam"), "Asia/Saigon": gettext_lazy("Vietnam")}


def _zone(zone) -> dt.tzinfo:
    if zone is None:
        return timezone.get_current_timezone()
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def utc_offset(zone=None, at: dt.datetime | None = None) -> str:
    """``UTC+07:00``: the offset of ``zone`` (default: the active one) at ``at`` (default: now)."""
    local = timezone.localtime(at or timezone.now(), _zone(zone))
    offset = local.strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def zone_name(zone=None) -> str:
    """The country of ``zone``, or its name for a zone of no country listed here."""
    tz = _zone(zone)
    key = getattr(tz, "key", None) or str(tz)
    return str(_COUNTRIES.get(key, key))


def zone_label(zone=None, at: dt.datetime | None = None) -> str:
    """``Vietnam (UTC+07:00)`` in the reader's language (越南（UTC+07:00）)."""
    return pgettext("a time zone: its country, then its offset", "%(zone)s (%(offset)s)") % {
        "zone": zone_name(zone),
        "offset": utc_offset(zone, at),
    }


def clock_time(moment: dt.datetime, zone=None) -> str:
    """``moment``'s time of day on ``zone``'s clock (default: the active one), saying whose:
    ``02:39 Vietnam time (UTC+07:00)`` in the reader's language."""
    tz = _zone(zone)
    return pgettext(
        "a time of day on a zone's clock: the time, the zone's country, its offset",
        "%(time)s %(zone)s time (%(offset)s)",
    ) % {
        "time": time_format(timezone.localtime(moment, tz), "H:i"),
        "zone": zone_name(tz),
        "offset": utc_offset(tz, moment),
    }
