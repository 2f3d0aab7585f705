"""A time zone as a person reads it: "Vietnam (UTC+07:00)", never "Asia/Ho_Chi_Minh".

Every page writes a zone's offset one way, ``UTC+07:00`` (``utc_offset``), and names a zone by
its country when it has one (``zone_label``); the help of a form and the footnote of a report
say the same words. ``{{ moment|utc_offset }}`` and ``{{ zone|zone_label }}`` in templates
(``cuakhau`` tags).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
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
