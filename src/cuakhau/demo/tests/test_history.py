"""The demo's statistics stage: an example history that matches the published figures, stops
where the platform's own months begin, and gives the dashboard years to compare and targets."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from cuakhau.conftest import cassava_line
from cuakhau.demo import history
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, Source, Verdict
from cuakhau.stats.models import GateMonth, ImportBatch, StaleMonth, Target, TradeMonth
from cuakhau.stats.tests.test_services import crossed, local

pytestmark = pytest.mark.django_db


def test_ma_lu_thang_2021_to_2025_totals_the_published_163_million(reference_data):
    rows = history.history_rows({"mlt": dt.date(2026, 1, 1)})
    by_year = defaultdict(lambda: defaultdict(float))
    for month, _gate, direction, _hs, _partner, usd, *_ in rows:
        by_year[month[:4]][direction] += float(usd)
    total = sum(sum(year.values()) for year in by_year.values())
    assert total == pytest.approx(163e6, rel=0.015)
    exports = sum(year["Xuất khẩu"] for year in by_year.values())
    assert exports == pytest.approx(63e6, rel=0.02)
    # Growth since the 2022 dip; a seasonal year (the Tết stock-up above the autumn lull).
    assert sum(by_year["2022"].values()) < sum(by_year["2023"].values())
    assert sum(by_year["2023"].values()) < sum(by_year["2025"].values())
    months = defaultdict(float)
    for month, *_rest in rows:
        if month.startswith("2024"):
            months[month] += float(_rest[4])
    assert months["2024-07"] > 1.3 * months["2024-10"]


def test_the_stage_imports_a_history_up_to_the_platforms_first_month(
    enterprise, operator, officers, mlt, hng, signing_keys
):
    this_month = stats.month_of(stats.local_today())
    platform_month = stats.add_months(this_month, -2)
    # A truck crossed Ma Lù Thàng two months ago, paid and left (back-dated, no summary yet:
    # the stage's rebuild counts it, as after the generator's bulk load).
    day = platform_month + dt.timedelta(days=9)
    crossed(
        enterprise, operator, officers, mlt, "25C-301.21", {"cargo_lines": [cassava_line()]},
        exited=local(day, 10), minutes=60, issued=local(day, 8),
    )  # fmt: skip
    StaleMonth.objects.all().delete()
    first = dt.date(this_month.year - 1, 1, 1)
    result = history.stage_statistics(first=first, scale=0.02)
    batch = ImportBatch.objects.get()
    assert batch.is_example and result["batch"] == batch
    imported = TradeMonth.objects.filter(source=Source.IMPORTED)
    # The trip counted; no overlap: Ma Lù Thàng's history stops the month before it, other
    # gates' run to last month.
    assert GateMonth.objects.get(gate=mlt, month=platform_month, source=Source.PLATFORM).trucks == 1
    mlt_months = set(imported.filter(gate=mlt).values_list("month", flat=True))
    assert max(mlt_months) == stats.add_months(platform_month, -1)
    assert min(mlt_months) == first
    hng_months = set(imported.filter(gate=hng).values_list("month", flat=True))
    assert max(hng_months) == stats.add_months(this_month, -1)
    # Targets: exports +5 % for the zone and each gate; a fee amount for this year.
    year = this_month.year
    assert Target.objects.filter(gate=None, year=year, measure=Measure.EXPORT_USD).exists()
    assert Target.objects.filter(gate=mlt, year=year, measure=Measure.EXPORT_USD).exists()
    # The dashboard has a year to compare with, and a forecast.
    last_year = stats.turnover_by_month(hng, year)
    compared = [row for row in last_year if row["month"] < this_month and row["last_year"]]
    if this_month.month > 1:
        assert compared and all(row["growth"] is not None for row in compared)
    progress = stats.target_progress(None, year)
    exports = next(p for p in progress if p.target.measure == Measure.EXPORT_USD)
    assert exports.last_year and exports.goal == exports.last_year * Decimal("1.05")
    if this_month.month > 1:
        assert exports.verdict in (Verdict.ON_TRACK, Verdict.AT_RISK)
    # A second run replaces the example history and keeps the targets.
    targets = Target.objects.count()
    history.stage_statistics(first=first, scale=0.02)
    assert ImportBatch.objects.count() == 1 and Target.objects.count() == targets
