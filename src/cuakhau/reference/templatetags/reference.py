"""Reference names in the reader's language, with a marked fallback (``{% load reference %}``).

``{{ gate|localized }}``, ``{{ rate|localized:"label" }}``: the ``name`` / ``label`` in the page's
language; ``{{ schedule.legal_basis|original:"vi" }}``: a text that exists only in Vietnamese;
``{{ text|marked }}`` for a value already picked (``gate.counterpart``, ``code.name``);
``{{ line.origin_country|country }}``: a country's name. A text in another language than the
page's is wrapped in its own ``lang`` and followed by "(Vietnamese original)" or the like.
"""

from django import template
from django.utils.html import format_html

from cuakhau.reference.localize import LocalizedText, country_name, localized_name, original

register = template.Library()


@register.filter
def marked(value):
    """HTML of a localized text: as is in the reader's language, else marked with its own."""
    if not isinstance(value, LocalizedText) or not value.is_fallback:
        return value
    return format_html(
        '<span lang="{}">{}</span> <small class="original-language">({})</small>',
        value.html_lang,
        str(value),
        value.marker,
    )


@register.filter("localized")
def localized_filter(obj, field="name"):
    return marked(localized_name(obj, field))


@register.filter("original")
def original_filter(text, lang="vi"):
    return marked(original(text, lang))


@register.filter
def country(code):
    return country_name(code)
