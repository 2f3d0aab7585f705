"""Import the register from a spreadsheet (CSV or XLSX): read, check every cell, then save all.

Reading (``cuakhau.core.spreadsheets``) turns every cell into text (dates as ISO, numbers as
written), so a CSV and a workbook are checked by the same rules and the rows can wait in the
session while the preview is shown.
``check`` lists every error by spreadsheet row (the header is row 1) and column (its letter and
heading); ``import_projects`` checks again and saves every row in one transaction, or nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.core import spreadsheets
from cuakhau.core.context import SYSTEM
from cuakhau.core.inputs import plausible_day
from cuakhau.core.spreadsheets import (  # noqa: F401 (the register's import speaks these words)
    CellError,
    Check,
    ImportRefused,
    ImportRejected,
    Sheet,
    column_index,
    sheet_from_session,
    sheet_to_session,
)
from cuakhau.reference.validators import canonical_ascii, validate_country

from . import services
from .choices import ProjectAction, ProjectStatus, Sector
from .models import CODE_MESSAGE, PROJECT_CODE, InvestmentProject
from .services import MANAGE

# The example file (example data, see data/SOURCES.md): the demo loads it, the page offers it.
EXAMPLE_FILE = Path(__file__).parent / "data" / "example-projects.csv"
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

# (key, heading in English, heading in the board's spreadsheets, required). A file may head a
# column with either.
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
LAYOUT = spreadsheets.Layout(COLUMNS, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
KEYS = LAYOUT.keys
LABELS = LAYOUT.labels
REQUIRED = LAYOUT.required


def read_spreadsheet(name: str, data: bytes) -> Sheet:
    return LAYOUT.read(name, data)


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
    return spreadsheets.choice(enum, text, SPREADSHEET_WORDS)


def _whole(text: str):
    # As a form reads it (``core.spreadsheets``): "١٥٠٠٠٠٠٠٠٠" typed in an aid form was taken,
    # refused here as no amount; a no-break space groups thousands as a space does.
    return spreadsheets.whole_number(text)


def _decimal(text: str, places: int, digits: int):
    # As every amount of the sheet: "1.000,00" ha is a thousand hectares (it was read as
    # one), a rate of "25.400" đồng is twenty-five thousand four hundred.
    return spreadsheets.amount(text, places, digits)


_date = spreadsheets.parse_date


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
            errors.append(LAYOUT.error(sheet, number, key, message))

        clean = {"row": number}
        for key in KEYS:
            text = raw.get(key, "")
            if not text:
                if key in REQUIRED:
                    error(key, _("This cell is required."))
                continue
            control = spreadsheets.control_character(text)
            if control:
                # A NUL failed the import on PostgreSQL; escapes and overrides were stored.
                error(key, control)
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
        # Only when the cell is empty: a day refused has its own error already.
        if clean.get("usd_rate") and not raw.get("usd_rate_date"):
            error("usd_rate_date", _("Say on which date the exchange rate was taken."))
        for key in ("certificate_date", "usd_rate_date"):
            if clean.get(key) and clean[key] > today:
                error(key, _("This date is in the future."))
        clean_rows.append(clean)
    if not sheet.rows:
        # A header and nothing under it: say so at the preview, not after "confirm".
        errors.append(CellError(2, "", "", _("The file has no rows.")))
    return Check(rows=clean_rows, errors=LAYOUT.sorted(errors))


def _clean_cell(key: str, text: str):
    if key == "code":
        # No "/": the code is a segment of the project's address (``/investment/<code>/``); a
        # code "GCN/2024" was imported and then broke the list page, which links every project.
        if not re.fullmatch(PROJECT_CODE, text):
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
        # As every form takes a day: 1900-01-01 is a spreadsheet's day 1 (a cell holding 1), a
        # certificate or a rate of that day a cell typed wrong, not a project of 1900.
        day = _date(text)
        plausible_day(day)
        return day
    if key == "certificate_number":
        # An identifier: one form, however the sheet typed its digits.
        text = canonical_ascii(text)
    limit = InvestmentProject._meta.get_field(key).max_length
    if limit and len(text) > limit:
        raise ValueError
    return text


def _invalid_message(key: str) -> str:
    return {
        "code": CODE_MESSAGE,
        "sector": _("“%(value)s” is not one of the sectors."),
        "status": _("“%(value)s” is not one of the project statuses."),
        "registered_capital_vnd": _(
            "“%(value)s” is not an amount in đồng: a whole number, not negative, of at most "
            "15 digits."
        ),
        "disbursed_capital_vnd": _(
            "“%(value)s” is not an amount in đồng: a whole number, not negative, of at most "
            "15 digits."
        ),
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
            services.project_recorded(actor, project, context, action=ProjectAction.IMPORT)
            projects.append(project)
    return projects
