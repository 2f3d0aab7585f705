import datetime as dt
import random
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from stdnum import iso6346
from stdnum.cn import ric, uscc
from stdnum.vn import mst

from cuakhau.accounts import roles
from cuakhau.demo import generator
from cuakhau.reference.models import HSCode
from cuakhau.reference.services import load_reference_data
from cuakhau.reference.validators import normalise_plate, parse_plate
from cuakhau.trips.choices import Direction, TripStatus, VehicleType
from cuakhau.trips.models import CargoLine, Container, Trip
from cuakhau.trips.references import is_valid_reference

DAYS, SCALE = 3, 0.05

# What a trip's history may be, by its status: (action, from, to) in order.
HISTORIES = {
    TripStatus.DRAFT: [[("create", "", "draft")]],
    TripStatus.SUBMITTED: [[("create", "", "draft"), ("submit", "draft", "submitted")]],
    TripStatus.CANCELLED: [
        [("create", "", "draft"), ("cancel", "draft", "cancelled")],
        [
            ("create", "", "draft"),
            ("submit", "draft", "submitted"),
            ("cancel", "submitted", "cancelled"),
        ],
    ],
    TripStatus.REJECTED: [
        [
            ("create", "", "draft"),
            ("submit", "draft", "submitted"),
            ("reject", "submitted", "rejected"),
        ]
    ],
}


@pytest.fixture
def reference(db):
    if not HSCode.objects.exists():
        load_reference_data()
    if apps.is_installed("cuakhau.fees"):
        # A submitted trip is assessed, which needs the gates' fee schedules.
        from cuakhau.fees.models import FeeSchedule
        from cuakhau.fees.services import load_schedules

        if not FeeSchedule.objects.exists():
            load_schedules()


@pytest.fixture
def clock():
    # One clock for every run of a test, so no trip crosses from "to come" to "past" between
    # runs; taken when the test starts, as the services compare arrivals with the real time.
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def run(reference, clock):
    def run(seed=2025, **kwargs):
        kwargs = {"days": DAYS, "scale": SCALE, "now": clock, **kwargs}
        return generator.generate(seed=seed, today=timezone.localdate(clock), **kwargs)

    return run


def snapshot():
    return sorted(
        Trip.objects.filter(organisation__in=generator.demo_organisations()).values_list(
            "reference", "gate__code", "direction", "tractor_plate", "trailer_plate"
        )
    )


def test_same_seed_same_trips_and_no_duplicates(run):
    first = run(seed=11)
    trips = snapshot()
    assert trips and len(trips) == first["trips"]
    assert run(seed=11, reset=True)["users"] == first["users"]
    assert snapshot() == trips

    run(seed=12, reset=True)
    other = snapshot()
    assert {t[0] for t in other}.isdisjoint({t[0] for t in trips})
    assert {t[3] for t in other} != {t[3] for t in trips}


def test_refuses_to_run_twice_without_reset(run):
    run()
    with pytest.raises(generator.DemoDataExists):
        run()


def test_missing_hs_code_fails_loudly(run):
    HSCode.objects.filter(code="121293").delete()
    with pytest.raises(generator.DemoDataError, match="121293"):
        run()


def test_generated_trips_follow_the_rules(run, clock):
    result = run()
    trips = Trip.objects.filter(organisation__in=generator.demo_organisations())
    assert trips.count() == result["trips"] > 50
    assert result["by_gate"]["hng"] > result["by_gate"].get("mlt", 0)
    known_hs = set(HSCode.objects.filter(level=6).values_list("code", flat=True))
    users = {u.pk: u for u in get_user_model().objects.all()}
    lines_of = defaultdict(list)
    for line in CargoLine.objects.filter(trip__in=trips):
        lines_of[line.trip_id].append(line)
    containers_of = defaultdict(list)
    for container in Container.objects.filter(trip__in=trips):
        containers_of[container.trip_id].append(container)
    statuses = set()

    for trip in trips.prefetch_related("transitions"):
        statuses.add(trip.status)
        assert is_valid_reference(trip.reference)
        assert trip.reference.startswith(trip.gate.code.upper() + "-")
        # Plates: valid, shown as the services show them, keyed for matching.
        tractor = parse_plate(trip.tractor_plate)
        assert tractor.display == trip.tractor_plate
        assert trip.tractor_plate_key == normalise_plate(trip.tractor_plate)
        assert tractor.country == trip.driver_nationality == trip.organisation.country
        if trip.vehicle_type == VehicleType.TRUCK:
            assert trip.trailer_plate == ""
        else:
            assert parse_plate(trip.trailer_plate).display == trip.trailer_plate
            assert trip.trailer_plate_key == normalise_plate(trip.trailer_plate)
        if trip.driver_nationality == "CN":
            assert ric.is_valid(trip.driver_document_number)
            assert trip.driver_phone.startswith("+86 ")
        else:
            assert len(trip.driver_document_number) == 12
            assert trip.driver_document_number.isdigit()
            assert trip.driver_phone.startswith("+84 ")

        lines = lines_of[trip.pk]
        containers = containers_of[trip.pk]
        if trip.direction == Direction.EMPTY_RETURN:
            assert lines == [] and containers == []
        else:
            assert lines
            gross = sum(line.gross_weight_kg for line in lines)
            assert 5000 <= gross <= 32000
            assert gross <= trip.capacity_tonnes * 1000
        for line in lines:
            assert line.hs_code in known_hs
            assert 0 < line.net_weight_kg < line.gross_weight_kg
            assert line.value > 0 and line.packages >= 1 and line.quantity > 0
        if trip.vehicle_type == VehicleType.CONTAINER_TRUCK:
            assert trip.container_size in ("20", "40")
            assert len(containers) == (2 if trip.container_size == "20" else 1)
        else:
            assert containers == [] and trip.container_size == ""
        for container in containers:
            assert iso6346.is_valid(container.number)
            assert container.active == (trip.status in (TripStatus.DRAFT, TripStatus.SUBMITTED))

        history = list(trip.transitions.all())
        steps = [(t.action, t.from_status, t.to_status) for t in history]
        assert steps in HISTORIES[trip.status], (trip.reference, steps)
        assert [t.at for t in history] == sorted(t.at for t in history)
        assert (trip.submitted_at is not None) == any(s[0] == "submit" for s in steps)
        for transition in history:
            actor = users[transition.actor_id]
            actor_roles = roles.roles_of(actor)
            if transition.action == "reject":
                assert transition.reason
                assert actor_roles & {roles.CUSTOMS, roles.BORDER_GUARD, roles.QUARANTINE}
                assert actor.profile.gates.filter(pk=trip.gate_id).exists()
            elif transition.action == "cancel" and roles.ADMINISTRATOR in actor_roles:
                assert transition.reason
            else:
                assert roles.ENTERPRISE in actor_roles
                assert actor.profile.organisation_id == trip.organisation_id
            if transition.from_status == TripStatus.SUBMITTED:
                assert transition.reason
        if trip.status != TripStatus.DRAFT and trip.expected_arrival < clock:
            # Past trips were declared before they arrived.
            assert history[0].at < trip.expected_arrival

    assert {TripStatus.SUBMITTED, TripStatus.DRAFT} <= statuses
    # No container on two active trips (the database enforces it too).
    active = Container.objects.filter(active=True).values_list("number", flat=True)
    assert len(active) == len(set(active))


def test_organisations_and_demo_users(run):
    result = run()
    for spec in generator.ORGANISATIONS:
        org = generator.demo_organisations().get(name=spec.name)
        if spec.country == "VN":
            assert mst.is_valid(org.tax_code) and len(org.tax_code) == 10
        else:
            assert uscc.is_valid(org.tax_code) and len(org.tax_code) == 18
    User = get_user_model()
    assert {u["username"] for u in result["users"]} >= {"dn_phongtho", "qy_jinping", "admin"}
    assert {u["role"] for u in result["users"]} == set(roles.ALL)
    for row in result["users"]:
        user = User.objects.get(username=row["username"])
        assert list(user.groups.values_list("name", flat=True)) == [row["role"]]
        assert user.check_password(row["password"]) and len(row["password"]) >= 10
        if row["role"] in roles.GATE_ROLES:
            assert set(user.profile.gates.values_list("code", flat=True)) >= {"mlt", "hng"}
    assert User.objects.get(username="qy_jinping").profile.language == "zh-hans"
    assert User.objects.get(username="dn_phongtho").profile.organisation.country == "VN"
    assert User.objects.get(username="admin").is_superuser


def test_huu_nghi_volume_follows_the_published_figures():
    rng = random.Random(1)
    june = dt.date(2025, 6, 11)  # a Wednesday of the month the 870 a day was reported for
    counts = generator.daily_volume("hng", june, rng)
    loaded = sum(counts.values()) - counts[Direction.EMPTY_RETURN]
    expected = 870 * generator.traffic_factor(june)
    assert 0.75 * expected <= loaded <= 1.25 * expected
    assert 0.05 * loaded < counts[Direction.EMPTY_RETURN] < 0.2 * loaded

    year = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    totals = [generator.daily_volume("hng", day, rng) for day in year]
    loaded = [sum(c.values()) - c[Direction.EMPTY_RETURN] for c in totals]
    assert 0.93 * 870 <= sum(loaded) / 365 <= 1.03 * 870  # Tết closes the gate a few days
    exports = sum(
        c[Direction.EXPORT] + c[Direction.TEMPORARY_IMPORT_REEXPORT] + c[Direction.TRANSIT]
        for c in totals
    )
    assert abs(exports / sum(loaded) - 262 / 870) < 0.02
    # The seasonal peak is 1.3 times the average; single days vary around it.
    assert 1.2 * 870 <= max(loaded) <= 1.3 * 1.25 * 870
    tet = dt.date(2025, 1, 29)
    assert generator.daily_volume("hng", tet, rng) == dict.fromkeys(Direction.values, 0)
    assert generator.traffic_factor(tet + dt.timedelta(days=2)) < 0.3
    assert generator.daily_volume("hng", june, rng, scale=0.1)[Direction.IMPORT] < 100


def test_ma_lu_thang_volume_follows_its_trade_value():
    per_day = sum(generator.loaded_per_day("mlt", d) for d in (Direction.EXPORT, Direction.IMPORT))
    assert 2 <= per_day <= 8  # a handful of trucks a day
    yearly = sum(
        generator.loaded_per_day("mlt", d) * generator.mean_truck_usd("mlt", d) * 365
        for d in (Direction.EXPORT, Direction.IMPORT)
    )
    assert yearly == pytest.approx(163e6 / 5, rel=0.01)
