"""Gate performance over a period: trucks per day, clearance times, where the time went, channels.

Built from the visits that *exited* in the period, each dated by its exit in its gate's own time
zone, so a day on the page is the gate's working day. One query fetches only the columns the
figures need (90 days at ~900 trucks a day is ~80,000 short rows); the statistics are computed
here in Python, where the definition of a percentile is ours to state and test.

Percentiles use linear interpolation between the closest ranks — numpy's default ("linear"),
R's type 7, Excel's PERCENTILE.INC: for sorted values x[0..n-1], the p-th percentile is read at
position h = (n - 1) * p / 100, between x[floor(h)] and x[floor(h) + 1].
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, FloatField, Func, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cuakhau.core import charts
from cuakhau.inspections.models import Inspection
from cuakhau.reference.models import Gate, pick_language
from cuakhau.stats.rounding import shown_parts
from cuakhau.trips.choices import Direction

from .models import Visit

CHANNELS = ["green", "yellow", "red", "unknown"]
CHANNEL_LABELS = {
    "green": _("Green"),
    "yellow": _("Yellow"),
    "red": _("Red"),
    "unknown": _("Not assessed"),
}
STAGES = ["waiting", "inspection", "exit"]
STAGE_LABELS = {
    "waiting": _("Waiting (arrival → first inspection)"),
    "inspection": _("Inspection (first inspection → cleared)"),
    "exit": _("Leaving (cleared → exit)"),
}

# Published figures to read the gate's own against (from /work/shared/data/queues/figures.csv).
# They are other gates' and other years' figures: a reference line, never a target.
REFERENCE_FIGURES = [
    {
        "key": "lang_son_procedure",
        "text": _(
            "Lạng Sơn's digital border gate platform cut the average procedure time per truck "
            "by 4–6 hours (Hữu Nghị, Tân Thanh, Chi Ma)."
        ),
        "minutes": None,
        "source": "VietTimes, “Hết “làm luật” ở cửa khẩu nhờ số hóa”",
        # The language the source's title is written in: shown as its original, marked so.
        "source_lang": "vi",
        # Published on: a date, written in the reader's language's way by the page (a year
        # alone is given as ``year``).
        "date": dt.date(2025, 12, 31),
        "url": "https://viettimes.vn/het-lam-luat-o-cua-khau-nho-so-hoa-post192797.html",
    },
    {
        "key": "tan_thanh_inspection",
        "text": _(
            "Tân Thanh: 3–5 minutes of inspection per vehicle with customs and border guard "
            "sharing data."
        ),
        "minutes": (3, 5),
        "source": "Thời báo Tài chính Việt Nam, “Cửa khẩu Tân Thanh thực hiện vận chuyển hàng hóa 2 chiều”",
        "source_lang": "vi",
        "date": dt.date(2025, 12, 10),
        "url": "https://thoibaotaichinhvietnam.vn/cua-khau-tan-thanh-thuc-hien-van-chuyen-hang-hoa-2-chieu-doanh-nghiep-huong-loi-188507.html",
    },
    {
        "key": "lang_son_throughput",
        "text": _(
            "Hữu Nghị and Tân Thanh together cleared more than 1,000 vehicles a day on average "
            "(peak 1,200) in the first quarter of 2024."
        ),
        "minutes": None,
        "source": "Kinhtedothi via hfoods.vn, “Lang Son: more than 1,000 vehicles of agricultural products clear customs every day”",
        "source_lang": "en",
        "year": 2024,
        "url": "https://hfoods.vn/lang-son-more-than-1000-vehicles-of-agricultural-products-clear-customs-every-day/",
    },
]


def percentile(values: Sequence[float], p: float, *, presorted: bool = False) -> float | None:
    """The p-th percentile (0–100) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    xs = values if presorted else sorted(values)
    h = (len(xs) - 1) * p / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def summary(values: Sequence[float]) -> dict:
    """Count, median and 90th percentile of durations in minutes (rounded to 0.1 min)."""
    xs = sorted(values)
    median = percentile(xs, 50, presorted=True)
    p90 = percentile(xs, 90, presorted=True)
    return {
        "count": len(xs),
        "median": None if median is None else round(median, 1),
        "p90": None if p90 is None else round(p90, 1),
    }


def channel_shares(channels) -> list[dict]:
    """Counts and percentages of green, yellow, red and not-assessed trucks."""
    counts = Counter(c if c in CHANNEL_LABELS else "unknown" for c in channels)
    total = sum(counts.values())
    # Shares that add up to 100.0 as shown (``stats.rounding``, the dashboard's and reports'
    # rule): rounded one by one, three thirds read 33.3 + 33.3 + 33.3.
    shares = (
        shown_parts([Decimal(counts.get(key, 0)) * 100 / total for key in CHANNELS], 1)[0]
        if total
        else [0] * len(CHANNELS)
    )
    return [
        {
            "channel": key,
            "label": CHANNEL_LABELS[key],
            "count": counts.get(key, 0),
            "percent": float(share),
        }
        for key, share in zip(CHANNELS, shares, strict=True)
    ]


class Epoch(Func):
    """A moment as seconds since 1970 (a float), worked out by the database.

    Turning 80,000 rows of four timestamps into Python datetimes costs more than everything
    else on the page; a float per moment is all a duration needs.
    """

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor == "sqlite":
            # Django keeps SQLite datetimes as UTC text, which julianday() reads.
            template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        else:
            # EXTRACT gives numeric since PostgreSQL 14, which would come back as Decimal.
            template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _minutes(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    # Device clocks may run a few minutes ahead of the server's (the gate accepts up to five),
    # so a stage can come out slightly negative: it took no time.
    return max(0.0, (end - start) / 60)


def _bounds(zone: str, date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of local midnight starting date_from and ending date_to, in ``zone``."""
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _channel_column():
    """The current risk channel as a subquery, or None until the risk app is installed."""
    if not apps.is_installed("cuakhau.risk"):
        return None
    assessment = apps.get_model("risk", "RiskAssessment")
    # No ordering: the model's default would join the trip for every visit to sort one row.
    current = assessment.objects.filter(trip_id=OuterRef("trip_id"), is_current=True).order_by()
    return Subquery(current.values("channel")[:1])


def _group(clearances: list[float]) -> dict:
    return {"count": len(clearances), "clearance": summary(clearances)}


def clearance_histogram(minutes: Sequence[float]) -> list[dict]:
    """Clearance times in round-width bins; the slowest 1 % share the open last bin."""
    bins = charts.histogram(minutes, target_bins=12, cap=percentile(minutes, 99))
    rows = []
    for b in bins:
        if b.high is None:
            label = _("%(low)s min or more") % {"low": f"{b.low:g}"}
            tick = f"≥ {b.low:g}"
        else:
            label = tick = f"{b.low:g}–{b.high:g}"
        rows.append({"low": b.low, "high": b.high, "label": label, "tick": tick, "count": b.count})
    return rows


# The figures of a period are kept (per process) under the version of the data they came
# from, so reading the page again costs one indexed query instead of 80,000 rows. A visit is
# fixed once it has exited (check-in creates it, clearance and exit fill its times, nothing
# edits it after), so the exited visits of the period — how many, which, the latest exit —
# and the newest risk assessment (a reassessment changes a truck's channel) name the data.
# Beneath that, each finished day of each gate is kept in the database (``KpiDay``), so the
# first reading after a restart works out only the day still going on.
KPI_CACHE_SECONDS = 3600

# A day's visits by direction: per direction, one array of minutes per measure, sorted (a
# clearance per visit; a stage's minutes for the visits that went through it) and the count
# of each channel. Only statistics are drawn from them, so a visit's values need not stay
# together, and sorted runs make the period's sorts a merge. Kept as packed doubles (base64
# in JSON): exact, and a month of them decodes in a few milliseconds, where 140,000 numbers
# written out took longer to parse than working out the figures.
_MEASURES = ("clearance", "waiting", "inspection", "exit")


class _Group:
    """The visits of one gate, day and direction."""

    __slots__ = ("channels", *_MEASURES)

    def __init__(self):
        for measure in _MEASURES:
            setattr(self, measure, array("d"))
        self.channels: Counter = Counter()

    def sort(self) -> None:
        for measure in _MEASURES:
            setattr(self, measure, array("d", sorted(getattr(self, measure))))

    def to_json(self) -> dict:
        packed = {m: base64.b64encode(getattr(self, m).tobytes()).decode() for m in _MEASURES}
        return {**packed, "channels": dict(self.channels)}

    @classmethod
    def from_json(cls, data: dict) -> _Group:
        group = cls()
        for measure in _MEASURES:
            getattr(group, measure).frombytes(base64.b64decode(data[measure]))
        group.channels.update(data["channels"])
        return group


def _day_to_json(day: dict[str, _Group]) -> dict:
    return {direction: group.to_json() for direction, group in day.items()}


def _day_from_json(data: dict) -> dict[str, _Group]:
    return {direction: _Group.from_json(group) for direction, group in data.items()}


def gate_kpis(
    gate: Gate | None,
    date_from: dt.date,
    date_to: dt.date,
    direction: str | None = None,
    *,
    today: dt.date | None = None,
) -> dict:
    """The gate's figures for visits that exited from ``date_from`` to ``date_to`` inclusive
    (local dates); all gates when ``gate`` is None, each visit dated in its own gate's zone.

    ``today`` (the gate's local date) is a day still going on: its trucks count in the totals,
    but it is left out of the daily means, the busiest day and the daily trend, which a few
    hours of traffic would drag down."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    gates = _gates(gate)
    where = _exited_in(gates, gate, date_from, date_to)
    # The version of every direction's visits: a direction's own changes whenever it does.
    version = _data_version(where)
    key = "gate.kpi:" + ":".join(
        str(part)
        for part in (
            gate.pk if gate is not None else "all",
            date_from,
            date_to,
            direction or "",
            today,
            # Gate names and the histogram's words are in the reader's language.
            get_language(),
            *version,
        )
    )
    figures = cache.get(key)
    if figures is None:
        days = _visit_days(gates, where, date_from, date_to, version)
        figures = _figures(gates, days, date_from, date_to, today, direction)
        cache.set(key, figures, KPI_CACHE_SECONDS)
    return {
        "gate": gate,
        "direction": direction or None,
        **figures,
        "references": REFERENCE_FIGURES,
    }


def _gates(gate: Gate | None) -> dict[int, tuple[str, str, str]]:
    """Gate id → (code, name in the reader's language, time zone)."""
    if gate is not None:
        return {gate.pk: (gate.code, gate.name, gate.time_zone)}
    return {
        pk: (code, pick_language(vi, en, zh or en), zone)
        for pk, code, vi, en, zh, zone in Gate.objects.values_list(
            "pk", "code", "name_vi", "name_en", "name_zh", "time_zone"
        )
    }


def _exited_in(gates: dict, gate: Gate | None, date_from: dt.date, date_to: dt.date) -> Q:
    """Visits that exited within the local days, each in its own gate's zone."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for pk, (_code, _name, zone) in gates.items():
        by_zone[zone].append(pk)
    where = Q(pk__in=[])
    for zone, ids in by_zone.items():
        start, end = _bounds(zone, date_from, date_to)
        in_range = Q(exited_at__gte=start, exited_at__lt=end)
        # All gates in one zone (the usual case) need no list of gate ids in the query.
        where |= in_range if gate is None and len(by_zone) == 1 else in_range & Q(gate_id__in=ids)
    return where


def _newest_assessment() -> int | None:
    if not apps.is_installed("cuakhau.risk"):
        return None
    assessment = apps.get_model("risk", "RiskAssessment")
    return assessment.objects.order_by("-pk").values_list("pk", flat=True).first()


def _data_version(where: Q) -> tuple:
    """What names the data of the figures: read from the (gate, exit time) index alone."""
    visits = Visit.objects.filter(where).order_by()
    stamp = visits.aggregate(n=Count("id"), ids=Sum("id"), last=Max("exited_at"))
    last = stamp["last"].isoformat() if stamp["last"] else ""
    return stamp["n"], stamp["ids"] or 0, last, _newest_assessment()


def _read_visits(gates: dict, where: Q) -> dict[tuple[int, dt.date], tuple[dict, int]]:
    """The visits matching ``where``: (gate id, local exit day) → (rows, sum of visit ids)."""
    first_start = (
        Inspection.objects.filter(trip_id=OuterRef("trip_id"), automatic=False)
        .order_by("started_at")
        .values("started_at")[:1]
    )
    qs = (
        Visit.objects.filter(where)
        .order_by()
        .annotate(
            arrived=Epoch("arrived_at"),
            cleared=Epoch("cleared_at"),
            exited=Epoch("exited_at"),
            first_start=Epoch(Subquery(first_start)),
        )
    )
    channel = _channel_column()
    columns = ["gate_id", "id", "trip__direction", "arrived", "cleared", "exited", "first_start"]
    if channel is not None:
        qs = qs.annotate(risk_channel=channel)
        columns.append("risk_channel")

    zones = {pk: ZoneInfo(zone) for pk, (_c, _n, zone) in gates.items()}
    days: dict[tuple[int, dt.date], tuple[dict, int]] = {}
    for values in qs.values_list(*columns):
        gate_id, visit_id, trip_direction, arrived, cleared, exited, started = values[:7]
        exit_day = dt.datetime.fromtimestamp(exited, zones[gate_id]).date()
        groups, ids = days.get((gate_id, exit_day)) or ({}, 0)
        days[gate_id, exit_day] = groups, ids + visit_id
        group = groups.get(trip_direction)
        if group is None:
            group = groups[trip_direction] = _Group()
        group.clearance.append(_minutes(arrived, exited))
        # A truck no officer inspected (released entirely automatically) has no waiting or
        # inspection stage to measure; it still counts for clearance and leaving.
        for measure, minutes in (
            ("waiting", _minutes(arrived, started)),
            ("inspection", _minutes(started, cleared)),
            ("exit", _minutes(cleared, exited)),
        ):
            if minutes is not None:
                getattr(group, measure).append(minutes)
        group.channels[(values[7] if len(values) > 7 else None) or "unknown"] += 1
    for groups, _ids in days.values():
        for group in groups.values():
            group.sort()
    return days


def _visit_days(
    gates: dict, where: Q, date_from: dt.date, date_to: dt.date, version: tuple
) -> dict[tuple[int, dt.date], dict]:
    """(gate id, local day) → that day's rows: kept days from ``KpiDay``, the others read.

    The kept days are checked against the period's ``version`` (how many visits, the sum of
    their ids, the newest risk assessment); a period they do not add up to is read again whole.
    """
    from .models import KpiDay

    count, id_sum, _last, risk = version
    dates = [date_from + dt.timedelta(days=n) for n in range((date_to - date_from).days + 1)]
    now = timezone.now()
    finished = {
        pk: {day for day in dates if day < now.astimezone(ZoneInfo(zone)).date()}
        for pk, (_code, _name, zone) in gates.items()
    }
    kept: dict[tuple[int, dt.date], tuple] = {}
    if any(finished.values()):
        for pk, gate_id, day, zone, visits, ids, stamp, rows in KpiDay.objects.filter(
            gate_id__in=list(gates), day__gte=date_from, day__lte=date_to
        ).values_list(
            "pk", "gate_id", "day", "time_zone", "visits", "visit_ids", "risk_stamp", "rows"
        ):
            if day in finished[gate_id] and zone == gates[gate_id][2]:
                kept[gate_id, day] = (pk, visits, ids, stamp, _day_from_json(rows))

    # The days to read: from each gate's first day not kept to the end of the period (usually
    # just today), gates with the same span in one condition.
    spans: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for pk, (_code, _name, zone) in gates.items():
        missing = [day for day in dates if (pk, day) not in kept]
        if missing:
            spans[zone, missing[0]].append(pk)
    live_where = Q(pk__in=[])
    read_from: dict[int, dt.date] = {}
    for (zone, first), ids in spans.items():
        start, end = _bounds(zone, first, date_to)
        live_where |= Q(gate_id__in=ids, exited_at__gte=start, exited_at__lt=end)
        read_from.update(dict.fromkeys(ids, first))
    live = _read_visits(gates, live_where) if spans else {}

    days: dict[tuple[int, dt.date], dict] = {}
    read_ids = 0
    used: list[tuple] = []
    for pk in gates:
        for day in dates:
            if pk in read_from and day >= read_from[pk]:
                rows, ids = live.get((pk, day)) or ({}, 0)
                days[pk, day] = rows
                read_ids += ids
            else:
                kept_pk, _visits, ids, stamp, rows = kept[pk, day]
                days[pk, day] = rows
                read_ids += ids
                used.append((kept_pk, stamp))
    total = sum(_visit_count(rows) for rows in days.values())
    stale = total != count or read_ids != id_sum
    if not stale and used and risk is not None:
        oldest = min((stamp or 0) for _pk, stamp in used)
        if oldest < risk:
            stale = _reassessed_since(oldest, where)
            if not stale:
                # Nothing reassessed concerns these days: the next check starts from here.
                KpiDay.objects.filter(pk__in=[pk for pk, _stamp in used]).update(risk_stamp=risk)
    if stale:
        live = _read_visits(gates, where)
        read_from = dict.fromkeys(gates, date_from)
        days = {(pk, day): (live.get((pk, day)) or ({}, 0))[0] for pk in gates for day in dates}
    _keep(
        [
            KpiDay(
                gate_id=pk,
                day=day,
                time_zone=gates[pk][2],
                visits=_visit_count(days[pk, day]),
                visit_ids=(live.get((pk, day)) or (None, 0))[1],
                risk_stamp=risk,
                rows=_day_to_json(days[pk, day]),
            )
            for pk, first in read_from.items()
            for day in dates
            if day >= first and day in finished[pk]
        ]
    )
    return days


def _visit_count(day: dict[str, _Group]) -> int:
    return sum(len(group.clearance) for group in day.values())


def _reassessed_since(stamp: int, where: Q) -> bool:
    """Whether a risk assessment newer than ``stamp`` is of a truck that left in the period."""
    assessment = apps.get_model("risk", "RiskAssessment")
    return (
        assessment.objects.filter(
            pk__gt=stamp, trip_id__in=Visit.objects.filter(where).order_by().values("trip_id")
        )
        .order_by()
        .exists()
    )


def _keep(days: list) -> None:
    """Keep finished days (two pages reading the same day at once write the same rows)."""
    from .models import KpiDay

    if days:
        KpiDay.objects.bulk_create(
            days,
            update_conflicts=True,
            unique_fields=["gate", "day"],
            update_fields=["time_zone", "visits", "visit_ids", "risk_stamp", "rows", "kept_at"],
        )


def _figures(
    gates: dict,
    days: dict[tuple[int, dt.date], dict],
    date_from: dt.date,
    date_to: dt.date,
    today,
    direction: str | None,
) -> dict:
    """Every figure of the page, from each gate's days of visits (see ``gate_kpis``)."""
    per_day: Counter = Counter()
    clearance_by_day: dict[dt.date, list[float]] = defaultdict(list)
    clearances: list[float] = []
    by_direction: dict[str, list[float]] = defaultdict(list)
    by_gate: dict[int, list[float]] = defaultdict(list)
    stage_minutes: dict[str, list[float]] = {stage: [] for stage in STAGES}
    channels: Counter = Counter()
    for (gate_id, day), groups in days.items():
        for trip_direction, group in groups.items():
            if direction and trip_direction != direction:
                continue
            per_day[day] += len(group.clearance)
            clearance_by_day[day].extend(group.clearance)
            clearances.extend(group.clearance)
            by_direction[trip_direction].extend(group.clearance)
            by_gate[gate_id].extend(group.clearance)
            channels.update(group.channels)
            for stage in STAGES:
                stage_minutes[stage].extend(getattr(group, stage))
    by_gate = {pk: group for pk, group in by_gate.items() if group}
    by_direction = {key: group for key, group in by_direction.items() if group}
    # Sorted once here, every later sort of these is a single pass.
    clearances.sort()

    if today is not None and date_to > today:
        # Days still to come have no trucks yet: counted as days without any, a period chosen
        # up to the end of next month halved the daily mean and drew weeks of empty trend.
        date_to = max(today, date_from - dt.timedelta(days=1))
    days_count = (date_to - date_from).days + 1
    dates = [date_from + dt.timedelta(days=n) for n in range(days_count)]
    partial_day = today if today is not None and date_from <= today <= date_to else None
    full_days = [day for day in dates if day != partial_day]
    busiest = max((per_day.get(day, 0) for day in full_days), default=0)
    trucks_per_day = [(day, per_day.get(day, 0)) for day in dates]
    full_day_trucks = sum(per_day.get(day, 0) for day in full_days)
    trend = []
    for day in full_days:
        figures = summary(clearance_by_day.get(day, []))
        trend.append({"date": day, **figures})

    labels = dict(Direction.choices)
    stages = {stage: summary(stage_minutes[stage]) for stage in STAGES}

    return {
        "date_from": date_from,
        "date_to": date_to,
        "days": days_count,
        "count": len(clearances),
        "trucks_per_day": trucks_per_day,
        "bars": [
            {
                "date": day,
                "count": count,
                "partial": day == partial_day,
                "percent": min(100, round(100 * count / busiest, 1)) if busiest else 0,
            }
            for day, count in trucks_per_day
        ],
        "partial_day": partial_day,
        "full_days": len(full_days),
        "busiest_day": busiest,
        "mean_per_day": round(full_day_trucks / len(full_days), 1) if full_days else None,
        "clearance": summary(clearances),
        "histogram": clearance_histogram(clearances),
        "trend": trend,
        "stages": [
            {"stage": stage, "label": STAGE_LABELS[stage], **stages[stage]} for stage in STAGES
        ],
        "stage_medians": {stage: stages[stage]["median"] for stage in STAGES},
        "channels": channel_shares(channels.elements()),
        "by_direction": [
            {"direction": key, "label": labels.get(key, key), **_group(group)}
            for key, group in sorted(by_direction.items(), key=lambda kv: -len(kv[1]))
        ],
        "by_gate": [
            {"gate": gates[pk][0], "name": gates[pk][1], **_group(group)}
            for pk, group in sorted(by_gate.items(), key=lambda kv: gates[kv[0]][0])
        ],
    }


def kpi_charts(figures: dict) -> dict:
    """The page's charts (inline SVG) from ``gate_kpis`` figures, in the active language."""
    from django.utils.formats import date_format

    histogram = figures["histogram"]
    trend = figures["trend"]
    day_labels = [date_format(row["date"], "MONTH_DAY_FORMAT") for row in trend]
    return {
        "histogram": charts.bar_chart(
            [
                charts.Bar(row["label"], row["count"], muted=row["high"] is None, tick=row["tick"])
                for row in histogram
            ],
            title=_("Clearance time distribution"),
            description=_(
                "Trucks by time from arrival to exit, in minutes; the table beside it gives the figures."
            ),
            y_label=_("trucks"),
        )
        if histogram
        else None,
        "trend": charts.line_chart(
            day_labels,
            [
                charts.Series(_("Median"), [row["median"] for row in trend], "median"),
                charts.Series(_("90th percentile"), [row["p90"] for row in trend], "p90"),
            ],
            title=_("Clearance time per day"),
            description=_(
                "Median and 90th percentile of the time from arrival to exit, in minutes, for each complete day; the table beside it gives the figures."
            ),
            y_label=_("minutes"),
        )
        if any(row["count"] for row in trend)
        else None,
        "per_day": charts.bar_chart(
            [
                charts.Bar(
                    date_format(bar["date"], "MONTH_DAY_FORMAT"), bar["count"], muted=bar["partial"]
                )
                for bar in figures["bars"]
            ],
            title=_("Trucks per day"),
            description=_("Trucks that left each day; today, still going on, is drawn lighter."),
            y_label=_("trucks"),
        ),
    }
