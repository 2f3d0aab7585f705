"""The demo's statistics (issue 12): the summaries of the generated trips, an example history
of the months before them, and the board's targets, so every chart of the dashboard has years
to compare.

- The trips are written in bulk (no signals): ``stats.services.rebuild()`` counts them.
- The history (example data, imported as the board would, through ``stats.imports``) runs from
  January 2021 to the month before the platform's first month at each gate, for the gates the
  demo generates. Each gate's year is the generator's own pace (its published volumes) times a
  year weight. Ma Lù Thàng's pace is a five-year value: its 2021–2025 weights average exactly 1,
  so its 2021–2025 turnover is the published USD 163 million. The other gates' paces are 2025
  truck counts: their 2025 is 1, and their dollars per truck are the platform's own there, so
  the history meets the platform's months without a step. Months follow the generator's
  seasons and Tết; products, partners, weights and trucks its mix of goods; fees the
  platform's own fee per truck at the gate.
- Targets: exports +5 % a year for the zone and each gate (2022 on), and a fee-revenue amount
  for the current year (last year's fees + 7 %). A target the board already set is kept.

A second run replaces the example history (its batches are marked example data).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db import transaction
from django.db.models import Q, Sum

from cuakhau.reference.models import Gate
from cuakhau.stats import imports
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, Source, TargetKind
from cuakhau.stats.models import GateMonth, ImportBatch, Target
from cuakhau.trips.choices import Direction

from . import generator as g

FIRST_MONTH = dt.date(2021, 1, 1)
# Each year against the generator's pace. 2021–2025 average exactly 1 (the published five-year
# total); 2022 dips (the border closures of that year), later years grow by about 5 %.
YEAR_WEIGHT = {2020: 0.84, 2021: 0.94, 2022: 0.90, 2023: 1.00, 2024: 1.05, 2025: 1.11}
GROWTH_AFTER = 1.06
# Fee per loaded truck when the platform has none at a gate yet (the demo's schedules average
# about this much).
FEE_PER_TRUCK_VND = 600_000
DIRECTION_WORDS = {
    Direction.EXPORT: "Xuất khẩu",
    Direction.IMPORT: "Nhập khẩu",
    Direction.TEMPORARY_IMPORT_REEXPORT: "Tạm nhập tái xuất",
    Direction.TRANSIT: "Quá cảnh",
}
HEADER = [
    "Tháng",
    "Cửa khẩu",
    "Loại hình",
    "Mã HS",
    "Nước đối tác",
    "Trị giá (USD)",
    "Khối lượng tịnh (tấn)",
    "Số lượt xe",
    "Thu phí (đồng)",
]
# A target's note is the board's free text, read as written whatever the reader's language: the
# demo writes none (every page of a demo installation already says its data is generated). Demo
# runs before 2026-12 wrote this Vietnamese note, which English and Chinese pages showed as it
# was; a run clears it where the system set it.
OLD_NOTE = "Dữ liệu mẫu (demo)"


def year_weight(year: int) -> float:
    if year in YEAR_WEIGHT:
        return YEAR_WEIGHT[year]
    if year < min(YEAR_WEIGHT):
        return YEAR_WEIGHT[min(YEAR_WEIGHT)]
    return YEAR_WEIGHT[2025] * GROWTH_AFTER ** (year - 2025)


def _weight(gate: str, year: int) -> float:
    """A gate's year against the generator's pace. Ma Lù Thàng's pace is its 2021–2025
    average (a published five-year value); the other gates' are 2025 truck counts."""
    if g.GATES[gate].usd_per_year is not None:
        return year_weight(year)
    return year_weight(year) / YEAR_WEIGHT[2025]


@cache
def _month_shares(year: int) -> list[float]:
    """Each month's share of the year's traffic: the generator's seasons, weekdays and Tết."""
    totals = [0.0] * 12
    day = dt.date(year, 1, 1)
    while day.year == year:
        totals[day.month - 1] += g.traffic_factor(day, seasonal=True)
        day += dt.timedelta(days=1)
    whole = sum(totals)
    return [t / whole for t in totals]


def _trucks_per_year(gate: str, direction: str) -> float:
    """Loaded trucks of one flow in an average year at full scale, as the generator makes them."""
    profile = g.GATES[gate]
    exports = g.loaded_per_day(gate, Direction.EXPORT) * 365
    if direction == Direction.IMPORT:
        return g.loaded_per_day(gate, Direction.IMPORT) * 365
    special = profile.special
    if direction == Direction.EXPORT:
        return exports * (1 - sum(special.values()))
    return exports * special.get(direction, 0.0)


def _products(gate: str, direction: str, month: int | None) -> list[tuple[g.Product, float]]:
    """The flow's products with each one's share of the trucks in that month."""
    products, cumulative = g._mix(gate, direction, month)
    if not products:
        return []  # a gate without this flow (Ma Lù Thàng has no re-exports)
    weights = [b - a for a, b in zip([0.0, *cumulative[:-1]], cumulative, strict=True)]
    total = sum(weights)
    return [(p, w / total) for p, w in zip(products, weights, strict=True)]


def _truck_usd(product: g.Product) -> float:
    return sum(product.net_t) / 2 * 1000 * sum(product.price) / 2


def _calibration(gate: str, direction: str, platform_usd: float | None = None) -> float:
    """The history's dollars per truck against the plain product averages (mixed loads, goods
    counted in pieces). Ma Lù Thàng: the generator's simulated mean truckload, so the history
    is the published value; another gate: the platform's own dollars per truck there when it
    has counted some, so the history meets the platform's months without a step."""
    mix = _products(gate, direction, None)
    if not mix:
        return 1.0
    plain = sum(_truck_usd(p) * s for p, s in mix)
    if g.GATES[gate].usd_per_year is not None:
        return g.mean_truck_usd(gate, direction) / plain
    return platform_usd / plain if platform_usd else 1.0


def history_rows(
    gates: dict[str, dt.date],
    *,
    first: dt.date = FIRST_MONTH,
    scale: float = 1.0,
    seed: int = 2025,
    fee_per_truck: dict[str, int] | None = None,
    usd_per_truck: dict[tuple[str, str], float] | None = None,
) -> list[list[str]]:
    """The example sheet's rows (HEADER's columns, as the board writes them), from `first` up
    to each gate's month given (excluded)."""
    fee_per_truck = fee_per_truck or {}
    names = dict(Gate.objects.filter(code__in=gates).values_list("code", "name_vi"))
    rows = []
    for code, until in gates.items():
        name = names[code].split(" (")[0]
        calibration = {
            d: _calibration(code, d, (usd_per_truck or {}).get((code, d))) for d in DIRECTION_WORDS
        }
        month = first
        while month < until:
            shares = _month_shares(month.year)
            for direction in DIRECTION_WORDS:
                yearly = _trucks_per_year(code, direction)
                if yearly <= 0:
                    continue
                rng = random.Random(f"history/{seed}/{code}/{month}/{direction}")
                noise = min(1.08, max(0.92, rng.gauss(1.0, 0.03)))
                trucks = yearly * _weight(code, month.year) * shares[month.month - 1] * noise
                trucks *= scale
                # Goods of one heading and partner on one row, as the board's sheets sum them.
                merged: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
                for product, share in _products(code, direction, month.month):
                    partner = (
                        g._origin(direction, product)
                        if direction in (Direction.IMPORT, Direction.TEMPORARY_IMPORT_REEXPORT)
                        else stats.COUNTERPART_COUNTRY
                    )
                    n = trucks * share
                    item = merged[(product.hs[:4], partner)]
                    item[0] += n * _truck_usd(product) * calibration[direction]  # USD
                    item[1] += n * sum(product.net_t) / 2  # tonnes
                    item[2] += n
                for (heading, partner), (usd, tonnes, n) in sorted(merged.items()):
                    whole = round(n)
                    rows.append(
                        [
                            f"{month:%Y-%m}",
                            name,
                            DIRECTION_WORDS[direction],
                            heading,
                            partner,
                            f"{usd:.2f}",
                            f"{tonnes:.3f}",
                            str(whole),
                            str(whole * fee_per_truck.get(code, FEE_PER_TRUCK_VND)),
                        ]
                    )
            month = stats.add_months(month, 1)
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _platform_fee_per_truck() -> dict[str, int]:
    """The platform's fees per receipt at each gate (what a truck pays there today)."""
    fees = {}
    for code, fee, receipts in (
        GateMonth.objects.filter(source=Source.PLATFORM)
        .order_by()
        .values("gate__code")
        .annotate(fee=Sum("fee_vnd"), receipts=Sum("receipts"))
        .values_list("gate__code", "fee", "receipts")
    ):
        if receipts:
            fees[code] = round(fee / receipts, -3)
    return fees


def _platform_usd_per_truck() -> dict[tuple[str, str], float]:
    """The platform's dollars per truck that left, by gate and direction (all its months)."""
    codes = dict(Gate.objects.values_list("id", "code"))
    trucks: dict[tuple[str, str], int] = defaultdict(int)
    for gate_id, direction, n in (
        GateMonth.objects.filter(source=Source.PLATFORM)
        .order_by()
        .values("gate_id", "direction")
        .annotate(n=Sum("trucks"))
        .values_list("gate_id", "direction", "n")
    ):
        trucks[(codes[gate_id], direction)] += n or 0
    dollars = stats.trade_usd(
        None,
        dt.date(2000, 1, 1),
        stats.month_of(stats.local_today()),
        ("gate_id", "direction"),
        directions=tuple(DIRECTION_WORDS),
        where=Q(source=Source.PLATFORM),
    ).usd
    found = {}
    for (gate_id, direction), usd in dollars.items():
        key = (codes[gate_id], direction)
        if trucks[key]:
            found[key] = float(usd) / trucks[key]
    return found


def _first_platform_months(codes) -> dict[str, dt.date]:
    """The first month with the platform's own figures at each gate (the history stops before)."""
    ids = dict(Gate.objects.filter(code__in=codes).values_list("id", "code"))
    first: dict[str, dt.date] = {}
    for gate_id, month in stats.months_with_activity():
        if gate_id in ids:
            first.setdefault(ids[gate_id], month)
    this_month = stats.month_of(stats.local_today())
    # A gate without any trip yet: the history runs up to the current month.
    return {code: first.get(code, this_month) for code in codes}


@transaction.atomic
def stage_statistics(*, seed: int = 2025, scale: float = 1.0, first: dt.date = FIRST_MONTH):
    """Recount the summaries, import the example history, set the targets. Returns a summary."""
    ImportBatch.objects.filter(is_example=True).delete()
    stats.rebuild()
    until = _first_platform_months(g.GATE_ORDER)
    rows = history_rows(
        until,
        first=first,
        scale=scale,
        seed=seed,
        fee_per_truck=_platform_fee_per_truck(),
        usd_per_truck=_platform_usd_per_truck(),
    )
    batch = None
    if rows:
        sheet = imports.read_spreadsheet("vi-du-so-lieu-lich-su-demo.csv", to_csv(rows))
        batch = imports.import_history(None, sheet, is_example=True)
    targets = set_targets(g.GATE_ORDER)
    return {"rows": len(rows), "batch": batch, "targets": targets, "until": until}


def set_targets(codes, today: dt.date | None = None) -> int:
    """Exports +5 % a year (zone and each gate) from 2022, and this year's fee revenue: last
    year's + 7 %, in round millions. A target the board set already is left as it is."""
    today = today or stats.local_today()
    Target.objects.filter(set_by=None, note=OLD_NOTE).update(note="")
    gates = [None, *Gate.objects.filter(code__in=codes).order_by("code")]
    made = 0
    for gate in gates:
        for year in range(2022, today.year + 1):
            _, created = Target.objects.get_or_create(
                gate=gate,
                year=year,
                measure=Measure.EXPORT_USD,
                defaults={"kind": TargetKind.GROWTH, "value": Decimal(5)},
            )
            made += created
        fees = stats.monthly_measure(gate, today.year - 1, Measure.FEE_VND)
        last_year = sum((v or 0 for v in fees), Decimal(0))
        if last_year:
            goal = (last_year * Decimal("1.07") / 10**6).quantize(Decimal(1), ROUND_HALF_UP)
            _, created = Target.objects.get_or_create(
                gate=gate,
                year=today.year,
                measure=Measure.FEE_VND,
                defaults={"kind": TargetKind.ABSOLUTE, "value": goal * 10**6},
            )
            made += created
    return made


def summary(result: dict) -> str:
    batch = result["batch"]
    mlt = stats.trade_usd(
        Gate.objects.filter(code="mlt").first(),
        dt.date(2021, 1, 1),
        dt.date(2025, 12, 1),
        ("direction",),
    ).usd
    total = sum(mlt.values(), Decimal(0))
    return (
        f"{result['rows']:,} example rows of history (import no. {batch.pk if batch else '-'}), "
        f"{result['targets']} targets; Ma Lù Thàng 2021–2025: USD {total / 10**6:.1f} million"
    )
