import functools
from decimal import Decimal

import segno
from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.filter
def qr_svg(text: str, scale: int = 4):
    """An inline SVG QR code: works offline, no image request.

    A viewBox and no fixed size, so it fills the box the page gives it (CSS ``.qr``); ``scale``
    only sets the size where no style applies. Its title names it for screen readers.
    """
    return mark_safe(_qr_svg(str(text), int(scale)))


# Encoding a QR code (choosing its mask) costs tens of milliseconds; a trip's code is drawn on
# every view of its page and card, always the same for the same text.
@functools.lru_cache(maxsize=512)
def _qr_svg(text: str, scale: int) -> str:
    qr = segno.make(text, error="m")
    svg = qr.svg_inline(scale=scale, dark="#111", light="#fff", omitsize=True)
    size = qr.symbol_size(scale=scale)[0]
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="QR" width="{size}" height="{size}" ',
        1,
    )


@register.filter
def money(amount, currency: str = "VND"):
    """Amounts per locale: 1.234.567 ₫ in Vietnamese, VND 1,234,567 in English, 1,234,567 越南盾."""
    if amount in (None, ""):
        return ""
    value = Decimal(amount)
    places = 0 if currency in {"VND"} or value == value.to_integral() else 2
    shown = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    language = (get_language() or "vi").lower()
    if currency == "VND":
        if language.startswith("vi"):
            return f"{shown} ₫"
        if language.startswith("zh"):
            return f"{shown} 越南盾"
    return f"{currency} {shown}"


@register.filter
def quantity(value):
    """Weights and counts per locale, with the decimals they have: 12.500,25 (not 12.500,250)."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    places = 0 if value == value.to_integral() else -value.normalize().as_tuple().exponent
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def kg(value):
    """A weight in kilograms with its unit as the reader's language writes it (``wording``)."""
    if value in (None, ""):
        return ""
    from cuakhau.core.wording import kilograms

    return kilograms(quantity(value))


@register.filter
def of_unit(value, unit: str):
    """A cargo line's quantity with its unit, as the reader says it ("1 kilogram", "12 cartons";
    ``unit`` a UN/ECE code, or "packages")."""
    if value in (None, ""):
        return ""
    from cuakhau.trips.choices import counted

    return counted(unit, quantity(value))


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.filter
def utc_offset(moment):
    """``UTC+07:00``: a moment's offset in the active zone (inside ``{% timezone %}``)."""
    from cuakhau.core import zones

    return zones.utc_offset(at=moment) if moment else ""


@register.filter
def zone_label(zone):
    """``Vietnam (UTC+07:00)`` for a zone's name (``Asia/Ho_Chi_Minh``), in the reader's words."""
    from cuakhau.core import zones

    return zones.zone_label(zone) if zone else ""


@register.filter
def clock_time(moment):
    """``02:39 Vietnam time (UTC+07:00)``: a time to act by on the active zone's clock (inside
    ``{% timezone %}``), saying whose clock it is."""
    from cuakhau.core import zones

    return zones.clock_time(moment) if moment else ""
