"""The dashboard's cells in the reader's formats (``{% load stats %}``)."""

from django import template
from django.utils.html import format_html

from cuakhau.core.templatetags.cuakhau import money
from cuakhau.reference.templatetags.reference import marked
from cuakhau.stats.dashboard import cell_text

register = template.Library()


@register.filter
def cell(value, kind: str):
    """A table cell: dates and numbers in the page's language, names marked when they are in
    another language (an HS name without a Chinese text, say)."""
    if kind == "text" and value is not None:
        return marked(value)
    return cell_text(value, kind)


@register.filter
def number(value):
    return cell_text(value, "count")


@register.filter
def amount(value, unit: str):
    """A target's figure in its measure's unit: dollars, đồng, or a count of trucks."""
    if value is None:
        return ""
    if unit in ("USD", "VND"):
        return money(value, unit)
    return cell_text(value, "count")


@register.filter
def figure(value):
    """A figure with its unit kept on one line, even inside a sentence (``.figure``)."""
    return format_html('<span class="figure">{}</span>', value)
