"""Sentences the system stored in one language, read back into each (for data migrations).

A record written before it kept its sentences in every language (``core.phrases``) holds one
sentence, in the language of whoever triggered it. Where it is one of the system's messages,
its values are found by matching it against the message as each language writes it, and the
message is written again in the three languages with them. A value may need writing again in
each language too (an amount grouped as the language groups it, a status's label): ``values``
gives, per name, a function from the value as found to its text in the active language.
A sentence that matches no message is left as it was (read back as stored, marked).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.utils import translation
from django.utils.translation import gettext

LANGUAGES = {"vi": "vi", "en": "en", "zh": "zh-hans"}
_NAME = re.compile(r"%\((\w+)\)s")


class Message:
    """One message of the system: its id and how its values are written in each language."""

    def __init__(self, message: str, values: dict[str, Callable[[str], str]] | None = None):
        self.message = message
        self.values = values or {}
        self.patterns = []
        for language in LANGUAGES.values():
            with translation.override(language):
                template = gettext(message)
            names, regex = [], ""
            for i, piece in enumerate(_NAME.split(template)):
                if i % 2:
                    # A name twice in one template matches the same text both times.
                    regex += f"(?P={piece})" if piece in names else f"(?P<{piece}>.+?)"
                    names.append(piece)
                else:
                    regex += re.escape(piece)
            self.patterns.append(re.compile(regex + r"\Z", re.S))

    def read(self, text: str) -> dict[str, str] | None:
        """``text`` in each language, or None when it is not this message."""
        for pattern in self.patterns:
            match = pattern.match(text)
            if match is None:
                continue
            found = match.groupdict()
            texts = {}
            for key, language in LANGUAGES.items():
                with translation.override(language):
                    try:
                        values = {
                            name: self.values[name](value) if name in self.values else value
                            for name, value in found.items()
                        }
                    except (KeyError, ValueError):
                        return None
                    texts[key] = gettext(self.message) % values
            return texts
        return None


def read_back(text: str, messages: Iterable[Message]) -> dict[str, str] | None:
    """``text`` in each language by the first of ``messages`` it is, or None."""
    for message in messages:
        texts = message.read(text)
        if texts is not None:
            return texts
    return None


def amount(found: str) -> str:
    """An amount as stored (``1.500.000``, ``1,500,000``) grouped as the active language does."""
    from django.utils.formats import number_format

    # Digits and the separators a language groups them with, nothing else.
    if not re.fullmatch(r"\d[\d.,\s\u00a0\u202f]*", found):
        raise ValueError(found)
    digits = re.sub(r"\D", "", found)
    return number_format(int(digits), force_grouping=True)


def label(choices: Iterable[tuple[str, object]]) -> Callable[[str], str]:
    """A label as stored, in whichever language, written in the active language."""
    codes = {}
    for language in LANGUAGES.values():
        with translation.override(language):
            codes.update({str(text): code for code, text in choices})
    labels = dict(choices)

    def written(found: str) -> str:
        return str(labels[codes[found]])

    return written


def fill(model, column: str, messages: Iterable[Message], rows=None) -> None:
    """Give every row of ``model`` whose ``column`` is one of ``messages`` its ``<column>_texts``
    (``rows``: a queryset to look in, else every row with the column set)."""
    messages = list(messages)
    texts_column = f"{column}_texts"
    rows = rows if rows is not None else model.objects.all()
    # Read whole before any is written: SQLite may walk again rows updated under an open cursor.
    stored = list(rows.exclude(**{column: ""}).values_list(column, flat=True).distinct())
    for text in stored:
        texts = read_back(text, messages)
        if texts is not None:
            rows.filter(**{column: text}).update(**{texts_column: texts})
