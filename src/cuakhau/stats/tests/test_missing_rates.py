"""A target measured in dollars over a month whose goods no exchange rate converts: the month's
dollars are not known, so neither is the year's figure nor the verdict. Counted as 0 USD, June's
7,200 CNY of cassava read as a target missed that nobody could judge."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.stats import reports
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, Source, TargetKind, Verdict
from cuakhau.stats.models import ExchangeRate, Target, TradeMonth

pytestmark = pytest.mark.django_db
JUNE_2024 = dt.date(2024, 6, 1)


def _exported(gate, month, value, currency="USD"):
    TradeMonth.objects.create(
        gate=gate, month=month, direction="export", hs_heading="", partner="CN",
        currency=currency, value=Decimal(value), net_weight_kg=0, source=Source.IMPORTED,
    )  # fmt: skip


@pytest.fixture
def june_without_a_rate(mlt):
    """2023: 100 USD a month. 2024: 110 USD a month, but June's exports 7,200 CNY, and no CNY
    rate at all. 2025: January to March, 110 USD each."""
    ExchangeRate.objects.filter(currency="CNY").delete()
    for number in range(1, 13):
        _exported(mlt, dt.date(2023, number, 1), 100)
        month = dt.date(2024, number, 1)
        _exported(mlt, month, *(("7200", "CNY") if month == JUNE_2024 else ("110",)))
    for number in range(1, 4):
        _exported(mlt, dt.date(2025, number, 1), 110)
    # 11 × 110 = 1,210 USD without June: read as missed against 1,300.
    Target.objects.create(
        gate=mlt, year=2024, measure=Measure.TURNOVER_USD, kind=TargetKind.ABSOLUTE, value=1300
    )
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.EXPORT_USD, kind=TargetKind.GROWTH, value=5
    )
    return mlt


def test_a_month_without_a_rate_leaves_the_target_not_known(june_without_a_rate):
    mlt = june_without_a_rate
    (year_over,) = stats.target_progress(mlt, 2024, dt.date(2025, 1, 10))
    assert year_over.actual is None and year_over.forecast is None
    assert year_over.verdict == Verdict.UNKNOWN
    assert year_over.missing_rates == [("CNY", JUNE_2024)]
    # Last year's June is the base of a growth target and of the seasonal forecast: neither is
    # known, nor the verdict, though this year's months are.
    (growth,) = stats.target_progress(mlt, 2025, dt.date(2025, 4, 15))
    assert growth.actual == Decimal(330)
    assert (growth.goal, growth.last_year, growth.forecast) == (None, None, None)
    assert growth.verdict == Verdict.UNKNOWN and growth.missing_rates == [("CNY", JUNE_2024)]
    # Once the board sets the rate, the figures are known again.
    ExchangeRate.objects.create(
        currency="CNY", month=JUNE_2024, units_per_usd=Decimal("7.2"), source="test"
    )
    (year_over,) = stats.target_progress(mlt, 2024, dt.date(2025, 1, 10))
    assert (year_over.actual, year_over.verdict, year_over.missing_rates) == (
        Decimal(2210), Verdict.MET, [],
    )  # fmt: skip


def test_the_page_the_api_and_the_report_say_which_rate_is_missing(june_without_a_rate, board):
    set_language(board, "en")
    client = Client()
    client.force_login(board)
    page = client.get("/stats/mlt/?year=2024")
    (row,) = page.context["board"].targets
    assert row.actual is None and row.verdict == Verdict.UNKNOWN
    html = page.content.decode()
    assert "Not known: an exchange rate is missing" in html
    assert "No exchange rate for CNY in Jun 2024" in html and "Missed" not in html

    body = client.get("/api/v1/stats/summary?gate=mlt&year=2024").json()
    (target,) = body["targets"]
    assert (target["actual"], target["verdict"]) == (None, "unknown")
    assert [(m["currency"], m["month"]) for m in target["missing_rates"]] == [("CNY", "2024-06-01")]

    today = dt.date(2025, 1, 10)
    report = reports.build(june_without_a_rate, 2024, None, "en", "test", today=today)
    (row,) = report.table("targets").rows
    assert row[4].value is None
    assert row[9] == "Not known: an exchange rate is missing. No exchange rate for CNY in Jun 2024."
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert any(
        "No exchange rate for CNY" in str(cell.value)
        for sheet in book.worksheets
        for line in sheet.iter_rows()
        for cell in line
    )

    set_language(board, "vi")
    html = client.get("/stats/mlt/?year=2024").content.decode()
    assert "Chưa xác định: còn thiếu tỷ giá" in html and "Chưa có tỷ giá của CNY tháng" in html


def test_a_month_without_a_rate_has_no_growth_on_the_dashboard_the_api_and_the_report(
    june_without_a_rate, board
):
    """June 2024 read 0 USD against 100 a year before: a fall of 100 % nobody recorded, and the
    year's growth taken down with it."""
    set_language(board, "en")
    client = Client()
    client.force_login(board)
    page = client.get("/stats/mlt/?year=2024")
    months = {r["month"]: r for r in page.context["board"].tables["turnover"].rows}
    assert (months[JUNE_2024]["growth_percent"], months[JUNE_2024]["missing_rates"]) == (
        None, ["CNY"],
    )  # fmt: skip
    assert months[dt.date(2024, 5, 1)]["growth_percent"] == Decimal("10.0")
    headline = page.context["board"].headline
    assert (headline["growth_percent"], headline["missing_rates"]) == (None, ["CNY"])
    assert "not known: an exchange rate is missing" in page.content.decode()

    body = client.get("/api/v1/stats/summary?gate=mlt&year=2024").json()
    june = next(m for m in body["turnover"] if m["month"] == "2024-06-01")
    assert (june["growth_percent"], june["missing_rates"]) == (None, ["CNY"])
    assert body["headline"]["growth_percent"] is None
    # A year later, June's base is the month not known.
    after = client.get("/api/v1/stats/summary?gate=mlt&year=2025").json()
    assert next(m for m in after["turnover"] if m["month"] == "2025-06-01")["missing_rates"] == [
        "CNY"
    ]

    report = reports.build(
        june_without_a_rate, 2024, None, "en", "test", today=dt.date(2025, 1, 10)
    )
    by_month = report.table("months")
    assert by_month.rows[5][0] == JUNE_2024 and by_month.rows[5][6] is None
    assert by_month.rows[4][6] == Decimal("10.0") and by_month.total[6] is None
    summary = {row[0]: row for row in report.table("summary").rows}
    assert summary["Exports (USD)"][3] is None
    assert summary["Import-export turnover (USD)"][3] is None
