"""Reading the board's spreadsheets (CSV or XLSX) for an import: every cell as text, every error
by row and column, the preview kept in the session until it is confirmed.

An import has three steps, the same in every app (the investment register, historical trade
figures): ``Layout.read`` turns the file into a ``Sheet`` (text cells by column key, dates as
ISO, numbers as written, so a CSV and a workbook are checked by the same rules and the rows can
wait in the session while the preview is shown); the app's ``check`` lists every ``CellError``
(the spreadsheet's row, the header being row 1, and the column's letter and heading); the app's
import checks again inside its transaction and saves every row or nothing (``ImportRejected``).

The parsers here refuse rather than guess: control characters, numbers the column cannot hold,
"1e3", "NaN" and "Infinity" are errors, never converted. A number is read as a form's box reads
it (``core.inputs.number_as_typed``, ``plain_number``): digits of another script (``١٢٣``,
``１２３``) and the wide marks of a Chinese input method (``１，２３４``) are its digits and
marks; a date or month in them is refused (``ForeignDigits``), as a form's day is.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from cuakhau.core.inputs import clean_text, exactly_stored, number_as_typed, plain_number
from cuakhau.core.wording import join_words

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
# No sheet of ours has this many columns; cells beyond it are not read.
MAX_COLUMNS = 200
# Rows read past the data before the file is refused: a workbook of 5 KB naming one cell at
# row 1,048,576 made the reader build a million empty rows (6 GB, then a 500).
BLANK_ROWS_READ = 10_000


class Column(NamedTuple):
    """A column of an import: its key, its heading in English (translated on the page) and in
    the board's Vietnamese spreadsheets; a file may head it with either, or with the key."""

    key: str
    english: object  # a lazy translation
    vietnamese: str
    required: bool
    # Other headings the board's sheets are known to use.
    aliases: tuple[str, ...] = ()


class ImportRefused(Exception):
    """The file cannot be read as this kind of sheet at all (not CSV/XLSX, no header, too big)."""


@dataclass
class CellError:
    row: int  # the spreadsheet's row number; the header is row 1
    column: str  # the column's letter, "" for the whole row
    key: str
    message: str
    heading: object = ""  # the column's heading, in the reader's language

    def __post_init__(self):
        self.message = str(self.message)


@dataclass
class Sheet:
    """The text of every cell, by column key, and where each column was in the file."""

    rows: list[dict] = field(default_factory=list)  # {"row": n, key: text}
    letters: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the file's name, as sent
    sha256: str = ""  # of the file's bytes: the same file imported twice is recognisable


@dataclass
class Check:
    rows: list[dict]
    errors: list[CellError]
    token: str = ""  # set once the preview waits in the session for its confirmation

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class ImportRejected(Exception):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(f"{len(errors)} errors")


class Layout:
    """The columns of one kind of sheet and its limits: reads files, names errors' columns."""

    def __init__(self, columns, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES):
        self.columns = [Column(*c) for c in columns]
        self.keys = [c.key for c in self.columns]
        self.labels = {c.key: c.english for c in self.columns}
        self.required = {c.key for c in self.columns if c.required}
        self.max_rows = max_rows
        self.max_bytes = max_bytes

    def headings(self) -> dict[str, str]:
        known = {}
        for column in self.columns:
            for heading in (column.key, str(column.english), column.vietnamese, *column.aliases):
                known[fold(heading)] = column.key
            # The English heading whatever the reader's language: a sheet is written once.
            with translation.override("en"):
                known[fold(str(column.english))] = column.key
        return known

    def _filled(self, rows) -> list[list]:
        """The rows with something in them, read one at a time (``rows`` is lazy): refused as
        soon as there are too many, or too many rows read in all, blank ones included."""
        table = []
        too_many = ImportRefused(_("At most %(n)d rows at a time.") % {"n": self.max_rows})
        for read, row in enumerate(rows, start=1):
            if read > self.max_rows + 1 + BLANK_ROWS_READ:
                raise too_many
            if any(cell_text(c) for c in row):
                table.append(list(row[:MAX_COLUMNS]))
                if len(table) > self.max_rows + 1:  # the header and max_rows rows
                    raise too_many
        return table

    def read(self, name: str, data: bytes) -> Sheet:
        if len(data) > self.max_bytes:
            raise ImportRefused(
                _("The file is larger than %(mb)d MB.") % {"mb": self.max_bytes // (1024 * 1024)}
            )
        if name.lower().endswith(".xlsx"):
            rows = _read_xlsx(data)
        elif name.lower().endswith(".csv"):
            rows = _read_csv(data)
        else:
            raise ImportRefused(_("Send a CSV or XLSX file."))
        table = self._filled(rows)
        if not table:
            raise ImportRefused(_("The file is empty."))
        header, *body = table
        if len(body) > self.max_rows:
            raise ImportRefused(_("At most %(n)d rows at a time.") % {"n": self.max_rows})
        known = self.headings()
        letters = {}
        for index, heading in enumerate(header):
            key = known.get(fold(cell_text(heading)))
            if key and key not in letters:
                letters[key] = column_letter(index)
        missing = [
            str(self.labels[k]) for k in self.keys if k in self.required and k not in letters
        ]
        if missing:
            raise ImportRefused(
                _("The first row must name the columns; missing: %(columns)s.")
                % {"columns": join_words(missing)}
            )
        positions = {key: column_index(letter) for key, letter in letters.items()}
        sheet = Sheet(letters=letters, name=name[:200], sha256=hashlib.sha256(data).hexdigest())
        for number, row in enumerate(body, start=2):
            cells = {key: cell_text(row[i]) if i < len(row) else "" for key, i in positions.items()}
            sheet.rows.append({"row": number, **cells})
        return sheet

    def error(self, sheet: Sheet, row: int, key: str, message) -> CellError:
        return CellError(row, sheet.letters.get(key, ""), key, message, self.labels.get(key, ""))

    @staticmethod
    def sorted(errors: list[CellError]) -> list[CellError]:
        return sorted(errors, key=lambda e: (e.row, column_index(e.column) if e.column else -1))


# --- cells ----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text compared as a person reads it: NFC, case folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(text or "")).strip().casefold()
    return re.sub(r"\s+", " ", text)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - 64
    return index - 1


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # openpyxl gives floats for decimals: their shortest repr is what was typed.
        return repr(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_csv(data: bytes):
    """The rows of a CSV file, one at a time."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("A CSV file must be UTF-8 text.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        yield from reader
    except csv.Error:
        # A cell past the reader's 131,072 characters, or a quote never closed.
        raise ImportRefused(
            _(
                "The CSV file cannot be read from line %(line)d: a quote is not closed or a cell is too long."
            )
            % {"line": reader.line_num}
        ) from None


def _read_xlsx(data: bytes):
    """The rows of the workbook's first sheet, one at a time, each at most ``MAX_COLUMNS``.

    A formula's cell holds the result the program that saved it computed: a workbook written
    by a script (openpyxl, a report generator) has none, and its cell read as empty. A weight
    or a fee "=B2*1000" was then imported as no figure at all (an optional column), a value
    as missing: such a cell refuses the file, named, as nothing here computes formulas."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        written = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a file that is not XLSX)
        raise ImportRefused(_("The file is not a readable XLSX workbook.")) from None
    try:
        sheet, typed = workbook.worksheets[0], written.worksheets[0]
        try:
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            formulas = typed.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for number, (row, as_typed) in enumerate(zip(rows, formulas, strict=False), 1):
                for index, (value, formula) in enumerate(zip(row, as_typed, strict=False)):
                    if value is None and _is_formula(formula):
                        raise ImportRefused(
                            _(
                                "Cell %(cell)s holds a formula without its result (a file "
                                "written by a program that does not compute them): open the "
                                "file in a spreadsheet program and save it, or type the figure."
                            )
                            % {"cell": f"{column_letter(index)}{number}"}
                        )
                yield row
        except ImportRefused:
            raise
        except Exception:  # noqa: BLE001 (a damaged sheet fails while it is read)
            raise ImportRefused(_("The file is not a readable XLSX workbook.")) from None
    finally:
        workbook.close()
        written.close()


def _is_formula(value) -> bool:
    # An array formula is an object of its own, holding its text.
    text = getattr(value, "text", value)
    return isinstance(text, str) and text.startswith("=")


# --- parsing: each raises ValueError (the caller words the error for its column) -----------


class ForeignDigits(ValueError):
    """A date or month in digits of another script (Arabic-Indic, full-width…): refused, as
    every form's day field refuses them."""


def plain_text(text: str, max_length: int | None = None) -> str:
    """The cell as stored (NFC); ``ValidationError`` on a control character or too long."""
    return clean_text(text, max_length=max_length)


def control_character(text: str) -> str | None:
    """The message for a control character in the cell, or None."""
    try:
        clean_text(text)
    except ValidationError as exc:
        if exc.code == "control_character":
            return " ".join(exc.messages)
    return None


def _ascii_date(text: str) -> str:
    # A form's day refuses "٢٠٢٤-٠٣-٠١" (``core.inputs.DayField``): so does a sheet's.
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        raise ForeignDigits
    return text


# A spreadsheet's own thousands separator: a no-break space (1 234,5), as Excel and LibreOffice
# write it in Vietnamese and French, is read as an ordinary space is.
_GROUP_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def _ascii_number(text: str) -> str:
    # As a form's box reads it: "١٢٣" and "１，２３４" typed in a form were taken where the
    # same figure in a sheet was refused.
    return number_as_typed(text.translate(_GROUP_SPACES))


def whole_number(text: str) -> Decimal:
    """A whole number: 1500000000, 1.500.000.000, 1,500,000,000 or 1 500 000 000 (≤ 15 digits,
    what every database gives back: ``core.inputs.exactly_stored``)."""
    text = _ascii_number(text.strip())
    if re.fullmatch(r"[0-9]+\.0+", text):
        text = text.split(".")[0]  # 1500000000.0, as a spreadsheet may write a whole number
    if re.fullmatch(r"[0-9]{1,3}([., ])[0-9]{3}(\1[0-9]{3})*", text):
        text = re.sub(r"[., ]", "", text)
    if not re.fullmatch(r"[0-9]{1,15}", text):
        raise ValueError
    return Decimal(text)


def decimal_number(text: str, places: int, digits: int) -> Decimal:
    """A decimal, point or comma: 3.5, 3,5, 1,234.5; refused (not rounded away) past `digits`."""
    text = _ascii_number(text).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    elif "," in text:
        # Both: the one grouping thousands before the one marking decimals ("1,234.5" or
        # "1.234,5"); any other mix is refused, never read ("1.000,00" was read as 1).
        grouped = _GROUPED_DECIMAL.fullmatch(text)
        if not grouped or grouped.group(2) == grouped.group(3):
            raise ValueError
        text = re.sub(r"[.,]", "", grouped.group(1)) + "." + grouped.group(4)
    try:
        # As a form reads a number (``core.inputs.plain_number``): "1e3" is no number a form
        # takes, nor "1_000", "NaN" or "Infinity" (``Decimal`` alone reads them all).
        value = plain_number(text)
    except ValidationError:
        raise ValueError from None
    if value < 0 or value.adjusted() >= digits - places:
        # More whole digits than the column keeps.
        raise ValueError
    try:
        kept = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise ValueError from None
    if kept != value or len(kept.as_tuple().digits) > digits:
        # An area of 0.0000000001 ha was stored as 0.00: more decimals than kept are refused.
        raise ValueError
    return kept


_GROUPED_DECIMAL = re.compile(r"([0-9]{1,3}(?:([., ])[0-9]{3})(?:\2[0-9]{3})*)([.,])([0-9]+)")


def amount(text: str, places: int, digits: int) -> Decimal:
    """An amount as either language writes it: 1250000, 1.250.000, 1,250,000, 1 250 000, and
    with decimals 310000,50, 310000.50, 1.250.000,50 or 1,250,000.50. A point or comma before
    exactly three digits groups thousands (1.250 is one thousand two hundred and fifty)."""
    text = _ascii_number(text.strip())
    try:
        value = whole_number(text)
    except ValueError:
        grouped = _GROUPED_DECIMAL.fullmatch(text)
        if grouped and grouped.group(3) != grouped.group(2):
            text = re.sub(r"[., ]", "", grouped.group(1)) + "." + grouped.group(4)
        return decimal_number(text, places, digits)
    value = value.quantize(Decimal(1).scaleb(-places))
    if len(value.as_tuple().digits) > digits:
        raise ValueError
    return value


class DataFileError(ValueError):
    """A cell of a data file a loader reads (the shipped rates, fees, catalogue, nomenclature)
    that is no number: its message names the file, row and column."""


def file_number(text: str | None, *, file: str, row: int, column: str, whole: bool = False):
    """A number of a data file read by a loader, as a form reads one (``plain_number``: no
    "1e3", "NaN", "Infinity", nothing beyond the 15 digits every database gives back); None
    for an empty cell. ``row`` counts the header as 1, as a spreadsheet shows it."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = plain_number(_ascii_number(text))
        exactly_stored(value)
        if whole and value != value.to_integral_value():
            raise ValidationError("", code="whole")
    except ValidationError:
        kind = "a whole number" if whole else "a number"
        raise DataFileError(
            f"{file}, row {row}, column {column}: {text[:40]!r} is not {kind} "
            "(digits and one decimal point, at most 15 digits)."
        ) from None
    return int(value) if whole else value


# A spreadsheet's day 0 is 1899-12-30: a date cell holding -5 read as 1899-12-25.
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2100, 12, 31)


def parse_date(text: str) -> dt.date:
    _ascii_date(text)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise ValueError
        return day
    raise ValueError


def parse_month(text: str) -> dt.date:
    """A month as its first day: 2024-05, 05/2024, 5/2024, or any day of it as a date."""
    text = _ascii_date(text.strip())
    found = re.fullmatch(r"([0-9]{4})[-/.]([0-9]{1,2})", text) or re.fullmatch(
        r"([0-9]{1,2})[-/.]([0-9]{4})", text
    )
    if found:
        a, b = found.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if not 1 <= month <= 12:
            raise ValueError
        return dt.date(year, month, 1)
    return parse_date(text).replace(day=1)


def choice(enum, text: str, words: dict | None = None):
    """A value by its code, one of ``words`` (the board's own), or its label in any of the
    three languages; None when nothing matches."""
    folded = fold(text)
    for word, value in (words or {}).items():
        if fold(word) == folded and value in enum.values:
            return value
    for value, label in enum.choices:
        names = {fold(value)}
        for language in ("vi", "en", "zh-hans"):
            with translation.override(language):
                names.add(fold(str(label)))
        if folded in names:
            return value
    return None


# --- the preview waits in the session -----------------------------------------------------


def sheet_to_session(sheet: Sheet) -> dict:
    return {"rows": sheet.rows, "letters": sheet.letters, "name": sheet.name, "sha": sheet.sha256}


def sheet_from_session(data: dict) -> Sheet:
    return Sheet(
        rows=list(data.get("rows", [])),
        letters=dict(data.get("letters", {})),
        name=data.get("name", ""),
        sha256=data.get("sha", ""),
    )


def remember(session, key: str, sheet: Sheet) -> str:
    """Keep a checked sheet for its confirmation; the token names this preview only."""
    token = uuid.uuid4().hex
    session[key] = {"token": token, **sheet_to_session(sheet)}
    return token


def recall(session, key: str, token: str | None) -> Sheet | None:
    """The sheet of the preview `token` names, or None (expired, replaced, or confirmed)."""
    stored = session.get(key) or {}
    if not stored or not token or stored.get("token") != token:
        return None
    return sheet_from_session(stored)


def forget(session, key: str) -> None:
    session.pop(key, None)


# ---------------------------------------------------------------------------------------------
# Writing: a text someone typed is shown as typed, never run as a formula

# A spreadsheet opening a CSV runs a cell starting with one of these as a formula (OWASP "CSV
# injection"): a payer's name "=HYPERLINK(…)" from a bank transfer, a cash slip "+1+cmd|…".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")


# Where a spreadsheet may start a cell inside a text: Excel set to Vietnamese (or most European
# locales) opens a CSV splitting it on ";" wherever it is, quotes or not, and a line break may
# end a record there too.
_CELL_START_INSIDE = re.compile(r"([;\r\n])([=+\-@])")


def csv_text(value):
    """``value`` for a CSV cell: a text that would start a formula gets a leading apostrophe
    (a spreadsheet then shows it as text), and so does a formula character right after a ";"
    or a line break inside it ("x;=cmd|…" → "x;'=cmd|…"); a number written as text ("-5000")
    is left alone."""
    if not isinstance(value, str) or _PLAIN_NUMBER_TEXT.fullmatch(value):
        return value
    value = _CELL_START_INSIDE.sub(r"\1'\2", value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


# What makes a spreadsheet cut a text field into cells, or end it: the list separators ("," and,
# in Excel set to Vietnamese or most European locales, ";"), a tab, quotes and line ends.
_SPLITS = re.compile(r'[,;\t"\r\n]')


def csv_field(value) -> str:
    """``value`` as written in a CSV line. A text is neutralised (``csv_text``), then quoted
    when it holds a separator or starts with a formula character or the neutralising
    apostrophe: Excel in the Vietnamese locale splits fields on ";", so ``x;=cmd|…`` written
    bare became a cell starting with "=" (Python's csv quotes "," but not ";"). Numbers, and
    numbers written as text, stay bare: a spreadsheet reads them as numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if not isinstance(value, str):
        return str(value)
    text = csv_text(value)
    if _SPLITS.search(text) or (
        text.startswith(("'", *_FORMULA_START)) and not _PLAIN_NUMBER_TEXT.fullmatch(text)
    ):
        return '"' + text.replace('"', '""') + '"'
    return text


class CsvWriter:
    """``csv.writer``'s ``writerow`` / ``writerows`` for an export: every field through
    ``csv_field``, a comma between fields."""

    def __init__(self, out, *, lineterminator: str = "\r\n"):
        self.out = out
        self.lineterminator = lineterminator

    def writerow(self, row) -> None:
        fields = [csv_field(value) for value in row]
        if fields == [""]:
            fields = ['""']  # as csv writes it: a row of one empty field, not a blank line
        self.out.write(",".join(fields) + self.lineterminator)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


# What an XLSX cell cannot hold (XML 1.0 has no C0 control but tab and newlines, no U+FFFE,
# U+FFFF or lone surrogate): openpyxl raises on them, which turned a whole export into a 500.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_text(sheet, value):
    """``value`` for a row of an openpyxl ``sheet``: openpyxl writes a text starting with "=" as
    a formula; this one becomes a string cell, shown as typed and never run. A character no
    workbook can hold (text stored before the input rules refused it, or a bank's) is shown
    as U+FFFD rather than failing the export."""
    if isinstance(value, str):
        value = _NOT_IN_XML.sub("\ufffd", value)
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
