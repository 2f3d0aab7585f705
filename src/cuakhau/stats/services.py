"""The statistics' rules: keeping the summary tables current, and every figure the board reads.

Definitions (stated on the dashboard too):
- A truck's goods count in the month its truck *left* the gate (visit exit), in the gate's time
  zone; its clearance time is arrival to exit. Only trips that exited count.
- Turnover is exports plus imports; temporary import / re-export and transit are shown apart
  ("other flows"); empty returns carry no goods.
- The partner of an import is the goods' country of origin; of an export, the country across
  the gate (China for every gate of the zone).
- Values are converted to US dollars with the month's rate (`ExchangeRate`: units per USD; a
  month without a rate uses the latest earlier one; a value with no rate at all is left out of
  the dollar figures and counted apart, never guessed).
- Fee revenue is the amount of the valid e-receipts issued in the month (revoked ones left out:
  a receipt replaced because its key was compromised counts by its valid successor, in its own
  month, when the money came in); fees are State budget revenue.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import ngettext

from cuakhau.core.aggregates import Total
from cuakhau.core.prepared import insert_unless_present
from cuakhau.gate.models import Visit
from cuakhau.receipts.models import Receipt, ReceiptStatus, RevokeKind
from cuakhau.reference.models import Gate
from cuakhau.risk.models import RiskAssessment
from cuakhau.trips.choices import Direction, TripStatus
from cuakhau.trips.models import CargoLine, Trip

from . import rounding
from .choices import Measure, Source, TargetKind, Verdict
from .models import (
    ClearanceBin,
    ExchangeRate,
    ExchangeRateChange,
    GateDay,
    GateMonth,
    MonthCount,
    StaleMonth,
    Target,
    TargetChange,
    TradeMonth,
)

TRADE_DIRECTIONS = (Direction.EXPORT, Direction.IMPORT)
OTHER_DIRECTIONS = (Direction.TEMPORARY_IMPORT_REEXPORT, Direction.TRANSIT)
# Every gate of the zone faces China: the partner of what leaves through it.
COUNTERPART_COUNTRY = "CN"
CENT = Decimal("0.01")


# --- months and time zones ------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first` to `last`, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name or settings.TIME_ZONE)


_gate_zones: dict[int, str] = {}


def gate_zone(gate_id: int) -> ZoneInfo:
    # Gates' time zones never change in practice; a process learns each once.
    if gate_id not in _gate_zones:
        _gate_zones.update(Gate.objects.values_list("id", "time_zone"))
    return _zone(_gate_zones.get(gate_id, settings.TIME_ZONE))


def month_bounds(month: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
    return start, dt.datetime.combine(add_months(month, 1), dt.time(), tzinfo=zone)


def local_today(gate: Gate | None = None) -> dt.date:
    """Today at the gate (the zone's installation clock without one): a truck that left at
    00:30 on the 1st is in a month that has begun, whatever the server's own date."""
    zone = _zone(gate.time_zone if gate is not None else settings.TIME_ZONE)
    return timezone.localdate(timezone.now(), zone)


# --- keeping the summaries current ----------------------------------------------------------


def mark_stale(gate_id: int, moment: dt.datetime | None) -> None:
    """Note that the month holding `moment` at this gate must be counted again (one query)."""
    if moment is None:
        return
    month = month_of(moment.astimezone(gate_zone(gate_id)).date())
    insert_unless_present(StaleMonth(gate_id=gate_id, month=month))


def refresh_stale(limit: int | None = None) -> int:
    """Recount every stale gate-month (the oldest first); returns how many were recounted.

    Each marker is removed *before* its month is recounted: a change committed meanwhile marks
    the month again (a new row), so it is never lost; a recount that fails marks it again.
    """
    stale = list(
        StaleMonth.objects.order_by("marked_at", "id").values_list("id", "gate_id", "month")[:limit]
    )
    for marker_id, gate_id, month in stale:
        StaleMonth.objects.filter(id=marker_id).delete()
        try:
            refresh_month(gate_id, month)
        except BaseException:
            StaleMonth.objects.bulk_create(
                [StaleMonth(gate_id=gate_id, month=month)], ignore_conflicts=True
            )
            raise
    return len(stale)


def pending_since(gate: Gate | None = None) -> dt.datetime | None:
    """When the oldest change not yet counted happened (None: the figures are current).

    Pages read the summaries as they are and say so; the worker recounts every minute, so a
    page view never pays for a recount."""
    stale = StaleMonth.objects.all() if gate is None else StaleMonth.objects.filter(gate=gate)
    return stale.order_by("marked_at").values_list("marked_at", flat=True).first()


def months_with_activity(gate_id: int | None = None) -> list[tuple[int, dt.date]]:
    """Every (gate, month) in which a truck left or a receipt was issued."""
    found: set[tuple[int, dt.date]] = set()
    visits = Visit.objects.exclude(exited_at=None)
    receipts = Receipt.objects.all()
    if gate_id is not None:
        visits, receipts = visits.filter(gate_id=gate_id), receipts.filter(gate_id=gate_id)
    for gate, first, last in _ranges(visits, "exited_at") + _ranges(receipts, "issued_at"):
        zone = gate_zone(gate)
        for month in months_between(first.astimezone(zone).date(), last.astimezone(zone).date()):
            found.add((gate, month))
    return sorted(found, key=lambda pair: (pair[1], pair[0]))


def _ranges(queryset, field_name: str) -> list[tuple[int, dt.datetime, dt.datetime]]:
    from django.db.models import Max, Min

    return list(
        queryset.order_by()
        .values("gate_id")
        .annotate(first=Min(field_name), last=Max(field_name))
        .values_list("gate_id", "first", "last")
    )


def rebuild(gate_id: int | None = None, progress=None) -> int:
    """Recount every month that has activity (after a bulk load, or to check the summaries)."""
    months = months_with_activity(gate_id)
    platform = Q(source=Source.PLATFORM)
    scope = Q(gate_id=gate_id) if gate_id is not None else Q()
    with transaction.atomic():
        # Months that no longer have any activity lose their rows too.
        TradeMonth.objects.filter(platform & scope).delete()
        GateMonth.objects.filter(platform & scope).delete()
        GateDay.objects.filter(scope).delete()
        ClearanceBin.objects.filter(scope).delete()
    for done, (gate, month) in enumerate(months, 1):
        refresh_month(gate, month)
        if progress:
            progress(done, len(months))
    StaleMonth.objects.filter(scope).delete()
    return len(months)


# Lists of ids are sent in chunks: SQLite caps the parameters of one statement.
CHUNK = 5000


def _chunks(ids: list[int]):
    for at in range(0, len(ids), CHUNK):
        yield ids[at : at + CHUNK]


def refresh_month(gate_id: int, month: dt.date) -> None:
    """Recount one gate-month of the platform's own figures from its trips and receipts.

    Every read goes through an index with the month's own ids (the visits by gate and exit
    time, then trips, channels and lines by trip, receipts by gate and issue time), so the cost
    follows the month's trucks, never the size of the tables.

    The month is counted first, then its rows replaced in one short transaction: a busy month
    takes a few hundred milliseconds to count, and on SQLite a transaction holds the one write
    lock every check-in and exit waits for. A change committed while it counts marks the
    month stale again (in the change's own transaction), so the next recount takes it in; a
    count that began earlier than the one whose rows are in place writes nothing
    (``MonthCount``), so the newer figures stay.
    """
    number = _draw(gate_id, month)
    rows = _counted_month(gate_id, month)
    with transaction.atomic():
        newest = MonthCount.objects.filter(gate_id=gate_id, month=month, written__lt=number)
        if not newest.update(written=number):
            return  # a count that began later has written its rows already
        TradeMonth.objects.filter(gate_id=gate_id, month=month, source=Source.PLATFORM).delete()
        GateMonth.objects.filter(gate_id=gate_id, month=month, source=Source.PLATFORM).delete()
        GateDay.objects.filter(
            gate_id=gate_id, day__gte=month, day__lt=add_months(month, 1)
        ).delete()
        ClearanceBin.objects.filter(gate_id=gate_id, month=month).delete()
        for model, objects in rows.items():
            model.objects.bulk_create(objects)


def _draw(gate_id: int, month: dt.date) -> int:
    """The number of a count of this gate-month beginning now: higher than any drawn before."""
    counts = MonthCount.objects.filter(gate_id=gate_id, month=month)
    with transaction.atomic():
        MonthCount.objects.bulk_create(
            [MonthCount(gate_id=gate_id, month=month)], ignore_conflicts=True
        )
        counts.update(drawn=F("drawn") + 1)
        return counts.values_list("drawn", flat=True).get()


def _counted_month(gate_id: int, month: dt.date) -> dict[type, list]:
    """The rows of one gate-month's summaries, per model, read and worked out, not saved."""
    zone = gate_zone(gate_id)
    start, end = month_bounds(month, zone)
    visits = list(
        Visit.objects.filter(gate_id=gate_id, exited_at__gte=start, exited_at__lt=end)
        .order_by()
        .values_list("trip_id", "arrived_at", "exited_at")
    )
    directions: dict[int, str] = {}
    channels: dict[int, str] = {}
    for ids in _chunks([trip_id for trip_id, _, _ in visits]):
        directions.update(
            Trip.objects.filter(pk__in=ids, status=TripStatus.EXITED)
            .order_by()
            .values_list("id", "direction")
        )
        channels.update(
            RiskAssessment.objects.filter(trip_id__in=ids, is_current=True)
            .order_by()
            .values_list("trip_id", "channel")
        )
    trade = _trade_rows(gate_id, month, directions)

    months: dict[str, GateMonth] = {}

    def row(direction: str) -> GateMonth:
        if direction not in months:
            months[direction] = GateMonth(
                gate_id=gate_id, month=month, direction=direction, source=Source.PLATFORM
            )
        return months[direction]

    days: dict[tuple[dt.date, str], int] = defaultdict(int)
    bins: dict[int, int] = defaultdict(int)
    for trip_id, arrived_at, exited_at in visits:
        direction = directions.get(trip_id)
        if direction is None:  # a visit whose trip is not (or no longer) exited
            continue
        figures = row(direction)
        minutes = clearance_minutes(arrived_at, exited_at)
        figures.trucks += 1
        figures.clearance_minutes += minutes
        risk_channel = channels.get(trip_id)
        if risk_channel in ("green", "yellow", "red"):
            setattr(figures, risk_channel, getattr(figures, risk_channel) + 1)
        days[(exited_at.astimezone(zone).date(), direction)] += 1
        bins[clearance_bin(minutes)] += 1

    receipts = _fee_receipts(gate_id, start, end)
    # A receipt is issued before its truck leaves, often in an earlier month.
    unknown = sorted({trip_id for trip_id, _ in receipts} - directions.keys())
    receipt_directions = dict(directions)
    for ids in _chunks(unknown):
        receipt_directions.update(
            Trip.objects.filter(pk__in=ids).order_by().values_list("id", "direction")
        )
    for trip_id, amount in receipts:
        figures = row(receipt_directions[trip_id])
        figures.receipts += 1
        figures.fee_vnd += amount
        figures.budget_vnd += amount

    return {
        TradeMonth: trade,
        GateMonth: list(months.values()),
        GateDay: [
            GateDay(gate_id=gate_id, day=day, direction=direction, trucks=trucks)
            for (day, direction), trucks in sorted(days.items())
        ],
        ClearanceBin: [
            ClearanceBin(gate_id=gate_id, month=month, minutes=minutes, trucks=trucks)
            for minutes, trucks in sorted(bins.items())
        ],
    }


def _fee_receipts(gate_id: int, start: dt.datetime, end: dt.datetime) -> list[tuple[int, int]]:
    """(trip, amount) of the fees of a gate-month: its valid receipts, and for a receipt issued
    in it then replaced because its key was compromised, the valid one at the end of its
    replacements. The replacement is the same money, paid when the first was issued: counted in
    its own month, a December compromise took November's revenue into December, after
    November's report was out."""
    issued = Receipt.objects.filter(gate_id=gate_id, issued_at__gte=start, issued_at__lt=end)
    found = list(
        issued.filter(status=ReceiptStatus.VALID, replaces=None)
        .order_by()
        .values_list("trip_id", "amount_vnd")
    )
    replaced = list(
        issued.filter(
            status=ReceiptStatus.REVOKED, revoke_kind=RevokeKind.REPLACED, replaces=None
        ).values_list("id", flat=True)
    )
    while replaced:
        successors = list(
            Receipt.objects.filter(replaces_id__in=replaced)
            .order_by()
            .values_list("id", "trip_id", "amount_vnd", "status", "revoke_kind")
        )
        found += [
            (trip, amount)
            for _, trip, amount, status, _kind in successors
            if status == ReceiptStatus.VALID
        ]
        replaced = [
            pk
            for pk, _trip, _amount, status, kind in successors
            if status == ReceiptStatus.REVOKED and kind == RevokeKind.REPLACED
        ]
    return found


def root_issued_at(receipt: Receipt) -> dt.datetime:
    """When the first of a receipt's replacements was issued: the month its fee counts in."""
    issued_at, replaces = receipt.issued_at, receipt.replaces_id
    while replaces is not None:
        issued_at, replaces = (
            Receipt.objects.filter(pk=replaces).values_list("issued_at", "replaces_id").get()
        )
    return issued_at


def _trade_rows(gate_id: int, month: dt.date, directions: dict[int, str]) -> list[TradeMonth]:
    merged: dict[tuple, TradeMonth] = {}
    by_direction = defaultdict(list)
    for trip_id, direction in directions.items():
        by_direction[direction].append(trip_id)
    for direction, trip_ids in sorted(by_direction.items()):
        for ids in _chunks(sorted(trip_ids)):
            lines = (
                CargoLine.objects.filter(trip_id__in=ids)
                .order_by()
                .annotate(heading=Substr("hs_code", 1, 4))
                .values("heading", "origin_country", "currency")
                .annotate(value=Total("value"), net=Total("net_weight_kg"), lines=Count("id"))
            )
            for item in lines:
                _add_line(merged, gate_id, month, direction, item)
    return list(merged.values())


def _add_line(merged: dict, gate_id: int, month: dt.date, direction: str, item: dict) -> None:
    partner = (
        item["origin_country"]
        if direction in (Direction.IMPORT, Direction.TEMPORARY_IMPORT_REEXPORT)
        else COUNTERPART_COUNTRY
    )
    key = (direction, item["heading"], partner, item["currency"])
    if key not in merged:
        merged[key] = TradeMonth(
            gate_id=gate_id,
            month=month,
            direction=direction,
            hs_heading=item["heading"],
            partner=partner,
            currency=item["currency"],
            value=Decimal(0),
            net_weight_kg=Decimal(0),
            lines=0,
            source=Source.PLATFORM,
        )
    row = merged[key]
    row.value += item["value"] or 0
    row.net_weight_kg += item["net"] or 0
    row.lines += item["lines"]


def clearance_minutes(arrived_at: dt.datetime, exited_at: dt.datetime) -> int:
    return max(0, int((exited_at - arrived_at).total_seconds() // 60))


def clearance_bin(minutes: int) -> int:
    if minutes >= ClearanceBin.LAST_BIN:
        return ClearanceBin.LAST_BIN
    return minutes - minutes % ClearanceBin.BIN_MINUTES


# --- exchange rates ---------------------------------------------------------------------------


@dataclass
class Rates:
    """Every exchange rate, read once per page: a small table (currencies × months)."""

    by_currency: dict[str, list[tuple[dt.date, Decimal, str]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Rates:
        rates = cls()
        for currency, month, units, source in ExchangeRate.objects.order_by(
            "currency", "month"
        ).values_list("currency", "month", "units_per_usd", "source"):
            rates.by_currency.setdefault(currency, []).append((month, units, source))
        return rates

    def rate(self, currency: str, month: dt.date) -> tuple[Decimal, dt.date | None, str] | None:
        """(units per USD, the month the rate is from, its source), or None without a rate."""
        if currency == "USD":
            return Decimal(1), None, ""
        found = None
        for rate_month, units, source in self.by_currency.get(currency, ()):
            if rate_month > month:
                break
            found = (units, rate_month, source)
        return found

    def usd(self, value: Decimal, currency: str, month: dt.date) -> Decimal | None:
        rate = self.rate(currency, month)
        return None if rate is None else value / rate[0]


def rates_used(gate: Gate | None, months: list[dt.date], rates: Rates | None = None) -> list[dict]:
    """The rate applied to each currency in each month of the period (the table on the page)."""
    rates = rates or Rates.load()
    currencies = sorted(
        set(
            _trade(gate, months[0], months[-1])
            .exclude(currency="USD")
            .values_list("currency", flat=True)
            .distinct()
        )
    )
    table = []
    for currency in currencies:
        for month in months:
            rate = rates.rate(currency, month)
            table.append(
                {
                    "currency": currency,
                    "month": month,
                    "units_per_usd": rate[0] if rate else None,
                    "from_month": rate[1] if rate else None,
                    "carried": bool(rate and rate[1] != month),
                    "source": rate[2] if rate else "",
                }
            )
    return table


# --- figures --------------------------------------------------------------------------------


def _trade(gate: Gate | None, first: dt.date, last: dt.date):
    rows = TradeMonth.objects.filter(month__gte=first, month__lte=last)
    return rows.filter(gate=gate) if gate is not None else rows


def _gate_months(gate: Gate | None, first: dt.date, last: dt.date):
    rows = GateMonth.objects.filter(month__gte=first, month__lte=last)
    return rows.filter(gate=gate) if gate is not None else rows


@dataclass
class TradeTotals:
    """US dollars by a key, and what could not be converted (no rate), by currency."""

    usd: dict = field(default_factory=lambda: defaultdict(Decimal))
    unconverted: dict = field(default_factory=lambda: defaultdict(Decimal))
    net_kg: dict = field(default_factory=lambda: defaultdict(Decimal))
    # The currencies without a rate under each key: which figures are short of goods nobody
    # could convert (by month, a month's dollars are not known).
    unconverted_keys: dict = field(default_factory=lambda: defaultdict(set))


def trade_usd(
    gate: Gate | None,
    first: dt.date,
    last: dt.date,
    by: tuple[str, ...],
    *,
    directions=TRADE_DIRECTIONS,
    rates: Rates | None = None,
    where: Q | None = None,
) -> TradeTotals:
    """Trade in USD between two months (both included), summed by `by` (fields of TradeMonth,
    or "chapter": the HS code's first two digits). One query."""
    rates = rates or Rates.load()
    rows = _trade(gate, first, last).filter(direction__in=directions)
    if where is not None:
        rows = rows.filter(where)
    fields = [name for name in by if name != "chapter"]
    if "chapter" in by:
        rows = rows.annotate(chapter=Substr("hs_heading", 1, 2))
        fields.append("chapter")
    grouped = (
        rows.order_by()
        .values(*fields, "month", "currency")
        .annotate(value=Total("value"), net=Total("net_weight_kg"))
    )
    totals = TradeTotals()
    for item in grouped:
        key = tuple(item[name] for name in by)
        key = key[0] if len(by) == 1 else key
        usd = rates.usd(item["value"], item["currency"], item["month"])
        if usd is None:
            totals.unconverted[item["currency"]] += item["value"]
            totals.unconverted_keys[key].add(item["currency"])
        else:
            totals.usd[key] += usd
        totals.net_kg[key] += item["net"] or 0
    return totals


def monthly_measure(gate: Gate | None, year: int, measure: str, rates: Rates | None = None) -> list:
    """The measure in each month of the year (index 0 = January); None for a month with no
    figure at all (neither recorded nor imported)."""
    return measure_by_month(gate, year, measure, rates)[0]


def measure_by_month(
    gate: Gate | None, year: int, measure: str, rates: Rates | None = None
) -> tuple[list, dict[dt.date, list[str]]]:
    """``monthly_measure``'s values, and the months whose dollars are not known: each with the
    currencies of its goods that have no rate (a month's dollars without them would read as a
    smaller figure, or a zero, that nobody recorded)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
    values: list = [None] * 12
    unknown: dict[dt.date, list[str]] = {}
    if measure in (Measure.EXPORT_USD, Measure.IMPORT_USD, Measure.TURNOVER_USD):
        directions = {
            Measure.EXPORT_USD: (Direction.EXPORT,),
            Measure.IMPORT_USD: (Direction.IMPORT,),
            Measure.TURNOVER_USD: TRADE_DIRECTIONS,
        }[measure]
        totals = trade_usd(gate, first, last, ("month",), directions=directions, rates=rates)
        for month, usd in totals.usd.items():
            values[month.month - 1] = usd
        # A month whose goods were all recorded, but none of this direction, is a zero.
        for month in _months_with_figures(gate, first, last):
            if values[month.month - 1] is None:
                values[month.month - 1] = Decimal(0)
        for month, currencies in sorted(totals.unconverted_keys.items()):
            unknown[month] = sorted(currencies)
        return values, unknown
    column = {Measure.FEE_VND: "fee_vnd", Measure.TRUCKS: "trucks"}[measure]
    for month, total in (
        _gate_months(gate, first, last)
        .order_by()
        .values("month")
        .annotate(total=Total(column))
        .values_list("month", "total")
    ):
        values[month.month - 1] = Decimal(total or 0)
    return values, unknown


def _months_with_figures(gate, first, last) -> set[dt.date]:
    months = set(_gate_months(gate, first, last).values_list("month", flat=True).distinct())
    months |= set(_trade(gate, first, last).values_list("month", flat=True).distinct())
    return months


def turnover_by_month(gate: Gate | None, year: int, rates: Rates | None = None) -> list[dict]:
    """Exports, imports, other flows and turnover per month of the year, with last year's.

    ``missing_rates``: the currencies of the month's exports and imports, or of the same month's
    a year earlier, that no rate converts. Its turnover is short of them, so its growth is not
    known (a month of yuan with no rate read as a fall of 100 %)."""
    rates = rates or Rates.load()
    totals = trade_usd(
        gate,
        dt.date(year - 1, 1, 1),
        dt.date(year, 12, 1),
        ("month", "direction"),
        directions=TRADE_DIRECTIONS + OTHER_DIRECTIONS,
        rates=rates,
    )
    months = totals.usd

    def missing(month: dt.date) -> set[str]:
        return set().union(*(totals.unconverted_keys.get((month, d), ()) for d in TRADE_DIRECTIONS))

    table = []
    for number in range(1, 13):
        month, before = dt.date(year, number, 1), dt.date(year - 1, number, 1)
        export = months.get((month, Direction.EXPORT), Decimal(0))
        imports = months.get((month, Direction.IMPORT), Decimal(0))
        other = sum(months.get((month, d), Decimal(0)) for d in OTHER_DIRECTIONS)
        last_year = months.get((before, Direction.EXPORT), Decimal(0)) + months.get(
            (before, Direction.IMPORT), Decimal(0)
        )
        not_converted = sorted(missing(month) | missing(before))
        table.append(
            {
                "month": month,
                "export": export,
                "import": imports,
                "other": other,
                "turnover": export + imports,
                "last_year": last_year,
                "growth": None if not_converted else growth(export + imports, last_year),
                "missing_rates": not_converted,
            }
        )
    return table


def growth(value: Decimal, base: Decimal | None) -> Decimal | None:
    """Percent change on the base, one decimal; None without a base to compare with."""
    if not base:
        return None
    return ((Decimal(value) - base) * 100 / base).quantize(Decimal("0.1"), ROUND_HALF_UP)


def top_products(
    gate, first, last, *, level: str = "hs_heading", limit: int = 10, rates=None
) -> list[dict]:
    """The products with the largest trade in the period, by HS heading (or chapter)."""
    totals = trade_usd(gate, first, last, (level, "direction"), rates=rates)
    products: dict[str, dict] = {}
    for (code, direction), usd in totals.usd.items():
        item = products.setdefault(
            code, {"code": code, "export": Decimal(0), "import": Decimal(0), "net_kg": Decimal(0)}
        )
        item[direction] += usd
        item["net_kg"] += totals.net_kg[(code, direction)]
    ranked = sorted(products.values(), key=lambda p: (-(p["export"] + p["import"]), p["code"]))
    for item in ranked:
        item["total"] = item["export"] + item["import"]
    return ranked[:limit] if limit else ranked


def products_beyond(ranked: list[dict], top: int, level: str = "hs_heading") -> dict | None:
    """The products of ``top_products(limit=None)`` past the first ``top``, as one line: how
    many (in words), and their sums. None when the ranking has no more than ``top``."""
    others = ranked[top:]
    if not others:
        return None
    n = len(others)
    if level == "hs_heading":
        what = ngettext("%(n)s other HS heading", "%(n)s other HS headings", n) % {"n": n}
    else:
        what = ngettext("%(n)s other HS chapter", "%(n)s other HS chapters", n) % {"n": n}
    summed = {
        key: sum((p[key] for p in others), Decimal(0))
        for key in ("export", "import", "total", "net_kg")
    }
    return {"code": "…", "name": what, **summed}


def by_partner(gate, first, last, *, rates=None) -> list[dict]:
    totals = trade_usd(gate, first, last, ("partner", "direction"), rates=rates)
    partners: dict[str, dict] = {}
    for (country, direction), usd in totals.usd.items():
        item = partners.setdefault(
            country, {"country": country, "export": Decimal(0), "import": Decimal(0)}
        )
        item[direction] += usd
    for item in partners.values():
        item["total"] = item["export"] + item["import"]
    return sorted(partners.values(), key=lambda p: (-p["total"], p["country"]))


def gate_figures_by_month(gate, first, last) -> list[dict]:
    """Trucks, clearance, channels and fees per month (all directions).

    Only the platform times a truck: the trucks of imported months have no clearance time, so
    ``timed_trucks`` counts the platform's alone, and the mean clearance is theirs (None, no
    data, when none was timed — never 0 minutes, never diluted by untimed trucks)."""
    rows = (
        _gate_months(gate, first, last)
        .order_by("month")
        .values("month")
        .annotate(
            # Before ``trucks``: once annotated, that name is the sum, no longer the field.
            timed_trucks=Sum("trucks", filter=Q(source=Source.PLATFORM)),
            trucks=Sum("trucks"),
            clearance_minutes=Sum("clearance_minutes"),
            green=Sum("green"),
            yellow=Sum("yellow"),
            red=Sum("red"),
            receipts=Sum("receipts"),
            fee_vnd=Sum("fee_vnd"),
            budget_vnd=Sum("budget_vnd"),
        )
    )
    table = []
    for item in rows:
        timed = item["timed_trucks"] = item["timed_trucks"] or 0
        item["mean_clearance"] = Decimal(item["clearance_minutes"]) / timed if timed else None
        table.append(item)
    return table


def trucks_per_day(gate, first_day: dt.date, last_day: dt.date) -> list[dict]:
    """Each day's trucks by flow, from ``first_day`` to ``last_day``; a day of a month whose
    figures were imported (a spreadsheet gives months, not days) is left out, not written as
    a day without trucks."""
    rows = GateDay.objects.filter(day__gte=first_day, day__lte=last_day)
    imported = GateMonth.objects.filter(
        source=Source.IMPORTED, month__gte=first_day.replace(day=1), month__lte=last_day
    )
    if gate is not None:
        rows = rows.filter(gate=gate)
        imported = imported.filter(gate=gate)
    months_without_days = set(imported.values_list("month", flat=True).distinct())
    counts: dict[dt.date, dict] = {}
    for day, direction, trucks in (
        rows.order_by()
        .values("day", "direction")
        .annotate(n=Sum("trucks"))
        .values_list("day", "direction", "n")
    ):
        item = counts.setdefault(day, {"day": day, "export": 0, "import": 0, "other": 0})
        key = direction if direction in TRADE_DIRECTIONS else "other"
        item[key] += trucks
    table = []
    day = first_day
    while day <= last_day:
        if day.replace(day=1) not in months_without_days:
            item = counts.get(day, {"day": day, "export": 0, "import": 0, "other": 0})
            item["total"] = item["export"] + item["import"] + item["other"]
            table.append(item)
        day += dt.timedelta(days=1)
    return table


def clearance_percentiles(gate, first, last, points=(50, 90)) -> dict:
    """Percentiles of clearance time in minutes, read from 5-minute bins (linear inside a bin).

    The last bin is open (a day or more): a percentile falling in it is given as its lower
    bound, marked `open`."""
    rows = ClearanceBin.objects.filter(month__gte=first, month__lte=last)
    if gate is not None:
        rows = rows.filter(gate=gate)
    bins = list(
        rows.order_by("minutes")
        .values("minutes")
        .annotate(n=Sum("trucks"))
        .values_list("minutes", "n")
    )
    total = sum(n for _, n in bins)
    result = {"trucks": total}
    for p in points:
        result[p] = _bin_percentile(bins, total, p)
    return result


def _bin_percentile(bins: list[tuple[int, int]], total: int, p: float):
    if not total:
        return None
    rank = Decimal(total) * Decimal(p) / 100
    seen = 0
    for minutes, count in bins:
        if seen + count >= rank:
            if minutes >= ClearanceBin.LAST_BIN:
                return {"minutes": Decimal(minutes), "open": True}
            inside = (rank - seen) / count
            value = Decimal(minutes) + inside * ClearanceBin.BIN_MINUTES
            return {"minutes": value.quantize(Decimal("0.1")), "open": False}
        seen += count
    return {"minutes": Decimal(bins[-1][0]), "open": bins[-1][0] >= ClearanceBin.LAST_BIN}


def channel_shares(gate, first, last) -> list[dict]:
    totals = _gate_months(gate, first, last).aggregate(
        trucks=Sum("trucks"), green=Sum("green"), yellow=Sum("yellow"), red=Sum("red")
    )
    trucks = totals["trucks"] or 0
    counted = {name: totals[name] or 0 for name in ("green", "yellow", "red")}
    counted["unknown"] = max(0, trucks - sum(counted.values()))
    # Shares to a tenth that add up to 100.0 as shown (``rounding``): rounded one by one,
    # three thirds read 33.3 + 33.3 + 33.3.
    shares = (
        rounding.shown_parts([Decimal(count) * 100 / trucks for count in counted.values()], 1)[0]
        if trucks
        else [None] * len(counted)
    )
    return [
        {"channel": name, "trucks": count, "percent": share}
        for (name, count), share in zip(counted.items(), shares, strict=True)
    ]


# --- targets ----------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    target: Target
    actual: Decimal | None  # the year so far (complete months), or the whole year once over
    months_counted: int
    last_year_same_period: Decimal | None
    last_year: Decimal | None
    goal: Decimal | None  # the target in the measure's unit
    forecast: Decimal | None
    verdict: str
    method: str  # how the forecast was made: "seasonal", "linear" or "" (no forecast)
    # (currency, month) of the goods the figures above need but no rate converts: those
    # figures are not known (None), nor is the verdict, rather than short of those goods.
    missing_rates: list[tuple[str, dt.date]] = field(default_factory=list)

    @property
    def growth(self) -> Decimal | None:
        if self.actual is None:
            return None
        return growth(self.actual, self.last_year_same_period)


def complete_months(year: int, today: dt.date | None = None) -> int:
    """How many months of the year are over (the running month is not complete)."""
    today = today or local_today()
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def target_progress(
    gate: Gate | None, year: int, today: dt.date | None = None, rates: Rates | None = None
) -> list[TargetProgress]:
    """Each target of the year against the figures so far, with a forecast for the year.

    The forecast scales the complete months by last year's seasonal pattern (this year so far ÷
    the share the same months had of last year's total); without last year's monthly figures, by
    the months counted (so far × 12 ÷ months). A figure that needs a month whose goods have no
    exchange rate is not known, and neither is a verdict drawn from it: counted as 0 USD, such a
    month read as a target missed."""
    rates = rates or Rates.load()
    targets = (
        Target.objects.filter(year=year, gate=gate)
        if gate
        else Target.objects.filter(year=year, gate=None)
    )
    counted = complete_months(year, today)
    progress = []
    for target in targets.order_by("measure"):
        this_year, unknown_now = measure_by_month(gate, year, target.measure, rates)
        last_year_months, unknown_before = measure_by_month(gate, year - 1, target.measure, rates)
        unknown_now = {m: c for m, c in unknown_now.items() if m.month <= counted}
        unknown_same_period = {m: c for m, c in unknown_before.items() if m.month <= counted}
        actual = None if unknown_now else sum((v or 0 for v in this_year[:counted]), Decimal(0))
        has_last_year = all(v is not None for v in last_year_months)
        last_year = (
            sum((v or 0 for v in last_year_months), Decimal(0))
            if has_last_year and not unknown_before
            else None
        )
        same_period = (
            sum((v or 0 for v in last_year_months[:counted]), Decimal(0))
            if all(v is not None for v in last_year_months[:counted])
            and counted
            and not unknown_same_period
            else None
        )
        growth_target = target.kind == TargetKind.GROWTH
        if growth_target:
            goal = last_year * (1 + target.value / 100) if last_year else None
        else:
            goal = target.value
        # Last year's whole year makes the seasonal forecast: a month of it not known leaves
        # the forecast unknown, never scaled the other way (linearly) as if it had no figures.
        seasonal_unknown = bool(unknown_before) and has_last_year
        forecast, method = None, ""
        if actual is None:
            pass
        elif counted == 12:
            forecast, method = actual, "actual"
        elif counted and not seasonal_unknown:
            if last_year and same_period:
                forecast, method = actual * last_year / same_period, "seasonal"
            else:
                forecast, method = actual * 12 / counted, "linear"
        missing: dict[dt.date, list[str]] = {}
        if counted:
            missing.update(unknown_now)
        if growth_target or (counted and counted < 12):
            missing.update(unknown_before if has_last_year else {})
        if missing:
            verdict = Verdict.UNKNOWN
        elif goal is None:
            verdict = Verdict.NO_BASE
        elif counted == 12:
            verdict = Verdict.MET if actual >= goal else Verdict.MISSED
        elif forecast is None:
            verdict = Verdict.TOO_EARLY
        else:
            verdict = Verdict.ON_TRACK if forecast >= goal else Verdict.AT_RISK
        progress.append(
            TargetProgress(
                target=target,
                actual=actual,
                months_counted=counted,
                last_year_same_period=same_period,
                last_year=last_year,
                goal=goal,
                forecast=forecast,
                verdict=verdict,
                method=method,
                missing_rates=[
                    (currency, month)
                    for month, currencies in sorted(missing.items())
                    for currency in currencies
                ],
            )
        )
    return progress


def days_in_month(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def sources_by_month(gate: Gate | None, first: dt.date, last: dt.date) -> dict[dt.date, set[str]]:
    """Where each month's figures come from (`Source` values): recorded by the platform,
    imported from the board's spreadsheets (one gate-month is one or the other; the zone's
    month may have both); a month with no figure at all is absent. Two queries."""
    found: dict[dt.date, set[str]] = defaultdict(set)
    for rows in (_trade(gate, first, last), _gate_months(gate, first, last)):
        for month, source in rows.order_by().values_list("month", "source").distinct():
            found[month].add(source)
    return dict(found)


# --- the board's settings: targets and exchange rates -----------------------------------------

MANAGE_STATISTICS = "stats.manage_statistics"
# A growth target beyond ten times the previous year is a typing error, not an ambition.
MAX_GROWTH = Decimal(1000)


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MANAGE_STATISTICS))


def target_errors(*, kind=None, measure=None, value=None, refused=()) -> dict[str, list[str]]:
    """What ``set_target`` would refuse in these fields, all at once; writes nothing.
    ``refused``: fields the caller could not read (the form's), neither checked nor said again;
    a value is weighed only against a kind (and a measure) that was read."""
    from django.utils.translation import gettext as _

    if "value" in refused or value is None or kind is None or "kind" in refused:
        return {}
    if kind == TargetKind.GROWTH and not (-100 < value <= MAX_GROWTH):
        return {"value": [_("A growth is a percentage above -100 and at most 1,000.")]}
    if kind == TargetKind.ABSOLUTE and value <= 0:
        return {"value": [_("A fixed target is an amount above zero.")]}
    whole = measure in (Measure.TRUCKS, Measure.FEE_VND) and "measure" not in refused
    if kind == TargetKind.ABSOLUTE and whole and value != value.to_integral_value():
        # Half a truck was shown as a goal of 1: trucks and đồng are counted whole.
        return {"value": [_("Trucks and đồng are counted in whole numbers.")]}
    return {}


def set_target(
    user, *, gate: Gate | None, year: int, measure: str, kind: str, value: Decimal, note: str = ""
) -> Target:
    """Set the year's target of a measure for a gate (or the zone, gate None), replacing the one
    it had. The figures are never touched: progress is computed against targets at read time.
    Each setting is kept with the target it replaced, who and when (``TargetChange``)."""
    from cuakhau.core.errors import FieldErrors

    errors = target_errors(kind=kind, measure=measure, value=value)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        target, created = Target.objects.select_for_update().get_or_create(
            gate=gate,
            year=year,
            measure=measure,
            defaults={"kind": kind, "value": value, "note": note, "set_by": user},
        )
        previous = ("", None, "") if created else (target.kind, target.value, target.note)
        if not created:
            target.kind, target.value, target.note, target.set_by = kind, value, note, user
            target.save(update_fields=["kind", "value", "note", "set_by", "set_at"])
        TargetChange.objects.create(
            target=target,
            previous_kind=previous[0],
            previous_value=previous[1],
            previous_note=previous[2],
            kind=kind,
            value=value,
            note=note,
            changed_by=user,
            changed_at=timezone.now(),
        )
    return target


# A currency's rate against the dollar moves by percents a month: a figure twice or half the
# nearest month's is a slip of the keyboard (0,0001 for 25.000) until the person says otherwise.
UNUSUAL_RATE_FACTOR = 2


def nearest_rate(currency: str, month: dt.date) -> ExchangeRate | None:
    """The rate of ``currency`` in the month nearest ``month`` (that month itself left out)."""
    month = month_of(month)
    others = ExchangeRate.objects.filter(currency=currency.upper()).exclude(month=month_of(month))
    before = others.filter(month__lt=month).order_by("-month").first()
    after = others.filter(month__gt=month).order_by("month").first()
    if before is None or after is None:
        return before or after
    return before if (month - before.month) <= (after.month - month) else after


def rate_errors(
    *, currency=None, month=None, units_per_usd=None, unusual_confirmed=False, refused=()
) -> dict[str, list[str]]:
    """What ``set_rate`` would refuse in these fields, all at once; writes nothing.
    ``refused``: fields the caller could not read (the form's), neither checked nor said again;
    a rate is compared with the nearest month's only for a currency and a month that were read."""
    from django.utils.formats import date_format, number_format
    from django.utils.translation import gettext as _

    if {"currency", "month", "units_per_usd"} & set(refused) or None in (
        currency,
        month,
        units_per_usd,
    ):
        return {}
    near = nearest_rate(currency, month)
    factor = UNUSUAL_RATE_FACTOR
    if (
        near is None
        or unusual_confirmed
        or near.units_per_usd / factor <= units_per_usd <= near.units_per_usd * factor
    ):
        return {}

    def said(n):
        n = n.normalize()
        places = max(0, -n.as_tuple().exponent)
        return number_format(n, decimal_pos=places, use_l10n=True, force_grouping=True)

    return {
        "units_per_usd": [
            _(
                "%(currency)s was %(near)s per US dollar in %(month)s: %(rate)s is more "
                "than twice or less than half of it. Check the figure; if it is right, "
                "tick the box that confirms it."
            )
            % {
                "currency": near.currency,
                "near": said(near.units_per_usd),
                "month": date_format(near.month, "YEAR_MONTH_FORMAT"),
                "rate": said(units_per_usd),
            }
        ]
    }


def set_rate(
    user,
    *,
    currency: str,
    month: dt.date,
    units_per_usd: Decimal,
    source: str,
    unusual_confirmed: bool = False,
):
    """Add or correct a month's rate. Summaries keep values in their own currency, so every
    dollar figure of that month (and of later months carrying it forward) follows at once,
    without a recount. A rate the board sets is no longer example data. A rate more than
    twice or less than half the nearest month's is refused unless ``unusual_confirmed``."""
    from cuakhau.core.errors import FieldErrors

    errors = rate_errors(
        currency=currency,
        month=month,
        units_per_usd=units_per_usd,
        unusual_confirmed=unusual_confirmed,
    )
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        rate, created = ExchangeRate.objects.select_for_update().get_or_create(
            currency=currency.upper(),
            month=month_of(month),
            defaults={"units_per_usd": units_per_usd, "source": source},
        )
        previous = (None, "") if created else (rate.units_per_usd, rate.source)
        if not created:
            rate.units_per_usd, rate.source, rate.is_example = units_per_usd, source, False
            rate.save(update_fields=["units_per_usd", "source", "is_example"])
        ExchangeRateChange.objects.create(
            rate=rate,
            previous_units_per_usd=previous[0],
            previous_source=previous[1],
            units_per_usd=units_per_usd,
            source=source,
            changed_by=user,
            changed_at=timezone.now(),
        )
    return rate
