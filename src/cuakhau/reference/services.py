"""Loading and querying reference data."""

from __future__ import annotations

import csv

from django.db import transaction
from django.db.models import Q

from .models import Confidence, Gate, HSCode, HSSection
from .validators import DATA_DIR


def _rows(name: str):
    with open(DATA_DIR / name, encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


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
                "name_zh": _chinese_name(row),
                "province": row["vn_province"],
                "province_2025": row["vn_province_2025"],
                "counterpart_name_zh": row["cn_name_zh"],
                "counterpart_name_pinyin": row["cn_name_pinyin"],
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


# Vietnamese gate names as Chinese readers know them (口岸 = border port).
_CHINESE_NAMES = {
    "mlt": "马鹿塘口岸",
    "hng": "友谊口岸（越方）",
    "tth": "新清口岸",
    "mci": "芒街口岸",
    "kth": "金城口岸",
    "lci": "老街口岸",
    "tlg": "塔隆口岸",
    "trl": "茶岭口岸",
    "cma": "支梅口岸",
    "tty": "清水口岸",
}


def _chinese_name(row) -> str:
    return _CHINESE_NAMES.get(row["code"], "")


def load_hs_sections() -> int:
    count = 0
    for position, row in enumerate(_rows("hs2022-sections.csv"), start=1):
        HSSection.objects.update_or_create(
            numeral=row["section"], defaults={"position": position, "name": row["name"]}
        )
        count += 1
    return count


def load_hs_codes() -> int:
    sections = {s.numeral: s for s in HSSection.objects.all()}
    by_code = {c.code: c for c in HSCode.objects.all()}
    # Chapter 99 "commodities not specified" is a UN Comtrade reporting code, not part of the
    # HS: it has no section and is never a valid declaration.
    rows = [r for r in _rows("hs2022.csv") if r["section"] in sections]
    # Parents must exist before their children point at them: chapters, then headings, then
    # subheadings, one bulk write per level.
    for level in (2, 4, 6):
        to_create, to_update = [], []
        for row in rows:
            if int(row["level"]) != level:
                continue
            fields = {
                "level": level,
                "description": row["description"],
                "section": sections[row["section"]],
                "parent": by_code.get(row["parent"]),
            }
            obj = by_code.get(row["hscode"])
            if obj is None:
                obj = HSCode(code=row["hscode"], **fields)
                to_create.append(obj)
            else:
                for k, v in fields.items():
                    setattr(obj, k, v)
                to_update.append(obj)
        HSCode.objects.bulk_create(to_create, batch_size=500)
        HSCode.objects.bulk_update(
            to_update, ["level", "description", "section", "parent"], batch_size=500
        )
        by_code.update({c.code: c for c in HSCode.objects.filter(level=level)})
    return len(rows)


def search_hs_codes(query: str, limit: int = 15):
    """Search-as-you-type over codes (with or without dots) and English descriptions."""
    query = (query or "").strip()
    if not query:
        return HSCode.objects.none()
    compact = query.replace(".", "").replace(" ", "")
    qs = HSCode.objects.filter(level=6)
    if compact.isdigit():
        return qs.filter(code__startswith=compact[:6]).order_by("code")[:limit]
    condition = Q()
    for word in query.split():
        condition &= Q(description__icontains=word)
    return qs.filter(condition).order_by("code")[:limit]
