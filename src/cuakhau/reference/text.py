"""Search keys: text folded the same way in Python for every database.

The key is computed here and stored, so SQLite and PostgreSQL compare plain strings and no
database-specific collation or accent-insensitive function is needed: ``Sầu Riêng`` and
``sau rieng`` both become ``sau rieng``, ``Đậu`` becomes ``dau``, fullwidth ``０８０３``
becomes ``0803``. Chinese has no spaces between words, so a run of Han characters is indexed
with all its suffixes: a prefix search on them finds ``榴莲`` inside ``鲜食榴莲``.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Combining diacritical marks (the blocks Vietnamese and other Latin-script languages use).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Longest term stored (the column's length); longer words are cut, which still matches prefixes.
TERM_LENGTH = 64


def fold(text: str) -> str:
    """Lower case, no tone marks or other diacritics, đ → d, words separated by one space."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", text or "").lower().replace("đ", "d"))
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x3400 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F  # CJK extensions B–G
    )


def terms(text: str) -> set[str]:
    """The index terms of a text: its folded words, plus every suffix of a Han word."""
    found: set[str] = set()
    for word in fold(text).split():
        found.add(word[:TERM_LENGTH])
        if any(is_han(ch) for ch in word):
            found.update(word[i:][:TERM_LENGTH] for i in range(1, len(word)))
    return found


def query_words(query: str, most: int = 6) -> list[str]:
    """The words a search looks for (each as a prefix of an index term), longest first.

    Longest first because the most selective word narrows the candidates best; a word that is
    a prefix of another word of the query adds nothing and is dropped.
    """
    words = sorted(set(fold(query).split()), key=lambda w: (-len(w), w))
    kept: list[str] = []
    for word in words:
        if not any(other.startswith(word) for other in kept):
            kept.append(word[:TERM_LENGTH])
    return kept[:most]
