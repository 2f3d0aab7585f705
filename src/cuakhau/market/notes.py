"""The recurring notes of the shipped rules in the reader's language.

The notes ``loading`` writes are composed in English from the reference data (the only
language the sources have them in) and stored as written: a rule is never changed in place.
``data/note-texts.csv`` holds cuakhau's own Vietnamese and Chinese translations of those fixed
lines (see ``data/SOURCES.md``). A note is shown line by line: a line the table knows is shown
in the reader's language, any other (a person's free text, a line from changed data) as
written, marked with its own language.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from cuakhau.reference.localize import LANGUAGES, LocalizedText, active_language

NOTE_TEXTS = Path(__file__).resolve().parent / "data" / "note-texts.csv"


@lru_cache(maxsize=1)
def note_table() -> dict[tuple[str, str], dict[str, str]]:
    """(language, line) -> the line in every language the table has."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    with open(NOTE_TEXTS, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            texts = {lang: (row.get(lang) or "").strip() for lang in LANGUAGES}
            for lang, text in texts.items():
                if text:
                    table.setdefault((lang, text), texts)
    return table


def translated_line(line: str, lang: str, wanted: str | None = None) -> LocalizedText:
    wanted = wanted or active_language()
    if lang == wanted or not line.strip():
        return LocalizedText(line, wanted, wanted)
    texts = note_table().get((lang, line.strip()))
    if texts and texts.get(wanted):
        return LocalizedText(texts[wanted], wanted, wanted)
    return LocalizedText(line, lang, wanted)


def translated_lines(note: str, lang: str, wanted: str | None = None) -> list[LocalizedText]:
    wanted = wanted or active_language()
    return [translated_line(line, lang, wanted) for line in (note or "").splitlines()]


def translated_note(note: str, lang: str, wanted: str | None = None) -> LocalizedText:
    """The whole note: in the reader's language when every line is known, else as written."""
    wanted = wanted or active_language()
    lines = translated_lines(note, lang, wanted)
    if all(not line.is_fallback for line in lines):
        return LocalizedText("\n".join(lines), wanted, wanted)
    return LocalizedText(note or "", lang, wanted)
