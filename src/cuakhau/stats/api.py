"""The dashboard's figures over the API: the same object the page and its CSVs read
(``dashboard.build``), for the zone or one gate and a year."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from cuakhau.core.api_support import CodeOf, Text, WholeNumber
from cuakhau.core.errors import FieldErrors
from cuakhau.reference.localize import currency_name
from cuakhau.reference.models import Gate

from . import dashboard
from .choices import Measure, TargetKind, Verdict
from .forms import FIRST_YEAR, last_year_allowed
from .services import local_today

router = Router(tags=["statistics"])
TRUCK_KEYS = ("export", "import", "other", "total")


class StatsSummaryQuery(Schema):
    gate: Text(8) = ""
    year: WholeNumber() | None = None


class StatsMonthOut(Schema):
    month: dt.date
    export_usd: Decimal
    import_usd: Decimal
    other_usd: Decimal
    turnover_usd: Decimal
    last_year_usd: Decimal
    growth_percent: Decimal | None
    missing_rates: list[str] = Field(
        ...,
        description=(
            "Currencies of the month's trade, or of the same month a year earlier, that no "
            "exchange rate converts: the dollars leave them out and the growth is not known"
        ),
    )


class StatsProductOut(Schema):
    code: str
    name: str
    # The language the name is written in (a BCP 47 tag), and, when it is not the caller's (the
    # nomenclature has no Chinese names), the words a page puts beside it: "英文原文".
    name_lang: str
    name_note: str
    export_usd: Decimal
    import_usd: Decimal
    total_usd: Decimal
    net_kg: Decimal


class StatsPartnerOut(Schema):
    country: str
    country_name: str
    export_usd: Decimal
    import_usd: Decimal
    total_usd: Decimal


class StatsTrucksDayOut(Schema):
    day: dt.date
    export_trucks: int
    import_trucks: int
    other_trucks: int
    total_trucks: int


class StatsFeesMonthOut(Schema):
    month: dt.date
    receipts: int
    fee_vnd: int
    budget_vnd: int


class StatsClearanceMonthOut(Schema):
    month: dt.date
    trucks: int
    mean_minutes: Decimal | None
    median_minutes: Decimal | None
    p90_minutes: Decimal | None


class StatsChannelOut(Schema):
    # The risk channels, and "unknown" for trucks whose channel was not recorded.
    channel: CodeOf(dashboard.CHANNEL_WORDS)
    label: str
    trucks: int
    percent: Decimal | None


class StatsMissingRateOut(Schema):
    currency: str
    currency_name: str = Field(..., description="The currency's name in the caller's language")
    month: dt.date


class StatsTargetOut(Schema):
    measure: CodeOf(Measure)
    measure_label: str
    kind: CodeOf(TargetKind)
    kind_label: str
    value: Decimal
    note: str
    unit: CodeOf(lambda: dict.fromkeys(dashboard.UNITS.values()))  # "": a count (trucks)
    actual: Decimal | None
    months_counted: int
    last_year_same_period: Decimal | None
    last_year: Decimal | None
    growth_percent: Decimal | None
    goal: Decimal | None
    forecast: Decimal | None
    method: CodeOf(dashboard.METHODS)  # "": no forecast yet
    method_text: str
    verdict: CodeOf(Verdict)
    verdict_label: str
    missing_rates: list[StatsMissingRateOut] = Field(
        ...,
        description=(
            "The exchange rates (currency, month) the figures need and nobody has set: "
            "`actual`, `forecast` and the verdict (`unknown`) are not known until they are"
        ),
    )


class StatsRateOut(Schema):
    currency: str
    currency_name: str = Field(..., description="The currency's name in the caller's language")
    month: dt.date
    units_per_usd: Decimal | None
    from_month: dt.date | None
    carried: bool
    source: str
    is_example: bool


class StatsHeadlineOut(Schema):
    export_usd: Decimal
    import_usd: Decimal
    other_usd: Decimal
    turnover_usd: Decimal
    last_year_usd: Decimal
    growth_percent: Decimal | None
    missing_rates: list[str] = Field(
        ...,
        description="Currencies without a rate in the months the growth compares: not known",
    )
    trucks: int
    fee_vnd: int
    budget_vnd: int


class StatsSummaryOut(Schema):
    gate: str | None
    gate_name: str = Field(
        ..., description="The gate's name in the caller's language, or the zone's words"
    )
    year: int
    months: list[dt.date]
    headline: StatsHeadlineOut
    turnover: list[StatsMonthOut]
    products: list[StatsProductOut]
    chapters: list[StatsProductOut]
    partners: list[StatsPartnerOut]
    trucks_per_day: list[StatsTrucksDayOut]
    fees: list[StatsFeesMonthOut]
    clearance: list[StatsClearanceMonthOut]
    channels: list[StatsChannelOut]
    targets: list[StatsTargetOut]
    rates: list[StatsRateOut]
    # Values left out of the dollar figures for want of a rate, by currency.
    unconverted: dict[str, Decimal]


@router.get(
    "/stats/summary",
    response=StatsSummaryOut,
    summary="The dashboard's figures for the zone or a gate and a year",
    description=(
        "The board, auditors and administrators: the trade-statistics dashboard's figures "
        "(turnover in USD by month, products, partners, trucks, fees, clearance times, risk "
        "channels, targets and exchange rates) for the zone, or one `gate`, in `year`."
    ),
)
def summary(request: HttpRequest, filters: Query[StatsSummaryQuery]):
    query = filters
    errors = {}
    gate = None
    if query.gate:
        gate = Gate.objects.filter(code=query.gate.lower()).first()
        if gate is None:
            errors["gate"] = [_("No gate %(code)s.") % {"code": query.gate}]
    # No year is this year at the gate; a year 0 is a year, refused as any other outside.
    year = local_today(gate).year if query.year is None else query.year
    if not FIRST_YEAR <= year <= last_year_allowed():
        errors["year"] = [
            _("Choose a year between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": last_year_allowed()}
        ]
    if errors:
        raise FieldErrors(errors, "query")
    board = dashboard.build(gate, year)
    rows = {name: table.rows for name, table in board.tables.items()}
    return {
        "gate": gate.code if gate else None,
        "gate_name": str(gate.name) if gate else _("All gates of the zone"),
        "year": year,
        "months": board.months,
        "headline": board.headline,
        "turnover": rows["turnover"],
        "products": [_named(p) for p in rows["products"]],
        "chapters": [_named(p) for p in rows["chapters"]],
        "partners": rows["partners"],
        "trucks_per_day": [
            {"day": d["day"], **{f"{key}_trucks": d[key] for key in TRUCK_KEYS}}
            for d in rows["trucks"]
        ],
        "fees": rows["fees"],
        "clearance": rows["clearance"],
        "channels": rows["channels"],
        "targets": [
            {
                **t.__dict__,
                "missing_rates": [
                    {**m, "currency_name": currency_name(m["currency"])} for m in t.missing_rates
                ],
            }
            for t in board.targets
        ],
        "rates": [
            {**rate, "currency_name": currency_name(rate["currency"])} for rate in board.rates
        ],
        "unconverted": board.unconverted,
    }


def _named(row: dict) -> dict:
    """A product or chapter row with its name's language said, as the page marks it."""
    name = row["name"]
    lang = getattr(name, "html_lang", "")
    return {**row, "name": str(name), "name_lang": lang, "name_note": getattr(name, "marker", "")}
