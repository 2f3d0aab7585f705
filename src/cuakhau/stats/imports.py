"""The board's historical monthly figures, imported from its spreadsheets (CSV or XLSX).

One row is one gate's goods of one month in one direction, optionally of one HS heading (or
chapter) and one partner country: its value in US dollars, and if the sheet has them its net
weight, trucks, fee revenue and State budget contribution. Rows become `TradeMonth` rows and,
when the row gives trucks, fees or budget, `GateMonth` rows (summed by gate, month and
direction), all marked imported and tied to one `ImportBatch`, so a batch is undone whole.

The rules (checked at the preview, and again inside the transaction that saves):
- a gate-month is either recorded by the platform or imported, never both: a month in which the
  platform has figures (or trucks that left, or receipts) at that gate is refused;
- a gate-month-direction imported by another batch is refused (undo that batch first);
- the same gate, month, direction, product and partner twice in the file is refused;
- no month after the current one, nor the current one (its trucks are still leaving: the
  platform would count them beside the import); numbers non-negative and below 10¹² (a typing
  error beyond), read as a form reads them (any script's digits; no "1e3", "NaN"); a month in
  0–9 only; no control characters.
One error anywhere and nothing is saved. Without a budget figure, a row's budget contribution
is its fees (fees are State budget revenue), as for the platform's own months.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.core import inputs, spreadsheets
from cuakhau.core.spreadsheets import CellError, Check, ImportRefused, ImportRejected, Sheet
from cuakhau.core.wording import mid_sentence
from cuakhau.reference.models import Gate, HSCode
from cuakhau.reference.validators import validate_country
from cuakhau.trips.choices import Direction

from . import services
from .choices import Source
from .models import GateMonth, ImportBatch, TradeMonth

__all__ = ["Check", "CellError", "ImportRefused", "ImportRejected", "Sheet"]

MANAGE = "stats.manage_statistics"
# The example file (example data, see data/SOURCES.md): the page offers it.
EXAMPLE_FILE = Path(__file__).parent / "data" / "example-history.csv"
# Five years of four gates by direction and HS heading: a few thousand rows.
MAX_ROWS = 10_000
MAX_BYTES = 4 * 1024 * 1024
# Beyond this a figure is a typing error (the whole zone trades a few billion dollars a year).
ABSURD = Decimal(10) ** 12
# A gate passes a few thousand trucks a day at most.
MAX_TRUCKS = 1_000_000
FIRST_MONTH = dt.date(2000, 1, 1)

COLUMNS = [
    ("month", gettext_lazy("Month"), "Tháng", True, ("Kỳ", "Tháng/năm")),
    ("gate", gettext_lazy("Border gate"), "Cửa khẩu", True),
    ("direction", gettext_lazy("Direction"), "Loại hình", True, ("Hướng", "Chiều")),
    ("hs", gettext_lazy("HS heading or chapter"), "Mã HS", False, ("Nhóm hàng (HS)", "HS")),
    ("partner", gettext_lazy("Partner country"), "Nước đối tác", False, ("Đối tác",)),
    ("value_usd", gettext_lazy("Value (USD)"), "Trị giá (USD)", True, ("Kim ngạch (USD)",)),
    ("net_weight_t", gettext_lazy("Net weight (tonnes)"), "Khối lượng tịnh (tấn)", False),
    ("trucks", gettext_lazy("Trucks"), "Số lượt xe", False, ("Lượt xe",)),
    ("fee_vnd", gettext_lazy("Fee revenue (VND)"), "Thu phí (đồng)", False),
    (
        "budget_vnd",
        gettext_lazy("State budget contribution (VND)"),
        "Nộp ngân sách (đồng)",
        False,
        ("Đóng góp ngân sách (đồng)",),
    ),
]
LAYOUT = spreadsheets.Layout(COLUMNS, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
NUMBERS = ("value_usd", "net_weight_t", "trucks", "fee_vnd", "budget_vnd")

# The words of the board's own spreadsheets, whatever the catalogues say.
DIRECTION_WORDS = {
    "Xuất khẩu": Direction.EXPORT,
    "XK": Direction.EXPORT,
    "Nhập khẩu": Direction.IMPORT,
    "NK": Direction.IMPORT,
    "Tạm nhập tái xuất": Direction.TEMPORARY_IMPORT_REEXPORT,
    "Tạm nhập, tái xuất": Direction.TEMPORARY_IMPORT_REEXPORT,
    "TNTX": Direction.TEMPORARY_IMPORT_REEXPORT,
    "Quá cảnh": Direction.TRANSIT,
}
# Empty returns carry no goods: they have no figures to import.
DIRECTIONS = (
    Direction.EXPORT,
    Direction.IMPORT,
    Direction.TEMPORARY_IMPORT_REEXPORT,
    Direction.TRANSIT,
)


def read_spreadsheet(name: str, data: bytes) -> Sheet:
    return LAYOUT.read(name, data)


# --- checking ---------------------------------------------------------------------------------


def _gates_by_name() -> dict[str, Gate]:
    """Each gate by its code and its names (whole, or before the parenthesis), folded."""
    known: dict[str, Gate] = {}
    for gate in Gate.objects.all():
        for name in (gate.code, gate.name_vi, gate.name_en, gate.name_zh):
            if name:
                known.setdefault(spreadsheets.fold(name), gate)
                known.setdefault(spreadsheets.fold(name.split(" (")[0]), gate)
    return known


def _hs(text: str) -> str:
    """A chapter (2 digits) or heading (4): 08, 0810, 08.10; a workbook's 810 is 0810."""
    if re.fullmatch(r"[0-9]+\.0", text):
        text = text[:-2]  # a number cell: 810.0
    text = text.replace(".", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]{1,4}", text):
        raise ValueError
    if len(text) in (1, 3):
        text = "0" + text  # a number cell loses its leading zero
    return text


def _amount(key: str, text: str):
    # Read as every form and the investment import read a number (``core.spreadsheets``: a
    # no-break space groups thousands, "١٢٣" and "１，２３４" are digits, "1e3" is refused).
    if inputs.number_as_typed(text).lstrip().startswith("-"):
        raise _Negative
    if key == "value_usd":
        value = spreadsheets.amount(text, 2, 20)
    elif key == "net_weight_t":
        value = spreadsheets.amount(text, 6, 21)
    else:
        value = spreadsheets.whole_number(text)
    if value > ABSURD:
        raise _Absurd
    try:
        # As stored: the value in dollars, the weight in kilograms.
        inputs.exactly_stored(value * 1000 if key == "net_weight_t" else value)
    except ValidationError:
        raise _Absurd from None
    if key == "trucks" and value > MAX_TRUCKS:
        raise _Absurd
    return value


class _Negative(ValueError):
    pass


class _Absurd(ValueError):
    pass


def _invalid(key: str, text: str) -> str:
    value = {"value": text[:40]}
    return {
        "month": _("“%(value)s” is not a month (2024-05, 05/2024 or a date of the month)."),
        "gate": _("“%(value)s” is not a border gate (its code or its Vietnamese name)."),
        "direction": _(
            "“%(value)s” is not a direction: export, import, temporary import / re-export or "
            "transit (Xuất khẩu, Nhập khẩu, Tạm nhập tái xuất, Quá cảnh)."
        ),
        "hs": _("“%(value)s” is not an HS chapter (2 digits) or heading (4 digits)."),
        "value_usd": _("“%(value)s” is not an amount in US dollars."),
        "net_weight_t": _("“%(value)s” is not a weight in tonnes."),
        "trucks": _(
            "“%(value)s” is not a number of trucks: a whole number, not negative, of at most "
            "15 digits."
        ),
        "fee_vnd": _(
            "“%(value)s” is not an amount in đồng: a whole number, not negative, of at most "
            "15 digits."
        ),
        "budget_vnd": _(
            "“%(value)s” is not an amount in đồng: a whole number, not negative, of at most "
            "15 digits."
        ),
    }[key] % value


def _clean_cell(key: str, text: str, gates: dict[str, Gate], hs_codes: set[str] | None):
    if key == "month":
        return spreadsheets.parse_month(text)
    if key == "gate":
        gate = gates.get(spreadsheets.fold(text))
        if gate is None:
            raise ValueError
        return gate
    if key == "direction":
        value = spreadsheets.choice(Direction, text, DIRECTION_WORDS)
        if value not in DIRECTIONS:
            raise ValueError
        return value
    if key == "hs":
        code = _hs(text)
        if hs_codes is not None and code not in hs_codes:
            raise ValidationError(
                _("%(code)s is not a chapter or heading of the HS 2022 nomenclature.")
                % {"code": code}
            )
        return code
    if key == "partner":
        validate_country(text)
        return text.upper()
    return _amount(key, text)


def check(sheet: Sheet) -> Check:
    """Every error of the sheet by row and column; the rows as they would be saved."""
    errors: list[CellError] = []
    clean_rows: list[dict] = []
    gates = _gates_by_name()
    hs_codes = set(HSCode.objects.filter(level__in=(2, 4)).values_list("code", flat=True)) or None
    this_month = services.month_of(services.local_today())
    seen: dict[tuple, int] = {}
    for raw in sheet.rows:
        number = raw["row"]

        def error(key, message, number=number):
            errors.append(LAYOUT.error(sheet, number, key, message))

        clean = {"row": number}
        for key in LAYOUT.keys:
            text = raw.get(key, "")
            if not text:
                if key in LAYOUT.required:
                    error(key, _("This cell is required."))
                continue
            control = spreadsheets.control_character(text)
            if control:
                error(key, control)
                continue
            try:
                clean[key] = _clean_cell(key, text, gates, hs_codes)
            except spreadsheets.ForeignDigits:
                error(
                    key,
                    _("“%(value)s” has digits of another script: write them as 0–9.")
                    % {"value": text[:40]},
                )
            except _Negative:
                error(key, _("A figure cannot be negative."))
            except _Absurd:
                error(key, _("“%(value)s” is far too large: a typing error?") % {"value": text})
            except ValueError:
                error(key, _invalid(key, text))
            except ValidationError as exc:
                error(key, " ".join(exc.messages))
        month = clean.get("month")
        if month and month > this_month:
            error("month", _("This month is still to come."))
            del clean["month"]
        elif month and month == services.month_of(services.local_today(clean.get("gate"))):
            # Its trucks are still leaving: the platform counts each exit into the month the
            # import would already fill, and the month would hold both (every figure twice).
            error(
                "month",
                _(
                    "This month is not over: the platform counts its trucks as they leave. "
                    "Import it once it is over, if the platform recorded nothing in it."
                ),
            )
            del clean["month"]
        elif month and month < FIRST_MONTH:
            error("month", _("Months before 2000 are not kept."))
            del clean["month"]
        clean.setdefault("partner", services.COUNTERPART_COUNTRY)
        clean.setdefault("hs", "")
        if all(k in clean for k in ("gate", "month", "direction")):
            key = (clean["gate"].pk, clean["month"], clean["direction"], clean["hs"])
            key += (clean["partner"],)
            if key in seen:
                error(
                    "",
                    _("Same gate, month, direction, product and partner as row %(row)d.")
                    % {"row": seen[key]},
                )
            seen.setdefault(key, number)
        clean_rows.append(clean)
    errors += _too_many_trucks(sheet, clean_rows)
    errors += _conflicts(sheet, clean_rows)
    if not sheet.rows:
        errors.append(CellError(2, "", "", _("The file has no rows.")))
    return Check(rows=clean_rows, errors=LAYOUT.sorted(errors))


def _too_many_trucks(sheet: Sheet, rows: list[dict]) -> list[CellError]:
    """A gate's month and direction keeps the trucks of all its rows (products, partners) as one
    figure: their sum stays within ``MAX_TRUCKS`` too (2,400 rows of a million trucks each were
    each taken, and their sum failed the import on PostgreSQL, stored past its column on SQLite)."""
    from django.utils.formats import number_format

    totals: dict[tuple, int] = {}
    errors = []
    for row in rows:
        if "trucks" not in row or not all(k in row for k in ("gate", "month", "direction")):
            continue
        key = (row["gate"].pk, row["month"], row["direction"])
        before = totals.get(key, 0)
        totals[key] = before + int(row["trucks"])
        if before <= MAX_TRUCKS < totals[key]:
            errors.append(
                LAYOUT.error(
                    sheet,
                    row["row"],
                    "trucks",
                    _(
                        "With the rows before it, this gate's month counts more than %(n)s trucks "
                        "in this direction."
                    )
                    % {"n": number_format(MAX_TRUCKS, force_grouping=True)},
                )
            )
    return errors


def _conflicts(sheet: Sheet, rows: list[dict]) -> list[CellError]:
    """Rows whose gate-month the platform recorded, or another batch imported."""
    keyed = [r for r in rows if all(k in r for k in ("gate", "month", "direction"))]
    if not keyed:
        return []
    gate_ids = {r["gate"].pk for r in keyed}
    months = {r["month"] for r in keyed}
    # The platform's months: its summary rows (recounted first), and any month with a truck
    # that left or a receipt, even if no summary was made yet (a bulk load before its rebuild).
    services.refresh_stale()
    in_file = Q(gate_id__in=gate_ids, month__in=months)
    recorded = set()
    for model in (TradeMonth, GateMonth):
        recorded |= set(
            model.objects.filter(in_file, source=Source.PLATFORM)
            .values_list("gate_id", "month")
            .distinct()
        )
    for gate_id in gate_ids:
        recorded |= set(services.months_with_activity(gate_id))
    imported: dict[tuple, ImportBatch] = {}
    batches = {b.pk: b for b in ImportBatch.objects.all()}
    for model in (TradeMonth, GateMonth):
        for gate_id, month, direction, batch_id in (
            model.objects.filter(in_file, source=Source.IMPORTED)
            .values_list("gate_id", "month", "direction", "batch_id")
            .distinct()
        ):
            if batch_id in batches:
                imported.setdefault((gate_id, month, direction), batches[batch_id])
    errors = []
    for row in keyed:
        gate, month, direction = row["gate"], row["month"], row["direction"]
        words = {"gate": str(gate.name), "month": f"{month:%m/%Y}"}
        if (gate.pk, month) in recorded:
            errors.append(
                LAYOUT.error(
                    sheet,
                    row["row"],
                    "month",
                    _(
                        "The platform has its own figures for %(gate)s in %(month)s: an import "
                        "may not replace them."
                    )
                    % words,
                )
            )
            continue
        batch = imported.get((gate.pk, month, direction))
        if batch is not None:
            errors.append(
                LAYOUT.error(
                    sheet,
                    row["row"],
                    "month",
                    _(
                        "%(gate)s, %(month)s, %(direction)s was imported already by import "
                        "no. %(batch)d (“%(file)s”, %(date)s): undo that import on this page "
                        "first to replace it."
                    )
                    % {
                        **words,
                        "direction": mid_sentence(Direction(direction).label),
                        "batch": batch.pk,
                        "file": batch.file_name,
                        "date": date_format(
                            timezone.localtime(batch.imported_at), "SHORT_DATE_FORMAT"
                        ),
                    },
                )
            )
    return errors


# --- saving -----------------------------------------------------------------------------------


def may_manage(user) -> bool:
    return user is None or (user.is_authenticated and user.has_perm(MANAGE))


def import_history(actor, sheet: Sheet, *, is_example: bool = False) -> ImportBatch:
    """Every row saved under one new batch, or nothing (``ImportRejected`` with the errors).

    ``actor`` None is the system (the demo's example history)."""
    if not may_manage(actor):
        raise PermissionDenied(_("Only the management board imports historical figures."))
    with transaction.atomic():
        # Imports touching the same gates wait for each other, so two files cannot both pass
        # the check for one gate-month.
        gate_ids = {spreadsheets.fold(r.get("gate", "")) for r in sheet.rows}
        known = _gates_by_name()
        ids = sorted({known[g].pk for g in gate_ids if g in known})
        list(Gate.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        result = check(sheet)  # again, inside the transaction: the figures may have changed
        if result.errors:
            raise ImportRejected(result.errors)
        batch = ImportBatch.objects.create(
            file_name=sheet.name or "—",
            sha256=sheet.sha256,
            rows=len(result.rows),
            imported_by=actor,
            is_example=is_example,
        )
        trade, months = rows_to_save(result.rows, batch)
        TradeMonth.objects.bulk_create(trade, batch_size=2000)
        GateMonth.objects.bulk_create(months, batch_size=2000)
    return batch


def rows_to_save(rows: list[dict], batch: ImportBatch) -> tuple[list[TradeMonth], list[GateMonth]]:
    trade = []
    months: dict[tuple, GateMonth] = {}
    for row in rows:
        gate, month, direction = row["gate"], row["month"], row["direction"]
        net_t = row.get("net_weight_t")
        trade.append(
            TradeMonth(
                gate=gate,
                month=month,
                direction=direction,
                hs_heading=row["hs"],
                partner=row["partner"],
                currency="USD",
                value=row["value_usd"],
                net_weight_kg=(net_t * 1000).quantize(Decimal("0.001")) if net_t else Decimal(0),
                lines=0,
                source=Source.IMPORTED,
                batch=batch,
            )
        )
        if not any(k in row for k in ("trucks", "fee_vnd", "budget_vnd")):
            continue
        key = (gate.pk, month, direction)
        if key not in months:
            months[key] = GateMonth(
                gate=gate, month=month, direction=direction, source=Source.IMPORTED, batch=batch
            )
        figures = months[key]
        fee = int(row.get("fee_vnd", 0))
        figures.trucks += int(row.get("trucks", 0))
        figures.fee_vnd += fee
        figures.budget_vnd += int(row["budget_vnd"]) if "budget_vnd" in row else fee
    return trade, list(months.values())


def undo_import(actor, batch: ImportBatch) -> int:
    """Delete a batch and every figure it brought; returns how many rows it had."""
    if not may_manage(actor):
        raise PermissionDenied(_("Only the management board imports historical figures."))
    with transaction.atomic():
        rows = batch.rows
        batch.delete()  # its TradeMonth and GateMonth rows go with it (CASCADE)
    return rows


def batches() -> list[dict]:
    """Every batch with what it covers: gates, first and last month, dollars."""
    found = []
    for batch in ImportBatch.objects.select_related("imported_by"):
        found.append({"batch": batch})
    by_batch: dict[int, dict] = defaultdict(
        lambda: {"gates": set(), "first": None, "last": None, "usd": Decimal(0)}
    )
    for batch_id, gate_id, first, last, usd in _coverage():
        item = by_batch[batch_id]
        item["gates"].add(gate_id)
        item["first"] = min(filter(None, (item["first"], first)))
        item["last"] = max(filter(None, (item["last"], last)))
        item["usd"] += usd or 0
    covered_ids = {g for item in by_batch.values() for g in item["gates"]}
    gates = {g.pk: g for g in Gate.objects.filter(pk__in=covered_ids)}
    for item in found:
        covered = by_batch.get(item["batch"].pk)
        if covered:
            item.update(covered)
            item["gates"] = sorted((gates[g] for g in covered["gates"]), key=lambda g: g.code)
    return found


def _coverage():
    from django.db.models import Max, Min

    from cuakhau.core.aggregates import Total

    return (
        TradeMonth.objects.filter(source=Source.IMPORTED)
        .order_by()
        .values("batch_id", "gate_id")
        .annotate(first=Min("month"), last=Max("month"), usd=Total("value"))
        .values_list("batch_id", "gate_id", "first", "last", "usd")
    )


def summary(result: Check) -> list[dict]:
    """The preview's totals: per gate, its months, rows, dollars and trucks."""
    by_gate: dict[int, dict] = {}
    for row in result.rows:
        gate = row.get("gate")
        if gate is None:
            continue
        item = by_gate.setdefault(
            gate.pk,
            {"gate": gate, "first": row.get("month"), "last": row.get("month"), "rows": 0,
             "usd": Decimal(0), "trucks": 0, "fee_vnd": 0},
        )  # fmt: skip
        item["rows"] += 1
        if row.get("month"):
            item["first"] = min(filter(None, (item["first"], row["month"])))
            item["last"] = max(filter(None, (item["last"], row["month"])))
        item["usd"] += row.get("value_usd", 0)
        item["trucks"] += int(row.get("trucks", 0))
        item["fee_vnd"] += int(row.get("fee_vnd", 0))
    return sorted(by_gate.values(), key=lambda i: i["gate"].code)
