"""What the language tests look for: internal codes, message catalogues, the text a person sees.

The raw codes come from the project's own enumerations (every ``models.Choices`` class defined
in a cuakhau module, and every model field's ``choices``), so a new enumeration is checked the
day it is written. The catalogues are read with a small parser of the gettext ``.po`` format
(the project has no ``polib``; the format's subset Django writes is all it meets).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.db import models

PACKAGE_DIR = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# Codes


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def enumerations() -> dict[str, type[models.Choices]]:
    """Every enumeration the project defines, by qualified name (its modules are imported)."""
    for config in apps.get_app_configs():
        if config.name.startswith("cuakhau."):
            for module in ("choices", "models"):
                try:
                    __import__(f"{config.name}.{module}")
                except ModuleNotFoundError as missing:
                    if missing.name != f"{config.name}.{module}":
                        raise
    return {
        f"{cls.__module__}.{cls.__qualname__}": cls
        for cls in _subclasses(models.Choices)
        if cls.__module__.startswith("cuakhau.")
    }


def raw_codes() -> dict[str, str]:
    """Every stored value a person must never read as such, with where it comes from.

    Values that are numbers (container sizes in feet, HS levels) are left out: a number on a
    page is a number. So is the empty value.
    """
    codes: dict[str, str] = {}

    def add(value, source):
        value = str(value)
        if value and not value.isdigit():
            codes.setdefault(value, source)

    for name, cls in enumerations().items():
        for value in cls.values:
            add(value, name)
    for model in apps.get_models():
        if not model.__module__.startswith("cuakhau."):
            continue
        for f in model._meta.get_fields():
            choices = getattr(f, "flatchoices", None) if getattr(f, "choices", None) else None
            for value, _label in choices or ():
                add(value, f"{model.__name__}.{f.name}")
    return codes


# Python's own values leaking through a template ({{ x }} of a None or a boolean).
PYTHON_VALUES = {"True", "False", "None"}


# ---------------------------------------------------------------------------------------------
# The text a person reads


class _Visible(HTMLParser):
    # What a browser does not show as text; <template> holds markup for later, shown when used
    # (and then checked in the page that uses it).
    HIDDEN = {"script", "style", "template", "head"}

    def __init__(self, lang=""):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0
        self.page_lang = lang.lower()
        # The element declared in another language than the page's, and how deep in it we are.
        self.foreign: list = [None, 0]

    def handle_starttag(self, tag, attrs):
        lang = (dict(attrs).get("lang") or "").lower()
        if tag == "html":
            self.page_lang = lang
        elif self.foreign[0] == tag:
            self.foreign[1] += 1
        elif self.foreign[0] is None and lang and self.page_lang and lang != self.page_lang:
            self.foreign = [tag, 1]
        if tag in self.HIDDEN:
            self.depth += 1
        elif tag in ("br", "p", "li", "div", "td", "th", "tr", "option", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self.foreign[0] == tag:
            self.foreign[1] -= 1
            if not self.foreign[1]:
                self.foreign = [None, 0]
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1
        else:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.depth and self.foreign[0] is None:
            self.parts.append(data)


def visible_text(html: str, lang: str = "") -> str:
    """The page's text as a person sees it: no tags, scripts, styles or attribute values.

    A text the page declares in another language (``<span lang="en">`` on a Vietnamese page:
    a legal basis or a source quoted in its original, marked so by ``|original``) is left out:
    it is said to be in that language, not mixed in silently. ``lang``: the page's language
    when it has no ``<html lang>`` (an htmx fragment; its ``Content-Language``).
    """
    parser = _Visible(lang)
    parser.feed(html)
    parser.close()
    return re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))


@cache
def _word(text: str) -> re.Pattern:
    # Word boundaries that also hold next to Vietnamese and Chinese letters. Each text's
    # pattern is compiled once for the session: ``find_codes`` on every page of a test made a
    # new Finder each time, thousands of patterns that ``re``'s own cache cannot hold.
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])")


class Finder:
    """Finds whole-word occurrences of many literal texts (codes, phrases) in a page's text.

    Compiled once for all the pages: thousands of patterns overflow ``re``'s own cache, and
    recompiling them for every page cost minutes. A plain substring test, done in C, rules
    out almost every text before its word-boundary pattern runs.
    """

    def __init__(self, texts, allowed=frozenset()):
        self.patterns = [(t, _word(t)) for t in sorted(set(texts) - set(allowed)) if t]

    def __call__(self, text: str) -> list[str]:
        found = []
        for code, pattern in self.patterns:
            if code not in text:
                continue
            match = pattern.search(text)
            if match:
                start, end = match.span()
                context = text[max(0, start - 30) : end + 30].replace("\n", " ")
                found.append(f"{code!r} in …{context}…")
        return found


def find_codes(text: str, codes, allowed=frozenset()) -> list[str]:
    """The raw codes in the text, each with a little of its context."""
    return Finder(codes, allowed)(text)


def find_state_pairs(text: str, states) -> list[str]:
    """``draft → submitted``: two codes joined by an arrow."""
    pattern = re.compile(r"(\w+)\s*(?:→|->)\s*(\w+)")
    return [m.group(0) for m in pattern.finditer(text) if {m.group(1), m.group(2)} & set(states)]


# ---------------------------------------------------------------------------------------------
# Catalogues


@dataclass
class Entry:
    msgid: str
    msgstr: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    plural: str | None = None
    fuzzy: bool = False
    where: str = ""

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)


def read_po(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file (the header and obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    current: dict = {}
    key = None
    flags: set[str] = set()
    line_no = 0

    def finish():
        nonlocal current, flags
        if "msgid" in current and current["msgid"]:
            strs = [v for k, v in sorted(current.items()) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    msgid=current["msgid"],
                    msgstr=strs,
                    msgctxt=current.get("msgctxt"),
                    plural=current.get("msgid_plural"),
                    fuzzy="fuzzy" in flags,
                    where=f"{path}:{current['line']}",
                )
            )
        current, flags = {}, set()

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            key = None
        elif line.startswith("#,"):
            if "msgid" in current:
                finish()
            flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is not None:
                current[key] += ast.literal_eval(line)
        else:
            word, _, rest = line.partition(" ")
            if word in ("msgctxt", "msgid") and "msgstr" in "".join(current):
                finish()
            key = word.replace("[", "_").replace("]", "") if word.startswith("msgstr[") else word
            current[key] = ast.literal_eval(rest)
            current.setdefault("line", line_no)
    finish()
    return entries


def catalogues(language: str | None = None) -> list[Path]:
    """The repository's ``.po`` files, the project's and every app's, for one language or all."""
    folder = {"vi": "vi", "zh-hans": "zh_Hans", None: "*"}[language]
    return sorted(PACKAGE_DIR.glob(f"**/locale/{folder}/LC_MESSAGES/django.po"))


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def english_phrases(language: str) -> set[str]:
    """The literal English phrases of the msgids a page in ``language`` must show translated.

    A msgid translated by itself (``API``, ``VietQR``, ``HS``) is a name, not English left over;
    so is a single word the language's own translations use (Vietnamese writes "Container",
    "E-mail"). A phrase is a placeholder-free stretch of a msgid: several words, or one word of
    five letters or more (four when capitalised).
    """
    entries = [entry for path in catalogues(language) for entry in read_po(path)]
    own_words = {
        word
        for entry in entries
        for text in entry.msgstr
        for word in re.findall(r"[A-Za-z][A-Za-z-]*", text)
    }
    phrases = set()
    for entry in entries:
        if not entry.translated or entry.msgstr[0] == entry.msgid:
            continue
        for msgid in filter(None, (entry.msgid, entry.plural)):
            for part in _PLACEHOLDER.split(msgid):
                part = part.strip(" .,:;·—–-()[]?!…\n")
                # One short lowercase word ("to", "name") is as likely a name or a
                # word of Django's own texts; a phrase or a longer word is the project's.
                words = re.findall(r"[A-Za-z]+", part)
                if (
                    len(words) > 1
                    or (words and len(words[0]) >= 5)
                    or words
                    and len(words[0]) == 4
                    and words[0][0].isupper()
                ) and not (len(part.split()) == 1 and part in own_words):
                    phrases.add(part)
    return phrases


def reader_in(user, language: str):
    """A test client signed in as ``user``, whose profile speaks ``language``."""
    from django.test import Client

    from cuakhau.accounts.services import set_language

    set_language(user, language)
    client = Client()
    client.force_login(user)
    return client
