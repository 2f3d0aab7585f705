"""The summaries against figures computed by hand from a few real trips."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.conftest import banana_line, cassava_line, declaration, steel_line
from cuakhau.gate import services as gate
from cuakhau.gate.models import Visit
from cuakhau.inspections import services as inspections
from cuakhau.payments import services as payments
from cuakhau.receipts.models import Receipt
from cuakhau.risk.models import RiskAssessment
from cuakhau.stats import services as stats
from cuakhau.stats.choices import Measure, Source, TargetKind, Verdict
from cuakhau.stats.models import (
    ExchangeRate,
    GateMonth,
    MonthCount,
    StaleMonth,
    Target,
    TradeMonth,
)
from cuakhau.trips import services as trips

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH, APRIL = dt.date(2025, 3, 1), dt.date(2025, 4, 1)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HANOI)


def crossed(enterprise, operator, officers, mlt, plate, data, *, exited, minutes, issued):
    trip = trips.save_and_submit(enterprise, None, declaration(tractor_plate=plate, **data))
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    gate.exit_truck(operator, mlt, trip.reference)
    # Back-date the crossing (queryset updates: the test rebuilds the summaries itself).
    Visit.objects.filter(trip=trip).update(
        arrived_at=exited - dt.timedelta(minutes=minutes), exited_at=exited
    )
    Receipt.objects.filter(trip=trip).update(issued_at=issued)
    return trip


@pytest.fixture
def three_crossings(enterprise, operator, officers, mlt, signing_keys):
    return build_three_crossings(enterprise, operator, officers, mlt)


def build_three_crossings(enterprise, operator, officers, mlt):
    """Bananas and cassava out in March, steel in in March, cassava out in April, with their
    rates, at Ma Lù Thàng; the summaries rebuilt."""
    ExchangeRate.objects.create(
        currency="CNY", month=dt.date(2025, 1, 1), units_per_usd=Decimal("7.2"), source="test"
    )
    ExchangeRate.objects.create(
        currency="VND", month=MARCH, units_per_usd=Decimal("25400"), source="test"
    )
    bananas = crossed(
        enterprise, operator, officers, mlt, "25C-301.21",
        {"cargo_lines": [banana_line(), cassava_line(value="16128", currency="CNY")]},
        exited=local(dt.date(2025, 3, 10), 10), minutes=95, issued=local(dt.date(2025, 3, 9), 8),
    )  # fmt: skip
    steel = crossed(
        enterprise, operator, officers, mlt, "25C-302.22",
        {
            "direction": "import",
            "cargo_lines": [
                steel_line(),
                steel_line(hs_code="720852", value="254000000", currency="VND"),
            ],
        },
        exited=local(dt.date(2025, 3, 20), 16), minutes=30, issued=local(dt.date(2025, 3, 20), 9),
    )  # fmt: skip
    cassava = crossed(
        enterprise, operator, officers, mlt, "25C-303.23",
        {"cargo_lines": [cassava_line()]},
        # 00:30 on 2 April in Hà Nội is still 1 April in UTC: the gate's own month counts.
        exited=local(dt.date(2025, 4, 2), 0, 30), minutes=240,
        issued=local(dt.date(2025, 4, 1), 7),
    )  # fmt: skip
    assert stats.rebuild() == 2  # March and April at Ma Lù Thàng
    return bananas, steel, cassava


def test_turnover_in_usd_by_month_direction_product_and_partner(three_crossings, mlt):
    table = {row["month"]: row for row in stats.turnover_by_month(mlt, 2025)}
    # March: bananas 11,700 USD + cassava 16,128 CNY / 7.2 = 2,240; steel 15,600 USD +
    # 254,000,000 VND / 25,400 = 10,000. April: cassava 2,240 USD.
    assert table[MARCH]["export"] == Decimal("13940")
    assert table[MARCH]["import"] == Decimal("25600")
    assert table[MARCH]["turnover"] == Decimal("39540")
    assert table[APRIL]["export"] == Decimal("2240")
    assert table[dt.date(2025, 5, 1)]["turnover"] == 0
    # The zone's figures are the sum of its gates' (here only one).
    assert stats.turnover_by_month(None, 2025)[2]["turnover"] == Decimal("39540")

    products = stats.top_products(mlt, MARCH, APRIL)
    assert [(p["code"], p["export"], p["import"]) for p in products] == [
        ("7208", 0, Decimal("25600")),
        ("0803", Decimal("11700"), 0),
        ("0714", Decimal("4480"), 0),
    ]
    chapters = stats.top_products(mlt, MARCH, APRIL, level="chapter")
    assert [(p["code"], p["total"]) for p in chapters] == [
        ("72", Decimal("25600")),
        ("08", Decimal("11700")),
        ("07", Decimal("4480")),
    ]
    assert stats.by_partner(mlt, MARCH, APRIL) == [
        {"country": "CN", "export": Decimal("16180"), "import": Decimal("25600"),
         "total": Decimal("41780")},
    ]  # fmt: skip


def test_a_value_without_any_rate_is_counted_apart_never_guessed(three_crossings, mlt):
    ExchangeRate.objects.filter(currency="VND").delete()
    totals = stats.trade_usd(mlt, MARCH, MARCH, ("direction",))
    assert totals.usd["import"] == Decimal("15600")
    assert totals.unconverted == {"VND": Decimal("254000000")}
    # April carries March's CNY rate forward from January: the table says from which month.
    rates = {(r["currency"], r["month"]): r for r in stats.rates_used(mlt, [MARCH, APRIL])}
    assert rates[("CNY", APRIL)]["from_month"] == dt.date(2025, 1, 1)
    assert rates[("CNY", APRIL)]["carried"] is True


def test_trucks_clearance_channels_and_fees(three_crossings, mlt):
    bananas, steel, cassava = three_crossings
    days = {row["day"]: row for row in stats.trucks_per_day(mlt, MARCH, dt.date(2025, 4, 30))}
    assert len(days) == 61
    assert (days[dt.date(2025, 3, 10)]["export"], days[dt.date(2025, 3, 20)]["import"]) == (1, 1)
    assert days[dt.date(2025, 4, 2)]["total"] == 1
    assert days[dt.date(2025, 4, 1)]["total"] == 0
    assert sum(d["total"] for d in days.values()) == 3

    # A month imported from the board's spreadsheet has no days: they are left out, never
    # shown as days without a truck beside the month's thousands.
    GateMonth.objects.create(
        gate=mlt, month=dt.date(2025, 2, 1), direction="export", trucks=1800, source="imported"
    )
    spanned = stats.trucks_per_day(mlt, dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    assert [row["day"] for row in spanned] == [MARCH + dt.timedelta(days=n) for n in range(31)]
    zone = stats.trucks_per_day(None, dt.date(2025, 2, 1), dt.date(2025, 3, 31))
    assert zone[0]["day"] == MARCH

    months = {row["month"]: row for row in stats.gate_figures_by_month(mlt, MARCH, APRIL)}
    assert months[MARCH]["trucks"] == 2
    assert months[MARCH]["mean_clearance"] == Decimal("62.5")  # (95 + 30) / 2
    fees = {
        trip.pk: Receipt.objects.get(trip=trip).amount_vnd for trip in (bananas, steel, cassava)
    }
    assert months[MARCH]["fee_vnd"] == fees[bananas.pk] + fees[steel.pk]
    assert months[APRIL]["fee_vnd"] == fees[cassava.pk] > 0
    assert months[MARCH]["receipts"] == 2

    # Five-minute bins: 30, 95, 240. The median's rank is 1.5 of 3: half-way through the bin
    # 95–100 gives 97.5; the 90th percentile, rank 2.7, is 70 % into the bin 240–245.
    clearance = stats.clearance_percentiles(mlt, MARCH, APRIL)
    assert clearance[50] == {"minutes": Decimal("97.5"), "open": False}
    assert clearance[90] == {"minutes": Decimal("243.5"), "open": False}

    channels = {
        c: RiskAssessment.objects.filter(is_current=True, channel=c).count()
        for c in ("green", "yellow", "red")
    }
    shares = {s["channel"]: s["trucks"] for s in stats.channel_shares(mlt, MARCH, APRIL)}
    assert shares == {**channels, "unknown": 3 - sum(channels.values())}


def test_a_month_is_counted_before_its_rows_are_replaced_in_one_short_transaction(
    three_crossings, mlt
):
    """A busy month takes hundreds of milliseconds to count: on SQLite a transaction holds the
    write lock every check-in and exit waits for, so only the rows' replacement is in one."""
    before = {
        model: sorted(model.objects.filter(gate=mlt).values_list(*fields))
        for model, fields in ((GateMonth, ("month", "direction", "trucks", "fee_vnd")),
                              (TradeMonth, ("month", "hs_heading", "value")))
    }  # fmt: skip
    with CaptureQueriesContext(connection) as context:
        stats.refresh_month(mlt.pk, MARCH)
    statements = [q["sql"].split(None, 1)[0].upper() for q in context.captured_queries]
    # The count's number drawn (a short transaction), the month read, its rows replaced.
    drawn = statements.index("RELEASE")
    assert statements[0] == "SAVEPOINT" and set(statements[1:drawn]) <= {
        "INSERT",
        "UPDATE",
        "SELECT",
    }
    opened = statements.index("SAVEPOINT", drawn)
    assert set(statements[drawn + 1 : opened]) == {"SELECT"}, statements
    assert statements[opened + 1] == "UPDATE", statements  # the number of the rows in place
    assert set(statements[opened + 2 : -1]) <= {"DELETE", "INSERT"}, statements
    assert statements[-1] == "RELEASE"
    after = {
        model: sorted(model.objects.filter(gate=mlt).values_list(*fields))
        for model, fields in ((GateMonth, ("month", "direction", "trucks", "fee_vnd")),
                              (TradeMonth, ("month", "hs_heading", "value")))
    }  # fmt: skip
    assert after == before and before[GateMonth]


def test_a_count_that_began_earlier_never_writes_over_a_later_one(
    three_crossings, mlt, monkeypatch
):
    """Two counts of one month at once (the worker's sweep, a report): the one that began first
    finishes last here, after a truck's exit moved out of March and a second count took it in.
    The first count's older figures are not written over the second's."""
    bananas, _steel, _cassava = three_crossings
    count = stats._counted_month
    seen = []

    def first_count_overtaken(gate_id, month):
        rows = count(gate_id, month)  # March as the first count reads it: two trucks
        seen.append(rows[GateMonth][0].trucks if len(rows[GateMonth]) == 1 else None)
        if len(seen) == 1:
            # Meanwhile the bananas' exit is corrected into April, and another count of March
            # runs to its end.
            Visit.objects.filter(trip=bananas).update(exited_at=local(dt.date(2025, 4, 3), 9))
            stats.refresh_month(gate_id, month)
        return rows

    monkeypatch.setattr(stats, "_counted_month", first_count_overtaken)
    stats.refresh_month(mlt.pk, MARCH)
    assert len(seen) == 2
    march = GateMonth.objects.filter(gate=mlt, month=MARCH)
    assert sum(row.trucks for row in march) == 1  # the later count's figures stay
    assert MonthCount.objects.get(gate=mlt, month=MARCH).written == (
        MonthCount.objects.get(gate=mlt, month=MARCH).drawn
    )


def test_an_exit_marks_its_month_and_the_summary_catches_up(
    enterprise, operator, officers, mlt, signing_keys, django_assert_max_num_queries
):
    trip = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    assert (
        not StaleMonth.objects.filter(month__gt=dt.date(2000, 1, 1))
        .exclude(month=stats.month_of(stats.local_today()))
        .exists()
    )
    gate.exit_truck(operator, mlt, trip.reference)
    month = stats.month_of(Visit.objects.get(trip=trip).exited_at.astimezone(HANOI).date())
    assert StaleMonth.objects.filter(gate=mlt, month=month).exists()

    assert stats.refresh_stale() >= 1
    assert not StaleMonth.objects.exists()
    row = GateMonth.objects.get(gate=mlt, month=month, direction="export")
    assert (row.trucks, row.receipts) == (1, 1)
    assert TradeMonth.objects.get(gate=mlt, month=month).value == Decimal("2240")
    # Nothing stale: a dashboard's check costs one query.
    with django_assert_max_num_queries(1):
        assert stats.refresh_stale() == 0


def test_a_receipt_replaced_for_a_compromised_key_keeps_its_fee_in_its_month(
    enterprise, mlt, signing_keys
):
    """A receipt re-issued because its key was compromised is the same money, paid when the
    first was issued: its fee moved into the month of the re-issue, so a compromise found in
    December took November's revenue into December, after November's report was out."""
    from cuakhau.receipts import services as receipts

    trip = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    payments.simulate_bank_transfer(trip)
    first = Receipt.objects.get(trip=trip)
    paid_in = stats.add_months(stats.month_of(stats.local_today(mlt)), -1)
    Receipt.objects.filter(pk=first.pk).update(issued_at=local(paid_in, 9))
    first.refresh_from_db()
    reissued = receipts.reissue_receipt(first, None, "Khóa ký bị lộ")
    assert reissued is not None
    stats.rebuild()
    fees = {
        row.month: (row.receipts, row.fee_vnd)
        for row in GateMonth.objects.filter(gate=mlt, direction="export")
    }
    assert fees == {paid_in: (1, first.amount_vnd)}
    # Refunded later, the replacement takes its fee out of the month it stood in.
    replacement = Receipt.objects.get(trip=trip, status="valid")
    receipts.revoke_receipt(replacement, None, "refunded", "Hoàn tiền cho doanh nghiệp")
    assert StaleMonth.objects.filter(gate=mlt, month=paid_in).exists()
    stats.refresh_stale()
    assert not GateMonth.objects.filter(gate=mlt, month=paid_in, receipts__gt=0).exists()


def _imported(gate, month, value):
    TradeMonth.objects.create(
        gate=gate, month=month, direction="export", hs_heading="", partner="CN",
        currency="USD", value=Decimal(value), net_weight_kg=0, source=Source.IMPORTED,
    )  # fmt: skip


def test_targets_forecast_from_last_years_season(mlt):
    for number in range(1, 13):
        _imported(mlt, dt.date(2024, number, 1), 200 if number == 12 else 100)  # 1,300 in 2024
    for number in range(1, 4):
        _imported(mlt, dt.date(2025, number, 1), 110)
    _imported(mlt, dt.date(2025, 4, 1), 999)  # the running month: not counted yet
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.EXPORT_USD, kind=TargetKind.GROWTH, value=5
    )
    Target.objects.create(
        gate=mlt, year=2025, measure=Measure.TURNOVER_USD, kind=TargetKind.ABSOLUTE, value=2000
    )
    progress = {p.target.measure: p for p in stats.target_progress(mlt, 2025, dt.date(2025, 4, 15))}
    exports = progress[Measure.EXPORT_USD]
    assert exports.goal == Decimal("1365")  # 1,300 × 1.05
    assert (exports.actual, exports.last_year_same_period) == (Decimal(330), Decimal(300))
    assert exports.growth == Decimal("10.0")
    # 330 so far, and January–March were 300 / 1,300 of last year: 330 × 1,300 / 300 = 1,430.
    assert exports.forecast == Decimal("1430")
    assert (exports.method, exports.verdict) == ("seasonal", Verdict.ON_TRACK)
    assert progress[Measure.TURNOVER_USD].verdict == Verdict.AT_RISK

    after = {p.target.measure: p for p in stats.target_progress(mlt, 2025, dt.date(2026, 1, 5))}
    assert after[Measure.EXPORT_USD].verdict == Verdict.MISSED  # 330 + 999 < 1,365
    assert stats.target_progress(mlt, 2025, dt.date(2025, 1, 20))[0].verdict == Verdict.TOO_EARLY
    # Without last year's figures there is no base for a growth target.
    Target.objects.create(
        gate=mlt, year=2024, measure=Measure.EXPORT_USD, kind=TargetKind.GROWTH, value=5
    )
    assert stats.target_progress(mlt, 2024, dt.date(2024, 6, 1))[0].verdict == Verdict.NO_BASE
