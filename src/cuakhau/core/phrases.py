"""Sentences the system writes into a record, kept so that every reader reads them in their language.

A refusal at the gate, a verification's reasons, a note the system adds to a trip's history:
written as text in the language of whoever happened to trigger them, an auditor reading in
English later read a Vietnamese operator's sentence. Such a sentence is made as a ``Phrase``:
a ``str`` in the active language (so a page, an exception or an API answer of the moment uses it
as any other string) that also keeps its message and values, to be written again in another
language. A record stores ``every_language(...)`` of it, {"vi": …, "en": …, "zh": …}, made at
write time as ``risk.texts`` does for the risk reasons: what was stored never depends on a
catalogue read later. A reader gets ``in_reader_language(texts, stored)``: the sentence in their
language, or, for a row stored before (``texts`` empty), the text as stored, marked with the
language it is in when that is not the reader's.

A value of a phrase is written in each language too: a ``Phrase``, a lazy translation (a label),
or a callable (a time, a number, a gate's name: anything the language writes its own way), called
under that language. Anything else (a reference, a plate, what a person typed) is the same in
every language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from cuakhau.reference.localize import LocalizedText, localized, original

# The languages a record is written in, by the key ``reference.localize`` uses, and the Django
# language each is written under.
LANGUAGES = {"vi": "vi", "en": "en", "zh": "zh-hans"}


class Phrase(str):
    """A message (its id, untranslated, marked with ``gettext_noop``; or a lazy translation)
    with its values, reading as the sentence the active language writes."""

    message: str
    values: dict

    def __new__(cls, message: str, /, **values):
        obj = super().__new__(cls, _write(message, values))
        obj.message, obj.values = message, values
        return obj

    def __reduce__(self):
        # Pickled (a cached page) as the sentence it reads as: its values may be callables.
        return (str, (str(self),))


def _write(message, values: Mapping) -> str:
    # A lazy translation is its own message (``gettext_lazy`` constants).
    text = str(message) if isinstance(message, Promise) else gettext(message)
    if not values:
        return text
    return text % {name: said(value) for name, value in values.items()}


def said(value) -> str:
    """``value`` written in the active language (a ``Phrase`` made under another one too)."""
    if isinstance(value, Phrase):
        return _write(value.message, value.values)
    if isinstance(value, Promise):
        return str(value)
    if callable(value):
        return said(value())
    return str(value)


def every_language(value: Phrase | Promise | Callable[[], str] | str) -> dict[str, str]:
    """``value`` written in each language: what a record stores (``in_reader_language``).

    A callable is for a sentence put together from phrases (``said`` each inside it). A plain
    string is in one language only, whichever it is: it gets none (``{}``), and is kept as
    written."""
    if isinstance(value, str) and not isinstance(value, Phrase):
        return {}
    texts = {}
    for key, language in LANGUAGES.items():
        with translation.override(language):
            texts[key] = said(value)
    return texts


def phrases_of(error) -> list[str]:
    """A ``ValidationError``'s messages, each a ``Phrase`` where it is a translation with its
    values (a validator's), so a record can keep it in each language; others as they read."""
    said_now = []
    for item in getattr(error, "error_list", [error]):
        message, params = getattr(item, "message", None), getattr(item, "params", None) or {}
        if isinstance(message, Promise) and isinstance(params, Mapping):
            try:
                said_now.append(Phrase(message, **params))
                continue
            except (KeyError, TypeError, ValueError):
                pass
        said_now.extend(item.messages if hasattr(item, "messages") else [str(item)])
    return said_now


def as_stored(value) -> tuple[str, dict[str, str]]:
    """What a record keeps of ``value``: its text in the platform's language (for whoever reads
    the table without the application) and ``every_language(value)``. A plain string (what a
    person typed) is kept as it is, with no languages."""
    from django.conf import settings

    texts = every_language(value)
    code = (settings.LANGUAGE_CODE or "vi").lower()
    platform = "zh" if code.startswith("zh") else code[:2]
    return texts.get(platform, str(value)), texts


def guess_language(text: str) -> str:
    """The language a stored sentence of the system is in, for one stored before its languages
    were: Chinese by its characters, Vietnamese by its letters, else English."""
    if any("\u3400" <= c <= "\u9fff" for c in text):
        return "zh"
    if any(c in _VIETNAMESE for c in text.lower()):
        return "vi"
    return "en"


_VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def in_reader_language(texts: Mapping | None, stored: str = "") -> LocalizedText:
    """A record's sentence in the reader's language: from ``texts`` (``every_language``), or
    ``stored`` as it was written for a row stored before, marked by its language."""
    if isinstance(texts, Mapping) and any(texts.get(key) for key in LANGUAGES):
        return localized(*(str(texts.get(key) or "") for key in LANGUAGES))
    return original(stored or "", guess_language(stored or ""))
