"""Import the register from a spreadsheet (CSV or XLSX): read, check every cell, then save all.

Reading turns every cell into text (dates as ISO, numbers as written), so a CSV and a workbook
are checked by the same rules and the rows can wait in the session while the preview is shown.
``check`` lists every error by spreadsheet row (the header is row 1) and column (its letter and
heading); ``import_projects`` checks again and saves every row in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.core.context import SYSTEM
from cuakhau.reference.validators import validate_country

from .choices import ProjectAction, ProjectStatus, Sector
from .models import InvestmentProject, ProjectTransition
from .services import MANAGE

# The example file (example data, see data/SOURCES.md): the demo loads it, the page offers it.
EXAMPLE_FILE = Path(__file__).parent / "data" / "example-projects.csv"
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

# (key, heading in the board's spreadsheets, required). A file may head a column with either.
COLUMNS = [
    ("code", gettext_lazy("Project code"), "Mã dự án", True),
    ("name", gettext_lazy("Project name"), "Tên dự án", True),
    ("investor", gettext_lazy("Investor"), "Nhà đầu tư", True),
    ("investor_country", gettext_lazy("Investor's country"), "Quốc gia nhà đầu tư", True),
    ("sector", gettext_lazy("Sector"), "Lĩnh vực", True),
    (
        "registered_capital_vnd",
        gettext_lazy("Registered capital (VND)"),
        "Vốn đăng ký (đồng)",
        True,
    ),
    (
        "disbursed_capital_vnd",
        gettext_lazy("Disbursed capital (VND)"),
        "Vốn đã giải ngân (đồng)",
        False,
    ),
    ("usd_rate", gettext_lazy("Exchange rate (VND per USD)"), "Tỷ giá (đồng/USD)", False),
    ("usd_rate_date", gettext_lazy("Date of the exchange rate"), "Ngày tỷ giá", False),
    ("area_ha", gettext_lazy("Area (ha)"), "Diện tích (ha)", False),
    ("location", gettext_lazy("Location"), "Địa điểm", True),
    (
        "certificate_number",
        gettext_lazy("Investment registration certificate number"),
        "Số GCN đăng ký đầu tư",
        False,
    ),
    ("certificate_date", gettext_lazy("Certificate date"), "Ngày cấp GCN", False),
    ("status", gettext_lazy("Status"), "Tình trạng", False),
    ("note", gettext_lazy("Note"), "Ghi chú", False),
]
KEYS = [c[0] for c in COLUMNS]
LABELS = {c[0]: c[1] for c in COLUMNS}
REQUIRED = {c[0] for c in COLUMNS if c[3]}


class ImportRefused(Exception):
    """The file cannot be read as a register at all (not CSV/XLSX, no header, too big)."""


@dataclass
class CellError:
    row: int  # the spreadsheet's row number; the header is row 1
    column: str  # the column's letter, "" for the whole row
    key: str
    message: str

    @property
    def heading(self) -> str:
        return str(LABELS.get(self.key, ""))


@dataclass
class Sheet:
    """The text of every cell, by column key, and where each column was in the file."""

    rows: list[dict] = field(default_factory=list)  # {"row": n, key: text}
    letters: dict[str, str] = field(default_factory=dict)


@dataclass
class Check:
    rows: list[dict]
    errors: list[CellError]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class ImportRejected(Exception):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(f"{len(errors)} errors")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).strip().casefold()
    return re.sub(r"\s+", " ", text)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value) -> str:
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


def _headings() -> dict[str, str]:
    known = {}
    for key, english, vietnamese, _required in COLUMNS:
        for heading in (key, str(english), vietnamese):
            known[_fold(heading)] = key
    return known


def read_spreadsheet(name: str, data: bytes) -> Sheet:
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 2 MB."))
    if name.lower().endswith(".xlsx"):
        table = _read_xlsx(data)
    elif name.lower().endswith(".csv"):
        table = _read_csv(data)
    else:
        raise ImportRefused(_("Send a CSV or XLSX file."))
    table = [row for row in table if any(_cell_text(c) for c in row)]
    if not table:
        raise ImportRefused(_("The file is empty."))
    header, *body = table
    if len(body) > MAX_ROWS:
        raise ImportRefused(_("At most %(n)d rows at a time.") % {"n": MAX_ROWS})
    known = _headings()
    letters = {}
    for index, heading in enumerate(header):
        key = known.get(_fold(_cell_text(heading)))
        if key and key not in letters:
            letters[key] = _letter(index)
    missing = [str(LABELS[k]) for k in KEYS if k in REQUIRED and k not in letters]
    if missing:
        raise ImportRefused(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    positions = {key: _column_index(letter) for key, letter in letters.items()}
    sheet = Sheet(letters=letters)
    for number, row in enumerate(body, start=2):
        cells = {key: _cell_text(row[i]) if i < len(row) else "" for key, i in positions.items()}
        sheet.rows.append({"row": number, **cells})
    return sheet


def _column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(_("A CSV file must be UTF-8 text.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a file that is not XLSX)
        raise ImportRefused(_("The file is not a readable XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Checking


# The words of the board's own spreadsheets, whatever the catalogues say.
SPREADSHEET_WORDS = {
    "Nông, lâm nghiệp": Sector.AGRICULTURE,
    "Chế biến, chế tạo": Sector.PROCESSING,
    "Logistics và kho bãi": Sector.LOGISTICS,
    "Thương mại và dịch vụ": Sector.TRADE,
    "Du lịch": Sector.TOURISM,
    "Năng lượng": Sector.ENERGY,
    "Hạ tầng": Sector.INFRASTRUCTURE,
    "Đã đăng ký": ProjectStatus.REGISTERED,
    "Đang xây dựng": ProjectStatus.UNDER_CONSTRUCTION,
    "Đang hoạt động": ProjectStatus.OPERATING,
    "Tạm ngừng": ProjectStatus.SUSPENDED,
    "Chấm dứt": ProjectStatus.TERMINATED,
}


def _choice(enum, text: str):
    """A value by its code, the board's word, or its label in any of the three languages."""
    folded = _fold(text)
    for word, value in SPREADSHEET_WORDS.items():
        if _fold(word) == folded and value in enum.values:
            return value
    for value, label in enum.choices:
        names = {_fold(value)}
        for language in ("vi", "en", "zh-hans"):
            with translation.override(language):
                names.add(_fold(str(label)))
        if folded in names:
            return value
    return None


def _whole(text: str) -> Decimal:
    """A whole number of đồng: 1500000000, 1.500.000.000, 1,500,000,000 or 1 500 000 000."""
    text = text.strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]  # 1500000000.0, as a spreadsheet may write a whole number
    if re.fullmatch(r"\d{1,3}([., ])\d{3}(\1\d{3})*", text):
        text = re.sub(r"[., ]", "", text)
    if not re.fullmatch(r"\d{1,18}", text):
        raise ValueError
    return Decimal(text)


def _decimal(text: str, places: int, digits: int) -> Decimal:
    text = text.replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    elif "," in text:
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or value < 0:
        raise ValueError
    value = value.quantize(Decimal(1).scaleb(-places))
    if len(value.as_tuple().digits) > digits:
        raise ValueError
    return value


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def check(sheet: Sheet) -> Check:
    errors: list[CellError] = []
    clean_rows = []
    seen: dict[str, int] = {}
    existing = set(
        InvestmentProject.objects.filter(
            code__in=[r.get("code", "").upper() for r in sheet.rows]
        ).values_list("code", flat=True)
    )
    today = timezone.localdate()
    for raw in sheet.rows:
        number = raw["row"]

        def error(key, message, number=number):
            errors.append(CellError(number, sheet.letters.get(key, ""), key, str(message)))

        clean = {"row": number}
        for key in KEYS:
            text = raw.get(key, "")
            if not text:
                if key in REQUIRED:
                    error(key, _("This cell is required."))
                continue
            try:
                clean[key] = _clean_cell(key, text)
            except ValueError:
                error(key, _invalid_message(key) % {"value": text[:40]})
            except ValidationError as exc:
                error(key, " ".join(exc.messages))
        code = clean.get("code")
        if code:
            if code in seen:
                error("code", _("Same code as row %(row)d.") % {"row": seen[code]})
            elif code in existing:
                error("code", _("Project %(code)s is already in the register.") % {"code": code})
            seen.setdefault(code, number)
        registered = clean.get("registered_capital_vnd")
        disbursed = clean.get("disbursed_capital_vnd", Decimal(0))
        if registered is not None and registered <= 0:
            error("registered_capital_vnd", _("Registered capital must be more than zero."))
        if registered is not None and disbursed > registered:
            error(
                "disbursed_capital_vnd",
                _("Disbursed capital cannot exceed registered capital."),
            )
        if clean.get("usd_rate") and not clean.get("usd_rate_date"):
            error("usd_rate_date", _("Say on which date the exchange rate was taken."))
        for key in ("certificate_date", "usd_rate_date"):
            if clean.get(key) and clean[key] > today:
                error(key, _("This date is in the future."))
        clean_rows.append(clean)
    errors.sort(key=lambda e: (e.row, _column_index(e.column) if e.column else -1))
    return Check(rows=clean_rows, errors=errors)


def _clean_cell(key: str, text: str):
    if key == "code":
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,19}", text):
            raise ValueError
        return text.upper()
    if key == "investor_country":
        validate_country(text)
        return text.upper()
    if key == "sector":
        value = _choice(Sector, text)
        if value is None:
            raise ValueError
        return value
    if key == "status":
        value = _choice(ProjectStatus, text)
        if value is None:
            raise ValueError
        return value
    if key in ("registered_capital_vnd", "disbursed_capital_vnd"):
        return _whole(text)
    if key == "usd_rate":
        value = _decimal(text, 2, 9)
        if not Decimal(1000) <= value <= Decimal(100000):
            raise ValueError
        return value
    if key == "area_ha":
        return _decimal(text, 2, 10)
    if key in ("certificate_date", "usd_rate_date"):
        return _date(text)
    limit = InvestmentProject._meta.get_field(key).max_length
    if limit and len(text) > limit:
        raise ValueError
    return text


def _invalid_message(key: str) -> str:
    return {
        "code": _("“%(value)s” is not a project code (letters, digits, - . / _; up to 20)."),
        "sector": _("“%(value)s” is not one of the sectors."),
        "status": _("“%(value)s” is not one of the project statuses."),
        "registered_capital_vnd": _("“%(value)s” is not a whole number of đồng."),
        "disbursed_capital_vnd": _("“%(value)s” is not a whole number of đồng."),
        "usd_rate": _("“%(value)s” is not an exchange rate in đồng per US dollar."),
        "area_ha": _("“%(value)s” is not an area in hectares."),
        "certificate_date": _("“%(value)s” is not a date (2024-05-31 or 31/05/2024)."),
        "usd_rate_date": _("“%(value)s” is not a date (2024-05-31 or 31/05/2024)."),
    }.get(key, _("“%(value)s…” is too long."))


# ---------------------------------------------------------------------------------------------
# Saving


def import_projects(actor, sheet: Sheet, *, is_example=False, context=SYSTEM):
    """Every row saved, with an ``import`` entry in its history; any error saves nothing."""
    if actor is not None and not actor.has_perm(MANAGE):
        raise PermissionDenied(_("Only the management board keeps the investment register."))
    with transaction.atomic():
        result = check(sheet)  # again, inside the transaction: the register may have changed
        if result.errors:
            raise ImportRejected(result.errors)
        if not result.rows:
            raise ImportRejected([CellError(2, "", "", _("The file has no rows."))])
        projects = []
        for row in result.rows:
            values = {k: v for k, v in row.items() if k != "row"}
            values.setdefault("status", ProjectStatus.REGISTERED)
            project = InvestmentProject.objects.create(is_example=is_example, **values)
            ProjectTransition.objects.create(
                project=project,
                action=ProjectAction.IMPORT,
                source="",
                target=project.status,
                actor=actor,
                channel=context.channel,
                remote_addr=context.remote_addr,
            )
            projects.append(project)
    return projects


def sheet_to_session(sheet: Sheet) -> dict:
    return {"rows": sheet.rows, "letters": sheet.letters}


def sheet_from_session(data: dict) -> Sheet:
    return Sheet(rows=list(data.get("rows", [])), letters=dict(data.get("letters", {})))
