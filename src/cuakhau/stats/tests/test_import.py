"""Historical figures are imported whole or not at all; errors name their row and column; the
dashboard's services read what was imported; a batch is undone whole."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.stats import imports
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, Source
from cuakhau.stats.loading import load_rates, read_rates
from cuakhau.stats.models import ExchangeRate, GateMonth, ImportBatch, TradeMonth

pytestmark = pytest.mark.django_db

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
    "Nộp ngân sách (đồng)",
]
# Ma Lù Thàng in March and April 2024: rubber and tea out, fertiliser and apples in.
GOOD = [
    ["2024-03", "Ma Lù Thàng", "Xuất khẩu", "4001", "", "1.250.000", "800", "40", "24000000", ""],
    ["03/2024", "mlt", "Xuất khẩu", "0902", "CN", "310000,50", "120,5", "10", "6000000", ""],
    ["2024-03", "Ma Lù Thàng", "Nhập khẩu", "3105", "CN", "900000", "2600", "95", "57000000",
     "1500000000"],
    ["2024-03-15", "Ma Lu Thang", "Nhập khẩu", "0808", "NZ", "45000", "30", "2", "", ""],
    ["2024-04", "Ma Lù Thàng", "export", "40", "CN", "1000000", "", "", "", ""],
    ["2024-04", "MLT", "Tạm nhập tái xuất", "", "TH", "20000", "", "1", "600000", ""],
]  # fmt: skip


@pytest.fixture
def board(db):
    return create_user("bql_thongke", PASSWORD, roles.BOARD)


def csv_bytes(rows):
    lines = [",".join(f'"{c}"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(rows, name="lich-su.csv"):
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return imports.read_spreadsheet(name, data)


def test_a_good_file_lands_and_the_dashboard_reads_it(board, mlt):
    sheet = read([HEADER, *GOOD])
    assert imports.check(sheet).ok
    batch = imports.import_history(board, sheet)
    assert (batch.rows, batch.imported_by, batch.file_name) == (6, board, "lich-su.csv")
    assert TradeMonth.objects.filter(batch=batch, source=Source.IMPORTED).count() == 6
    march = dt.date(2024, 3, 1)
    # Turnover by hand: March exports 1,250,000 + 310,000.50; imports 900,000 + 45,000.
    table = {row["month"]: row for row in stats.turnover_by_month(mlt, 2024)}
    assert table[march]["export"] == Decimal("1560000.50")
    assert table[march]["import"] == Decimal("945000")
    assert table[march]["turnover"] == Decimal("2505000.50")
    assert table[dt.date(2024, 4, 1)]["export"] == Decimal("1000000")
    assert table[dt.date(2024, 4, 1)]["other"] == Decimal("20000")
    # Products and partners: an empty partner is China; "40" is a chapter.
    top = stats.top_products(mlt, march, dt.date(2024, 4, 1))
    assert [(p["code"], p["total"]) for p in top[:2]] == [
        ("4001", Decimal("1250000")),
        ("40", Decimal("1000000")),
    ]
    partners = {p["country"]: p["total"] for p in stats.by_partner(mlt, march, march)}
    assert partners == {"CN": Decimal("2460000.50"), "NZ": Decimal("45000")}
    # Trucks and fees by gate-month-direction; the budget is the fees unless the sheet says.
    figures = {
        (m.month, m.direction): (m.trucks, m.fee_vnd, m.budget_vnd)
        for m in GateMonth.objects.filter(batch=batch)
    }
    assert figures == {
        (march, "export"): (50, 30_000_000, 30_000_000),
        (march, "import"): (97, 57_000_000, 1_500_000_000),
        (dt.date(2024, 4, 1), "tntx"): (1, 600_000, 600_000),
    }
    assert stats.monthly_measure(mlt, 2024, Measure.TRUCKS)[2] == 147
    net = TradeMonth.objects.get(batch=batch, hs_heading="0902").net_weight_kg
    assert net == Decimal("120500.000")


def test_a_workbook_is_read_like_a_csv(board, mlt):
    rows = [HEADER, *GOOD]
    rows[1] = [dt.date(2024, 3, 1), *GOOD[0][1:3], 4001, "", 1250000, 800, 40, 24000000, None]
    sheet = read(rows, "lich-su.xlsx")
    assert imports.check(sheet).ok
    imports.import_history(board, sheet)
    assert TradeMonth.objects.get(hs_heading="4001").value == Decimal("1250000")


def test_a_bad_file_lists_each_error_by_row_and_column_and_imports_nothing(board, mlt):
    next_month = stats.add_months(stats.month_of(stats.local_today()), 1)
    bad = [
        ["2024-13", "Ma Lù Thàng", "Xuất khẩu", "4001", "", "100", "", "", "", ""],  # 2: month
        ["2024-03", "Cửa khẩu X", "Xuất khẩu", "4001", "", "100", "", "", "", ""],  # 3: gate
        [f"{next_month:%Y-%m}", "mlt", "Xuất khẩu", "4001", "", "100", "", "", "", ""],  # 4
        ["2024-03", "mlt", "Hồi hương", "4001", "", "-5", "", "", "", ""],  # 5: B? C, F
        ["2024-03", "mlt", "Nhập khẩu", "77", "XX", "2000000000000", "", "", "", ""],  # 6
        ["2024-03", "mlt", "Nhập khẩu", "3105", "", "NaN", "", "12\x9b", "", ""],  # 7: F, H
        ["2024-03", "mlt", "Xuất khẩu", "0902", "", "", "", "", "", ""],  # 8: F required
        GOOD[0],  # 9
        GOOD[0],  # 10: the same gate, month, direction, product and partner as row 9
    ]
    rows = [HEADER, *bad]
    for name in ("lich-su.csv", "lich-su.xlsx"):
        sheet = read(rows, name)
        errors = imports.check(sheet).errors
        found = [(e.row, e.column) for e in errors]
        assert found == [
            (2, "A"),
            (3, "B"),
            (4, "A"),
            (5, "C"),
            (5, "F"),
            (6, "D"),
            (6, "E"),
            (6, "F"),
            (7, "F"),
            (7, "H"),
            (8, "F"),
            (10, ""),
        ], name
        messages = {(e.row, e.column): e.message for e in errors}
        assert "still to come" in messages[(4, "A")]
        assert "negative" in messages[(5, "F")]
        assert "typing error" in messages[(6, "F")]
        assert "NaN" in messages[(7, "F")]
        assert "U+009B" in messages[(7, "H")]
        assert "row 9" in messages[(10, "")]
        with pytest.raises(imports.ImportRejected):
            imports.import_history(board, sheet)
        assert not ImportBatch.objects.exists()
        assert not TradeMonth.objects.exists() and not GateMonth.objects.exists()


def test_a_month_the_platform_recorded_is_refused(board, mlt):
    GateMonth.objects.create(
        gate=mlt, month=dt.date(2024, 4, 1), direction="import", trucks=3, source=Source.PLATFORM
    )
    errors = imports.check(read([HEADER, *GOOD])).errors
    # Every row of April (any direction): the platform's months are its own.
    assert [(e.row, e.column) for e in errors] == [(6, "A"), (7, "A")]
    assert "platform has its own figures" in errors[0].message
    with pytest.raises(imports.ImportRejected):
        imports.import_history(board, read([HEADER, *GOOD]))
    assert not TradeMonth.objects.filter(source=Source.IMPORTED).exists()


def test_the_month_still_running_is_refused_its_trucks_are_still_leaving(board, mlt):
    """A running month with no exit yet at the gate passed the check: the platform then counted
    each truck that left into the month the import had filled, every figure there twice."""
    this_month = stats.month_of(stats.local_today(mlt))
    last_month = stats.add_months(this_month, -1)
    row = ["", "mlt", "Xuất khẩu", "4001", "", "1000", "", "4", "2000000", ""]
    sheet = read([HEADER, [f"{this_month:%Y-%m}", *row[1:]], [f"{last_month:%Y-%m}", *row[1:]]])
    errors = imports.check(sheet).errors
    assert [(e.row, e.column) for e in errors] == [(2, "A")]
    assert "not over" in errors[0].message
    with pytest.raises(imports.ImportRejected):
        imports.import_history(board, sheet)
    assert not GateMonth.objects.filter(month=this_month).exists()
    # A month that is over, where the platform recorded nothing, is the board's to import.
    imports.import_history(board, read([HEADER, [f"{last_month:%Y-%m}", *row[1:]]]))
    assert GateMonth.objects.get(gate=mlt, month=last_month).trucks == 4


def test_a_month_imported_by_another_batch_is_named_and_undone(board, mlt):
    first = imports.import_history(board, read([HEADER, *GOOD[:2]], "thang-3.csv"))
    again = read([HEADER, GOOD[0], GOOD[2]], "thang-3-sua.csv")
    errors = imports.check(again).errors
    # March's exports are the first batch's; March's imports are still free.
    assert [(e.row, e.column) for e in errors] == [(2, "A")]
    assert f"import no. {first.pk}" in errors[0].message
    assert "thang-3.csv" in errors[0].message and "undo" in errors[0].message
    assert imports.undo_import(board, first) == 2
    assert not TradeMonth.objects.exists()
    imports.import_history(board, again)
    assert TradeMonth.objects.filter(source=Source.IMPORTED).count() == 2


def test_only_the_board_imports_and_undoes(board, mlt):
    auditor = create_user("kiemtoan_tk", PASSWORD, roles.AUDITOR)
    with pytest.raises(PermissionDenied):
        imports.import_history(auditor, read([HEADER, *GOOD]))
    batch = imports.import_history(board, read([HEADER, *GOOD]))
    with pytest.raises(PermissionDenied):
        imports.undo_import(auditor, batch)
    assert ImportBatch.objects.count() == 1


def test_the_page_previews_saves_nothing_then_imports_on_confirmation(board, mlt):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(xlsx_bytes([HEADER, *GOOD]))
    upload.name = "lich-su.xlsx"
    preview = client.post("/stats/import/", {"file": upload})
    assert preview.status_code == 200
    assert 'id="import-preview"' in preview.content.decode()
    assert not TradeMonth.objects.exists()
    token = preview.context["preview"].token
    done = client.post("/stats/import/confirm/", {"token": token})
    assert done.status_code == 302
    assert TradeMonth.objects.count() == 6
    # The same preview cannot be confirmed twice.
    client.post("/stats/import/confirm/", {"token": token})
    assert ImportBatch.objects.count() == 1
    # The list shows the batch; its undo deletes every row it brought.
    batch = ImportBatch.objects.get()
    listed = client.get("/stats/import/").content.decode()
    assert f'data-batch="{batch.pk}"' in listed
    assert client.post(f"/stats/import/{batch.pk}/undo/").status_code == 302
    assert not ImportBatch.objects.exists() and not TradeMonth.objects.exists()


def test_the_confirmation_checks_again(board, mlt):
    """Another import took the month between the preview and the confirmation."""
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(csv_bytes([HEADER, *GOOD]))
    upload.name = "lich-su.csv"
    token = client.post("/stats/import/", {"file": upload}).context["preview"].token
    imports.import_history(board, read([HEADER, GOOD[0]], "khac.csv"))
    response = client.post("/stats/import/confirm/", {"token": token})
    assert response.status_code == 422
    assert 'data-row="2" data-column="A"' in response.content.decode()
    assert ImportBatch.objects.count() == 1
    assert TradeMonth.objects.count() == 1


def test_the_page_shows_the_errors_and_offers_no_confirmation(board, mlt):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(csv_bytes([HEADER, GOOD[0], ["2024-03", "mlt", "XK", "", "", "-1"]]))
    upload.name = "lich-su.csv"
    response = client.post("/stats/import/", {"file": upload})
    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-row="3" data-column="F"' in text
    assert "/stats/import/confirm/" not in text
    assert not TradeMonth.objects.exists()


def test_an_unreadable_file_is_refused_before_any_row(board):
    with pytest.raises(imports.ImportRefused):
        imports.read_spreadsheet("lich-su.pdf", b"%PDF-1.4")
    with pytest.raises(imports.ImportRefused, match="Value"):
        imports.read_spreadsheet("lich-su.csv", csv_bytes([HEADER[:5], GOOD[0][:5]]))


def test_the_example_file_imports_cleanly(board, mlt):
    sheet = imports.read_spreadsheet(imports.EXAMPLE_FILE.name, imports.EXAMPLE_FILE.read_bytes())
    result = imports.check(sheet)
    assert result.ok, result.errors[:3]
    imports.import_history(board, sheet, is_example=True)
    year = stats.turnover_by_month(mlt, 2020)
    assert all(row["export"] > 0 and row["import"] > 0 for row in year)
    response = Client()
    response.force_login(board)
    download = response.get("/stats/import/example.csv")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == imports.EXAMPLE_FILE.read_bytes()


# --- the exchange rates --------------------------------------------------------------------


def test_the_shipped_rates_load_once_and_keep_the_boards_own():
    shipped = read_rates()
    months = {(r["currency"], r["month"]) for r in shipped}
    assert ("VND", dt.date(2020, 1, 1)) in months and ("CNY", dt.date(2026, 11, 1)) in months
    assert all(r["is_example"] for r in shipped)
    ExchangeRate.objects.all().delete()
    first = load_rates()
    assert first == {"created": len(shipped), "updated": 0, "kept": 0}
    # The board corrects one month; an example month drifted from the file.
    board_rate = ExchangeRate.objects.get(currency="VND", month=dt.date(2024, 6, 1))
    board_rate.units_per_usd, board_rate.is_example = Decimal("25450"), False
    board_rate.save()
    ExchangeRate.objects.filter(currency="CNY", month=dt.date(2024, 6, 1)).update(
        units_per_usd=Decimal("1")
    )
    again = load_rates()
    assert again == {"created": 0, "updated": 1, "kept": 1}
    assert ExchangeRate.objects.get(pk=board_rate.pk).units_per_usd == Decimal("25450")
    cny = ExchangeRate.objects.get(currency="CNY", month=dt.date(2024, 6, 1))
    assert cny.units_per_usd == Decimal("7.19")
    # The dashboard converts with them: 7,190 yuan in June 2024 is 1,000 dollars.
    rates = stats.Rates.load()
    assert rates.usd(Decimal(7190), "CNY", dt.date(2024, 6, 1)) == Decimal(1000)


def test_the_rebuild_command_recounts(mlt):
    GateMonth.objects.create(
        gate=mlt, month=dt.date(2024, 4, 1), direction="import", trucks=3, source=Source.PLATFORM
    )
    out = io.StringIO()
    call_command("stats_rebuild", stdout=out)
    # No trip crossed: the stale platform row is gone, and the command said what it did.
    assert not GateMonth.objects.exists()
    assert "Statistics recounted: 0 gate-months" in out.getvalue()


def test_a_workbook_naming_its_last_cell_is_refused_without_reading_a_million_rows():
    """5 KB naming the cell XFD1048576 made the reader build a million empty rows (6 GB)."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(GOOD[0])
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 20_000
    with pytest.raises(imports.ImportRefused, match="At most"):
        imports.read_spreadsheet("bom.xlsx", out.getvalue())


@pytest.mark.parametrize("cell", ['"' + "x" * 200_000, '"' + "x" * 140_000 + '"'])
def test_a_csv_cell_past_the_readers_limit_is_a_refused_file(cell):
    data = (",".join(HEADER) + "\n" + cell + "\n").encode()
    with pytest.raises(imports.ImportRefused, match="line"):
        imports.read_spreadsheet("dai.csv", data)


def test_the_trucks_of_a_gate_month_add_up_within_the_limit(board, mlt):
    """Each row took a million trucks; 2,400 of them summed past PostgreSQL's integer."""
    rows = [
        ["2011-03", "mlt", "Xuất khẩu", f"{chapter:02d}", "CN", "1000", "", "1000000", "", ""]
        for chapter in (1, 2, 3)
    ]
    checked = imports.check(read([HEADER, *rows]))
    assert [(e.row, e.column) for e in checked.errors] == [(3, "H")]
    assert "1,000,000" in checked.errors[0].message
    with pytest.raises(imports.ImportRejected):
        imports.import_history(board, read([HEADER, *rows]))
    assert not GateMonth.objects.filter(source=Source.IMPORTED).exists()


def test_a_no_break_space_groups_thousands_as_a_space_does(board, mlt):
    # Excel and LibreOffice group thousands with a no-break space in Vietnamese and French.
    row = ["2024-03", "mlt", "Xuất khẩu", "4001", "CN", "1\u00a0250\u00a0000,5", "1\u202f200", "40",
           "24\u00a0000\u00a0000", ""]  # fmt: skip
    result = imports.check(read([HEADER, row]))
    assert result.ok, result.errors
    clean = result.rows[0]
    assert (clean["value_usd"], clean["net_weight_t"], clean["fee_vnd"]) == (
        Decimal("1250000.50"), Decimal("1200"), Decimal("24000000")
    )  # fmt: skip


@pytest.mark.parametrize(("column", "index", "text"), [("F", 5, "1e3"), ("G", 6, "1.5E2")])
def test_a_figure_in_scientific_notation_is_refused_as_the_forms_refuse_it(
    board, mlt, column, index, text
):
    """A form's box refuses "1e3" (``core.inputs.plain_number``); the import read it as
    1,000 dollars. Now it is an error of its row and column, and nothing is imported."""
    row = list(GOOD[0])
    row[index] = text
    for name in ("lich-su.csv", "lich-su.xlsx"):
        sheet = read([HEADER, row], name)
        [error] = imports.check(sheet).errors
        assert (error.row, error.column) == (2, column)
        assert text in error.message
        with pytest.raises(imports.ImportRejected):
            imports.import_history(board, sheet)
    assert not TradeMonth.objects.exists()


@pytest.mark.parametrize(
    ("value", "weight", "fee"),
    [
        ("١٢٥٠٠٠٠", "٨٠٠", "٢٤٠٠٠٠٠٠"),  # Arabic-Indic
        ("１，２５０，０００", "８００", "２４．０００．０００"),  # full-width, a Chinese IME's
        ("１２５００００．００", "８００，０", "２４ ０００ ０００"),
        ("۱٬۲۵۰٬۰۰۰".replace("٬", "."), "८००", "24\u00a0000\u00a0000"),  # Persian; Devanagari
    ],
)
def test_figures_in_another_scripts_digits_are_read_as_the_forms_read_them(
    board, mlt, value, weight, fee
):
    """Every form and the investment import read "١٢٣" as 123 (``core.inputs``); the trade
    import refused it, "write them as 0–9"."""
    row = ["2024-03", "Ma Lù Thàng", "Xuất khẩu", "4001", "", value, weight, "٤٠", fee, ""]
    for name in ("lich-su.csv", "lich-su.xlsx"):
        result = imports.check(read([HEADER, row], name))
        assert result.ok, result.errors
        [clean] = result.rows
        assert (clean["value_usd"], clean["net_weight_t"]) == (Decimal(1250000), Decimal(800))
        assert (clean["trucks"], clean["fee_vnd"]) == (40, 24_000_000)
    imports.import_history(board, read([HEADER, row]))
    assert TradeMonth.objects.get(hs_heading="4001").value == Decimal("1250000")


@pytest.mark.parametrize(
    ("index", "column", "text"),
    [
        (5, "F", "Infinity"),
        (5, "F", "-Infinity"),
        (6, "G", "nan"),
        (7, "H", "1e3"),
        (8, "I", "9" * 40),
        (5, "F", "９" * 30),
        (9, "J", "１e５"),
        (8, "I", "－５"),
    ],
)
def test_a_figure_no_form_takes_is_refused_at_its_row_and_column(board, mlt, index, column, text):
    row = list(GOOD[0])
    row[index] = text
    for name in ("lich-su.csv", "lich-su.xlsx"):
        sheet = read([HEADER, row], name)
        [error] = imports.check(sheet).errors
        assert (error.row, error.column) == (2, column), error
        with pytest.raises(imports.ImportRejected):
            imports.import_history(board, sheet)
    assert not TradeMonth.objects.exists()


def test_a_month_in_another_scripts_digits_is_refused_as_a_forms_day_is(board, mlt):
    row = ["٢٠٢٤-٠٣", *GOOD[0][1:]]
    [error] = imports.check(read([HEADER, row])).errors
    assert (error.row, error.column) == (2, "A") and "0–9" in error.message


def test_the_page_reads_a_sheet_in_other_digits_and_refuses_nan_beside_its_cell(board, mlt):
    client = Client()
    assert client.login(username=board.username, password=PASSWORD)
    good = ["2024-03", "mlt", "Xuất khẩu", "4001", "", "١٢٥٠٠٠٠", "", "", "", ""]
    bad = ["2024-03", "mlt", "Nhập khẩu", "4001", "", "Infinity", "", "", "", ""]
    response = client.post("/stats/import/", {"file": _upload([HEADER, good, bad])})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-row="3" data-column="F"' in html and 'data-row="2"' not in html
    assert "Infinity" in html
    response = client.post("/stats/import/", {"file": _upload([HEADER, good])})
    assert response.status_code == 200
    assert 'id="import-preview"' in response.content.decode()


def _upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("lich-su.csv", csv_bytes(rows), content_type="text/csv")


def _with_results(data: bytes, results: dict[str, str]) -> bytes:
    """The workbook ``data`` as a spreadsheet program saves it: each formula's cell with its
    result beside it (openpyxl writes the formula alone)."""
    import re
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                for cell, result in results.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)<f>(.*?)</f>(<v\s*/>|<v></v>)?',
                        rf"\1<f>\2</f><v>{result}</v>",
                        text,
                    )
                body = text.encode()
            target.writestr(item, body)
    return out.getvalue()


def test_a_formula_without_its_result_is_named_not_read_as_an_empty_cell(board, mlt):
    # A workbook written by a script holds "=B2*1000" and no result: its weight was imported
    # as none (an optional column), its value refused as missing.
    row = ["2024-03", "MLT", "Xuất khẩu", "4001", "CN", "1250000", "=200*4", "40", "", ""]
    data = xlsx_bytes([HEADER, row])
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_spreadsheet("lich-su.xlsx", data)
    assert "G2" in str(refused.value) and "formula" in str(refused.value)
    # Saved by a spreadsheet program, the formula's result is read as any figure.
    sheet = imports.read_spreadsheet("lich-su.xlsx", _with_results(data, {"G2": "800"}))
    preview = imports.check(sheet)
    assert preview.ok, preview.errors
    assert preview.rows[0]["net_weight_t"] == Decimal(800)


def test_the_page_says_which_cell_holds_a_formula_without_its_result(board, mlt):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(xlsx_bytes([HEADER, ["2024-03", "MLT", "XK", "", "", "=1+2"]]))
    upload.name = "lich-su.xlsx"
    response = client.post("/stats/import/", {"file": upload})
    assert response.status_code == 422
    assert "F2" in response.context["form"].errors["file"][0]
    assert not TradeMonth.objects.filter(source=Source.IMPORTED, month=dt.date(2024, 3, 1))
