"""Whole dollars (and cents) that add up as shown: the total rounded from the exact sum, the
parts sharing it by the largest remainder (``stats.rounding``), in the report's PDF and
workbook, the dashboard, its CSVs and the API."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from cuakhau.stats import dashboard, reports
from cuakhau.stats.choices import Source
from cuakhau.stats.models import ExchangeRate, TradeMonth
from cuakhau.stats.rounding import distribute, rounded, shown_grid, shown_parts

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = 2023
AFTER = dt.date(YEAR + 1, 1, 10)


def test_parts_share_the_total_rounded_from_their_exact_sum():
    # Rounded one by one: 11 + 21 beside a total of 31.
    assert shown_parts([D("10.5"), D("20.5")]) == ([D(11), D(20)], D(31))  # a tie: the first
    assert shown_parts([D("10.005"), D("10.005")], 2) == ([D("10.01"), D("10.00")], D("20.01"))
    # Three thirds of a dollar: a dollar, given to one of them; a None is no part.
    assert shown_parts([D("0.34"), None, D("0.33"), D("0.33")]) == ([D(1), None, D(0), D(0)], D(1))
    # An exact whole dollar never takes the unit left over.
    assert distribute([D(5), D("0.6")], D(6)) == [D(5), D(1)]
    assert rounded(D("2.5")) == D(3) and rounded(None) is None


@pytest.mark.parametrize("places", [0, 2])
def test_a_grid_adds_up_across_and_down_and_stays_near_every_exact_figure(places):
    exact = [
        [D("10.5"), D("20.5"), D("1.5"), D("31"), D("7.4")],
        [D("0.4"), D("0.4"), None, D("0.8"), None],
        [D("3.6"), D("2.7"), D("0.0"), D("6.3"), D("1.2")],
        [D("10.005"), D("10.005"), D("0.445"), D("20.01"), D("0.005")],
    ]
    rows, totals = shown_grid(exact, {3: (0, 1)}, places)
    unit = D(1).scaleb(-places)
    for row, exact_row in zip([*rows, totals], [*exact, None], strict=True):
        assert row[3] == row[0] + row[1]
        if exact_row:
            for shown, figure in zip(row, exact_row, strict=True):
                assert (shown is None) == (figure is None)
                assert shown is None or abs(shown - figure) < unit  # rounded up or down
    for c in range(5):
        column = sum(row[c] for row in exact if row[c] is not None)
        assert sum(row[c] or 0 for row in rows) == totals[c]
        if c in (0, 1):  # exports and imports share the turnover's total: each within a unit
            assert abs(totals[c] - column) < unit
        else:
            assert totals[c] == rounded(column, places)


def _imported(month, direction, value):
    TradeMonth.objects.create(
        gate=mlt_gate(), month=dt.date(YEAR, month, 1), direction=direction, hs_heading="0803",
        partner="CN", currency="CNY", value=D(value), net_weight_kg=0, source=Source.IMPORTED,
    )  # fmt: skip


def mlt_gate():
    from cuakhau.reference.models import Gate

    return Gate.objects.get(code="mlt")


@pytest.fixture
def half_cents(reference_data):
    """Figures at half a dollar and half a cent: two yuan to the dollar, so 21.00 yuan is
    10.50 dollars and 20.01 yuan 10.005."""
    ExchangeRate.objects.create(
        currency="CNY", month=dt.date(YEAR, 1, 1), units_per_usd=D(2), source="test"
    )
    _imported(1, "export", "21.00")  # 10.50
    _imported(1, "import", "41.00")  # 20.50: turnover 31.00
    _imported(2, "export", "20.01")  # 10.005
    _imported(2, "import", "20.01")  # 10.005: turnover 20.01
    for month in (3, 4, 5, 6):
        _imported(month, "export", "0.80")  # 0.40 each, 1.60 in all
    from cuakhau.stats import services

    services.refresh_stale()


def _adds_up(rows, total, parts, summed):
    for row in [*rows, *([total] if total else [])]:
        assert row[summed] == sum(row[p] for p in parts)
    if total:
        for c in (*parts, summed):
            assert sum(row[c] for row in rows) == total[c]


def test_a_grid_without_rows_has_its_columns_totals_empty():
    """A table of no month (the coming year's turnover) raised an IndexError: the columns were
    counted from the rows alone."""
    assert shown_grid([], {3: (0, 1)}) == ([], [None, None, None, None])


def test_the_report_shows_parts_that_add_up_in_the_pdf_and_the_workbook(half_cents):
    report = reports.build(mlt_gate(), YEAR, None, "en", "Lò Văn Pao", today=AFTER)
    months = report.table("months")
    pdf_rows, pdf_total = reports.shown_figures(months, 0)
    _adds_up(pdf_rows, pdf_total, (1, 2), 4)
    assert pdf_total[4] == D(53)  # 31.00 + 20.01 + 1.60 = 52.61, whole
    assert pdf_rows[0][4] == D(31) and pdf_rows[0][1] + pdf_rows[0][2] == D(31)
    # Rounded one by one, four months of 0.40 read 0 each: the turnover's 53 shows in the rows.
    assert sum(row[4] for row in pdf_rows[2:6]) >= D(1)

    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    sheet = [list(r) for r in book["By month"].iter_rows(min_row=3, values_only=True)]
    february = sheet[1]
    assert february[4] == pytest.approx(20.01)
    assert round(february[1] + february[2], 2) == pytest.approx(20.01)  # not 10.01 + 10.01
    total = sheet[12]
    assert total[0] == "Total"
    for c in (1, 2, 4):
        assert round(sum(row[c] for row in sheet[:12]), 2) == pytest.approx(total[c])

    summary = {row[0]: row[1] for row in reports.shown_figures(report.table("summary"), 0)[0]}
    exports, imports = summary["Exports (USD)"].value, summary["Imports (USD)"].value
    assert summary["Import-export turnover (USD)"].value == exports + imports == pdf_total[4]
    products = report.table("products")
    _adds_up(reports.shown_figures(products, 0)[0], None, (3, 4), 5)
    partners = report.table("partners")
    _adds_up(reports.shown_figures(partners, 0)[0], None, (1, 2), 3)

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(reports.to_pdf(report))).pages)
    words = " ".join(text.split())
    # Rounded one by one: "Jan 2023 11 21 0 31" and "Feb 2023 10 10 0 20" beside 20.01.
    assert "Jan 2023 10 21 0 31" in words or "Jan 2023 11 20 0 31" in words
    assert "Feb 2023 10 10 0 20" in words
    assert "Total 22 31 0 53" in words


def test_the_dashboard_its_csv_and_headline_add_up(half_cents):
    board = dashboard.build(mlt_gate(), YEAR, today=AFTER)
    rows = board.tables["turnover"].rows
    for row in rows:
        assert row["turnover_usd"] == row["export_usd"] + row["import_usd"]
    headline = board.headline
    for key in ("export_usd", "import_usd", "other_usd", "turnover_usd", "last_year_usd"):
        assert sum(row[key] for row in rows) == headline[key]
    assert headline["turnover_usd"] == D(53)  # the exact 52.61 rounded, not 32 + 20 + 0 = 52
    assert headline["turnover_usd"] == headline["export_usd"] + headline["import_usd"]
    for name in ("products", "chapters", "partners"):
        for row in [*board.tables[name].rows, *board.tables[name].footer]:
            assert row["total_usd"] == row["export_usd"] + row["import_usd"]
