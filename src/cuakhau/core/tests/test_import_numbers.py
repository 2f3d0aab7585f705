"""Every import reads a number as a form's box reads it (``core.inputs.plain_number`` through
``core.spreadsheets``): any script's digits, the wide marks of a Chinese input method; never
"1e3", "NaN", "Infinity" or more digits than a database gives back, each refused at its row and
column, in the board's sheets and in the data files the loaders read alike."""

import csv
from decimal import Decimal

import pytest

from cuakhau.core import spreadsheets
from cuakhau.core.spreadsheets import DataFileError, file_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", Decimal(1250000)),
        ("١٢٥٠٠٠٠", Decimal(1250000)),
        ("１，２５０，０００", Decimal(1250000)),
        ("１．２５０．０００", Decimal(1250000)),
        ("1\u00a0250\u00a0000", Decimal(1250000)),
        ("１２５００００．５", Decimal("1250000.5")),
        ("１２５００００，５", Decimal("1250000.5")),
    ],
)
def test_a_sheets_amount_is_read_in_any_scripts_digits(text, expected):
    assert spreadsheets.amount(text, 2, 20) == expected


@pytest.mark.parametrize(
    "text", ["1e3", "１e３", "NaN", "nan", "Infinity", "-Infinity", "9" * 40, "1_000", "0x10"]
)
def test_a_sheets_amount_that_no_form_takes_is_refused(text):
    with pytest.raises(ValueError):
        spreadsheets.amount(text, 2, 20)
    with pytest.raises(ValueError):
        spreadsheets.whole_number(text)


def test_a_sheets_month_in_other_digits_is_refused_as_a_forms_day_is():
    with pytest.raises(spreadsheets.ForeignDigits):
        spreadsheets.parse_month("٢٠٢٤-٠٣")


def test_a_data_files_number_is_read_as_a_forms_or_refused_naming_its_row_and_column():
    assert file_number("١٢", file="f.csv", row=2, column="c", whole=True) == 12
    assert file_number(" 24265.5 ", file="f.csv", row=2, column="c") == Decimal("24265.5")
    assert file_number("", file="f.csv", row=2, column="c") is None
    for text in ("1e3", "NaN", "Infinity", "9" * 20, "1.5"):
        with pytest.raises(DataFileError, match=r"rates\.csv, row 7, column units_per_usd"):
            file_number(text, file="rates.csv", row=7, column="units_per_usd", whole=True)


def test_the_shipped_rates_loader_names_a_bad_cell(tmp_path):
    from cuakhau.stats.loading import read_rates

    path = tmp_path / "exchange-rates.csv"
    path.write_text(
        "currency,month,units_per_usd,source,is_example\n"
        "VND,2024-01,24265,SBV,yes\n"
        "CNY,2024-01,NaN,PBoC,yes\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="exchange-rates.csv, row 3, column units_per_usd"):
        read_rates(path)


def test_the_catalogue_loader_names_a_bad_cell(tmp_path, db):
    from cuakhau.desk import loading

    with (loading.DATA / "procedures.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header, cells = reader.fieldnames, next(reader)
    cells["fee_vnd"] = "1e3"
    path = tmp_path / "procedures.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerow(cells)
    with pytest.raises(DataFileError, match="procedures.csv, row 2, column fee_vnd"):
        loading.load_procedures(path)


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("vi", "１．２３４，５", "1234.5"),
        ("vi", "١٬٢٣٤", None),
        ("vi", "１，２３４", "1.234"),
        ("en", "１，２３４．５", "1234.5"),
        ("zh-hans", "１，２３４．５", "1234.5"),
        ("zh-hans", "１，２３４", "1234"),
        ("zh-hans", "１２\u3000３４５", "12345"),
        ("zh-hans", "－１，２３４", "-1234"),
        ("zh-hans", "１．２３４，５", None),
        ("zh-hans", "１e３", None),
    ],
)
def test_a_form_reads_a_chinese_input_methods_wide_marks_as_the_narrow_ones(language, typed, read):
    """A Chinese input method in its wide mode types "１，２３４．５"; every number box of the
    trip form and the console read it as 1,234.5, where the wide comma was "Enter a number"."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from cuakhau.core.inputs import read_local_number

    with translation.override(language):
        if read is None:
            with pytest.raises(ValidationError):
                read_local_number(typed)
        else:
            assert read_local_number(typed) == read
