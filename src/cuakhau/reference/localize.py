"""A name in the reader's language, or a marked fallback — the one mechanism for reference data.

Reference data carries its names in up to three languages (``name_vi``, ``name_en``,
``name_zh``). ``localized`` picks the one of the active language; when it is missing it falls
back (Vietnamese → English → Chinese for a Vietnamese page, English → Vietnamese → Chinese for
English, Chinese → English → Vietnamese for Chinese) and the result remembers which language it
is in, so a page can say so (``reference`` template filters) instead of silently mixing
languages. A text that exists only in its original language (a legal basis, a note) is
``original(text, "vi")``: the same marker in every other language.

Country names come from the Unicode CLDR (``data/countries.csv``, see ``data/SOURCES.md``): the
names Vietnamese and Chinese readers know ("Campuchia", "Hàn Quốc", "柬埔寨"); lists are sorted in the reader's language: Vietnamese alphabet order (ă, â after
a; đ after d; tones second), Chinese in radical-and-stroke order (the order of the Unicode Han
blocks), English by letters.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("vi", "en", "zh")
# The value of an HTML lang attribute for each of them.
HTML_LANG = {"vi": "vi", "en": "en", "zh": "zh-Hans"}
FALLBACKS = {"vi": ("vi", "en", "zh"), "en": ("en", "vi", "zh"), "zh": ("zh", "en", "vi")}
ORIGINAL_MARKERS = {
    "vi": _("Vietnamese original"),
    "en": _("English original"),
    "zh": _("Chinese original"),
}


def active_language() -> str:
    """The active Django language as one of ``vi``, ``en``, ``zh``."""
    language = (get_language() or "vi").lower()
    if language.startswith("zh"):
        return "zh"
    if language.startswith("en"):
        return "en"
    return "vi"


class LocalizedText(str):
    """A string that knows its language and whether the reader asked for another one."""

    lang: str
    wanted: str

    def __new__(cls, text: str, lang: str, wanted: str | None = None):
        obj = super().__new__(cls, text)
        obj.lang = lang
        obj.wanted = wanted or active_language()
        return obj

    def __getnewargs__(self):
        # Pickled (a cached page's figures) with its language, which __new__ requires.
        return (str(self), self.lang, self.wanted)

    @property
    def is_fallback(self) -> bool:
        return bool(self) and self.lang != self.wanted

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.lang]

    @property
    def marker(self) -> str:
        """``Vietnamese original`` etc. when not in the reader's language, else empty."""
        return str(ORIGINAL_MARKERS[self.lang]) if self.is_fallback else ""


def localized(vi: str = "", en: str = "", zh: str = "", language: str | None = None):
    """The text in ``language`` (default: the active one), or the first fallback that exists."""
    wanted = language or active_language()
    texts = {"vi": vi or "", "en": en or "", "zh": zh or ""}
    for lang in FALLBACKS[wanted]:
        if texts[lang].strip():
            return LocalizedText(texts[lang], lang, wanted)
    return LocalizedText("", wanted, wanted)


def localized_name(obj, field: str = "name", language: str | None = None) -> LocalizedText:
    """``obj.<field>_vi`` / ``_en`` / ``_zh`` in the reader's language (missing ones are empty).

    ``obj`` may be a mapping too: the items of a fee assessment are stored as JSON.
    """
    if isinstance(obj, Mapping):
        texts = [obj.get(f"{field}_{lang}", "") for lang in LANGUAGES]
    else:
        texts = [getattr(obj, f"{field}_{lang}", "") for lang in LANGUAGES]
    return localized(*texts, language=language)


def original(text: str, lang: str) -> LocalizedText:
    """A text that exists only in the language it was written in."""
    return LocalizedText(text or "", lang)


def said_with_its_language(text: LocalizedText) -> str:
    """A localized text inside a sentence (a message, not a page's HTML): followed by
    "(English original)" or the like when it is not in the reader's language."""
    return f"{text} ({text.marker})" if text.is_fallback else str(text)


# Countries ------------------------------------------------------------------------------------


def _cldr_names(file: str, key: str) -> dict[str, dict[str, str]]:
    """code -> {"en", "vi", "zh": name} from a table of ``data/`` copied from the Unicode CLDR."""
    path = Path(__file__).resolve().parent / "data" / file
    with path.open(encoding="utf-8", newline="") as rows:
        return {
            row[key]: {lang: row[f"name_{lang}"] for lang in LANGUAGES}
            for row in csv.DictReader(rows)
        }


@lru_cache(maxsize=1)
def _country_names() -> dict[str, dict[str, str]]:
    # pycountry's own Vietnamese and Chinese catalogues wrote "Căm Bốt", "Phi-li-pi-nợ", "柬埔塞".
    return _cldr_names("countries.csv", "alpha_2")


@lru_cache(maxsize=1)
def _currency_names() -> dict[str, dict[str, str]]:
    return _cldr_names("currencies.csv", "alpha_3")


def currency_name(code: str, language: str | None = None) -> str:
    """The ISO 4217 currency's name in the reader's language ("Đô la Mỹ", "美元"); a code the
    copied table lacks (one a newer pycountry adds): its English name; an unknown code as is."""
    names = _currency_names().get((code or "").upper())
    if names is not None:
        return names[language or active_language()]
    currency = pycountry.currencies.get(alpha_3=(code or "").upper()) if code else None
    return currency.name if currency is not None else (code or "")


def country_name(code: str, language: str | None = None) -> str:
    """The country's short name in the reader's language; an unknown code is returned as is."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return code or ""
    names = _country_names().get(country.alpha_2)
    if names is None:  # a code a newer pycountry knows and the copied table not yet
        return getattr(country, "common_name", None) or country.name
    return names[language or active_language()]


# Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_VI_LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # breve, circumflex, horn
_VI_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple:
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _VI_LETTER_MARKS and letters:
            letters[-1] = (letters[-1][0], _VI_LETTER_MARKS[ch])
        elif ch in _VI_TONES:
            tones.append(_VI_TONES[ch])
        elif unicodedata.combining(ch):
            continue
        elif ch == "đ":
            letters.append(("d", 9))
        else:
            letters.append((ch, 0))
    return (tuple(letters), tuple(tones))


def sort_key(text: str, language: str | None = None):
    language = language or active_language()
    if language == "vi":
        return vietnamese_sort_key(text)
    # Chinese: the Unicode order of Han characters is the radical-and-stroke order.
    return unicodedata.normalize("NFKD", text.casefold())


def country_choices(first: tuple[str, ...] = (), language: str | None = None):
    """(alpha-2, name) of every country in the reader's language, ``first`` ones on top."""
    return list(_sorted_countries(tuple(first), language or active_language()))


@lru_cache(maxsize=32)
def _sorted_countries(first: tuple[str, ...], language: str) -> tuple[tuple[str, str], ...]:
    # The names come from the copied table, fixed for the process: sorting 249 of them by
    # the Vietnamese alphabet took 5 ms, for every country field of every form shown.
    names = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    top = [(code, name) for code in first for c, name in names if c == code]
    rest = sorted(
        (item for item in names if item[0] not in first), key=lambda c: sort_key(c[1], language)
    )
    return tuple(top + rest)
