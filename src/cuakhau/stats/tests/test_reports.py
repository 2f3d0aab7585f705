"""The reports against the services' figures, from the hand-computed crossings of
``test_services`` (March: bananas and cassava out, steel in; April: cassava out)."""

import datetime as dt
import io
import os
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.receipts.models import Receipt
from cuakhau.stats import reports
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, TargetKind
from cuakhau.stats.models import Target
from cuakhau.stats.tests.shared import _shared_crossings, shared_three_crossings  # noqa: F401
from cuakhau.stats.tests.test_services import APRIL, MARCH

# Built once for the module; every test runs beside them (core.testing.shared).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_crossings")]

AFTER_2025 = dt.date(2026, 1, 10)
PDFTOPPM = os.environ.get("CUAKHAU_PDFTOPPM", "/usr/bin/pdftoppm")


def require_pdftoppm():
    """Like the browser tests: skipped on a developer's machine without poppler-utils, a
    failure in CI (``CUAKHAU_REQUIRE_BROWSER=1``), where a page must be seen as an image."""
    if shutil.which(PDFTOPPM) or os.path.exists(PDFTOPPM):
        return
    message = f"pdftoppm not found at {PDFTOPPM} (apt-get install poppler-utils)"
    if os.environ.get("CUAKHAU_REQUIRE_BROWSER") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def sheet_rows(book, title):
    """The headings and the rows of a table's sheet (its first row is the table's title)."""
    return [list(row) for row in book[title].iter_rows(min_row=2, values_only=True)]


def test_the_workbook_holds_the_services_figures_as_numbers(three_crossings, mlt):
    bananas, steel, cassava = three_crossings
    report = reports.build(mlt, 2025, None, "en", "Lò Văn Pao", today=AFTER_2025)
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert book.sheetnames[0] == "Report"
    assert book["Report"]["A1"].value == "Annual report on border trade"

    # By month: the services' table, month by month, as numbers (not text).
    months = sheet_rows(book, "By month")
    assert months[0][:5] == ["Month", "Exports", "Imports", "Other flows", "Turnover"]
    expected = stats.turnover_by_month(mlt, 2025)
    assert len(months) == 1 + 12 + 1  # headings, twelve months, the total
    for row, figures in zip(months[1:13], expected, strict=True):
        assert row[0].date() == figures["month"]
        assert row[1:5] == [
            figures["export"],
            figures["import"],
            figures["other"],
            figures["turnover"],
        ]
    assert months[3][1:5] == [13940, 25600, 0, 39540]  # March, computed by hand
    assert months[-1][0] == "Total" and months[-1][4] == 41780
    assert isinstance(months[3][4], int | float)

    summary = {row[0]: row[1:] for row in sheet_rows(book, "Key figures")[1:]}
    assert summary["Import-export turnover (USD)"][0] == 41780
    assert summary["Exports (USD)"][0] == 16180
    assert summary["Trucks crossed"][0] == 3
    fees = sum(Receipt.objects.get(trip=t).amount_vnd for t in three_crossings)
    assert summary["Gate fee revenue (VND)"][0] == fees
    assert summary["State budget contribution (VND)"][0] == fees

    top = stats.top_products(mlt, dt.date(2025, 1, 1), dt.date(2025, 12, 1))
    products = sheet_rows(book, "Products")[1 : len(top) + 1]
    assert [(r[1], r[3], r[4], r[5]) for r in products] == [
        (p["code"], p["export"], p["import"], p["total"]) for p in top
    ]
    assert products[0][1:3] == ["7208", products[0][2]] and "iron" in products[0][2].lower()
    assert products[1][2].startswith("Bananas")

    partners = sheet_rows(book, "Partners")[1:2]
    assert partners == [["China", 16180, 25600, 41780, 1]]  # 100 %, as a fraction

    traffic = {r[0].date(): r for r in sheet_rows(book, "Trucks and fees")[1:-1]}
    by_month = {r["month"]: r for r in stats.gate_figures_by_month(mlt, MARCH, APRIL)}
    assert traffic[MARCH][1:3] == [2, 62.5]
    assert traffic[APRIL][4] == by_month[APRIL]["fee_vnd"]

    clearance = sheet_rows(book, "Clearance")
    assert [r[1] for r in clearance[1:4]] == [
        pytest.approx(365 / 3, abs=0.05),  # (95 + 30 + 240) / 3
        97.5,
        243.5,
    ]

    rates = sheet_rows(book, "Exchange rates")[1:-2]
    assert ["CNY", 7.2] in [[r[0], r[2]] for r in rates]
    assert ["VND", 25400] in [[r[0], r[2]] for r in rates]
    sources = sheet_rows(book, "Sources")[1:]
    assert [r[1] for r in sources if r[0].date() == MARCH] == ["Recorded by the platform"]
    assert [r[1] for r in sources if r[0].date() == dt.date(2025, 5, 1)] == ["No figure"]


def test_targets_in_the_report_are_the_services_progress(three_crossings, mlt):
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.TRUCKS, kind=TargetKind.ABSOLUTE, value=2
    )
    report = reports.build(mlt, 2025, 3, "en", "test", today=dt.date(2025, 6, 2))
    (row,) = report.table("targets").rows
    (progress,) = stats.target_progress(mlt, 2025, dt.date(2025, 4, 1))
    # Counted to the end of March, the month of the report: two trucks, met early.
    assert row[4].value == progress.actual == 2
    assert row[5] == progress.months_counted == 3
    assert row[9] == "On track"


def pdf_text(report) -> str:
    reader = PdfReader(io.BytesIO(reports.to_pdf(report)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_speaks_vietnamese_with_its_numbers(three_crossings, mlt):
    report = reports.build(mlt, 2025, 3, "vi", "Lò Văn Pao", today=AFTER_2025)
    text = pdf_text(report)
    assert "Báo cáo tháng" in text
    assert "Ma Lù Thàng" in text
    assert "Tháng 3/2025" in text
    assert "39.540" in text  # March's turnover, Vietnamese grouping
    assert "13.940" in text and "25.600" in text
    assert "Chuối" in text  # heading 0803 by its Vietnamese name
    assert "Trung Quốc" in text
    assert "Lò Văn Pao" in text
    assert "Trang 1/" in text
    assert "39,540" not in text


def test_the_pdf_in_chinese_draws_both_scripts(three_crossings, mlt):
    """A Chinese reader of the board's pages got the English report; a Chinese report names
    Vietnamese gates and people, so each script is drawn in a font that has it."""
    report = reports.build(mlt, 2025, None, "zh-hans", "Lò Văn Pao", today=AFTER_2025)
    reader = PdfReader(io.BytesIO(reports.to_pdf(report)))
    # A line drawn piece by piece comes out of the PDF a piece a line.
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "口岸贸易年度报告" in text
    assert "第 1 页，共" in text  # the footer
    assert "Lò Văn Pao" in text  # Vietnamese letters beside the Chinese words
    assert "39,540" in text  # March's turnover, grouped the Chinese way
    assert "中国" in text  # the partner country by its Chinese name
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DroidSansFallback" in name for name in fonts), fonts
    # Every character in an embedded font: none left to the reader's own (the CID font).
    assert not any(name.endswith("STSong-Light") for name in fonts), fonts
    chart, strings = _drawn_chart(report)
    assert "出口" in strings and "进口" in strings  # the legend
    assert "3月" in strings  # a month below the bars: a digit and a character
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert any("贸易" in str(cell.value) for row in book.worksheets[0].iter_rows() for cell in row)


def test_the_pdf_in_english(three_crossings, mlt):
    report = reports.build(None, 2025, None, "en", "Lò Văn Pao", today=AFTER_2025)
    text = pdf_text(report)
    assert "Annual report on border trade" in text
    assert "All gates of the zone" in text
    assert "41,780" in text and "39,540" in text
    assert "Bananas" in text and "China" in text
    assert "Page 1 of" in text


# A year of the whole zone at its busiest: figures of nine to twelve digits.
LARGE = {
    reports.USD: Decimal("1707693779"),
    reports.VND: Decimal("193411530000"),
    reports.COUNT: 1234567,
    reports.PERCENT: Decimal("12345.6"),
    reports.GROWTH_TARGET: Decimal("125.5"),
    reports.MINUTES: Decimal("1234.5"),
    reports.RATE: Decimal("26250.25"),
}


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_every_figure_of_the_pdf_is_whole_on_one_line(three_crossings, mlt, tmp_path, language):
    """The zone's turnover ("273.467.090") was broken in its cell as "273.467.09" / "0": the
    columns of figures had fixed widths, too narrow for nine to twelve digits."""
    pdftotext = shutil.which("pdftotext") or pytest.skip("pdftotext not found (poppler-utils)")
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.FEE_VND, kind=TargetKind.ABSOLUTE, value=10**11
    )
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.TURNOVER_USD, kind=TargetKind.GROWTH, value=5
    )
    report = reports.build(mlt, 2025, None, language, "Lò Văn Pao", today=AFTER_2025)
    assert report.table("targets").rows
    figures = []
    for table in report.tables:
        shown = [i for i in range(len(table.columns)) if i not in table.pdf_skip]
        large_cells = []
        for n, values in enumerate([*table.rows, *([table.total] if table.total else [])]):
            for i in shown:
                value, kind = values[i], table.columns[i][1]
                if isinstance(value, reports.Figure):
                    value, kind = value.value, value.kind
                if kind in LARGE and value is not None and not isinstance(value, str):
                    # Each cell its own figure, so that each is looked for once.
                    large = LARGE[kind] + len(figures) + len(large_cells)
                    if isinstance(values[i], reports.Figure):
                        values[i] = reports.Figure(large, kind)
                    else:
                        values[i] = large
                    large_cells.append((n, i, kind))
        # As the PDF shows them: the dollars that add up (a turnover is its parts' sum).
        rows, total = reports.shown_figures(table, 0)
        body = [*rows, *([total] if total else [])]
        for n, i, kind in large_cells:
            value = body[n][i]
            figures.append((value.value if isinstance(value, reports.Figure) else value, kind))
    assert {kind for _value, kind in figures} == set(LARGE)
    (tmp_path / "report.pdf").write_bytes(reports.to_pdf(report))
    subprocess.run([pdftotext, "report.pdf", "report.txt"], cwd=tmp_path, check=True, timeout=60)
    text = (tmp_path / "report.txt").read_text()
    with translation.override(language):
        broken = [
            reports.written(value, kind)
            for value, kind in figures
            if reports.written(value, kind) not in text
        ]
    assert not broken, broken


def test_a_page_of_the_pdf_seen_as_an_image(three_crossings, mlt, tmp_path):
    require_pdftoppm()
    report = reports.build(mlt, 2025, 4, "vi", "Lò Văn Pao", today=AFTER_2025)
    (tmp_path / "report.pdf").write_bytes(reports.to_pdf(report))
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "60", "-f", "1", "-l", "1", "report.pdf", "page"],
        cwd=tmp_path,
        check=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("RGB")
    width, height = image.size
    assert height / width == pytest.approx(297 / 210, rel=0.01)  # A4 portrait

    # The chart's export bars, in their own colour: where they are is the chart's area.
    target = tuple(round(c * 255) for c in reports.EXPORT_COLOUR)
    pixels = image.load()
    bars = [
        (x, y)
        for y in range(height)
        for x in range(width)
        if all(abs(a - b) <= 12 for a, b in zip(pixels[x, y], target, strict=True))
    ]
    assert len(bars) > 0.001 * width * height, "no bar of the chart on the first page"
    top = min(y for _x, y in bars)
    bottom = max(y for _x, y in bars)
    left, right = width // 10, width - width // 10
    area = image.crop((left, top, right, bottom + 1)).convert("L")
    dark = sum(1 for value in area.tobytes() if value < 200)
    assert dark / (area.width * area.height) > 0.03, "the chart's area is nearly blank"
    # The page as a whole is not blank: text and tables around the chart.
    page = image.convert("L")
    assert sum(1 for value in page.tobytes() if value < 128) > 0.005 * width * height


@pytest.fixture
def board_client(db):
    user = create_user("bqlkkt", PASSWORD, roles.BOARD)
    user.first_name, user.last_name = "An", "Nguyễn Văn"
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_the_form_page_and_its_downloads(three_crossings, mlt, board_client):
    response = board_client.get("/stats/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="scope"' in page and 'value="mlt"' in page
    assert "period=month" in page and "format=xlsx" in page  # the latest months, ready

    response = board_client.get(
        "/stats/reports/?scope=mlt&period=month&year=2025&month=3&format=pdf&lang=vi"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "cuakhau-report-mlt-2025-03-vi.pdf" in response["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "39.540" in text
    assert "An Nguyễn Văn" in text

    response = board_client.get(
        "/stats/reports/?scope=zone&period=year&year=2025&format=xlsx&lang=en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == reports.XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert "Key figures" in book.sheetnames


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("scope=mlt&period=year&year=1900&format=pdf&lang=vi", "year"),
        ("scope=mlt&period=year&year=2999&format=pdf&lang=vi", "year"),
        ("scope=nowhere&period=year&year=2025&format=pdf&lang=vi", "scope"),
        ("scope=mlt&period=month&year=2025&format=pdf&lang=vi", "month"),
        ("scope=mlt&period=month&year=2025&month=13&format=pdf&lang=vi", "month"),
        ("scope=mlt&period=year&year=abc&format=pdf&lang=vi", "year"),
        ("scope=mlt&period=year&year=2025&format=doc&lang=vi", "format"),
        ("scope=mlt&period=year&year=2025&format=pdf&lang=fr", "lang"),
        ("scope=mlt&period=year&year=2025&format=pdf&lang=zh", "lang"),
        ("scope=mlt&period=week&year=2025&format=pdf&lang=vi", "period"),
    ],
)
def test_bad_parameters_come_back_as_the_form_with_the_fields_error(
    mlt, board_client, query, field
):
    response = board_client.get(f"/stats/reports/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert f'class="error" data-field="{field}"' in page
    assert response["Content-Type"].startswith("text/html")


def test_a_month_not_begun_yet_is_refused(mlt, board_client):
    today = stats.local_today()
    later = stats.add_months(stats.month_of(today), 1)
    response = board_client.get(
        f"/stats/reports/?scope=zone&period=month&year={later.year}&month={later.month}"
        "&format=pdf&lang=en"
    )
    assert response.status_code == 400
    # In December the next month is in a year not begun: the year is the field at fault.
    field = "month" if later.year == today.year else "year"
    assert f'data-field="{field}"' in response.content.decode()
    # The running month is allowed: its figures so far.
    response = board_client.get(
        f"/stats/reports/?scope=zone&period=month&year={today.year}&month={today.month}"
        "&format=xlsx&lang=en"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "vi"), ("en", "en"), ("zh-hans", "zh-hans")]
)
def test_the_report_starts_in_the_pages_language(mlt, board_client, language, expected):
    set_language(User.objects.get(username="bqlkkt"), language)
    page = board_client.get("/stats/reports/")
    assert page.status_code == 200
    assert f'<option value="{expected}" selected>' in page.content.decode()
    with translation.override(language):
        assert reports.default_language(translation.get_language()) == expected


def test_the_command_writes_a_report(three_crossings, mlt, tmp_path):
    out = tmp_path / "mlt.xlsx"
    call_command(
        "stats_report",
        "--scope", "mlt", "--year", "2025", "--month", "3", "--format", "xlsx",
        "--lang", "vi", "-o", str(out),
    )  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Báo cáo"
    summary = {row[0]: row[1] for row in book.worksheets[1].iter_rows(min_row=3, values_only=True)}
    assert summary["Kim ngạch xuất nhập khẩu (USD)"] == Decimal("39540")


def test_texts_people_typed_are_never_formulas_in_the_workbook(three_crossings, mlt):
    """An exchange rate's source or a name typed as "=HYPERLINK(…)" was written as a live
    formula; it is a text cell, shown as typed."""
    from cuakhau.stats.models import ExchangeRate

    formula = '=HYPERLINK("http://evil.example","rates")'
    ExchangeRate.objects.update(source=formula)
    report = reports.build(mlt, 2025, None, "en", "=1+2", today=AFTER_2025)
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert "=1+2" in texts
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    # (followed by "(Vietnamese original)" in an English report: still a text from "=")
    assert ExchangeRate.objects.exists()
    assert f"{formula} (Vietnamese original)" in texts


def test_the_products_beyond_the_top_ones_are_one_line_of_the_sheet(
    three_crossings,
    mlt,
    monkeypatch,
):
    monkeypatch.setattr(reports, "TOP_PRODUCTS", 2)
    report = reports.build(mlt, 2025, None, "en", "Lò Văn Pao", today=AFTER_2025)
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    products = sheet_rows(book, "Products")[1:4]  # (the sheet's note follows)
    assert [r[1] for r in products] == ["7208", "0803", "…"]
    assert products[2][0] is None and products[2][2] == "1 other HS heading"
    assert products[2][5] == 4480  # the cassava, the third heading
    assert sum(r[5] for r in products) == 25600 + 11700 + 4480  # the period's whole
    assert reports.to_pdf(report)[:4] == b"%PDF"  # the PDF writes the line too


def test_the_lines_of_products_and_partners_add_up_to_the_key_figures(mlt):
    """Without a total row, each line was rounded on its own: 100.50, 200.50 and 300.50 dollars
    read 101 + 201 + 301 = 603 beside a turnover of 602 in the key figures."""
    from cuakhau.stats.choices import Source
    from cuakhau.stats.models import TradeMonth

    for heading, direction, partner, value in (
        ("4001", "export", "CN", "100.50"),
        ("0902", "import", "TH", "200.50"),
        ("3105", "import", "NZ", "300.50"),
    ):
        TradeMonth.objects.create(
            gate=mlt, month=dt.date(2024, 5, 1), direction=direction, hs_heading=heading,
            partner=partner, currency="USD", value=Decimal(value), net_weight_kg=Decimal(1),
            lines=1, source=Source.IMPORTED,
        )  # fmt: skip
    report = reports.build(mlt, 2024, None, "en", "Lò Văn Pao", today=dt.date(2025, 2, 1))
    summary, _total = reports.shown_figures(report.table("summary"), 0)
    assert summary[2][1].value == 602  # the import-export turnover
    for key, total in (("products", 5), ("partners", 3)):
        rows, _total = reports.shown_figures(report.table(key), 0)
        assert sum(row[total] for row in rows) == 602, key
        for row in rows:
            assert row[total - 2] + row[total - 1] == row[total], key


def _drawn_chart(report):
    """The chart's drawing, drawn once (reportlab works its axis's ticks out as it draws)."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Group

    with translation.override(report.language):
        drawing = reports._chart(report, 170 * 72 / 25.4, "Helvetica")
    renderPDF.drawToString(drawing)
    (chart,) = [c for c in drawing.contents if isinstance(c, VerticalBarChart)]
    # A line of words is a group of strings, one a font (``reports._mixed_string``).
    strings = [
        "".join(piece.text for piece in c.contents)
        for c in drawing.contents
        if isinstance(c, Group)
    ]
    return chart, strings


def test_the_charts_axis_never_repeats_a_figure(three_crossings, mlt):
    """A few dollars' chart had steps of 0.2 written as whole dollars: 0, 0, 0, 1, 1, 1."""
    report = reports.build(mlt, 2025, None, "vi", "Lò Văn Pao", today=AFTER_2025)
    for row in report.chart:
        row.update(export=Decimal(0), last_year=Decimal(0), **{"import": Decimal(0)})
    report.chart[2]["export"] = Decimal(2)
    chart, strings = _drawn_chart(report)
    labels = [chart.valueAxis.labelTextFormat(v) for v in chart.valueAxis._tickValues]
    assert len(labels) > 2 and len(set(labels)) == len(labels), labels
    assert chart.valueAxis.visibleLabels
    assert "Không có số liệu trong kỳ này." not in strings


def test_a_chart_without_a_figure_says_so(mlt):
    report = reports.build(mlt, 2000, None, "vi", "Lò Văn Pao", today=AFTER_2025)
    assert not any(row["export"] or row["import"] or row["last_year"] for row in report.chart)
    chart, strings = _drawn_chart(report)
    assert "Không có số liệu trong kỳ này." in strings
    assert not chart.valueAxis.visibleLabels  # no made-up scale of 0 to 1


@pytest.mark.parametrize(
    "language, shown",
    [("en", "Tỷ giá bình quân năm (Vietnamese original)"), ("vi", "Tỷ giá bình quân năm")],
)
def test_a_rates_source_is_said_to_be_vietnamese_in_an_english_report(
    three_crossings, mlt, language, shown
):
    from cuakhau.stats.models import ExchangeRate

    ExchangeRate.objects.update(source="Tỷ giá bình quân năm")
    report = reports.build(mlt, 2025, None, language, "Lò Văn Pao", today=AFTER_2025)
    sources = {row[4] for row in report.table("rates").rows if row[2] is not None}
    assert sources == {shown}


def test_the_running_year_is_reported_on_its_finished_months(mlt):
    first, last = reports.period_months(2026, None, dt.date(2026, 12, 4))
    assert (first, last) == (dt.date(2026, 1, 1), dt.date(2026, 11, 1))
    # In January nothing has finished yet: the month so far.
    assert reports.period_months(2027, None, dt.date(2027, 1, 20))[1] == dt.date(2027, 1, 1)
    # A year gone is whole; a month asked for is that month.
    assert reports.period_months(2025, None, dt.date(2026, 12, 4))[1] == dt.date(2025, 12, 1)
    assert reports.period_months(2026, 12, dt.date(2026, 12, 4)) == (dt.date(2026, 12, 1),) * 2
    report = reports.build(mlt, 2026, None, "en", "Lò Văn Pao", today=dt.date(2026, 12, 4))
    assert report.last == dt.date(2026, 11, 1)
    assert "December" not in report.period_name and "November" in report.period_name


def test_the_mean_trucks_per_day_is_over_every_day_of_the_period(three_crossings, mlt):
    """An imported month counts its trucks but has no days of its own: the mean is the
    period's trucks over the period's days, not over the days the platform recorded (a year
    of ten imported months read eleven times too many trucks a day)."""
    from cuakhau.stats.choices import Source
    from cuakhau.stats.models import GateMonth

    GateMonth.objects.create(
        gate=mlt, month=dt.date(2025, 1, 1), direction="export", trucks=362, source=Source.IMPORTED
    )
    report = reports.build(mlt, 2025, None, "en", "Lò Văn Pao", today=AFTER_2025)
    rows = {row[0]: row[1] for row in report.table("summary").rows}
    assert rows["Trucks crossed"].value == 365
    assert rows["Trucks per day (mean)"].value == Decimal(1)

    march = reports.build(mlt, 2025, 3, "en", "Lò Văn Pao", today=AFTER_2025)
    rows = {row[0]: row[1] for row in march.table("summary").rows}
    assert rows["Trucks per day (mean)"].value == Decimal(rows["Trucks crossed"].value) / 31


def test_a_month_still_running_is_compared_with_nothing(three_crossings, mlt):
    """The first days of a month against the whole month a year before read as a collapse
    (-87 % on 5 December): the running month's report is named "month to date" and has no
    growth, nor has its row of the year's months; the year's total compares finished months."""
    today = dt.date(2026, 3, 5)
    report = reports.build(mlt, 2026, 3, "en", "Lò Văn Pao", today=today)
    assert report.period_name == "March 2026 (month to date)"
    summary = report.table("summary").rows
    assert all(row[3] is None for row in summary)
    months = report.table("months")
    assert months.rows[-1][0] == dt.date(2026, 3, 1) and months.rows[-1][-1] is None
    # A finished month is compared as before.
    finished = reports.build(mlt, 2025, 3, "en", "Lò Văn Pao", today=today)
    assert finished.period_name == "March 2025"
