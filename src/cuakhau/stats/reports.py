"""Monthly and annual reports of one gate or the whole zone, ready to send up to the province.

A report is the dashboard's figures for a period — every one read from ``stats.services`` —
laid out as tables (``Table``: a title, typed columns, rows), then drawn as an A4 PDF
(reportlab, with a bar chart of turnover by month and page numbers) or written as an XLSX
workbook (openpyxl, one sheet per table, numbers kept as numbers). A report is written in
Vietnamese, English or Chinese (the PDF draws each script in a font that has it: a Chinese
report names Vietnamese gates); its language is chosen by the caller, never taken from the
server.

The period: a month (the running one named "month to date" and compared with nothing), or a
year (January to December; for the running year, January to its
last finished month — January so far while January runs — said so in the period's name). "Same period last year" is the same months a
year earlier. Targets are measured as the dashboard measures them, on the months complete at
the end of the report's period.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cuakhau.core import charts
from cuakhau.core.spreadsheets import xlsx_text
from cuakhau.core.wording import as_sentences
from cuakhau.reference.localize import (
    active_language,
    country_name,
    localized,
    localized_name,
    original,
    said_with_its_language,
)
from cuakhau.reference.models import Gate, HSCode
from cuakhau.risk.choices import RiskChannel
from cuakhau.trips.choices import Direction

from . import rounding, services
from .choices import Measure, Source, TargetKind, Verdict
from .dashboard import missing_rates_text

LANGUAGES = ("vi", "en", "zh-hans")
FORMATS = ("pdf", "xlsx")
PERIODS = ("month", "year")
# The first year a report may be asked for (the targets' own lower bound).
FIRST_YEAR = 2000
TOP_PRODUCTS = 15
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Kinds of column: how a value is written (PDF) and formatted (XLSX).
TEXT, CODE, USD, VND, COUNT, PERCENT, MINUTES, RATE, MONTH, DAY = (
    "text",
    "code",
    "usd",
    "vnd",
    "count",
    "percent",
    "minutes",
    "rate",
    "month",
    "day",
)
# A growth target: "+5.0 %" (the PDF shows it without its "kind" column).
GROWTH_TARGET = "growth_target"
NUMERIC = {USD, VND, COUNT, PERCENT, MINUTES, RATE, GROWTH_TARGET}
MEASURE_KIND = {
    Measure.EXPORT_USD: USD,
    Measure.IMPORT_USD: USD,
    Measure.TURNOVER_USD: USD,
    Measure.FEE_VND: VND,
    Measure.TRUCKS: COUNT,
}


def default_language(page_language: str | None) -> str:
    """The page's language (a report is written in each of the interface's three), English for
    one it does not speak."""
    language = (page_language or "").lower()
    if language.startswith("zh"):
        return "zh-hans"
    return "vi" if language.startswith("vi") else "en"


@dataclass
class Figure:
    """A cell whose kind differs from its column's (a summary row in đồng among dollars)."""

    value: object
    kind: str


@dataclass
class Table:
    key: str  # a stable name: the workbook's sheets and the tests find tables by it
    title: str
    columns: list[tuple[str, str]]  # (heading, kind)
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    note: str = ""
    pdf_skip: frozenset[int] = frozenset()  # columns the PDF leaves out (the page is narrow)
    # Dollar figures that add up as shown (``shown_figures``): in each row and the total row, a column
    # that is the sum of others ({turnover: (exports, imports)}); the total row is the sum of
    # the rows above.
    sums: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Rows that are the sum of other rows, in each column of dollars (the key figures).
    summed_rows: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # Rows that are together the period's whole without a total row (a top ten and the rest,
    # every partner): each column of dollars adds up to its exact sum rounded, as the key
    # figures show it, not to the rows rounded one by one.
    whole: bool = False


def sheet_names() -> dict[str, str]:
    """Each table's sheet in the workbook: short (a sheet's name holds 31 characters)."""
    return {
        "summary": _("Key figures"),
        "months": _("By month"),
        "products": _("Products"),
        "partners": _("Partners"),
        "traffic": _("Trucks and fees"),
        "clearance": _("Clearance"),
        "channels": _("Channels"),
        "targets": _("Targets"),
        "rates": _("Exchange rates"),
        "sources": _("Sources"),
        "unconverted": _("Without a rate"),
    }


@dataclass
class Report:
    gate: Gate | None
    year: int
    month: int | None
    language: str
    first: dt.date
    last: dt.date
    generated_at: dt.datetime
    generated_by: str
    title: str
    scope_name: str
    period_name: str
    tables: list[Table]
    chart: list[dict]  # turnover_by_month's rows shown in the chart
    definitions: list[str]
    sources: str  # one sentence: recorded, imported or both

    @property
    def period(self) -> str:
        return "month" if self.month else "year"

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)

    @property
    def file_name(self) -> str:
        scope = self.gate.code if self.gate else "zone"
        when = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"cuakhau-report-{scope}-{when}-{self.language}"


# --- the period -------------------------------------------------------------------------------


def period_months(year: int, month: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last month of the report. The running year stops at its last finished
    month, as the dashboard's comparisons do: its figures are compared month for month with a
    year before, and four days of December against the whole of December read as a fall."""
    if month:
        first = dt.date(year, month, 1)
        return first, first
    running = services.month_of(today)
    if year == today.year and today.month > 1:
        return dt.date(year, 1, 1), services.add_months(running, -1)
    return dt.date(year, 1, 1), min(dt.date(year, 12, 1), running)


def period_error(year: int, month: int | None, today: dt.date) -> tuple[str, str] | None:
    """(field, message) when the period cannot be reported on, else None."""
    if year < FIRST_YEAR:
        return "year", _("Reports start in %(year)d.") % {"year": FIRST_YEAR}
    if year > today.year:
        return "year", _("This year has not begun yet.")
    if month is not None and dt.date(year, month, 1) > services.month_of(today):
        return "month", _("This month has not begun yet.")
    return None


def _month_name(month: dt.date) -> str:
    # The translation of this format writes the month the language's way ("Tháng 10/2026").
    return date_format(month, pgettext("a report's month", "F Y"))


def _period_name(
    year: int, month: int | None, first: dt.date, last: dt.date, *, running: bool = False
) -> str:
    if month and running:
        return _("%(month)s (month to date)") % {"month": _month_name(first)}
    if month:
        return _month_name(first)
    if last.month < 12:
        return _("Year %(year)d, January to %(month)s (year to date)") % {
            "year": year,
            "month": _month_name(last),
        }
    return _("Year %(year)d") % {"year": year}


# --- building -----------------------------------------------------------------------------------


def build(
    gate: Gate | None,
    year: int,
    month: int | None,
    language: str,
    generated_by: str,
    *,
    today: dt.date | None = None,
) -> Report:
    """Every table of the report, its words in `language` (``LANGUAGES``)."""
    services.refresh_stale()
    today = today or services.local_today(gate)
    with translation.override(language):
        return _build(gate, year, month, language, generated_by, today)


def _build(gate, year, month, language, generated_by, today) -> Report:
    # Names (gates, products, countries) are kept as vi / en / zh: the reader's of these.
    reader = active_language()
    first, last = period_months(year, month, today)
    before_first, before_last = services.add_months(first, -12), services.add_months(last, -12)
    rates = services.Rates.load()
    flows = services.TRADE_DIRECTIONS + services.OTHER_DIRECTIONS
    this = services.trade_usd(gate, first, last, ("direction",), directions=flows, rates=rates)
    before = services.trade_usd(
        gate, before_first, before_last, ("direction",), directions=flows, rates=rates
    )
    traffic = services.gate_figures_by_month(gate, first, last)
    traffic_before = services.gate_figures_by_month(gate, before_first, before_last)
    months = services.months_between(first, last)
    last_day = min(services.add_months(last, 1) - dt.timedelta(days=1), today)
    days = services.trucks_per_day(gate, first, last_day) if last_day >= first else []
    # The period's trucks include imported months, which have no days of their own: the mean
    # is over every day of the period (its days with a record alone made it eleven times
    # too high for a year of ten imported months).
    period_days = max(0, (last_day - first).days + 1)

    # A month still running has only its first days: against the whole month a year before,
    # five days of December read as a fall of 87 %. It is named "so far" and compared with
    # nothing.
    running = services.month_of(today)
    if last >= running:
        before = traffic_before = None
    tables = [
        _summary(this, before, traffic, traffic_before, days, period_days),
        _by_month(gate, year, last, rates, running),
        _products(gate, first, last, rates, reader),
        _partners(gate, first, last, rates, reader),
        _traffic(traffic),
        _clearance(gate, first, last, traffic),
        _channels(gate, first, last),
        _targets(gate, year, min(services.add_months(last, 1), today), rates),
        _rates(gate, months, rates),
        _sources(gate, months),
    ]
    if this.unconverted:
        tables.append(
            Table(
                "unconverted",
                _("Values without an exchange rate (left out of the dollar figures)"),
                [(_("Currency"), CODE), (_("Value in its currency"), RATE)],
                [[currency, value] for currency, value in sorted(this.unconverted.items())],
            )
        )
    sources = services.sources_by_month(gate, first, last)
    kinds = set().union(*sources.values()) if sources else set()
    if kinds == {Source.PLATFORM}:
        sources_text = _("Every figure was recorded by the platform.")
    elif kinds == {Source.IMPORTED}:
        sources_text = _("Every figure was imported from the board's spreadsheets.")
    elif kinds:
        sources_text = _(
            "Some months were recorded by the platform, others imported from the board's "
            "spreadsheets (see the table of sources)."
        )
    else:
        sources_text = _("There is no figure for this period.")
    title = _("Monthly report on border trade") if month else _("Annual report on border trade")
    scope_name = str(localized_name(gate, language=reader)) if gate else _("All gates of the zone")
    return Report(
        gate=gate,
        year=year,
        month=month,
        language=language,
        first=first,
        last=last,
        generated_at=timezone.localtime(timezone.now()),
        generated_by=generated_by,
        title=title,
        scope_name=scope_name,
        period_name=_period_name(year, month, first, last, running=last >= running),
        tables=tables,
        chart=services.turnover_by_month(gate, year, rates)[: last.month],
        definitions=definitions(),
        sources=sources_text,
    )


def _growth_row(label, value, base, kind, known: bool = True) -> list:
    """A figure, the same period's a year before and the growth (a base of None: no
    comparison, as for a month still running; not ``known``: goods of either period that no
    exchange rate converts, left out of the dollars)."""
    return [
        label,
        Figure(value, kind),
        Figure(base, kind),
        services.growth(value, base) if base is not None and known else None,
    ]


def _summary(this, before, traffic, traffic_before, days, period_days) -> Table:
    def flows(totals, directions):
        if totals is None:
            return None
        return sum((totals.usd.get(d, Decimal(0)) for d in directions), Decimal(0))

    def total(rows, name):
        if rows is None:
            return None
        return sum((row[name] or 0 for row in rows), 0)

    export, imports = (flows(this, (d,)) for d in (Direction.EXPORT, Direction.IMPORT))
    export_before, imports_before = (
        flows(before, (d,)) for d in (Direction.EXPORT, Direction.IMPORT)
    )
    other = flows(this, services.OTHER_DIRECTIONS)
    other_before = flows(before, services.OTHER_DIRECTIONS)

    def known(directions) -> bool:
        return not any(
            totals is not None and totals.unconverted_keys.get(d)
            for totals in (this, before)
            for d in directions
        )

    trucks = total(traffic, "trucks")
    busiest = max(days, key=lambda d: (d["total"], d["day"]), default=None)
    exports_d, imports_d = (Direction.EXPORT,), (Direction.IMPORT,)
    rows = [
        _growth_row(_("Exports (USD)"), export, export_before, USD, known(exports_d)),
        _growth_row(_("Imports (USD)"), imports, imports_before, USD, known(imports_d)),
        _growth_row(
            _("Import-export turnover (USD)"),
            export + imports,
            None if export_before is None else export_before + imports_before,
            USD,
            known(exports_d + imports_d),
        ),
        _growth_row(
            _("Other flows: temporary import, transit (USD)"),
            other,
            other_before,
            USD,
            known(services.OTHER_DIRECTIONS),
        ),
        _growth_row(_("Trucks crossed"), trucks, total(traffic_before, "trucks"), COUNT),
        [
            _("Trucks per day (mean)"),
            Figure(Decimal(trucks) / period_days if period_days else None, MINUTES),
            None,
            None,
        ],
        [
            _("Busiest day: %(day)s (trucks)") % {"day": written(busiest["day"], DAY)}
            if busiest and busiest["total"]
            else _("Busiest day (trucks)"),
            Figure(busiest["total"] if busiest and busiest["total"] else None, COUNT),
            None,
            None,
        ],
        _growth_row(
            _("Gate fee revenue (VND)"),
            total(traffic, "fee_vnd"),
            total(traffic_before, "fee_vnd"),
            VND,
        ),
        _growth_row(
            _("State budget contribution (VND)"),
            total(traffic, "budget_vnd"),
            total(traffic_before, "budget_vnd"),
            VND,
        ),
    ]
    return Table(
        "summary",
        _("Key figures"),
        [
            (_("Figure"), TEXT),
            (_("This period"), USD),
            (_("Same period last year"), USD),
            (_("Growth (%)"), PERCENT),
        ],
        rows,
        summed_rows={2: (0, 1)},
    )


def _by_month(gate, year, last, rates, running: dt.date) -> Table:
    rows = services.turnover_by_month(gate, year, rates)[: last.month]
    for row in rows:
        if row["month"] >= running:
            row["growth"] = None
    keys = ("export", "import", "other", "turnover", "last_year")
    table = Table(
        "months",
        _("Turnover by month (USD)"),
        [
            (_("Month"), MONTH),
            (_("Exports"), USD),
            (_("Imports"), USD),
            (_("Other flows"), USD),
            (_("Turnover"), USD),
            (_("Same month last year"), USD),
            (_("Growth (%)"), PERCENT),
        ],
        [[row["month"], *(row[k] for k in keys), row["growth"]] for row in rows],
        sums={4: (1, 2)},
    )
    sums = [sum((row[k] for row in rows), Decimal(0)) for k in keys]
    # The growth of the total compares finished months, as the dashboard's headline does.
    finished = [row for row in rows if row["month"] < running]
    table.total = [
        _("Total"),
        *sums,
        services.growth(
            sum((row["turnover"] for row in finished), Decimal(0)),
            sum((row["last_year"] for row in finished), Decimal(0)),
        )
        if finished and not any(row["missing_rates"] for row in finished)
        else None,
    ]
    return table


def _product_names(codes, language) -> dict[str, str]:
    names = {}
    for code, english, vietnamese, chinese in HSCode.objects.filter(code__in=codes).values_list(
        "code", "description", "description_vi", "name_zh"
    ):
        names[code] = str(localized(vietnamese, english, chinese, language=language))
    return names


def _products(gate, first, last, rates, language) -> Table:
    ranked = services.top_products(gate, first, last, limit=None, rates=rates)
    products = ranked[:TOP_PRODUCTS]
    names = _product_names([p["code"] for p in products if p["code"]], language)
    rows = []
    for rank, item in enumerate(products, 1):
        code = item["code"]
        name = names.get(code, "") if code else _("Not broken down (imported figures)")
        rows.append(
            [rank, code, name, item["export"], item["import"], item["total"], item["net_kg"]]
        )
    others = services.products_beyond(ranked, TOP_PRODUCTS)
    if others:
        # The rest in one line, so that the sheet adds up to the period's trade.
        keys = ("code", "name", "export", "import", "total", "net_kg")
        rows.append([None, *(others[k] for k in keys)])
    return Table(
        "products",
        _("Top products by HS heading (USD)"),
        [
            (_("Rank"), COUNT),
            (_("HS"), CODE),
            (_("Product"), TEXT),
            (_("Exports"), USD),
            (_("Imports"), USD),
            (_("Total"), USD),
            (_("Net weight (kg)"), COUNT),
        ],
        rows,
        sums={5: (3, 4)},
        whole=True,
        note=_("The %(n)d headings with the largest trade in the period.") % {"n": TOP_PRODUCTS},
    )


def _partners(gate, first, last, rates, language) -> Table:
    partners = services.by_partner(gate, first, last, rates=rates)
    grand = sum((p["total"] for p in partners), Decimal(0))
    # Shares that add up to 100.0 as shown, as the dollars add up to their totals.
    shares = (
        rounding.shown_parts([p["total"] * 100 / grand for p in partners], 1)[0]
        if grand
        else [None] * len(partners)
    )
    return Table(
        "partners",
        _("Trade by partner country (USD)"),
        [
            (_("Country"), TEXT),
            (_("Exports"), USD),
            (_("Imports"), USD),
            (_("Total"), USD),
            (_("Share (%)"), PERCENT),
        ],
        [
            [
                country_name(p["country"], language),
                p["export"],
                p["import"],
                p["total"],
                share,
            ]
            for p, share in zip(partners, shares, strict=True)
        ],
        sums={3: (1, 2)},
        whole=True,
        note=_(
            "The partner of an import is the goods' country of origin; of an export, the "
            "country across the gate."
        ),
    )


def _traffic(traffic) -> Table:
    table = Table(
        "traffic",
        _("Trucks, clearance and fees by month"),
        [
            (_("Month"), MONTH),
            (_("Trucks crossed"), COUNT),
            (_("Mean clearance (min)"), MINUTES),
            (_("Receipts"), COUNT),
            (_("Gate fee revenue (VND)"), VND),
            (_("State budget contribution (VND)"), VND),
        ],
        [
            [
                row["month"],
                row["trucks"] or 0,
                row["mean_clearance"],
                row["receipts"] or 0,
                row["fee_vnd"] or 0,
                row["budget_vnd"] or 0,
            ]
            for row in traffic
        ],
    )
    trucks = sum(row["trucks"] or 0 for row in traffic)
    table.total = [
        _("Total"),
        trucks,
        _mean_clearance(traffic),
        sum(row["receipts"] or 0 for row in traffic),
        sum(row["fee_vnd"] or 0 for row in traffic),
        sum(row["budget_vnd"] or 0 for row in traffic),
    ]
    return table


def _mean_clearance(traffic) -> Decimal | None:
    """The mean of the trucks the platform timed (imported months have trucks, no times): None
    when none was timed, never 0 minutes."""
    timed = sum(row["timed_trucks"] for row in traffic)
    minutes = sum(row["clearance_minutes"] or 0 for row in traffic)
    return Decimal(minutes) / timed if timed else None


def _clearance(gate, first, last, traffic) -> Table:
    percentiles = services.clearance_percentiles(gate, first, last, points=(50, 90))
    rows = [[_("Mean"), _mean_clearance(traffic), ""]]
    for point, label in ((50, _("Median")), (90, _("90th percentile"))):
        value = percentiles[point]
        rows.append(
            [
                label,
                value["minutes"] if value else None,
                _("a day or more") if value and value["open"] else "",
            ]
        )
    return Table(
        "clearance",
        _("Clearance time, arrival to exit (minutes)"),
        [(_("Measure"), TEXT), (_("Time (minutes)"), MINUTES), (_("Note"), TEXT)],
        rows,
        note=_("Percentiles are read from five-minute bins."),
    )


def _channels(gate, first, last) -> Table:
    labels = {**dict(RiskChannel.choices), "unknown": _("No channel recorded")}
    return Table(
        "channels",
        _("Customs channels"),
        [(_("Channel"), TEXT), (_("Trucks"), COUNT), (_("Share (%)"), PERCENT)],
        [
            [str(labels[s["channel"]]), s["trucks"], s["percent"]]
            for s in services.channel_shares(gate, first, last)
        ],
    )


def _targets(gate, year, today, rates) -> Table:
    measures, kinds, verdicts = (
        dict(Measure.choices),
        dict(TargetKind.choices),
        dict(Verdict.choices),
    )
    rows = []
    for p in services.target_progress(gate, year, today, rates):
        kind = MEASURE_KIND.get(p.target.measure, COUNT)
        growth = p.target.kind == TargetKind.GROWTH
        rows.append(
            [
                str(measures.get(p.target.measure, p.target.measure)),
                str(kinds.get(p.target.kind, p.target.kind)),
                Figure(p.target.value, GROWTH_TARGET if growth else kind),
                Figure(p.goal, kind),
                Figure(p.actual, kind),
                p.months_counted,
                Figure(p.last_year_same_period, kind),
                p.growth,
                Figure(p.forecast, kind),
                # Not known: the report says which rates it waits for, as the page does.
                as_sentences(
                    [str(verdicts.get(p.verdict, p.verdict)), missing_rates_text(p.missing_rates)]
                )
                if p.missing_rates
                else str(verdicts.get(p.verdict, p.verdict)),
            ]
        )
    return Table(
        "targets",
        _("Targets for %(year)d") % {"year": year},
        [
            (_("Measure"), TEXT),
            (_("Kind of target"), TEXT),
            (_("Target"), USD),
            (_("Goal for the year"), USD),
            (_("So far"), USD),
            (_("Months counted"), COUNT),
            (_("Same period last year"), USD),
            (_("Growth (%)"), PERCENT),
            (_("Forecast for the year"), USD),
            (_("Verdict"), TEXT),
        ],
        rows,
        note=_(
            "Complete months only. The forecast scales the months so far by last year's "
            "seasonal pattern (by the number of months without last year's figures)."
        ),
        pdf_skip=frozenset({1}),  # the target itself says "+5.0 %" or an amount
    )


def _rates(gate, months, rates) -> Table:
    rows = []
    for item in services.rates_used(gate, months, rates):
        rows.append(
            [
                item["currency"],
                item["month"],
                item["units_per_usd"],
                item["from_month"],
                # A rate's source is written in Vietnamese (the shipped table, the board's
                # notes): said so in an English report, as the pages do.
                said_with_its_language(original(item["source"], "vi"))
                if item["source"]
                else (_("No rate: left out") if item["units_per_usd"] is None else ""),
            ]
        )
    return Table(
        "rates",
        _("Exchange rates used (units per USD)"),
        [
            (_("Currency"), CODE),
            (_("Month"), MONTH),
            (_("Units per USD"), RATE),
            (_("Rate of the month"), MONTH),
            (_("Source"), TEXT),
        ],
        rows,
        note=_("A month without a rate uses the latest earlier one; its month is shown."),
    )


def _sources(gate, months) -> Table:
    found = services.sources_by_month(gate, months[0], months[-1])
    labels = dict(Source.choices)

    def said(kinds: set[str]) -> str:
        if not kinds:
            return _("No figure")
        return "; ".join(str(labels[k]) for k in sorted(kinds, key=list(labels).index))

    return Table(
        "sources",
        _("Source of the figures"),
        [(_("Month"), MONTH), (_("Source"), TEXT)],
        [[month, said(found.get(month, set()))] for month in months],
    )


def definitions() -> list[str]:
    return [
        _(
            "A truck's goods count in the month its truck left the gate, in the gate's time "
            "zone; only trips that exited count. Clearance time is arrival to exit."
        ),
        _(
            "Turnover is exports plus imports; temporary import / re-export and transit are "
            "shown apart as other flows; empty returns carry no goods."
        ),
        _(
            "Values are converted to US dollars with the month's rate; a month without a rate "
            "uses the latest earlier one; a value with no rate at all is left out of the dollar "
            "figures and listed apart, never guessed."
        ),
        _(
            "Fee revenue is the amount of the valid e-receipts issued in the period (revoked "
            "ones left out, their replacements counted); fees are State budget revenue. An "
            "imported month may carry the gate's whole budget contribution instead."
        ),
        _(
            "Months before the platform come from the board's spreadsheets, imported as they "
            "were kept; a gate-month is either recorded or imported, never both."
        ),
    ]


# --- writing values -------------------------------------------------------------------------


def _round(value, places: int) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def shown_figures(table: Table, places: int) -> tuple[list[list], list | None]:
    """The rows and the total row of ``table`` with its dollars as a writer shows them, to
    ``places`` decimals (the PDF whole dollars, the workbook cents), the parts adding up to
    their totals as shown (``stats.rounding``): rounded one by one, 10.50 + 20.50 read
    11 + 21 beside a turnover of 31."""
    rows = [list(row) for row in table.rows]
    total = list(table.total) if table.total else None

    def value(cell):
        return cell.value if isinstance(cell, Figure) else cell

    def put(cell, new):
        return Figure(new, cell.kind) if isinstance(cell, Figure) else new

    dollars = [i for i, (_heading, kind) in enumerate(table.columns) if kind == USD]
    if (total is not None or table.whole) and dollars and rows:
        where = {column: n for n, column in enumerate(dollars)}
        sums = {where[t]: tuple(where[p] for p in parts) for t, parts in table.sums.items()}
        grid, totals = rounding.shown_grid(
            [[value(row[c]) for c in dollars] for row in rows], sums, places
        )
        for row, figures in zip(rows, grid, strict=True):
            for c, figure in zip(dollars, figures, strict=True):
                row[c] = put(row[c], figure)
        for c, figure in zip(dollars, totals, strict=True):
            if total is not None:
                total[c] = put(total[c], figure)
    else:
        for row in rows:
            for summed, parts in table.sums.items():
                if any(value(row[p]) is None for p in parts):
                    continue
                figures, row_total = rounding.shown_parts([value(row[p]) for p in parts], places)
                for p, figure in zip(parts, figures, strict=True):
                    row[p] = put(row[p], figure)
                row[summed] = put(row[summed], row_total)
    for summed, parts in table.summed_rows.items():
        for c in range(len(table.columns)):
            cells = [rows[p][c] for p in (summed, *parts)]
            if not all(isinstance(cell, Figure) and cell.kind == USD for cell in cells):
                continue
            if any(cell.value is None for cell in cells):
                continue
            figures, column_total = rounding.shown_parts([rows[p][c].value for p in parts], places)
            for p, figure in zip(parts, figures, strict=True):
                rows[p][c] = Figure(figure, USD)
            rows[summed][c] = Figure(column_total, USD)
    return rows, total


def written(value, kind: str) -> str:
    """A value as the active language writes it (39.540 in Vietnamese, 39,540 in English)."""
    if isinstance(value, Figure):
        value, kind = value.value, value.kind
    if value is None or value == "":
        return "—" if kind in NUMERIC or kind in (MONTH, DAY) else ""
    if isinstance(value, str):  # a label in a column of figures: "Total"
        return value
    if kind in (MONTH,):
        return date_format(value, "YEAR_MONTH_FORMAT")
    if kind == DAY:
        return date_format(value, "SHORT_DATE_FORMAT")
    if kind in (USD, VND, COUNT):
        return number_format(_round(value, 0), decimal_pos=0, use_l10n=True, force_grouping=True)
    if kind == GROWTH_TARGET:
        shown = number_format(_round(value, 1), decimal_pos=1, use_l10n=True)
        return f"+{shown} %" if value >= 0 else f"{shown} %"
    if kind in (PERCENT, MINUTES):
        return number_format(_round(value, 1), decimal_pos=1, use_l10n=True, force_grouping=True)
    if kind == RATE:
        number = Decimal(value).normalize()
        places = max(0, -number.as_tuple().exponent)
        return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    return str(value)


# --- the workbook --------------------------------------------------------------------------------


def _cell_value(value, kind: str):
    """What a workbook cell holds: numbers as numbers, dollars to the cent, percentages as
    fractions (formatted "0.0%"), months and days as dates."""
    if isinstance(value, Figure):
        value, kind = value.value, value.kind
    if value is None:
        return None
    if kind == USD:
        return _round(value, 2)
    if kind in (VND, COUNT):
        return int(_round(value, 0))
    if kind in (PERCENT, GROWTH_TARGET):
        return Decimal(value) / 100
    if kind == MINUTES:
        return _round(value, 1)
    if kind == RATE:
        return Decimal(value)
    return value


def _number_format(value, kind: str) -> str | None:
    if isinstance(value, Figure):
        kind = value.kind
    return {
        USD: "#,##0.00",
        VND: "#,##0",
        COUNT: "#,##0",
        PERCENT: "0.0%",
        GROWTH_TARGET: "+0.0%;-0.0%",
        MINUTES: "0.0",
        RATE: "#,##0.####",
        MONTH: "mm/yyyy",
        DAY: "dd/mm/yyyy",
    }.get(kind)


def _sheet_title(title: str, used: set[str]) -> str:
    name = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip()
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def to_xlsx(report: Report) -> bytes:
    """A cover sheet (title, scope, period, source, generation, definitions), then one sheet
    per table with its headings in the report's language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    with translation.override(report.language):
        workbook = Workbook()
        cover = workbook.active
        used: set[str] = set()
        cover.title = _sheet_title(_("Report"), used)
        cover.append([report.title])
        cover["A1"].font = Font(bold=True, size=14)
        for label, value in (
            (_("Gate or zone"), report.scope_name),
            (_("Period"), report.period_name),
            (_("First month"), report.first),
            (_("Last month"), report.last),
            (_("Source of the figures"), report.sources),
            (_("Generated at"), timezone.make_naive(report.generated_at)),
            (_("Generated by"), report.generated_by),
        ):
            cover.append([label, xlsx_text(cover, value)])
        for row in (4, 5):
            cover.cell(row, 2).number_format = "mm/yyyy"
        cover.cell(8, 2).number_format = "dd/mm/yyyy hh:mm"
        cover.append([])
        cover.append([_("Definitions")])
        cover.cell(cover.max_row, 1).font = bold
        for text in report.definitions:
            cover.append([text])
            cover.cell(cover.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        cover.column_dimensions["A"].width = 90
        cover.column_dimensions["B"].width = 40

        names = sheet_names()
        for table in report.tables:
            sheet = workbook.create_sheet(_sheet_title(names[table.key], used))
            sheet.append([table.title])
            sheet["A1"].font = bold
            sheet.append([heading for heading, _kind in table.columns])
            for cell in sheet[2]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            # Cents that add up as shown: rounded one by one, 10.005 + 10.005 read 10.01 + 10.01
            # beside a turnover of 20.01.
            rows, total = shown_figures(table, 2)
            body = [*rows, *([total] if total else [])]
            for values in body:
                sheet.append(
                    [
                        xlsx_text(sheet, _cell_value(value, kind))
                        for value, (_heading, kind) in zip(values, table.columns, strict=True)
                    ]
                )
                for index, (value, (_heading, kind)) in enumerate(
                    zip(values, table.columns, strict=True), 1
                ):
                    number_format = _number_format(value, kind)
                    if number_format:
                        sheet.cell(sheet.max_row, index).number_format = number_format
            if table.total:
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
            if table.note:
                sheet.append([])
                sheet.append([table.note])
            for index, (_heading, kind) in enumerate(table.columns, 1):
                width = 48 if kind == TEXT else 8 if kind == CODE else 16
                sheet.column_dimensions[get_column_letter(index)].width = width
            sheet.freeze_panes = "A3"
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


# --- the PDF -------------------------------------------------------------------------------------

# Colours of the chart's bars: dark enough to tell apart when printed in black and white.
EXPORT_COLOUR = (0.10, 0.32, 0.60)
IMPORT_COLOUR = (0.80, 0.45, 0.10)
LAST_YEAR_COLOUR = (0.62, 0.62, 0.62)
COLUMN_WIDTHS_MM = {
    CODE: 13,
    USD: 21,
    VND: 25,
    COUNT: 16,
    PERCENT: 15,
    GROWTH_TARGET: 16,
    MINUTES: 17,
    RATE: 18,
    MONTH: 19,
    DAY: 19,
}
# The narrowest a column of words may be before the table's type is made smaller.
TEXT_MIN_MM = 24
# A table's type, and the sizes it steps down through when its figures need more room: a
# figure is never broken across lines (reportlab breaks a word too long for its cell).
CELL_SIZES = (7.5, 7, 6.5, 6, 5.5)
CELL_PADDING = 4  # points on each side of a cell's text


def table_layout(headings, cells, kinds, content_width) -> tuple[float, list[float]]:
    """The type size and the column widths of a table in the PDF.

    A column of figures, codes or months is as wide as its widest cell (and as each word of
    its heading), at least its usual width; the columns of words share what is left, each at
    least ``TEXT_MIN_MM``. When that does not fit the page the type steps down; at the
    smallest size the words get narrower still, never the figures. A table of figures only
    is spread across the page. ``cells``: rows of (text, bold)."""
    from reportlab.lib.units import mm

    from cuakhau.receipts import pdf as receipt_pdf

    def widest(texts, size, bold=False):
        return max((receipt_pdf.text_width(t, size, bold) for t in texts), default=0)

    flexible = [i for i, kind in enumerate(kinds) if kind not in COLUMN_WIDTHS_MM]
    for size in CELL_SIZES:
        scale = size / CELL_SIZES[0]
        widths = []
        for index, kind in enumerate(kinds):
            if index in flexible:
                widths.append(0)
                continue
            content = max(
                widest([t for t, bold in (row[index] for row in cells) if not bold], size),
                widest([t for t, bold in (row[index] for row in cells) if bold], size, True),
                widest(headings[index].split(), size, True),
            )
            # A point to spare: the cell's own sum of glyph widths may round the other way.
            need = content + 2 * CELL_PADDING + 1
            widths.append(max(COLUMN_WIDTHS_MM[kind] * mm * scale, need))
        left = content_width - sum(widths)
        if not flexible:
            if left >= 0 or size == CELL_SIZES[-1]:
                return size, [w * content_width / sum(widths) if left > 0 else w for w in widths]
            continue
        text_width = left / len(flexible)
        if text_width >= TEXT_MIN_MM * mm * scale or size == CELL_SIZES[-1]:
            text_width = max(text_width, TEXT_MIN_MM * mm * scale / 2)
            return size, [text_width if i in flexible else w for i, w in enumerate(widths)]
    raise AssertionError("unreachable")  # the last size always returns


def _pdf_plain(text) -> str:
    """Text as the PDF draws it: without diacritics only if no Vietnamese font."""
    from cuakhau.receipts import pdf as receipt_pdf

    text = str(text)
    if receipt_pdf.fonts().covered is None:
        text = receipt_pdf.strip_diacritics(text)
    return text


def _pdf_text(text, bold: bool = False) -> str:
    """Text for a Paragraph: escaped, each script in a font that has it (a Chinese report names
    Vietnamese gates), without diacritics only if no Vietnamese font."""
    from cuakhau.receipts import pdf as receipt_pdf

    return receipt_pdf.paragraph_markup(str(text), bold)


def _mixed_string(x: float, y: float, text: str, size: float, anchor: str = "start", **style):
    """A line of a chart in as many fonts as its scripts need (a reportlab ``String`` has one):
    "1月" is a digit in the Vietnamese font and a character in the Chinese one."""
    from reportlab.graphics.shapes import Group, String

    from cuakhau.receipts import pdf as receipt_pdf

    runs = receipt_pdf.drawn_runs(str(text), size)
    width = sum(run_width for _font, _run, run_width in runs)
    x -= {"start": 0, "middle": width / 2, "end": width}[anchor]
    group = Group()
    for font, run, run_width in runs:
        group.add(String(x, y, run, fontName=font, fontSize=size, **style))
        x += run_width
    return group


def _numbered_canvas(label: str, footer: str):
    """A canvas that writes "page n of N" on every page once it knows N (two passes)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from cuakhau.receipts import pdf as receipt_pdf

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def _write(self, x: float, text: str) -> None:
            # Piece by piece: the footer of a Chinese report mixes the two scripts' fonts.
            for run_font, run, width in receipt_pdf.drawn_runs(text, 7.5):
                self.setFont(run_font, 7.5)
                self.drawString(x, 10 * mm, run)
                x += width

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self.setFillGray(0.35)
                self._write(18 * mm, footer)
                page = label % {"page": self._pageNumber, "pages": len(self._pages)}
                width = sum(w for _font, _run, w in receipt_pdf.drawn_runs(page, 7.5))
                self._write(A4[0] - 18 * mm - width, page)
                super().showPage()
            super().save()

    return NumberedCanvas


def _chart(report: Report, width: float, font: str):
    """Exports and imports of each month of the year so far, beside last year's turnover."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, Rect
    from reportlab.lib.colors import Color
    from reportlab.lib.units import mm

    height = 72 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 22 * mm, 16 * mm
    chart.width, chart.height = width - 26 * mm, height - 22 * mm
    series = [
        [float(row["export"]) for row in report.chart],
        [float(row["import"]) for row in report.chart],
        [float(row["last_year"]) for row in report.chart],
    ]
    chart.data = series
    top = max((max(values) for values in series if values), default=0)
    # Steps of whole dollars, as the axis writes them (0.2-dollar steps read 0, 0, 0, 1, 1).
    ticks = charts.nice_ticks(top, whole=True)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = ticks[-1]
    chart.valueAxis.valueStep = ticks[1] - ticks[0]
    chart.valueAxis.labelTextFormat = lambda value: written(value, USD)
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    # The translation writes a month short the language's way ("T3" in Vietnamese).
    short = pgettext("a chart's month", "M")
    months = [date_format(row["month"], short) for row in report.chart]
    chart.categoryAxis.categoryNames = months
    # Written below by ``_mixed_string``: "1月" needs two fonts, an axis label has one.
    chart.categoryAxis.visibleLabels = False
    chart.groupSpacing = 4
    colours = [Color(*EXPORT_COLOUR), Color(*IMPORT_COLOUR), Color(*LAST_YEAR_COLOUR)]
    for index, colour in enumerate(colours):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    for index, month in enumerate(months):
        centre = chart.x + (index + 0.5) * chart.width / max(len(months), 1)
        drawing.add(_mixed_string(centre, chart.y - 10, month, 7, "middle"))
    if top <= 0:
        # Nothing to draw: no scale is made up, the chart says so.
        chart.valueAxis.visibleLabels = False
        chart.valueAxis.visibleTicks = False
        drawing.add(
            _mixed_string(
                chart.x + chart.width / 2,
                chart.y + chart.height / 2,
                _("No figure for this period."),
                9,
                "middle",
                fillColor=Color(0.35, 0.35, 0.35),
            )
        )
    # The legend: three entries side by side, the longest last ("same month last year"), each a
    # swatch and its words (drawn here, not by reportlab's Legend: its words have one font).
    names = [_("Exports"), _("Imports"), _("Turnover, same month last year")]
    for index, (colour, name) in enumerate(zip(colours, names, strict=True)):
        x = 8 * mm + index * 52 * mm
        drawing.add(Rect(x, 4 * mm, 2.8 * mm, 2.8 * mm, fillColor=colour, strokeColor=None))
        drawing.add(_mixed_string(x + 4.2 * mm, 4.5 * mm, name, 7.5))
    return drawing


def to_pdf(report: Report) -> bytes:
    """An A4 report: heading, key figures, the chart of turnover by month, every table, the
    definitions; each page numbered."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import registerFontFamily
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    from cuakhau.receipts import pdf as receipt_pdf

    fonts = receipt_pdf.fonts()
    registerFontFamily(fonts.regular, normal=fonts.regular, bold=fonts.bold)
    margin = 18 * mm
    content_width = A4[0] - 2 * margin
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    cell_style = ParagraphStyle("cell", parent=body, fontSize=CELL_SIZES[0], leading=9)
    title = ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=15, leading=19)
    section = ParagraphStyle(
        "section", parent=body, fontName=fonts.bold, fontSize=11, leading=14, spaceBefore=8
    )

    with translation.override(report.language):
        story = [
            Paragraph(_pdf_text(report.title), title),
            Spacer(1, 2 * mm),
        ]
        for label, value in (
            (_("Gate or zone"), report.scope_name),
            (_("Period"), report.period_name),
            (_("Source of the figures"), report.sources),
            (
                _("Generated"),
                _("%(when)s by %(who)s")
                % {
                    "when": date_format(report.generated_at, "DATETIME_FORMAT"),
                    "who": report.generated_by,
                },
            ),
        ):
            story.append(Paragraph(f"{_pdf_text(f'{label}:', bold=True)} {_pdf_text(value)}", body))

        def table_flowables(table: Table) -> list:
            shown = [i for i in range(len(table.columns)) if i not in table.pdf_skip]
            columns = [table.columns[i] for i in shown]
            # Whole dollars that add up as shown (the workbook's cents do too).
            figures, total = shown_figures(table, 0)
            rows = [*figures, *([total] if total else [])]
            # Each cell's text and how it is set: (text, bold, a figure right-aligned).
            cells = [
                [
                    (
                        _pdf_plain(written(values[i], table.columns[i][1])),
                        values is total,
                        (values[i].kind if isinstance(values[i], Figure) else table.columns[i][1])
                        in NUMERIC,
                    )
                    for i in shown
                ]
                for values in rows
            ]
            size, widths = table_layout(
                [_pdf_plain(h) for h, _kind in columns],
                [[(text, bold) for text, bold, _right in row] for row in cells],
                [kind for _h, kind in columns],
                content_width,
            )
            cell = ParagraphStyle("cell", parent=cell_style, fontSize=size, leading=size * 1.2)
            number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
            heading = ParagraphStyle("heading", parent=cell, fontName=fonts.bold)
            heading_number = ParagraphStyle("heading_number", parent=heading, alignment=TA_RIGHT)
            data = [
                [
                    Paragraph(_pdf_text(h), heading_number if kind in NUMERIC else heading)
                    for h, kind in columns
                ]
            ]
            for row in cells:
                data.append(
                    [
                        Paragraph(_pdf_text(text, bold), number if right else cell)
                        for text, bold, right in row
                    ]
                )
            if not table.rows:
                data.append(
                    [Paragraph(_pdf_text(_("No figure for this period.")), cell)]
                    + [""] * (len(columns) - 1)
                )
            style = [
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.95)),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.Color(0.4, 0.4, 0.4)),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.Color(0.8, 0.8, 0.8)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
            if not table.rows:
                style.append(("SPAN", (0, 1), (-1, 1)))
            if table.total:
                style.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black))
            pdf_table = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            pdf_table.setStyle(TableStyle(style))
            flowables = [Paragraph(_pdf_text(table.title), section), Spacer(1, 1.5 * mm)]
            flowables.append(pdf_table)
            if table.note:
                flowables += [Spacer(1, 1 * mm), Paragraph(_pdf_text(table.note), small)]
            return flowables

        summary, *others = report.tables
        story += table_flowables(summary)
        story.append(
            KeepTogether(
                [
                    Paragraph(_pdf_text(_("Exports and imports by month (USD)")), section),
                    _chart(report, content_width, fonts.regular),
                ]
            )
        )
        for table in others:
            flowables = table_flowables(table)
            # A short table stays with its title; a long one may break (its heading repeats).
            story.append(KeepTogether(flowables) if len(table.rows) <= 15 else flowables[0])
            if len(table.rows) > 15:
                story += flowables[1:]
        story.append(Paragraph(_pdf_text(_("Definitions")), section))
        for text in report.definitions:
            story.append(Paragraph(_pdf_text(text), small))
            story.append(Spacer(1, 1 * mm))

        canvas = _numbered_canvas(
            _("Page %(page)d of %(pages)d"),
            f"{report.title} · {report.scope_name} · {report.period_name}",
        )
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=f"{report.title} — {report.scope_name} — {report.period_name}",
            author=report.generated_by,
            lang=report.language,
        )
        document.build(story, canvasmaker=canvas)
    return buffer.getvalue()
