"""The shipped exchange rates (`data/exchange-rates.csv`, provenance in `data/SOURCES.md`).

Idempotent: a missing month is added and an example row follows the file; a rate the board set
or corrected (no longer example data) is never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.db import transaction

from cuakhau.core.spreadsheets import file_number

from .models import ExchangeRate

RATES_FILE = Path(__file__).parent / "data" / "exchange-rates.csv"


def read_rates(path: Path = RATES_FILE) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            {
                "currency": row["currency"].strip().upper(),
                "month": dt.date.fromisoformat(row["month"].strip() + "-01"),
                "units_per_usd": file_number(
                    row["units_per_usd"], file=path.name, row=number, column="units_per_usd"
                ),
                "source": row["source"].strip()[:300],
                "is_example": row["is_example"].strip().lower() in ("yes", "true", "1"),
            }
            for number, row in enumerate(csv.DictReader(f), start=2)
        ]


@transaction.atomic
def load_rates(path: Path = RATES_FILE) -> dict[str, int]:
    """Returns how many rates were created, updated, and kept as the board set them."""
    counts = {"created": 0, "updated": 0, "kept": 0}
    existing = {(r.currency, r.month): r for r in ExchangeRate.objects.select_for_update().all()}
    new = []
    for row in read_rates(path):
        rate = existing.get((row["currency"], row["month"]))
        if rate is None:
            new.append(ExchangeRate(**row))
            counts["created"] += 1
        elif not rate.is_example:
            counts["kept"] += 1  # the board's own figure
        elif (rate.units_per_usd, rate.source) != (row["units_per_usd"], row["source"]):
            rate.units_per_usd, rate.source = row["units_per_usd"], row["source"]
            rate.save(update_fields=["units_per_usd", "source"])
            counts["updated"] += 1
    ExchangeRate.objects.bulk_create(new)
    return counts


def rates_note(counts: dict) -> str:
    return (
        f"{counts['created']} new, {counts['updated']} updated, "
        f"{counts['kept']} kept as the board set them"
    )
