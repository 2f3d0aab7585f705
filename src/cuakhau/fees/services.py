"""Fee rules: which schedule applies, which rate fits a vehicle, and the itemised assessment.

Assessment is deterministic: the same declaration under the same schedule always gives the same
items and total, in whole đồng, and records which rate and why.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.spreadsheets import file_number
from cuakhau.reference.models import Gate
from cuakhau.trips.choices import Direction, VehicleType
from cuakhau.trips.models import Trip

from .choices import (
    SCHEDULE_TRANSITIONS,
    GoodsCategory,
    RateUnit,
    Regime,
    ScheduleAction,
    ScheduleStatus,
    VehicleClass,
)
from .models import FeeAssessment, FeeRate, FeeSchedule, gate_today

DATA_DIR = Path(__file__).resolve().parent / "data"


class NoFeeRate(FieldErrors):
    """No schedule or no rate fits this trip: it cannot be assessed (HTTP 422)."""


def _rows(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            row["_at"] = (name, number)
            yield row


def _number(row: dict, column: str, whole: bool = False):
    # As every import reads a number (``core.spreadsheets.file_number``): an error naming its
    # file, row and column, never "1e3" or "NaN" taken as a rate.
    name, number = row["_at"]
    return file_number(row[column], file=name, row=number, column=column, whole=whole)


@transaction.atomic
def load_schedules() -> int:
    """Load the shipped schedules (idempotent; a frozen schedule is never rewritten)."""
    instruments = {row["schedule"]: row for row in _rows("instruments.csv")}
    rates_by_schedule: dict[str, list[dict]] = {}
    for row in _rows("schedules.csv"):
        rates_by_schedule.setdefault(row["schedule"], []).append(row)
    count = 0
    for key, rows in rates_by_schedule.items():
        meta = instruments[key]
        for gate_code in rows[0]["gates"].split():
            gate = Gate.objects.get(code=gate_code)
            schedule, _created = FeeSchedule.objects.get_or_create(
                gate=gate,
                key=key,
                version=1,
                defaults={
                    "title_vi": meta["title_vi"],
                    "title_en": meta["title_en"],
                    "title_zh": meta["title_zh"],
                    "legal_basis": meta["legal_basis"],
                    "basis_date": meta["basis_date"] or None,
                    "effective_from": meta["effective_from"],
                    "confidence": meta["confidence"],
                    "source": meta["source"],
                    # The shipped instruments are in force: loaded, published.
                    "status": ScheduleStatus.PUBLISHED,
                    "published_at": timezone.now(),
                },
            )
            if schedule.is_draft:
                FeeSchedule.objects.filter(pk=schedule.pk).update(
                    status=ScheduleStatus.PUBLISHED, published_at=timezone.now()
                )
            if schedule.is_frozen:
                # Its rates stay as assessed; only the names' translations may be added.
                _update_translations(schedule, meta, rows)
                continue
            schedule.rates.all().delete()
            FeeRate.objects.bulk_create(
                [
                    FeeRate(
                        schedule=schedule,
                        position=position,
                        item_code=row["item_code"],
                        label_vi=row["label_vi"],
                        label_en=row["label_en"],
                        label_zh=row["label_zh"],
                        vehicle=row["vehicle"],
                        tonnage_min=_number(row, "tonnage_min"),
                        tonnage_max=_number(row, "tonnage_max"),
                        container_size=row["container_size"],
                        regime=row["regime"],
                        goods=row["goods"],
                        unit=row["unit"],
                        amount_vnd=_number(row, "amount_vnd", whole=True),
                        confidence=row["confidence"],
                        note=row["note"],
                    )
                    for position, row in enumerate(rows)
                ]
            )
            count += 1
    return count


def _update_translations(schedule: FeeSchedule, meta: dict, rows: list[dict]) -> None:
    if schedule.title_zh != meta["title_zh"]:
        FeeSchedule.objects.filter(pk=schedule.pk).update(title_zh=meta["title_zh"])
    for position, row in enumerate(rows):
        # A queryset update: FeeRate.save refuses any write to a frozen schedule's rates.
        schedule.rates.filter(position=position, label_vi=row["label_vi"]).exclude(
            label_zh=row["label_zh"]
        ).update(label_zh=row["label_zh"])


@transaction.atomic
def new_schedule_version(
    schedule: FeeSchedule, actor, effective_from: dt.date, **changes
) -> FeeSchedule:
    """Copy a schedule into its next version, effective from a date; the old one stays intact.

    The copy is a draft: it assesses nothing until ``publish_schedule``, so it stays editable
    however many trips are submitted before its rates are set."""
    latest = (
        FeeSchedule.objects.filter(gate=schedule.gate, key=schedule.key)
        .order_by("-version")
        .first()
    )
    if effective_from <= schedule.effective_from:
        raise FieldErrors(
            {"effective_from": [_("A new version must take effect after the version it replaces.")]}
        )
    if latest is not None and latest.pk != schedule.pk and effective_from <= latest.effective_from:
        # A copy of an old version dated before a later one would bring its rates back between
        # two dates: versions take effect in the order they are made.
        raise FieldErrors(
            {
                "effective_from": [
                    _("Version %(v)d takes effect on %(date)s: a new version must come after it.")
                    % {"v": latest.version, "date": latest.effective_from.isoformat()}
                ]
            }
        )
    rates = list(schedule.rates.all())
    fields = {
        f: getattr(schedule, f)
        for f in (
            "gate",
            "key",
            "title_vi",
            "title_en",
            "title_zh",
            "legal_basis",
            "basis_date",
            "confidence",
            "source",
        )
    }
    fields.update(changes)
    new = FeeSchedule(
        **fields,
        version=latest.version + 1,
        effective_from=effective_from,
        supersedes=schedule,
        created_by=actor,
        status=ScheduleStatus.DRAFT,
    )
    errors = new.date_errors()
    if errors:
        raise FieldErrors({"effective_from": errors})
    new.save()
    for rate in rates:
        rate.pk = None
        rate.schedule = new
    FeeRate.objects.bulk_create(rates)
    return new


def assessment_day(gate: Gate, arrival: dt.datetime) -> dt.date:
    """The day whose schedule assesses a trip: its expected arrival's date on its gate's
    clock, whatever the server's (the demo's fee book asks the same)."""
    return timezone.localdate(arrival, ZoneInfo(gate.time_zone))


@transaction.atomic
def publish_schedule(schedule: FeeSchedule, actor) -> FeeSchedule:
    """A draft made to count from its effective day, with who published it and when.

    Refused (every reason at once) if that day is already past on the gate's clock (trips of
    those days were assessed on the version before), if it has no rates, or if the gate would
    have no schedule from today until that day."""
    schedule = FeeSchedule.objects.select_for_update().select_related("gate").get(pk=schedule.pk)
    target = SCHEDULE_TRANSITIONS.get((schedule.status, ScheduleAction.PUBLISH))
    if target is None:
        raise StateRefused(_("%(schedule)s is already published.") % {"schedule": schedule})
    gate, today = schedule.gate, gate_today(schedule.gate)
    day = date_format(schedule.effective_from, "SHORT_DATE_FORMAT")
    errors = []
    if schedule.effective_from < today:
        errors.append(
            _(
                "%(schedule)s takes effect on %(date)s, already past at %(gate)s: date it today "
                "or later, then publish it."
            )
            % {"schedule": schedule, "date": day, "gate": gate.name}
        )
    elif schedule.effective_from > today and schedule_for(gate, today) is None:
        errors.append(
            _(
                "No schedule is in force at %(gate)s before %(date)s: %(schedule)s would leave "
                "the days until then without fees. Date it today, or publish one that is."
            )
            % {"schedule": schedule, "date": day, "gate": gate.name}
        )
    errors += schedule.date_errors()
    if not schedule.rates.exists():
        errors.append(
            _("%(schedule)s has no rates: no trip could be assessed under it.")
            % {"schedule": schedule}
        )
    if errors:
        raise FieldErrors({"effective_from": errors})
    schedule.status = target
    schedule.published_at = timezone.now()
    schedule.published_by = actor
    schedule.save(update_fields=["status", "published_at", "published_by"])
    return schedule


def schedule_for(gate: Gate, on: dt.date) -> FeeSchedule | None:
    """The schedule in force at a gate on a date: the latest published version that has taken
    effect (a draft assesses nothing: it is still being edited)."""
    return (
        FeeSchedule.objects.filter(
            gate=gate, effective_from__lte=on, status=ScheduleStatus.PUBLISHED
        )
        .order_by("-effective_from", "-version")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# What the schedule needs to know about a trip

AGRICULTURAL_CHAPTERS = {f"{n:02d}" for n in range(1, 25)}
PETROLEUM_HEADINGS = {"2709", "2710", "2711", "2712", "2713", "2714", "2715"}


def regime_of(direction: str) -> str:
    return {
        Direction.EXPORT: Regime.EXPORT_IMPORT,
        Direction.IMPORT: Regime.EXPORT_IMPORT,
        Direction.TEMPORARY_IMPORT_REEXPORT: Regime.TNTX,
        Direction.TRANSIT: Regime.TRANSIT,
        Direction.EMPTY_RETURN: Regime.EXPORT_IMPORT,
    }[direction]


def goods_of(trip: Trip, lines) -> str:
    """A mixed load pays the rate of the goods with the highest declared value (Lạng Sơn rule).

    Values in different currencies cannot be compared without an exchange rate, so a load
    declared in several currencies is classified by its heaviest line instead.
    """
    if trip.direction == Direction.EMPTY_RETURN or not lines:
        return GoodsCategory.EMPTY
    if len({line.currency for line in lines}) == 1:
        leading = max(lines, key=lambda line: (line.value, line.gross_weight_kg))
    else:
        leading = max(lines, key=lambda line: line.gross_weight_kg)
    code = leading.hs_code
    if code[:4] in PETROLEUM_HEADINGS:
        return GoodsCategory.PETROLEUM
    if code[:2] in AGRICULTURAL_CHAPTERS:
        return GoodsCategory.AGRICULTURAL
    return GoodsCategory.OTHER


@dataclass(frozen=True)
class Facts:
    regime: str
    goods: str
    vehicle_type: str
    capacity_tonnes: Decimal | None
    container_size: str
    containers: int
    gross_tonnes: Decimal


def tonnes_of(gross_kg: Decimal) -> Decimal:
    """A load's tonnes as a fee item charges them: to the kilogram it shows, half up as every
    amount here. Decimal's own rounding (half even) took 20,000.5 kg as 20 t and 20,001.5 kg
    as 20.002 t."""
    return (gross_kg / 1000).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def facts_of(trip: Trip) -> Facts:
    lines = list(trip.cargo_lines.all())
    gross_kg = sum((line.gross_weight_kg for line in lines), Decimal(0))
    return Facts(
        regime=regime_of(trip.direction),
        goods=goods_of(trip, lines),
        vehicle_type=trip.vehicle_type,
        capacity_tonnes=trip.capacity_tonnes,
        container_size=trip.container_size,
        containers=trip.containers.count(),
        gross_tonnes=tonnes_of(gross_kg),
    )


def _in_bracket(rate: FeeRate, tonnes: Decimal | None) -> bool:
    if rate.tonnage_min is None and rate.tonnage_max is None:
        return True
    if tonnes is None:
        return False
    low = rate.tonnage_min if rate.tonnage_min is not None else Decimal(0)
    return low <= tonnes and (rate.tonnage_max is None or tonnes < rate.tonnage_max)


def _vehicle_fits(rate: FeeRate, facts: Facts) -> bool:
    if facts.vehicle_type in (VehicleType.PASSENGER, VehicleType.OTHER):
        return rate.vehicle in (VehicleClass.PASSENGER, VehicleClass.ANY)
    if rate.vehicle == VehicleClass.PASSENGER:
        return False
    # A container truck, or a tractor-trailer carrying containers: priced as a container.
    if facts.vehicle_type == VehicleType.CONTAINER_TRUCK or facts.container_size:
        if rate.container_size in (facts.container_size, "any"):
            return rate.vehicle != VehicleClass.PASSENGER
        if rate.vehicle == VehicleClass.CONTAINER:
            return False
        return _in_bracket(rate, facts.capacity_tonnes) and (
            rate.tonnage_min is not None
            or rate.tonnage_max is not None
            or rate.vehicle == VehicleClass.ANY
        )
    if rate.vehicle == VehicleClass.CONTAINER:
        return False
    return _in_bracket(rate, facts.capacity_tonnes)


def _regime_fits(rate: FeeRate, regime: str) -> int | None:
    if rate.regime == regime:
        return 2
    if rate.regime == Regime.TNTX_TRANSIT and regime in (Regime.TNTX, Regime.TRANSIT):
        return 1
    if rate.regime == Regime.ANY:
        return 0
    return None


def choose_rate(rates, facts: Facts) -> FeeRate | None:
    """The most specific rate that fits: goods, then regime, then vehicle; ties by table order
    (position, then the rate made first), whatever order ``rates`` come in: two rates of equal
    position (the admin's default) were picked as the database happened to return them."""
    best, best_score = None, None
    for rate in sorted(rates, key=lambda r: (r.position, r.pk is None, r.pk or 0)):
        if rate.goods not in (facts.goods, GoodsCategory.ANY):
            continue
        regime_score = _regime_fits(rate, facts.regime)
        if regime_score is None or not _vehicle_fits(rate, facts):
            continue
        score = (
            10 * (rate.goods == facts.goods)
            + regime_score
            + (rate.vehicle != VehicleClass.ANY)
            + (
                rate.tonnage_min is not None
                or rate.tonnage_max is not None
                or bool(rate.container_size)
            )
        )
        if best_score is None or score > best_score:
            best, best_score = rate, score
    return best


@dataclass(frozen=True)
class Item:
    code: str
    label_vi: str
    label_en: str
    unit: str
    quantity: str
    rate_vnd: int
    amount_vnd: int
    confidence: str
    rate_id: int
    # Items assessed before Chinese names existed have none: pages fall back, marked.
    label_zh: str = ""


@dataclass(frozen=True)
class Assessment:
    schedule: FeeSchedule
    items: list[Item]
    facts: Facts

    @property
    def total_vnd(self) -> int:
        return sum(item.amount_vnd for item in self.items)


def assess(trip: Trip, on: dt.date | None = None) -> Assessment:
    """The itemised fee of a trip as declared now (no write)."""
    on = on or assessment_day(trip.gate, trip.expected_arrival)
    schedule = schedule_for(trip.gate, on)
    if schedule is None:
        raise NoFeeRate(
            {
                "gate": [
                    _("No fee schedule is in force at %(gate)s on %(date)s.")
                    % {"gate": trip.gate.name, "date": date_format(on, "SHORT_DATE_FORMAT")}
                ]
            }
        )
    facts = facts_of(trip)
    rate = choose_rate(list(schedule.rates.all()), facts)
    if rate is None:
        raise NoFeeRate(
            {
                "vehicle_type": [
                    _(
                        "No rate of %(schedule)s fits this vehicle and cargo (%(vehicle)s, %(regime)s, %(goods)s)."
                    )
                    % {
                        "schedule": schedule.legal_basis,
                        "vehicle": trip.get_vehicle_type_display(),
                        "regime": Regime(facts.regime).label,
                        "goods": GoodsCategory(facts.goods).label,
                    }
                ]
            }
        )
    numbers = [container.number for container in trip.containers.all()]
    return Assessment(schedule=schedule, items=price(rate, facts, numbers), facts=facts)


def plain_number(quantity: Decimal) -> str:
    """A quantity as a signed fee item writes it: its digits, never an exponent (20 tonnes is
    "20", which ``Decimal.normalize`` alone writes "2E+1")."""
    return format(quantity.normalize(), "f")


def price(rate: FeeRate, facts: Facts, container_numbers: list[str]) -> list[Item]:
    """The items a rate charges for these facts, in whole đồng (half up)."""
    if rate.unit == RateUnit.CONTAINER:
        # One line per container, so a receipt names what it paid for.
        return [
            Item(
                rate.item_code,
                f"{rate.label_vi} {n}".strip(),
                f"{rate.label_en} {n}".strip(),
                rate.unit,
                "1",
                rate.amount_vnd,
                rate.amount_vnd,
                rate.confidence,
                rate.pk,
                f"{rate.label_zh} {n}".strip(),
            )
            for n in container_numbers or [""]
        ]
    quantity = facts.gross_tonnes if rate.unit == RateUnit.TONNE else Decimal(1)
    amount = int((rate.amount_vnd * quantity).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return [
        Item(
            rate.item_code,
            rate.label_vi,
            rate.label_en,
            rate.unit,
            plain_number(quantity),
            rate.amount_vnd,
            amount,
            rate.confidence,
            rate.pk,
            rate.label_zh,
        )
    ]


@transaction.atomic
def record_assessment(trip: Trip) -> FeeAssessment:
    """Assess the trip's current version and keep it; the previous assessment stays as history."""
    result = assess(trip)
    previous = FeeAssessment.objects.select_for_update().filter(trip=trip, is_current=True).first()
    if previous is not None:
        if previous.trip_version == trip.version and previous.schedule_id == result.schedule.pk:
            return previous
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    facts = asdict(result.facts)
    return FeeAssessment.objects.create(
        trip=trip,
        trip_version=trip.version,
        schedule=result.schedule,
        total_vnd=result.total_vnd,
        items=[asdict(item) for item in result.items],
        explanation={k: str(v) if isinstance(v, Decimal) else v for k, v in facts.items()},
        previous=previous,
        assessed_at=timezone.now(),
    )


def current_assessment(trip: Trip) -> FeeAssessment | None:
    return trip.assessments.filter(is_current=True).select_related("schedule", "previous").first()
