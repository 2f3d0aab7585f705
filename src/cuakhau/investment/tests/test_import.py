"""A spreadsheet is imported whole or not at all; errors name their row and column."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook

from cuakhau.investment import imports
from cuakhau.investment.models import InvestmentProject, ProjectTransition

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã dự án",
    "Tên dự án",
    "Nhà đầu tư",
    "Quốc gia nhà đầu tư",
    "Lĩnh vực",
    "Vốn đăng ký (đồng)",
    "Vốn đã giải ngân (đồng)",
    "Tỷ giá (đồng/USD)",
    "Ngày tỷ giá",
    "Diện tích (ha)",
    "Địa điểm",
    "Ngày cấp GCN",
    "Tình trạng",
]
GOOD = [
    "MLT-101",
    "Kho lạnh nông sản cửa khẩu",
    "Công ty TNHH Logistics Biên giới Lai Châu",
    "VN",
    "Logistics và kho bãi",
    "45.000.000.000",
    "12000000000",
    "",
    "",
    "3,5",
    "xã Ma Ly Pho, huyện Phong Thổ",
    "15/03/2024",
    "Đang xây dựng",
]
FOREIGN = [
    "MLT-102",
    "Nhà máy chế biến chuối xuất khẩu",
    "云南红河农业开发有限公司",
    "CN",
    "processing",
    "72800000000",
    "0",
    "24265",
    "2024-06-03",
    "6.2",
    "xã Huổi Luông, huyện Phong Thổ",
    "2024-06-03",
    "",
]


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


def test_a_good_file_is_imported_whole(board):
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, GOOD, FOREIGN]))
    assert imports.check(sheet).ok
    imports.import_projects(board, sheet)
    one = InvestmentProject.objects.get(code="MLT-101")
    assert one.registered_capital_vnd == Decimal("45000000000")
    assert one.area_ha == Decimal("3.50")
    assert one.status == "under_construction"
    two = InvestmentProject.objects.get(code="MLT-102")
    assert (two.sector, two.status, two.usd_rate) == ("processing", "registered", Decimal("24265"))
    assert ProjectTransition.objects.filter(action="import", actor=board).count() == 2


def test_a_bad_file_lists_each_error_by_row_and_column_and_imports_nothing(board):
    bad_capital = [*GOOD[:5], "bốn mươi tỷ", *GOOD[6:]]
    bad_row = list(FOREIGN)
    bad_row[3] = "XX"  # no such country
    bad_row[6] = "99000000000"  # more disbursed than registered
    bad_row[8] = ""  # a rate without its date
    duplicate = list(GOOD)  # same code as row 2
    rows = [HEADER, GOOD, bad_capital, bad_row, duplicate]
    for name, data in (("du-an.csv", csv_bytes(rows)), ("du-an.xlsx", xlsx_bytes(rows))):
        sheet = imports.read_spreadsheet(name, data)
        found = [(e.row, e.column) for e in imports.check(sheet).errors]
        assert found == [(3, "A"), (3, "F"), (4, "D"), (4, "G"), (4, "I"), (5, "A")], name
        with pytest.raises(imports.ImportRejected):
            imports.import_projects(board, sheet)
        assert not InvestmentProject.objects.exists()
        assert not ProjectTransition.objects.exists()


def test_an_unreadable_file_is_refused_before_any_row():
    with pytest.raises(imports.ImportRefused):
        imports.read_spreadsheet("du-an.pdf", b"%PDF-1.4")
    with pytest.raises(imports.ImportRefused):
        imports.read_spreadsheet("du-an.xlsx", b"not a workbook")
    with pytest.raises(imports.ImportRefused, match="Registered capital"):
        imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER[:5], GOOD[:5]]))


def test_the_page_previews_saves_nothing_then_imports_on_confirmation(board):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(xlsx_bytes([HEADER, GOOD, FOREIGN]))
    upload.name = "du-an.xlsx"
    preview = client.post("/investment/import/", {"file": upload})
    assert preview.status_code == 200
    assert b"MLT-102" in preview.content
    assert not InvestmentProject.objects.exists()
    token = preview.context["preview"].token
    done = client.post("/investment/import/confirm/", {"token": token})
    assert done.status_code == 302
    assert InvestmentProject.objects.count() == 2
    # The same preview cannot be confirmed twice.
    again = client.post("/investment/import/confirm/", {"token": token})
    assert again.status_code == 302
    assert InvestmentProject.objects.count() == 2


def test_the_page_shows_the_errors_and_offers_no_confirmation(board):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(csv_bytes([HEADER, GOOD, [*GOOD[:5], "-5", *GOOD[6:]]]))
    upload.name = "du-an.csv"
    response = client.post("/investment/import/", {"file": upload})
    assert response.status_code == 422
    text = response.content.decode()
    assert 'data-row="3" data-column="A"' in text  # the same code twice
    assert 'data-row="3" data-column="F"' in text
    assert "import_confirm" not in text and "/investment/import/confirm/" not in text
    assert not InvestmentProject.objects.exists()


def test_a_file_with_only_its_header_is_told_so_at_the_preview(board):
    client = Client()
    client.force_login(board)
    upload = io.BytesIO(csv_bytes([HEADER]))
    upload.name = "du-an.csv"
    response = client.post("/investment/import/", {"file": upload})
    assert response.status_code == 422
    assert "The file has no rows." in response.content.decode()


@pytest.mark.parametrize("text", ["a\x00b", "x\x1b[31m", "r\rr", "\u202eevil", "z\uffff"])
def test_a_cell_with_a_control_character_is_an_error_not_a_row(board, text):
    """A NUL failed the import on PostgreSQL; an escape sequence or an override was stored."""
    row = list(GOOD)
    row[1] = f"Kho lạnh {text}"
    checked = imports.check(imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row])))
    assert [(e.row, e.column) for e in checked.errors] == [(2, "B")]
    assert "control character" in checked.errors[0].message
    with pytest.raises(imports.ImportRejected):
        imports.import_projects(
            board, imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row]))
        )
    assert not InvestmentProject.objects.exists()


def test_a_figure_is_refused_rather_than_rounded_and_a_day_before_1900_is_no_date(board):
    """An area of 0.0000000001 ha was stored as 0.00; a date cell holding -5 as 1899-12-25."""
    import datetime as dt

    tiny, old = list(GOOD), list(FOREIGN)
    tiny[9] = "0.0000000001"
    old[11] = dt.datetime(1899, 12, 25)
    sheet = imports.read_spreadsheet("du-an.xlsx", xlsx_bytes([HEADER, tiny, old]))
    errors = [(e.row, e.column) for e in imports.check(sheet).errors]
    assert errors == [(2, "J"), (3, "L")]


def test_a_code_with_a_slash_is_refused_it_could_not_be_linked(board):
    # "GCN/2024" was imported, then the list page (which links /investment/<code>/) failed.
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, ["GCN/2024", *GOOD[1:]]]))
    assert [(e.row, e.column) for e in imports.check(sheet).errors] == [(2, "A")]
    with pytest.raises(imports.ImportRejected):
        imports.import_projects(board, sheet)
    client = Client()
    client.force_login(board)
    assert client.get("/investment/").status_code == 200


def test_the_model_refuses_a_code_its_address_cannot_hold():
    from django.core.exceptions import ValidationError

    project = InvestmentProject(code="GCN/2024")
    with pytest.raises(ValidationError) as refused:
        project.full_clean()
    assert "code" in refused.value.message_dict


def test_a_no_break_space_groups_thousands_as_a_space_does(board):
    row = [*GOOD[:5], "45\u00a0000\u00a0000\u00a0000", "12\u202f000\u202f000\u202f000", *GOOD[7:]]
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row]))
    result = imports.check(sheet)
    assert result.ok, result.errors
    assert result.rows[0]["disbursed_capital_vnd"] == Decimal("12000000000")


def test_a_certificate_number_in_another_scripts_digits_is_kept_in_ascii(board):
    sheet = imports.read_spreadsheet(
        "du-an.csv",
        csv_bytes([[*HEADER, "Số GCN đăng ký đầu tư"], [*GOOD, "２１２٣٤٥٦٧٨٩"]]),
    )
    result = imports.check(sheet)
    assert result.ok, result.errors
    assert result.rows[0]["certificate_number"] == "2123456789"


def test_areas_and_rates_are_read_as_the_sheets_amounts_are(board):
    """'1.000,00' ha was stored as 1.00 ha (the comma dropped, the point read as decimals)
    and a rate of '25.400' đồng refused, where the capital's '45.000.000.000' was grouped."""
    from cuakhau.core import spreadsheets

    row = list(FOREIGN)
    row[7], row[9] = "25.400", "1.000,00"
    other = [*GOOD[:9], "2.500,5", *GOOD[10:]]
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row, other]))
    result = imports.check(sheet)
    assert result.ok, result.errors
    assert result.rows[0]["usd_rate"] == Decimal("25400")
    assert [r["area_ha"] for r in result.rows] == [Decimal("1000.00"), Decimal("2500.5")]
    # Two separators that group nothing are refused, never read.
    for text in ("1.2,3", "1,000,00", "1.000.00,5.5"):
        with pytest.raises(ValueError):
            spreadsheets.decimal_number(text, 2, 10)
    assert spreadsheets.decimal_number("1,234.5", 2, 10) == Decimal("1234.5")


@pytest.mark.parametrize(("column", "index"), [("I", 8), ("L", 11)])
@pytest.mark.parametrize("day", ["1900-01-01", "31/12/1999"])
def test_a_day_no_form_would_take_is_refused_beside_its_cell(board, column, index, day):
    # A date cell holding 1 is 1900-01-01: a certificate, or a rate, of that day was imported
    # (and the dollars of the register computed at it). One error, the day's: not also "say
    # on which date the rate was taken".
    row = list(FOREIGN)
    row[index] = day
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row]))
    [error] = imports.check(sheet).errors
    assert (error.row, error.column) == (2, column)
    assert "2000" in error.message
    with pytest.raises(imports.ImportRejected):
        imports.import_projects(board, sheet)
    assert not InvestmentProject.objects.exists()


@pytest.mark.parametrize(
    ("registered", "disbursed"),
    [
        ("٤٥٠٠٠٠٠٠٠٠٠", "١٢٠٠٠٠٠٠٠٠٠"),  # Arabic-Indic
        ("٤٥.٠٠٠.٠٠٠.٠٠٠", "۱۲۰۰۰۰۰۰۰۰۰"),  # grouped; Persian
        ("４５.０００.０００.０００", "१२०००००००००"),  # full-width; Devanagari
    ],
)
def test_capital_in_another_scripts_digits_is_read_as_the_forms_read_it(
    board, registered, disbursed
):
    """The aid form reads "٤٥.٠٠٠.٠٠٠.٠٠٠" đồng as 45 billion (``core.inputs``: digits of any
    script are digits); the import refused the same capital as "not an amount in đồng"."""
    from django.utils import translation

    from cuakhau.core.inputs import read_local_number

    row = [*GOOD[:5], registered, disbursed, "٢٤٢٦٥", "2024-06-03", "٣,٥", *GOOD[10:]]
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row]))
    result = imports.check(sheet)
    assert result.ok, result.errors
    (clean,) = result.rows
    with translation.override("vi"):
        assert clean["registered_capital_vnd"] == Decimal(read_local_number(registered))
    assert clean["registered_capital_vnd"] == Decimal("45000000000")
    assert clean["disbursed_capital_vnd"] == Decimal("12000000000")
    assert (clean["usd_rate"], clean["area_ha"]) == (Decimal("24265"), Decimal("3.5"))
    imports.import_projects(board, sheet)
    project = InvestmentProject.objects.get(code="MLT-101")
    assert project.registered_capital_vnd == Decimal("45000000000")


@pytest.mark.parametrize(("column", "index", "text"), [("H", 7, "2.4e4"), ("J", 9, "1e3")])
def test_a_number_in_scientific_notation_is_refused_as_the_forms_refuse_it(
    board, column, index, text
):
    row = list(FOREIGN)
    row[index] = text
    sheet = imports.read_spreadsheet("du-an.csv", csv_bytes([HEADER, row]))
    [error] = imports.check(sheet).errors
    assert (error.row, error.column) == (2, column)
    assert text in error.message
