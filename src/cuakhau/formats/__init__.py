"""Dates and numbers per language (settings.FORMAT_MODULE_PATH), beside Django's own.

Every language shares one rule for form inputs: the first input format is ISO 8601
(``2026-11-30``, ``2026-11-30T14:05``). Django renders a widget's initial value with the first
of DATE_INPUT_FORMATS / DATETIME_INPUT_FORMATS, and an HTML ``type=date`` or
``type=datetime-local`` input accepts nothing else: Chinese's ``2026/11/30`` left every date
field of a zh-hans page empty. The browser shows the value in its own way; the other formats
stay accepted for fields typed as text.
"""

ISO_DATE_INPUT = "%Y-%m-%d"
ISO_DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def iso_first(formats: list[str], iso: str) -> list[str]:
    """``iso`` first, then the language's own input formats (no duplicate)."""
    return [iso, *(f for f in formats if f != iso)]
