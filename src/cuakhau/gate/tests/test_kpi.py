"""Gate KPIs: the percentile definition, local dates, stage times, channels; the page."""

import datetime as dt
import random
import statistics
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from cuakhau.conftest import (
    cassava_line,
    declaration,
    people_at_mlt,
)
from cuakhau.core.testing.shared import fresh, shared_data
from cuakhau.gate import services as gate
from cuakhau.gate.kpi import channel_shares, gate_kpis, percentile, summary
from cuakhau.gate.models import Visit
from cuakhau.inspections import services as inspections
from cuakhau.inspections.models import Inspection
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips

BOARD_URLS = "cuakhau.gate.tests.board_urls"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.date(2025, 3, 10)

# The period (below) is built once for the module; every test runs beside it.
pytestmark = pytest.mark.usefixtures("_shared_period")


# ---------------------------------------------------------------------------------------------
# The percentile definition (no database)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4], 90, 3.7),  # position 0.9 * 3 = 2.7: 3 + 0.7 * (4 - 3)
        ([15, 20, 35, 40, 50], 40, 29.0),  # position 1.6: 20 + 0.6 * 15
        ([15, 20, 35, 40, 50], 90, 46.0),  # position 3.6: 40 + 0.6 * 10
        ([50, 15, 40, 20, 35], 50, 35),  # unsorted input
        ([7], 90, 7),
        ([3, 9], 0, 3),
        ([3, 9], 100, 9),
    ],
)
def test_percentile_interpolates_linearly_between_ranks(values, p, expected):
    assert percentile(values, p) == pytest.approx(expected)


def test_percentile_matches_the_inclusive_quantiles_of_the_standard_library():
    rng = random.Random(20250310)
    for n in (2, 3, 10, 101, 900):
        values = [rng.expovariate(1 / 45) for _ in range(n)]
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        assert percentile(values, 90) == pytest.approx(deciles[8])
        assert percentile(values, 50) == pytest.approx(statistics.median(values))


def test_percentile_of_nothing_and_out_of_range():
    assert percentile([], 50) is None
    assert summary([]) == {"count": 0, "median": None, "p90": None}
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_channel_shares_count_unassessed_trucks_as_unknown():
    shares = channel_shares(["green", "green", "red", None, "yellow"])
    assert [(s["channel"], s["count"], s["percent"]) for s in shares] == [
        ("green", 2, 40.0),
        ("yellow", 1, 20.0),
        ("red", 1, 20.0),
        ("unknown", 1, 20.0),
    ]
    assert [s["percent"] for s in channel_shares([])] == [0.0, 0.0, 0.0, 0.0]


def test_channel_shares_add_up_to_a_hundred_as_shown():
    # Rounded one by one, three thirds read 33.3 + 33.3 + 33.3 = 99.9.
    shares = channel_shares(["green", "yellow", "red"])
    assert [s["percent"] for s in shares] == [33.4, 33.3, 33.3, 0.0]
    assert sum(s["percent"] for s in channel_shares(["green"] * 2 + ["red"] * 5)) == 100.0


# ---------------------------------------------------------------------------------------------
# Real visits with known times


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HANOI)


def through_the_gate(enterprise, operator, officers, mlt, n, *, direction="export", leave=True):
    data = declaration(
        tractor_plate=f"25C-{300 + n:03d}.{20 + n:02d}",
        direction=direction,
        cargo_lines=[cassava_line()],
    )
    trip = trips.save_and_submit(enterprise, None, data)
    payments.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    if leave:
        for agency in inspections.outstanding(trip):
            inspections.record_result(officers[agency], trip, "pass", agency=agency)
        gate.exit_truck(operator, mlt, trip.reference)
    return Visit.objects.get(trip=trip)


def set_times(visit, *, exited, waiting, inspection, leaving):
    """Put the visit's stages at known lengths (minutes), ending at ``exited``."""
    cleared = exited - dt.timedelta(minutes=leaving)
    first = cleared - dt.timedelta(minutes=inspection)
    arrived = first - dt.timedelta(minutes=waiting)
    Visit.objects.filter(pk=visit.pk).update(
        arrived_at=arrived, cleared_at=cleared, exited_at=exited
    )
    # A green-channel release (automatic) happens at arrival.
    Inspection.objects.filter(trip_id=visit.trip_id, automatic=True).update(
        started_at=arrived, ended_at=arrived
    )
    manual = Inspection.objects.filter(trip_id=visit.trip_id, automatic=False).order_by("id")
    for n, inspection_row in enumerate(manual):
        # The earliest start is the first inspection; the others began a minute or two later.
        inspection_row.started_at = first + dt.timedelta(minutes=n)
        inspection_row.ended_at = cleared
        inspection_row.save(update_fields=["started_at", "ended_at"])
    return arrived


def build_period(enterprise, operator, officers, mlt):
    """Five trucks that left on 10–12 March 2025 (local), one the evening before, one inside.

    Stages (waiting, inspection, leaving) in minutes; clearance is their sum:
        A 10 +  5 +  2 =  17   left 10/03 08:00
        B 20 +  5 +  4 =  29   left 10/03 23:30 (16:30 UTC)
        C 30 + 10 +  6 =  46   left 11/03 00:30 (17:30 UTC on the 10th)
        D 40 + 20 +  8 =  68   left 11/03 12:00, an import
        E 50 + 60 + 10 = 120   left 12/03 09:00
        F                      left 09/03 23:59: outside the period
    """
    plan = [
        ("A", local(DAY, 8), 10, 5, 2, "export"),
        ("B", local(DAY, 23, 30), 20, 5, 4, "export"),
        ("C", local(DAY + dt.timedelta(days=1), 0, 30), 30, 10, 6, "export"),
        ("D", local(DAY + dt.timedelta(days=1), 12), 40, 20, 8, "import"),
        ("E", local(DAY + dt.timedelta(days=2), 9), 50, 60, 10, "export"),
        ("F", local(DAY - dt.timedelta(days=1), 23, 59), 5, 5, 5, "export"),
    ]
    visits = {}
    for n, (name, exited, waiting, inspection, leaving, direction) in enumerate(plan):
        visit = through_the_gate(enterprise, operator, officers, mlt, n, direction=direction)
        arrived = set_times(
            visit, exited=exited, waiting=waiting, inspection=inspection, leaving=leaving
        )
        visits[name] = (visit, arrived)
    # A green-channel release at arrival is not an officer's inspection: A's wait stays 10 min.
    visit_a, arrived_a = visits["A"]
    Inspection.objects.create(
        trip_id=visit_a.trip_id,
        agency="customs",
        started_at=arrived_a,
        ended_at=arrived_a,
        result="pass",
        automatic=True,
    )
    through_the_gate(enterprise, operator, officers, mlt, 9, leave=False)
    return visits


@pytest.fixture(scope="module")
def _shared_period(request, django_db_setup, django_db_blocker, tmp_path_factory):
    # Built once for the module (core.testing.shared): its tests read the period.
    with shared_data(request, django_db_blocker, tmp_path_factory):
        yield build_period(*people_at_mlt())


@pytest.fixture
def period(_shared_period, db):
    """The module's period, each visit read afresh for the test."""
    return {name: (fresh(visit), arrived) for name, (visit, arrived) in _shared_period.items()}


def test_clearance_and_stage_times_over_the_period(period, mlt, django_assert_num_queries):
    # The data's version (the exited visits' stamp, the newest risk assessment), the kept days
    # (none yet), the visits themselves in one query, and the finished days kept.
    with django_assert_num_queries(5):
        kpi = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert kpi["count"] == 5 and kpi["days"] == 3
    # Dated by the exit in the gate's zone: B and C left the same UTC day, not the same local day.
    assert kpi["trucks_per_day"] == [
        (DAY, 2),
        (DAY + dt.timedelta(days=1), 2),
        (DAY + dt.timedelta(days=2), 1),
    ]
    assert [b["percent"] for b in kpi["bars"]] == [100.0, 100.0, 50.0]
    assert kpi["busiest_day"] == 2 and kpi["mean_per_day"] == pytest.approx(1.7)
    # Clearance 17, 29, 46, 68, 120: median 46; p90 at position 3.6 = 68 + 0.6 * 52.
    assert kpi["clearance"] == {"count": 5, "median": 46.0, "p90": 99.2}
    stages = {s["stage"]: s for s in kpi["stages"]}
    assert (stages["waiting"]["median"], stages["waiting"]["p90"]) == (30.0, 46.0)
    assert (stages["inspection"]["median"], stages["inspection"]["p90"]) == (10.0, 44.0)
    assert (stages["exit"]["median"], stages["exit"]["p90"]) == (6.0, 9.2)
    assert kpi["stage_medians"] == {"waiting": 30.0, "inspection": 10.0, "exit": 6.0}
    # The channel each truck has now (all unknown until the risk app is installed).
    assigned = Counter(
        inspections.current_channel(period[name][0].trip) or "unknown" for name in "ABCDE"
    )
    assert {c["channel"]: c["count"] for c in kpi["channels"]} == {
        key: assigned.get(key, 0) for key in ("green", "yellow", "red", "unknown")
    }
    assert sum(c["percent"] for c in kpi["channels"]) == pytest.approx(100)
    by_direction = {d["direction"]: d for d in kpi["by_direction"]}
    assert by_direction["export"]["count"] == 4 and by_direction["import"]["count"] == 1
    assert by_direction["export"]["clearance"]["median"] == pytest.approx(37.5)  # (29 + 46) / 2


def test_kept_days_give_the_same_figures_without_reading_the_visits(
    period, mlt, django_assert_num_queries
):
    from django.core.cache import cache

    from cuakhau.gate.models import KpiDay

    first = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert sorted(KpiDay.objects.values_list("day", "visits")) == [
        (DAY, 2),
        (DAY + dt.timedelta(days=1), 2),
        (DAY + dt.timedelta(days=2), 1),
    ]
    cache.clear()  # as after a restart: the process keeps nothing
    # The version and the kept days: no visit read.
    with django_assert_num_queries(3):
        again = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert again == first
    cache.clear()
    assert gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2), direction="export")["count"] == 4


def test_a_kept_day_that_no_longer_adds_up_is_read_again(period, mlt):
    from django.core.cache import cache

    from cuakhau.gate.models import KpiDay

    assert gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))["count"] == 5
    # The truck still inside is recorded as having left on the first day (a device's exit
    # arriving late): that kept day no longer adds up and is read again.
    inside = Visit.objects.get(exited_at=None)
    Visit.objects.filter(pk=inside.pk).update(
        arrived_at=local(DAY, 9), cleared_at=local(DAY, 9, 30), exited_at=local(DAY, 10)
    )
    cache.clear()
    kpi = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert [count for _day, count in kpi["trucks_per_day"]] == [3, 2, 1]
    assert kpi["clearance"]["count"] == 6
    assert KpiDay.objects.get(gate=mlt, day=DAY).visits == 3
    # A day kept before one of its exits was recorded (nothing of it kept) is read again.
    cache.clear()
    KpiDay.objects.filter(gate=mlt, day=DAY).update(visits=0, visit_ids=0, rows={})
    assert gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))["trucks_per_day"][0] == (DAY, 3)
    assert KpiDay.objects.get(gate=mlt, day=DAY).visits == 3


def test_a_truck_reassessed_after_its_day_was_kept_shows_its_new_channel(period, mlt, enterprise):
    from django.core.cache import cache

    from cuakhau.gate.models import KpiDay
    from cuakhau.risk.models import RiskAssessment

    before = {
        c["channel"]: c["count"]
        for c in gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))["channels"]
    }
    # A new trip's assessment concerns none of the kept days: they are kept, their stamp moves.
    trips.save_and_submit(enterprise, None, declaration(tractor_plate="25C-399.99"))
    newest = RiskAssessment.objects.order_by("-pk").first().pk
    cache.clear()
    again = {
        c["channel"]: c["count"]
        for c in gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))["channels"]
    }
    assert again == before
    assert set(KpiDay.objects.values_list("risk_stamp", flat=True)) == {newest}
    # E reassessed after it left: its channel on the page is the new one.
    current = RiskAssessment.objects.get(trip_id=period["E"][0].trip_id, is_current=True)
    RiskAssessment.objects.filter(pk=current.pk).update(is_current=False)
    old_channel = current.channel
    current.pk, current.is_current = None, True
    current.channel = "red" if old_channel != "red" else "green"
    current.save()
    cache.clear()
    after = {
        c["channel"]: c["count"]
        for c in gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))["channels"]
    }
    assert after[current.channel] == before[current.channel] + 1
    assert after[old_channel] == before[old_channel] - 1


def test_a_direction_and_a_single_day(period, mlt):
    exports = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2), direction="export")
    assert exports["count"] == 4
    assert exports["clearance"]["median"] == pytest.approx(37.5)
    first_day = gate_kpis(mlt, DAY, DAY)
    assert first_day["trucks_per_day"] == [(DAY, 2)]
    assert first_day["clearance"]["median"] == pytest.approx(23.0)  # A 17, B 29
    evening_before = gate_kpis(mlt, DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=1))
    assert evening_before["count"] == 1 and evening_before["clearance"]["median"] == 15.0


def test_all_gates_date_each_visit_in_its_gate_zone(period, mlt, hng):
    everywhere = gate_kpis(None, DAY, DAY + dt.timedelta(days=2))
    assert everywhere["count"] == 5 and everywhere["clearance"]["median"] == 46.0
    assert [g["gate"] for g in everywhere["by_gate"]] == ["mlt"]
    assert gate_kpis(hng, DAY, DAY + dt.timedelta(days=2))["count"] == 0
    # A gate on another clock sees the same exits fall on other days.
    type(mlt).objects.filter(pk=mlt.pk).update(time_zone="UTC")
    mlt.refresh_from_db()
    utc = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert utc["trucks_per_day"][0] == (DAY, 3)  # 08:00 local is 01:00 UTC; B and C now both 10/03


def test_an_empty_period_has_no_figures(mlt, db):
    week_before = DAY - dt.timedelta(days=30)  # the shared period's trucks left in March
    kpi = gate_kpis(mlt, week_before, week_before + dt.timedelta(days=6))
    assert kpi["count"] == 0 and kpi["clearance"]["median"] is None
    assert kpi["trucks_per_day"] == [(week_before + dt.timedelta(days=n), 0) for n in range(7)]
    with pytest.raises(ValueError):
        gate_kpis(mlt, DAY, DAY - dt.timedelta(days=1))


# ---------------------------------------------------------------------------------------------
# The page


@pytest.fixture
def board_urls(settings):
    settings.ROOT_URLCONF = BOARD_URLS


def query(**params):
    period = {"date_from": DAY.isoformat(), "date_to": (DAY + dt.timedelta(days=2)).isoformat()}
    return period | params


def test_the_management_reads_every_gate(client, period, auditor, board_urls):
    client.force_login(auditor)
    page = client.get("/gate/kpi/", query())
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["kpi"]["count"] == 5 and page.context["kpi"]["gate"] is None
    assert 'id="kpi-days"' in html and 'style="width:50.0%"' in html
    assert "viettimes.vn" in html and "thoibaotaichinhvietnam.vn" in html
    assert "linear interpolation" in html
    mlt_only = client.get("/gate/kpi/", query(gate="mlt", direction="import"))
    assert mlt_only.context["kpi"]["count"] == 1
    assert client.get("/gate/kpi/").status_code == 200  # the last 30 days by default


def test_an_officer_reads_only_their_gates(client, period, mlt, officers, board_urls):
    client.force_login(officers["customs"])
    page = client.get("/gate/kpi/", query())
    assert page.status_code == 200
    assert page.context["kpi"]["gate"] == mlt and page.context["kpi"]["count"] == 5
    assert list(page.context["form"].fields["gate"].queryset) == [mlt]
    other = client.get("/gate/kpi/", query(gate="hng"))
    assert other.context["kpi"] is None and "gate" in other.context["form"].errors


def test_the_page_refuses_others_and_bad_ranges(client, enterprise, auditor, board_urls, db):
    client.force_login(enterprise)
    assert client.get("/gate/kpi/").status_code == 403
    client.force_login(auditor)
    backwards = client.get("/gate/kpi/", query(date_to="2025-03-01"))
    assert backwards.context["kpi"] is None and "date_to" in backwards.context["form"].errors
    too_long = client.get("/gate/kpi/", query(date_from="2023-01-01"))
    assert too_long.context["kpi"] is None and "date_to" in too_long.context["form"].errors
    client.logout()
    assert client.get("/gate/kpi/").status_code == 302


# ---------------------------------------------------------------------------------------------
# Today's partial day, the distribution and the trend (issue 9)


def test_today_counts_in_the_totals_but_not_in_the_daily_means(period, mlt):
    kpi = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2), today=DAY + dt.timedelta(days=2))
    assert kpi["count"] == 5 and kpi["partial_day"] == DAY + dt.timedelta(days=2)
    # Two complete days of 2 trucks each; today's single truck so far is not averaged in.
    assert kpi["full_days"] == 2 and kpi["mean_per_day"] == 2.0 and kpi["busiest_day"] == 2
    assert [b["partial"] for b in kpi["bars"]] == [False, False, True]
    # The trend has one point per complete day: A 17 and B 29; C 46 and D 68.
    assert [(t["date"], t["count"], t["median"]) for t in kpi["trend"]] == [
        (DAY, 2, 23.0),
        (DAY + dt.timedelta(days=1), 2, 57.0),
    ]
    # A period that ended before today has no partial day.
    past = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2), today=DAY + dt.timedelta(days=30))
    assert past["partial_day"] is None and past["mean_per_day"] == pytest.approx(1.7)
    assert len(past["trend"]) == 3
    # Only today chosen: no complete day to average.
    only_today = gate_kpis(mlt, DAY, DAY, today=DAY)
    assert only_today["mean_per_day"] is None and only_today["trend"] == []


def test_the_distribution_counts_every_truck_in_round_bins(period, mlt):
    kpi = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    histogram = kpi["histogram"]
    assert sum(b["count"] for b in histogram) == 5
    widths = {b["high"] - b["low"] for b in histogram if b["high"] is not None}
    assert len(widths) == 1 and widths.pop() in {5, 10, 20}
    # Clearance 17, 29, 46, 68, 120: the slowest (above the 99th percentile) sits in the open bin.
    assert histogram[-1]["high"] is None and histogram[-1]["count"] == 1
    assert "min" in histogram[-1]["label"]


@pytest.mark.parametrize(
    "language, words",
    [
        ("vi", ["Phân bố thời gian thông quan", "chưa hết"]),
        ("en", ["Clearance time distribution", "is not over"]),
        ("zh-hans", ["通关时间分布", "尚未结束"]),
    ],
)
def test_the_page_draws_the_charts_beside_their_tables(
    client, period, auditor, board_urls, monkeypatch, language, words
):
    from cuakhau.accounts.services import set_language
    from cuakhau.gate import views_board

    monkeypatch.setattr(views_board, "_today", lambda gate: DAY + dt.timedelta(days=2))
    set_language(auditor, language)
    client.force_login(auditor)
    html = client.get("/gate/kpi/", query(gate="mlt")).content.decode()
    assert html.count('role="img"') == 3  # distribution, trend, trucks per day
    assert html.count("<title id=") == 3
    for table in ('id="kpi-histogram"', 'id="kpi-trend-table"', 'id="kpi-days"'):
        assert table in html
    assert 'id="kpi-partial-note"' in html and 'class="partial"' in html
    for word in words:
        assert word in html
    # Nothing loaded from elsewhere (a bare "cdn" could be in the page's random CSRF token).
    assert 'src="http' not in html and "cdn." not in html.lower()
    assert "<script" not in html.split("<main")[1]


def test_the_figures_are_kept_until_a_truck_leaves_in_the_period(
    period, mlt, django_assert_num_queries
):
    first = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    # Read again with nothing changed: only the data's version is asked for, and the figures
    # are the same ones.
    with django_assert_num_queries(2):
        again = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert again == first
    # F, which left the evening before, is now dated in the period: a new version, new figures.
    # The kept days no longer add up to the period's visits: they are read again and kept.
    visit_f, _arrived = period["F"]
    set_times(visit_f, exited=local(DAY, 9), waiting=5, inspection=5, leaving=5)
    with django_assert_num_queries(5):
        moved = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2))
    assert moved["count"] == first["count"] + 1 == 6
    assert moved["trucks_per_day"][0] == (DAY, 3)
    # Another direction, period or language is another set of figures.
    exports = gate_kpis(mlt, DAY, DAY + dt.timedelta(days=2), direction="export")
    assert exports["count"] == 5


# The page: the session, the reader's roles (middleware, the policy, the gates offered), the
# form's gate, then the figures: their data's version (two queries) and, unless kept in the
# process, the kept days, the visits of the days not kept yet, and those days kept.
KPI_PAGE_QUERIES = 15


def test_the_page_reads_its_figures_once_and_then_only_their_version(
    client, period, auditor, board_urls, django_assert_num_queries
):
    client.force_login(auditor)
    client.get("/gate/kpi/", query(gate="hng"))  # another set of figures: the session warms up
    with django_assert_num_queries(KPI_PAGE_QUERIES):
        first = client.get("/gate/kpi/", query())
    with django_assert_num_queries(KPI_PAGE_QUERIES - 3):
        again = client.get("/gate/kpi/", query())
    assert again.context["kpi"] == first.context["kpi"]
    assert first.content.decode().count('<tr data-date="') == again.content.decode().count(
        '<tr data-date="'
    )


@pytest.mark.parametrize(
    "params, field",
    [
        ({"direction": "sideways"}, "direction"),
        ({"gate": "zzz"}, "gate"),
        ({"date_from": "2025-02-30"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
    ],
)
def test_an_unreadable_filter_is_refused_beside_its_field_with_no_figures(
    client, auditor, board_urls, mlt, params, field
):
    client.force_login(auditor)
    response = client.get("/gate/kpi/", query(**params))
    assert response.status_code == 400
    assert response.context["kpi"] is None
    assert f'data-field="{field}"' in response.content.decode()


def test_days_still_to_come_are_not_days_without_trucks(period, mlt):
    """A period chosen past today ends today: the days to come are neither in the daily mean,
    nor bars, nor points of the trend."""
    today = DAY + dt.timedelta(days=2)
    kpi = gate_kpis(mlt, DAY, today + dt.timedelta(days=40), today=today)
    assert kpi["count"] == 5 and kpi["date_to"] == today and kpi["days"] == 3
    assert kpi["full_days"] == 2 and kpi["mean_per_day"] == 2.0
    assert [b["date"] for b in kpi["bars"]] == [DAY + dt.timedelta(days=n) for n in range(3)]
    assert len(kpi["trend"]) == 2
    # A period wholly to come has no day yet.
    ahead = gate_kpis(mlt, today + dt.timedelta(days=1), today + dt.timedelta(days=9), today=today)
    assert ahead["count"] == 0 and ahead["days"] == 0 and ahead["mean_per_day"] is None
    assert ahead["bars"] == [] and ahead["trend"] == []


@pytest.mark.parametrize(
    "language, published, year",
    [
        ("vi", ["31/12/2025", "10/12/2025"], "2024."),
        ("en", ["31 December 2025", "10 December 2025"], "2024."),
        ("zh-hans", ["2025年12月31日", "2025年12月10日"], "2024."),
    ],
)
def test_the_published_figures_are_dated_in_the_readers_language(
    client, period, auditor, board_urls, language, published, year
):
    from cuakhau.accounts.services import set_language

    set_language(auditor, language)
    client.force_login(auditor)
    html = client.get("/gate/kpi/", query()).content.decode()
    notes = html.split('class="footnotes"')[1]
    for date in published:
        assert date in notes
    assert year in notes
    # Not the programme's ISO date, which no language on the page writes.
    assert "2025-12-31" not in notes and "2025-12-10" not in notes
