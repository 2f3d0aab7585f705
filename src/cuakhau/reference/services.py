"""Loading and querying reference data."""

from __future__ import annotations

import csv
from functools import lru_cache

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When

from cuakhau.core.spreadsheets import file_number

from .models import Confidence, Gate, HSCode, HSSection
from .text import fold, is_han, query_words
from .validators import DATA_DIR


def _rows(name: str):
    with open(DATA_DIR / name, encoding="utf-8-sig") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            row["_at"] = (name, number)
            yield row


@transaction.atomic
def load_reference_data() -> dict[str, int]:
    """Idempotent: re-running updates rows in place and never deletes what trips refer to."""
    return {"gates": load_gates(), "hs_sections": load_hs_sections(), "hs_codes": load_hs_codes()}


def load_gates() -> int:
    count = 0
    for row in _rows("gates.csv"):
        status = row["status"] if row["status"] in Confidence.values else Confidence.UNCERTAIN
        Gate.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_vi": row["vn_name_vi"],
                "name_en": row["vn_name_en"],
                "name_zh": row["vn_name_zh"],
                "province": row["vn_province"],
                "province_2025": row["vn_province_2025"],
                "counterpart_name_zh": row["cn_name_zh"],
                "counterpart_name_pinyin": row["cn_name_pinyin"],
                "counterpart_name_vi": row["cn_name_vi"],
                "counterpart_county": row["cn_county"],
                "counterpart_province": row["cn_province"],
                "gate_class": row["gate_class"],
                "modes": row["modes"],
                "unlocode_vn": row["unlocode_vn"],
                "unlocode_cn": row["unlocode_cn"],
                "time_zone": row["time_zone"],
                "confidence": status,
                "handles_freight": row["handles_freight"] == "yes",
                "notes": row["notes"],
                "source": row["source"],
            },
        )
        count += 1
    return count


def load_hs_sections() -> int:
    count = 0
    for position, row in enumerate(_rows("hs2022-sections.csv"), start=1):
        HSSection.objects.update_or_create(
            numeral=row["section"], defaults={"position": position, "name": row["name"]}
        )
        count += 1
    return count


HS_FIELDS = [
    "level",
    "description",
    "section",
    "parent",
    "description_vi",
    "context_vi",
    "name_zh",
    "name_key",
    "search_key",
]


def _hs_names() -> dict[str, dict]:
    """Everything known about each code's name, from the shipped files, keyed by HS code."""
    names: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return names.setdefault(code, {"vi": "", "context": "", "zh": [], "more": []})

    for row in _rows("hs2022-vi-chapters.csv"):
        item = entry(row["hscode"])
        item["vi"] = item["context"] = row["description_vi"]
    for row in _rows("hs2022-vi.csv"):
        item = entry(row["hscode"])
        item["vi"], item["context"] = row["description_vi"], row["context_vi"]
        item["more"].append(row["description_en_ahtn"])
    for row in _rows("hs2022-vi-national.csv"):
        entry(row["hs6"])["more"].extend(
            (row["code8"], row["description_vi"], row["groups_vi"], row["description_en_ahtn"])
        )
    for row in _rows("hs2022-zh-names.csv"):
        names_zh = entry(row["hscode"])["zh"]
        if row["name_zh"] not in names_zh:
            names_zh.append(row["name_zh"])
    return names


# Words that name nothing ("Loại khác" = "Other"): a segment made only of them finds nothing.
_EMPTY_SEGMENTS = {"", "loai khac", "other", "khac", "loai"}


@lru_cache(maxsize=65536)
def _fold_segment(text: str) -> str:
    return fold(text)  # paths repeat their heading in every line: fold each text once


def _key(texts) -> str:
    """Folded segments, each once, framed by `` | `` so a search can tell a name's start."""
    segments: list[str] = []
    for text in texts:
        for part in text.split(" > "):
            folded = _fold_segment(part)
            if folded not in _EMPTY_SEGMENTS and folded not in segments:
                segments.append(folded)
    return "| " + " | ".join(segments) + " |" if segments else ""


def _keys(code: str, description: str, names: dict, heading: dict | None) -> tuple[str, str]:
    """(name_key, search_key) of a code: its own names; everything that may find it."""
    own = [names["vi"], description, *names["zh"]]
    # A subheading is found by its heading's Chinese names too (香蕉 → every 0803xx).
    found_by = [*own, names["context"], *names["more"], *(heading or {}).get("zh", []), code]
    return _key(own), _key(found_by)


def _stored(obj: HSCode, field: str):
    # Compare foreign keys by id: reading obj.parent would cost a query per code.
    if field in ("section", "parent"):
        return getattr(obj, f"{field}_id")
    return getattr(obj, field)


def load_hs_codes() -> int:
    sections = {s.numeral: s for s in HSSection.objects.all()}
    by_code = {c.code: c for c in HSCode.objects.all()}
    names = _hs_names()
    blank = {"vi": "", "context": "", "zh": [], "more": []}
    # Chapter 99 "commodities not specified" is a UN Comtrade reporting code, not part of the
    # HS: it has no section and is never a valid declaration.
    rows = [r for r in _rows("hs2022.csv") if r["section"] in sections]
    # Parents must exist before their children point at them: chapters, then headings, then
    # subheadings, one bulk write per level; rows already as shipped are not written again.
    for level in (2, 4, 6):
        to_create, to_update = [], []
        for row in rows:
            name, number = row["_at"]
            if (
                file_number(row["level"], file=name, row=number, column="level", whole=True)
                != level
            ):
                continue
            code = row["hscode"]
            own = names.get(code, blank)
            name_key, search_key = _keys(
                code, row["description"], own, names.get(code[:4]) if level == 6 else None
            )
            fields = {
                "level": level,
                "description": row["description"],
                "section": sections[row["section"]],
                "parent": by_code.get(row["parent"]),
                "description_vi": own["vi"],
                "context_vi": own["context"],
                "name_zh": "、".join(own["zh"]),
                "name_key": name_key,
                "search_key": search_key,
            }
            obj = by_code.get(code)
            if obj is None:
                to_create.append(HSCode(code=code, **fields))
            elif any(_stored(obj, k) != getattr(v, "pk", v) for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(obj, k, v)
                to_update.append(obj)
        HSCode.objects.bulk_create(to_create, batch_size=500)
        HSCode.objects.bulk_update(to_update, HS_FIELDS, batch_size=100)
        if to_create:
            by_code.update({c.code: c for c in HSCode.objects.filter(level=level)})
    return len(rows)


def search_hs_codes(query: str, limit: int = 15, levels: tuple[int, ...] = (6,)):
    """Search-as-you-type over HS codes in Vietnamese, English or Chinese: one query, ranked.

    Tone marks, case and fullwidth forms do not matter (``sau rieng`` finds ``Quả sầu riêng``,
    ``duong`` finds ``đường``); each word of the query must begin a word of the code's names,
    its path or its national lines (any order), or, for Chinese, appear in them. Digits match
    codes by prefix (``0803``, ``0810.60``, an 8-digit national line's first six). Ranked: a
    name of the code's own that begins with the phrase, then its heading or a national line
    that does, then the phrase inside them, then the words apart; codes in order within a rank.

    The keys are folded in Python when loading (``text.fold``), so the query is the same plain
    substring match on SQLite and PostgreSQL. No B-tree index can serve a match inside a
    string; the keys of the 5,612 subheadings (about 2 MB) are scanned in one query instead,
    and the code prefix uses the code's unique index.
    """
    folded = fold(query or "")
    compact = folded.replace(" ", "")
    if not compact:
        return HSCode.objects.none()
    codes = HSCode.objects.filter(level__in=levels)
    if compact.isdigit():
        return codes.filter(code__startswith=compact[:6]).order_by("code")[:limit]
    han = any(is_han(ch) for ch in folded)
    condition = Q()
    for word in query_words(folded):
        # Latin words match at a word's start; Han characters anywhere (no spaces in Chinese).
        needle = word if any(is_han(ch) for ch in word) else f" {word}"
        condition &= Q(search_key__contains=needle)
    inside = folded if han else f" {folded}"
    rank = Case(
        When(name_key__contains=f"| {folded}", then=Value(0)),  # its own name starts so
        When(search_key__contains=f"| {folded}", then=Value(1)),  # its heading, a line...
        When(name_key__contains=inside, then=Value(2)),
        When(search_key__contains=inside, then=Value(3)),
        default=Value(4),  # the words apart
        output_field=IntegerField(),
    )
    return codes.filter(condition).annotate(rank=rank).order_by("rank", "code")[:limit]
