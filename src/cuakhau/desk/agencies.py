"""The names of the agencies the catalogue names, and the default stages, in three languages.

The starter catalogue (``data/procedures.csv``) names each procedure's agency in Vietnamese
only; ``data/agencies.csv`` gives cuakhau's own English and Chinese names for them (see
``data/SOURCES.md``). The loader and migration 0004 fill ``agency_en`` / ``agency_zh`` and the
stages in each language from here; an agency a person typed that the table does not know keeps
its Vietnamese name, shown marked as such on English and Chinese pages.

Pure functions of strings: the data migration uses them too.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

AGENCIES = Path(__file__).resolve().parent / "data" / "agencies.csv"

# The four steps every starter procedure goes through (Decree 61/2018, Chapter III: receipt,
# transfer, processing, return of the result), with the agency's name in each language.
STAGE_TEMPLATES = {
    "vi": (
        "Bộ phận Một cửa tiếp nhận hồ sơ",
        "Chuyển hồ sơ đến {agency}",
        "{agency} thẩm định, giải quyết",
        "Trả kết quả tại Bộ phận Một cửa",
    ),
    "en": (
        "The one-stop desk receives the file",
        "The file is transferred to: {agency}",
        "Examination and decision: {agency}",
        "The result is returned at the one-stop desk",
    ),
    "zh": (
        "一站式服务窗口受理申请材料",
        "将申请材料转交：{agency}",
        "审查、办理：{agency}",
        "在一站式服务窗口领取结果",
    ),
}


@lru_cache(maxsize=1)
def agency_table() -> dict[str, dict[str, str]]:
    """Vietnamese name -> {"en": ..., "zh": ...}."""
    with open(AGENCIES, encoding="utf-8") as f:
        return {
            row["agency_vi"].strip(): {
                "en": row["agency_en"].strip(),
                "zh": row["agency_zh"].strip(),
            }
            for row in csv.DictReader(f)
        }


def agency_names(agency_vi: str) -> dict[str, str]:
    """{"vi", "en", "zh"}: the English and Chinese empty when the table does not know it."""
    known = agency_table().get((agency_vi or "").strip(), {})
    return {"vi": agency_vi, "en": known.get("en", ""), "zh": known.get("zh", "")}


def default_stages(agency: str, language: str = "vi") -> str:
    """The default stages in ``language``, naming ``agency`` (already in that language)."""
    return "\n".join(step.format(agency=agency) for step in STAGE_TEMPLATES[language])
