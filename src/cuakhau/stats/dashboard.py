"""The dashboard's figures for a gate or the zone and a year, as tables: one object feeds the
page (its tables and charts), the CSV downloads and the API, so they can never disagree.

Each table keeps raw values (dates, Decimals, counts) under stable keys — the API's field
names — and says how each column reads (``Column.kind``); the page formats them in the reader's
language, the CSV writes them as plain numbers. Dollar figures are rounded to whole dollars
here, once, so the page, the CSV and the API show the same amounts.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cuakhau.core import charts
from cuakhau.core.spreadsheets import CsvWriter, csv_text
from cuakhau.core.wording import join_clauses, join_words
from cuakhau.reference.localize import (
    LocalizedText,
    country_name,
    localized,
    said_with_its_language,
)
from cuakhau.reference.models import Gate, HSCode
from cuakhau.risk.choices import RiskChannel
from cuakhau.trips.choices import Direction

from . import rounding, services
from .choices import Measure, TargetKind, Verdict
from .models import ExchangeRate

TRUCK_DAYS = 90


# The turnover table's columns as ``rounding.shown_grid`` reads them: turnover is exports plus
# imports in every row and in the headline, and each column adds up to the headline.
TURNOVER_KEYS = ("export", "import", "other", "turnover", "last_year")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # How the value reads: text, month, day, usd, vnd, count, percent, minutes, kg.
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "month", "day")

    @property
    def css(self) -> str:
        """The class of the column's cells (``dashboard.css``): figures, months and days on one
        line, codes narrow, names wide enough to read on a phone."""
        if self.numeric:
            return "num"
        if self.kind != "text":
            return "when"
        return {"code": "short", "name": "wide"}.get(self.key, "")


# The products a board's chart ranks; the rest are one line of the table ("others").
TOP_PRODUCTS = 10


@dataclass
class Table:
    """One chart's data: its rows, the columns a person reads, the series the chart draws."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: str  # ColumnChart, LineChart, BarChart or PieChart (Chartkick's names)
    series: list[str]  # the column keys drawn
    label_key: str  # the column whose value names each point
    unit: str = ""
    # A column whose text follows the label (an HS code's product name): a code alone names
    # nothing to a reader. Shortened in the chart's labels, whole in the SVG's tooltips.
    name_key: str = ""
    stacked: bool = False
    description: str = ""
    # Rows the table and its CSV end with but the chart does not draw: what a top ten leaves
    # out, so that the lines add up to the period's whole.
    footer: list[dict] = field(default_factory=list)

    @property
    def body(self) -> list[list[tuple]]:
        return [[(row.get(c.key), c) for c in self.columns] for row in self.rows]

    @property
    def footer_body(self) -> list[list[tuple]]:
        return [[(row.get(c.key), c) for c in self.columns] for row in self.footer]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def point_label(self, row: dict, *, whole: bool = False) -> str:
        label = cell_text(row.get(self.label_key), self.column(self.label_key).kind)
        value = row.get(self.name_key) if self.name_key else None
        name = str(value or "").strip()
        if not name:
            return label
        # A name the reference data lacks in the reader's language (an HS chapter's in
        # Chinese) says which it is in, as the table's cell under the chart does; beside a
        # bar, within the room the name alone had.
        marker = value.marker if isinstance(value, LocalizedText) else ""
        suffix = f" ({marker})" if marker else ""
        if not whole:
            name = shortened(name, max(18 - columns(suffix), 8))
        return f"{label} {name}{suffix}"

    def chart_data(self) -> dict:
        """What ``static/stats/charts.js`` draws with Chart.js (through Chartkick)."""
        labels = [self.point_label(row) for row in self.rows]
        return {
            "type": self.chart,
            "labels": labels,
            "series": [
                {
                    "name": str(self.column(key).label),
                    "data": [_plain(row.get(key)) for row in self.rows],
                }
                for key in self.series
            ],
            "stacked": self.stacked,
            "unit": str(self.unit),
            "thousands": str(formats.get_format("THOUSAND_SEPARATOR")),
            "decimal": str(formats.get_format("DECIMAL_SEPARATOR")),
        }

    def svg(self):
        """The same chart drawn on the server: what a page without JavaScript, or a printout,
        shows (``core.charts``)."""
        labels = [self.point_label(row) for row in self.rows]
        description = self.description or _("The figures are in the table below the chart.")
        if len(self.series) == 1 and self.chart in ("BarChart", "PieChart", "ColumnChart"):
            key = self.series[0]
            bars = [
                charts.Bar(
                    label=self.point_label(row, whole=True),
                    value=float(row.get(key) or 0),
                    # Under the axis, the code alone (no room); the name shows on hover.
                    tick=cell_text(row.get(self.label_key), "text") if self.name_key else "",
                )
                for row in self.rows
            ]
            return charts.bar_chart(
                bars, title=str(self.title), description=str(description), y_label=str(self.unit)
            )
        series = [
            charts.Series(
                name=str(self.column(key).label),
                values=[None if row.get(key) is None else float(row[key]) for row in self.rows],
            )
            for key in self.series
        ]
        return charts.line_chart(
            labels,
            series,
            title=str(self.title),
            description=str(description),
            y_label=str(self.unit),
        )

    def csv_bytes(self) -> bytes:
        """The table as CSV: UTF-8 with a byte-order mark (Excel then reads Vietnamese), headings
        in the reader's language, plain numbers (a dot before decimals, no grouping)."""
        out = io.StringIO()
        # Texts quoted where a spreadsheet would split them (";" in Vietnamese Excel).
        writer = CsvWriter(out)
        writer.writerow([str(c.label) for c in self.columns])
        for row in [*self.rows, *self.footer]:
            writer.writerow([csv_cell(row.get(c.key), c.kind) for c in self.columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def columns(text: str) -> int:
    """The columns ``text`` takes (a Chinese character two)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def shortened(text: str, width: int = 18) -> str:
    """A label that fits beside a bar on a phone (Chart.js clips a longer one, code first):
    ``width`` columns (a Chinese character takes two), cut at a word where there is one, with
    an ellipsis."""
    used, kept = 0, []
    for char in text:
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > width:
            cut = "".join(kept)
            if not char.isspace() and " " in cut[width // 2 :]:
                cut = cut[: cut.rindex(" ")]
            return cut.rstrip(" ,;:–-、，") + "…"
        kept.append(char)
    return text


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "month":
        return value.strftime("%Y-%m")
    if kind == "day":
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral() else value, "f")
    if isinstance(value, LocalizedText):
        # As the page marks it: an HS name with no Chinese one is the English, said so.
        return said_with_its_language(value)
    return str(value)


def csv_cell(value, kind: str) -> str:
    """``csv_value``, a text someone typed never read as a formula (``csv_text``)."""
    text = csv_value(value, kind)
    return csv_text(text) if isinstance(value, str) else text


def cell_text(value, kind: str) -> str:
    """A value as the page shows it, in the reader's number and date formats."""
    if value is None:
        return "—"
    if kind == "month":
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if kind == "day":
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if kind == "text":
        return str(value)
    value = Decimal(value)
    places = 0 if value == value.to_integral() else 1
    shown = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    return f"{shown} %" if kind == "percent" else shown


# --- the figures ------------------------------------------------------------------------------


@dataclass
class TargetRow:
    measure: str
    measure_label: str
    kind: str
    kind_label: str
    value: Decimal
    note: str
    unit: str
    actual: Decimal | None  # None: a month it needs has goods no exchange rate converts
    months_counted: int
    last_year_same_period: Decimal | None
    last_year: Decimal | None
    growth_percent: Decimal | None
    goal: Decimal | None
    forecast: Decimal | None
    method: str
    method_text: str
    verdict: str
    verdict_label: str
    # The currency and month of each rate the figures need and the board has not set.
    missing_rates: list[dict] = field(default_factory=list)


@dataclass
class Dashboard:
    gate: Gate | None
    year: int
    today: dt.date
    months: list[dt.date]  # the months shown (the year's, up to the running month)
    tables: dict[str, Table]
    headline: dict
    targets: list[TargetRow]
    rates: list[dict]
    unconverted: dict[str, Decimal]
    trucks_from: dt.date | None
    trucks_to: dt.date | None
    imported_months: list[dt.date] = field(default_factory=list)
    # The oldest exit or receipt not yet in the summaries (the worker counts it within a minute).
    pending_since: dt.datetime | None = None

    @property
    def charts(self) -> list[Table]:
        return list(self.tables.values())


CHARTS = (
    "turnover",
    "products",
    "chapters",
    "partners",
    "trucks",
    "fees",
    "clearance",
    "channels",
)
CHANNEL_WORDS = {
    RiskChannel.GREEN: RiskChannel.GREEN.label,
    RiskChannel.YELLOW: RiskChannel.YELLOW.label,
    RiskChannel.RED: RiskChannel.RED.label,
    "unknown": gettext_lazy("Channel not recorded"),
}
METHODS = {
    "seasonal": gettext_lazy(
        "Forecast: the year so far scaled by last year's seasonal pattern (so far ÷ the share "
        "the same months had of last year's total)."
    ),
    "linear": gettext_lazy(
        "Forecast: the year so far scaled to twelve months (no monthly figures for last year)."
    ),
    "actual": gettext_lazy("The year is over: the forecast is the year's actual figure."),
    "": gettext_lazy("No forecast before the first month of the year is complete."),
}
UNITS = {
    Measure.EXPORT_USD: "USD",
    Measure.IMPORT_USD: "USD",
    Measure.TURNOVER_USD: "USD",
    Measure.FEE_VND: "VND",
    Measure.TRUCKS: "",
}


def months_shown(year: int, today: dt.date) -> list[dt.date]:
    if year < today.year:
        return [dt.date(year, n, 1) for n in range(1, 13)]
    if year > today.year:
        return []
    return [dt.date(year, n, 1) for n in range(1, today.month + 1)]


def build(
    gate: Gate | None,
    year: int,
    *,
    today: dt.date | None = None,
    whole_year_of_trucks: bool = False,
    only: str | None = None,
) -> Dashboard:
    """Every figure of the dashboard (``only``: a single table, for its CSV download).

    The summaries are read as they are: recounting a busy month costs a few hundred
    milliseconds, which the worker pays once a minute, never a page view; the page says when
    changes are still being counted."""
    today = today or services.local_today(gate)
    rates = services.Rates.load()
    months = months_shown(year, today)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    tables: dict[str, Table] = {}

    def wanted(name):
        return only is None or only == name

    turnover_rows = []
    running = dt.date(today.year, today.month, 1)
    # Whole dollars of each column adding up to the headline's, each rounded from the exact
    # sum: the rows rounded one by one and summed read a year's turnover dollars off.
    turnover_totals = dict.fromkeys(TURNOVER_KEYS, Decimal(0))
    if wanted("turnover"):
        items = services.turnover_by_month(gate, year, rates)[: len(months)]
        shown, totals = rounding.shown_grid(
            [[item[key] for key in TURNOVER_KEYS] for item in items], {3: (0, 1)}
        )
        if items:
            turnover_totals = dict(zip(TURNOVER_KEYS, totals, strict=True))
        for item, figures in zip(items, shown, strict=True):
            export, imports, other, turnover, last_year = figures
            # The running month's days so far against a whole month a year before: no growth
            # (five days of December read as a fall of 87.3 %).
            if item["month"] == running:
                item["growth"] = None
            turnover_rows.append(
                {
                    "month": item["month"],
                    "export_usd": export,
                    "import_usd": imports,
                    "other_usd": other,
                    "turnover_usd": turnover,
                    "last_year_usd": last_year,
                    "growth_percent": item["growth"],
                    "missing_rates": item["missing_rates"],
                }
            )
        tables["turnover"] = Table(
            name="turnover",
            title=_("Trade turnover by month"),
            columns=[
                Column("month", _("Month"), "month"),
                Column("export_usd", _("Exports (USD)"), "usd"),
                Column("import_usd", _("Imports (USD)"), "usd"),
                Column("other_usd", _("Other flows (USD)"), "usd"),
                Column("turnover_usd", _("Turnover (USD)"), "usd"),
                Column("last_year_usd", _("Turnover a year earlier (USD)"), "usd"),
                Column("growth_percent", _("Growth (%)"), "percent"),
            ],
            rows=turnover_rows,
            chart="ColumnChart",
            series=["export_usd", "import_usd", "other_usd", "last_year_usd"],
            label_key="month",
            unit="USD",
        )
    for level, name in (("hs_heading", "products"), ("chapter", "chapters")):
        if not wanted(name):
            continue
        ranked = services.top_products(gate, first, last, level=level, limit=None, rates=rates)
        products = ranked[:TOP_PRODUCTS]
        others = services.products_beyond(ranked, TOP_PRODUCTS, level)
        names = _product_names([p["code"] for p in products])
        flows = _flows([*products, *([others] if others else [])])
        tables[name] = Table(
            name=name,
            title=_("Top products by HS heading")
            if level == "hs_heading"
            else _("Top products by HS chapter"),
            columns=[
                Column("code", _("HS code")),
                Column("name", _("Product")),
                Column("export_usd", _("Exports (USD)"), "usd"),
                Column("import_usd", _("Imports (USD)"), "usd"),
                Column("total_usd", _("Total (USD)"), "usd"),
                Column("net_kg", _("Net weight (kg)"), "kg"),
            ],
            rows=[
                {
                    "code": p["code"] or "—",
                    "name": names.get(p["code"], ""),
                    **shown,
                    "net_kg": p["net_kg"],
                }
                for p, shown in zip(products, flows[: len(products)], strict=True)
            ],
            chart="BarChart",
            series=["total_usd"],
            label_key="code",
            name_key="name",
            unit="USD",
            footer=[
                {
                    "code": others["code"],
                    "name": others["name"],
                    **flows[-1],
                    "net_kg": others["net_kg"],
                }
            ]
            if others
            else [],
        )
    if wanted("partners"):
        partners = services.by_partner(gate, first, last, rates=rates)
        tables["partners"] = Table(
            name="partners",
            title=_("Trade by partner country"),
            columns=[
                Column("country_name", _("Country")),
                Column("export_usd", _("Exports (USD)"), "usd"),
                Column("import_usd", _("Imports (USD)"), "usd"),
                Column("total_usd", _("Total (USD)"), "usd"),
            ],
            rows=[
                {
                    "country": p["country"],
                    "country_name": country_name(p["country"]),
                    **shown,
                }
                for p, shown in zip(partners, _flows(partners), strict=True)
            ],
            chart="BarChart",
            series=["total_usd"],
            label_key="country_name",
            unit="USD",
        )
    trucks_from = trucks_to = None
    if wanted("trucks"):
        trucks_to = min(today, dt.date(year, 12, 31))
        trucks_from = dt.date(year, 1, 1)
        if not whole_year_of_trucks:
            trucks_from = max(trucks_from, trucks_to - dt.timedelta(days=TRUCK_DAYS - 1))
        days = (
            services.trucks_per_day(gate, trucks_from, trucks_to)
            if trucks_from <= trucks_to
            else []
        )
        tables["trucks"] = Table(
            name="trucks",
            title=_("Trucks per day"),
            columns=[
                Column("day", _("Day"), "day"),
                Column("export", Direction.EXPORT.label, "count"),
                Column("import", Direction.IMPORT.label, "count"),
                Column("other", _("Other flows"), "count"),
                Column("total", _("Trucks crossed"), "count"),
            ],
            rows=days,
            chart="ColumnChart",
            series=["export", "import", "other"],
            label_key="day",
            unit=_("trucks"),
            stacked=True,
        )
    gate_months = {}
    if wanted("fees") or wanted("clearance"):
        gate_months = {m["month"]: m for m in services.gate_figures_by_month(gate, first, last)}
    if wanted("fees"):
        tables["fees"] = Table(
            name="fees",
            title=_("Fee revenue and State budget contribution by month"),
            columns=[
                Column("month", _("Month"), "month"),
                Column("receipts", _("Receipts"), "count"),
                Column("fee_vnd", _("Fees collected (VND)"), "vnd"),
                Column("budget_vnd", _("State budget contribution (VND)"), "vnd"),
            ],
            rows=[
                {
                    "month": month,
                    "receipts": gate_months.get(month, {}).get("receipts") or 0,
                    "fee_vnd": gate_months.get(month, {}).get("fee_vnd") or 0,
                    "budget_vnd": gate_months.get(month, {}).get("budget_vnd") or 0,
                }
                for month in months
            ],
            chart="ColumnChart",
            series=["fee_vnd", "budget_vnd"],
            label_key="month",
            unit="VND",
        )
    if wanted("clearance"):
        rows = []
        for month in months:
            figures = gate_months.get(month, {})
            bins = services.clearance_percentiles(gate, month, month)
            mean = figures.get("mean_clearance")
            rows.append(
                {
                    "month": month,
                    "trucks": figures.get("trucks") or 0,
                    "mean_minutes": None if mean is None else mean.quantize(Decimal("0.1")),
                    "median_minutes": _minutes(bins[50]),
                    "p90_minutes": _minutes(bins[90]),
                }
            )
        tables["clearance"] = Table(
            name="clearance",
            title=_("Clearance time by month (arrival to exit)"),
            columns=[
                Column("month", _("Month"), "month"),
                Column("trucks", _("Trucks crossed"), "count"),
                Column("mean_minutes", _("Mean (minutes)"), "minutes"),
                Column("median_minutes", _("Median (minutes)"), "minutes"),
                Column("p90_minutes", _("90th percentile (minutes)"), "minutes"),
            ],
            rows=rows,
            chart="LineChart",
            series=["mean_minutes", "median_minutes", "p90_minutes"],
            label_key="month",
            unit=_("minutes"),
        )
    if wanted("channels"):
        shares = services.channel_shares(gate, first, last)
        tables["channels"] = Table(
            name="channels",
            title=_("Risk channels of the trucks that crossed"),
            columns=[
                Column("label", _("Channel")),
                Column("trucks", _("Trucks crossed"), "count"),
                Column("percent", _("Share (%)"), "percent"),
            ],
            rows=[
                {**s, "label": str(CHANNEL_WORDS.get(s["channel"], s["channel"]))} for s in shares
            ],
            chart="PieChart",
            series=["trucks"],
            label_key="label",
            unit=_("trucks"),
        )
    if only is not None:
        return Dashboard(gate, year, today, months, tables, {}, [], [], {}, trucks_from, trucks_to)

    totals = services.trade_usd(
        gate,
        first,
        last,
        ("direction",),
        directions=services.TRADE_DIRECTIONS + services.OTHER_DIRECTIONS,
        rates=rates,
    )
    # The growth compares finished months only: two days of December against the whole of
    # last December read as a fall of 8.6 % for a year up by 0.5 %.
    this_month = dt.date(today.year, today.month, 1)
    finished = [r for r in turnover_rows if r["month"] < this_month]
    headline = {
        "export_usd": turnover_totals["export"],
        "import_usd": turnover_totals["import"],
        "other_usd": turnover_totals["other"],
        "turnover_usd": turnover_totals["turnover"],
        "last_year_usd": turnover_totals["last_year"],
        "growth_percent": services.growth(
            sum((r["turnover_usd"] for r in finished), Decimal(0)),
            sum((r["last_year_usd"] for r in finished), Decimal(0)),
        )
        if finished and not any(r["missing_rates"] for r in finished)
        else None,
        # The currencies without a rate in those months: their growth is not known, rather
        # than a fall nobody recorded.
        "missing_rates": sorted({c for r in finished for c in r["missing_rates"]}),
        "trucks": sum((m.get("trucks") or 0 for m in gate_months.values()), 0),
        "fee_vnd": sum((m.get("fee_vnd") or 0 for m in gate_months.values()), 0),
        "budget_vnd": sum((m.get("budget_vnd") or 0 for m in gate_months.values()), 0),
        "clearance": services.clearance_percentiles(gate, first, last),
    }
    sources = services.sources_by_month(gate, first, last)
    imported = sorted(m for m, found in sources.items() if "imported" in found)
    return Dashboard(
        gate=gate,
        year=year,
        today=today,
        months=months,
        tables=tables,
        headline=headline,
        targets=_targets(gate, year, today, rates),
        rates=_rates(gate, months, rates),
        unconverted=dict(totals.unconverted),
        trucks_from=trucks_from,
        trucks_to=trucks_to,
        imported_months=imported,
        pending_since=services.pending_since(gate),
    )


def _flows(items: list[dict]) -> list[dict]:
    """Each line's exports, imports and total in whole dollars, the lines together adding up to
    the period's (``rounding.shown_grid``): a top ten and its "others" line, or every partner,
    are the whole year's trade, and each line rounded on its own read a dollar off the
    headline's turnover."""
    if not items:
        return []
    rows = [[i["export"], i["import"], i["export"] + i["import"]] for i in items]
    shown, _totals = rounding.shown_grid(rows, {2: (0, 1)})
    return [
        {"export_usd": export, "import_usd": imports, "total_usd": total}
        for export, imports, total in shown
    ]


def _minutes(percentile) -> Decimal | None:
    return None if percentile is None else percentile["minutes"]


def _product_names(codes: list[str]) -> dict[str, object]:
    """Each HS heading's or chapter's name from the reference nomenclature, in the reader's
    language (a marked fallback where the language has none)."""
    found = {c.code: c.name for c in HSCode.objects.filter(code__in=[c for c in codes if c])}
    names = {code: found.get(code, localized(en=code)) for code in codes if code}
    if "" in codes:
        names[""] = _("Not broken down by product (imported figures)")
    return names


def _targets(gate, year, today, rates) -> list[TargetRow]:
    rows = []
    for p in services.target_progress(gate, year, today, rates):
        measure = Measure(p.target.measure)
        unit = UNITS[measure]
        rows.append(
            TargetRow(
                measure=measure.value,
                measure_label=str(measure.label),
                kind=p.target.kind,
                kind_label=str(TargetKind(p.target.kind).label),
                value=p.target.value,
                note=p.target.note,
                unit=unit,
                actual=_round(p.actual, unit),
                months_counted=p.months_counted,
                last_year_same_period=_round(p.last_year_same_period, unit),
                last_year=_round(p.last_year, unit),
                growth_percent=p.growth,
                goal=_round(p.goal, unit),
                forecast=_round(p.forecast, unit),
                method=p.method,
                # Not known: why, rather than how a forecast that was not made is made.
                method_text=missing_rates_text(p.missing_rates)
                if p.missing_rates
                else str(METHODS.get(p.method, "")),
                verdict=p.verdict,
                verdict_label=str(Verdict(p.verdict).label),
                missing_rates=[
                    {"currency": currency, "month": month} for currency, month in p.missing_rates
                ],
            )
        )
    return rows


def missing_rates_text(missing: list[tuple[str, dt.date]]) -> str:
    """Which rates a figure waits for, in the reader's language: "No exchange rate for VND in
    November 2026, December 2026"."""
    months: dict[str, list[dt.date]] = {}
    for currency, month in missing:
        months.setdefault(currency, []).append(month)
    return _("No exchange rate for %(missing)s") % {
        "missing": join_clauses(
            pgettext("a currency's exchange rate missing in months", "%(currency)s in %(months)s")
            % {
                "currency": currency,
                "months": join_words(
                    formats.date_format(m, "YEAR_MONTH_FORMAT") for m in sorted(each)
                ),
            }
            for currency, each in sorted(months.items())
        )
    }


def _round(value, unit) -> Decimal | None:
    return rounding.rounded(value)


def _rates(gate, months, rates) -> list[dict]:
    if not months:
        return []
    table = services.rates_used(gate, months, rates)
    examples = set(ExchangeRate.objects.filter(is_example=True).values_list("currency", "month"))
    for row in table:
        row["is_example"] = (row["currency"], row["from_month"]) in examples
    return table
