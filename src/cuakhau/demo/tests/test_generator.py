import datetime as dt
import io
import random
from collections import Counter, defaultdict
from dataclasses import asdict
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q, Sum
from django.utils import timezone, translation
from stdnum import iso6346
from stdnum.cn import ric, uscc
from stdnum.vn import mst

from cuakhau.accounts import roles
from cuakhau.core.testing.shared import shared_data
from cuakhau.demo import generator
from cuakhau.fees import services as fees
from cuakhau.fees.models import FeeAssessment, FeeSchedule
from cuakhau.gate.board import yard_board
from cuakhau.gate.kpi import gate_kpis
from cuakhau.gate.models import Visit, WeighbridgeReading
from cuakhau.gate.services import ensure_lanes
from cuakhau.inspections import services as inspections
from cuakhau.inspections.models import Agency, Inspection
from cuakhau.market.services import blocking, check_declaration, load_market_rules
from cuakhau.payments.models import NotificationLog, Payment, PaymentFlag
from cuakhau.payments.reconciliation import daily_report
from cuakhau.receipts import signing
from cuakhau.receipts.models import Receipt, ReceiptSequence, ReceiptUse
from cuakhau.receipts.services import reason_text, verify_receipt
from cuakhau.reference.models import Gate, HSCode
from cuakhau.reference.services import load_reference_data
from cuakhau.reference.validators import normalise_phone_number, normalise_plate, parse_plate
from cuakhau.risk.models import RiskAssessment
from cuakhau.risk.services import install_default_ruleset, random_draw
from cuakhau.trips.choices import Direction, TripStatus, VehicleType
from cuakhau.trips.models import CargoLine, Container, Trip
from cuakhau.trips.references import is_valid_reference

# The generated dataset the tests read: big enough for every check below (more than a hundred
# loaded trucks, exits on every gate's busy days, the planted reconciliation discrepancies).
DAYS, SCALE, SEED = 4, 0.08, 2025
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

CREATE = ("create", "", "draft")
SUBMIT = ("submit", "draft", "submitted")
PAY = ("pay", "submitted", "paid")
CHECK_IN = ("check_in", "paid", "arrived")
CLEAR = ("clear", "arrived", "cleared")
EXIT = ("exit", "cleared", "exited")
# What a trip's history may be, by its status: (action, from, to) in order.
HISTORIES = {
    TripStatus.DRAFT: [[CREATE]],
    TripStatus.SUBMITTED: [[CREATE, SUBMIT]],
    TripStatus.PAID: [[CREATE, SUBMIT, PAY]],
    TripStatus.ARRIVED: [[CREATE, SUBMIT, PAY, CHECK_IN]],
    TripStatus.CLEARED: [[CREATE, SUBMIT, PAY, CHECK_IN, CLEAR]],
    TripStatus.EXITED: [[CREATE, SUBMIT, PAY, CHECK_IN, CLEAR, EXIT]],
    TripStatus.CANCELLED: [
        [CREATE, ("cancel", "draft", "cancelled")],
        [CREATE, SUBMIT, ("cancel", "submitted", "cancelled")],
        [CREATE, SUBMIT, PAY, ("cancel", "paid", "cancelled")],
    ],
    TripStatus.REJECTED: [[CREATE, SUBMIT, ("reject", "submitted", "rejected")]],
}
AT_THE_GATE = (TripStatus.ARRIVED, TripStatus.CLEARED, TripStatus.EXITED)


def _load_reference():
    if not HSCode.objects.exists():
        load_reference_data()
    if not FeeSchedule.objects.exists():
        fees.load_schedules()
    # What `cuakhau setup` adds to the reference data: the gates' lanes and market rules.
    ensure_lanes()
    load_market_rules()
    install_default_ruleset()


@pytest.fixture
def reference(db):
    _load_reference()


@pytest.fixture(scope="module")
def clock():
    # One clock for every run of the module, so no trip crosses from "to come" to "past" between
    # runs. It is the next 11:00 at the gates: the yard is busy, and every trip still to come is
    # in the future for the services, which compare arrivals with the real time (for as long
    # as the module runs: at least half an hour).
    now = timezone.now().astimezone(ZONE)
    eleven = now.replace(hour=11, minute=0, second=0, microsecond=0)
    if eleven <= now + dt.timedelta(minutes=30):
        eleven += dt.timedelta(days=1)
    return eleven.astimezone(dt.UTC)


@pytest.fixture(scope="module")
def demo_dataset(request, django_db_setup, django_db_blocker, clock, tmp_path_factory):
    """ONE generated dataset for every test here that only reads it: generating is most of
    these tests' time (core.testing.shared: rolled back after the module, each test in a
    savepoint of its own, so what a test changes, a reset, a second run, is undone after it)."""
    with shared_data(request, django_db_blocker, tmp_path_factory):
        _load_reference()
        # In Vietnamese, the language the demo command runs in on an installation (the tests'
        # is English): the system's own words it writes must still read in every reader's.
        with translation.override("vi"):
            yield generator.generate(
                seed=SEED, days=DAYS, scale=SCALE, now=clock, today=clock.astimezone(ZONE).date()
            )


@pytest.fixture
def demo(demo_dataset, db):
    """What generate() answered for the module's dataset; the test runs in its own savepoint."""
    return demo_dataset


@pytest.fixture
def run(reference, clock):
    def run(seed=SEED, **kwargs):
        kwargs = {"days": DAYS, "scale": SCALE, "now": clock, **kwargs}
        return generator.generate(seed=seed, today=clock.astimezone(ZONE).date(), **kwargs)

    return run


def demo_trips():
    return Trip.objects.filter(organisation__in=generator.demo_organisations())


def snapshot():
    return sorted(
        demo_trips().values_list(
            "reference", "gate__code", "direction", "tractor_plate", "trailer_plate", "status"
        )
    )


def life_snapshot(clock):
    """What the lifecycle made, without the signatures and the times the services stamp."""
    trips = demo_trips()
    # A transfer for a coming trip goes through the bank webhook now, its id dated today.
    coming = Q(trip__expected_arrival__gte=clock)
    return {
        "visits": sorted(
            Visit.objects.filter(trip__in=trips).values_list(
                "trip__reference", "arrived_at", "cleared_at", "exited_at", "yard_position"
            )
        ),
        "risk": sorted(
            RiskAssessment.objects.filter(trip__in=trips).values_list(
                "trip__reference", "channel", "score", "is_current", "weighbridge_kg"
            )
        ),
        "inspections": sorted(
            Inspection.objects.filter(trip__in=trips).values_list(
                "trip__reference", "agency", "kind", "started_at", "ended_at", "result"
            )
        ),
        "payments": sorted(
            Payment.objects.filter(raw__demo=True)
            .exclude(coming)
            .values_list("external_id", "amount_vnd", "flag", "trip__reference")
        ),
        "receipts": sorted(
            Receipt.objects.filter(trip__in=trips).values_list(
                "number", "trip__reference", "amount_vnd", "status", "used_at"
            )
        ),
        "fees": sorted(
            FeeAssessment.objects.filter(trip__in=trips).values_list(
                "trip__reference", "total_vnd", "items"
            )
        ),
    }


def test_same_seed_same_trips_and_no_duplicates(demo, run, clock):
    trips, life = snapshot(), life_snapshot(clock)
    assert trips and len(trips) == demo["trips"]
    assert life["visits"] and life["receipts"] and life["payments"]
    assert run(seed=SEED, reset=True)["users"] == demo["users"]
    assert snapshot() == trips
    assert life_snapshot(clock) == life

    run(seed=12, reset=True)
    other = snapshot()
    assert {t[0] for t in other}.isdisjoint({t[0] for t in trips})
    assert {t[3] for t in other} != {t[3] for t in trips}


def test_refuses_to_run_twice_without_reset(demo, run):
    assert demo_trips().exists()
    with pytest.raises(generator.DemoDataExists):
        run()


def test_reset_replaces_the_whole_lifecycle(demo, run):
    # A smaller second run replaces the module's dataset.
    second = run(seed=4, reset=True, days=2, scale=SCALE / 2)
    trips = demo_trips()
    assert trips.count() == second["trips"]
    # Nothing of the first run is left, and the receipt series starts again at 1.
    assert not Visit.objects.exclude(trip__in=trips).exists()
    assert not Receipt.objects.exclude(trip__in=trips).exists()
    assert not Payment.objects.exclude(trip__in=trips).exclude(trip=None).exists()
    assert Payment.objects.filter(trip=None).count() <= 1  # this run's unknown reference
    assert not NotificationLog.objects.exclude(payment__in=Payment.objects.all()).exists()
    for sequence in ReceiptSequence.objects.all():
        numbers = sorted(
            Receipt.objects.filter(gate=sequence.gate, year=sequence.year).values_list(
                "sequence", flat=True
            )
        )
        assert numbers == list(range(1, sequence.last + 1))


def test_missing_hs_code_fails_loudly(run):
    HSCode.objects.filter(code="121293").delete()
    with pytest.raises(generator.DemoDataError, match="121293"):
        run()


def test_references_never_end_in_a_star():
    gen = generator._Generator(
        seed=5, today=dt.date(2026, 1, 5), scale=1, now=timezone.now(), stdout=None
    )
    made = [gen._reference("mlt") for _ in range(3000)]
    # MOD 37-2 gives "*" for about one body in 37: banks strip it from transfer texts.
    assert all(is_valid_reference(r) and not r.endswith("*") for r in made)
    assert len(set(made)) == len(made)


def test_generated_trips_follow_the_rules(demo, clock):
    result = demo
    trips = demo_trips()
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
        assert is_valid_reference(trip.reference) and not trip.reference.endswith("*")
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
        # Phones: stored as the services store them (E.164), the driver's country's mobile.
        assert normalise_phone_number(trip.driver_phone) == trip.driver_phone
        if trip.driver_nationality == "CN":
            assert ric.is_valid(trip.driver_document_number)
            assert trip.driver_phone.startswith("+861")
        else:
            assert len(trip.driver_document_number) == 12
            assert trip.driver_document_number.isdigit()
            assert trip.driver_phone.startswith("+84")

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
        # A draft holds no container yet (from its submission on), an ended trip no longer.
        active = trip.status not in (
            TripStatus.DRAFT,
            TripStatus.EXITED,
            TripStatus.CANCELLED,
            TripStatus.REJECTED,
        )
        for container in containers:
            assert iso6346.is_valid(container.number)
            assert container.active == active

        history = list(trip.transitions.all())
        steps = [(t.action, t.from_status, t.to_status) for t in history]
        assert steps in HISTORIES[trip.status], (trip.reference, steps)
        assert [t.at for t in history] == sorted(t.at for t in history)
        assert all(t.at <= clock for t in history)
        assert (trip.submitted_at is not None) == any(s[0] == "submit" for s in steps)
        for transition in history:
            actor = users.get(transition.actor_id)
            actor_roles = roles.roles_of(actor) if actor else set()
            if transition.action in ("pay", "clear"):
                assert actor is None  # only the system pays and clears a trip
            elif transition.action in ("check_in", "exit"):
                assert roles.GATE_OPERATOR in actor_roles
                assert actor.profile.gates.filter(pk=trip.gate_id).exists()
            elif transition.action == "reject":
                assert transition.reason
                assert actor_roles & {roles.CUSTOMS, roles.BORDER_GUARD, roles.QUARANTINE}
                assert actor.profile.gates.filter(pk=trip.gate_id).exists()
            elif transition.action == "cancel" and roles.ADMINISTRATOR in actor_roles:
                assert transition.reason
            else:
                assert roles.ENTERPRISE in actor_roles
                assert actor.profile.organisation_id == trip.organisation_id
            if transition.action == "cancel" and transition.from_status != TripStatus.DRAFT:
                assert transition.reason
        if trip.status != TripStatus.DRAFT and trip.expected_arrival < clock:
            # Past trips were declared before they arrived.
            assert history[0].at < trip.expected_arrival

    assert {TripStatus.SUBMITTED, TripStatus.DRAFT, TripStatus.EXITED} <= statuses
    # No container on two active trips (the database enforces it too).
    active = Container.objects.filter(active=True).values_list("number", flat=True)
    assert len(active) == len(set(active))


def test_declarations_pass_the_market_rules(demo):
    trips = demo_trips().exclude(direction=Direction.EMPTY_RETURN)
    assert trips.count() > 100
    for trip in trips.prefetch_related("cargo_lines").select_related("gate"):
        lines = list(trip.cargo_lines.all())
        assert not blocking(check_declaration(trip, lines)), trip.reference
    # What Ma Lù Thàng sends is what China lets through Jinshuihe; fresh fruit leaves through
    # designated gates only, with its certificate.
    fruit = ("0803", "0804", "0805", "0806", "0807", "0808", "0809", "0810")
    exports = CargoLine.objects.filter(
        trip__in=trips, trip__direction__in=[Direction.EXPORT, Direction.TRANSIT, "tntx"]
    )
    for code, gate, certificate in exports.values_list(
        "hs_code", "trip__gate__code", "phytosanitary_certificate"
    ):
        if code.startswith(fruit):
            assert gate in ("hng", "tth", "kth") and certificate
        if gate == "mlt":
            assert not code.startswith(fruit) and code not in ("071410", "121293", "080262")
    # Every product the demo can put on a truck, at every gate, any day of the year.
    gates = {g.code: g for g in Gate.objects.filter(code__in=generator.GATE_ORDER)}
    for code in generator.GATES:
        for direction in (Direction.EXPORT, Direction.IMPORT, Direction.TRANSIT, "tntx"):
            for product in generator._mix(code, direction, None)[0]:
                trip = SimpleNamespace(gate=gates[code], direction=direction, expected_arrival=None)
                line = SimpleNamespace(
                    hs_code=product.hs,
                    origin_country=generator._origin(direction, product),
                    phytosanitary_certificate="VN-BVTV-2026-000001",
                )
                assert not blocking(check_declaration(trip, [line])), (code, product.key)


def test_past_trips_carry_their_whole_lifecycle(demo, clock):
    trips = (
        demo_trips()
        .select_related("gate", "visit")
        .prefetch_related(
            "cargo_lines", "containers", "receipts", "payments", "inspections", "risk_assessments"
        )
    )
    statuses = Counter()
    for trip in trips:
        statuses[trip.status] += 1
        if trip.submitted_at is None:
            continue
        # The fee assessed when the declaration was submitted is the fees service's own.
        assessment = FeeAssessment.objects.get(trip=trip, is_current=True)
        expected = fees.assess(trip)
        assert assessment.schedule_id == expected.schedule.pk
        assert assessment.items == [asdict(item) for item in expected.items]
        assert assessment.total_vnd == expected.total_vnd
        current = [a for a in trip.risk_assessments.all() if a.is_current]
        assert len(current) == 1, trip.reference
        for assessment_ in trip.risk_assessments.all():
            assert assessment_.random_draw == random_draw(
                assessment_.ruleset.random_seed, trip.reference
            )
            for reason in assessment_.reasons:
                assert {"rule_id", "kind", "score", "reason_vi", "reason_en"} <= set(reason)
        valid = [r for r in trip.receipts.all() if r.status == "valid"]
        if trip.status in (TripStatus.PAID, *AT_THE_GATE):
            assert len(valid) == 1, trip.reference
            receipt = valid[0]
            paid = [p for p in trip.payments.all() if p.receipt_id == receipt.pk]
            total = sum(p.amount_vnd for p in paid)
            assert receipt.amount_vnd == assessment.total_vnd
            if any(p.flag == PaymentFlag.OVERPAID for p in paid):
                assert total > assessment.total_vnd
            else:
                assert total == assessment.total_vnd, trip.reference
            result, _found = verify_receipt(receipt.token, trip.gate.code)
            expected_status = "already_used" if trip.status == TripStatus.EXITED else "valid"
            assert result.status == expected_status, (trip.reference, result.reasons)
        else:
            assert not valid
        if trip.status not in AT_THE_GATE:
            assert not Visit.objects.filter(trip=trip).exists()
            continue
        visit = trip.visit
        assert visit.gate_id == trip.gate_id and visit.entry_lane is not None
        assert visit.arrived_at <= clock
        agencies = {i.agency for i in trip.inspections.all()}
        if trip.status == TripStatus.ARRIVED:
            assert visit.cleared_at is None and inspections.outstanding(trip)
            continue
        assert visit.arrived_at <= visit.cleared_at
        assert not inspections.outstanding(trip)
        assert {Agency.CUSTOMS, Agency.BORDER_GUARD} <= agencies
        channel = current[0].channel
        customs = next(i for i in trip.inspections.all() if i.agency == Agency.CUSTOMS)
        assert customs.automatic == (channel == "green")
        if customs.automatic:
            # As inspections.release_green_channel stores it: untranslated, for the page to
            # say in its reader's language.
            assert customs.notes == "Released by the green channel.", customs.notes
        if trip.status == TripStatus.EXITED:
            assert visit.cleared_at <= visit.exited_at <= clock
            use = ReceiptUse.objects.get(receipt=valid[0], outcome="used")
            assert use.at == visit.exited_at == valid[0].used_at
            # Worded as a real exit words it (the platform's language), not in the signing
            # module's English for logs.
            with translation.override(settings.LANGUAGE_CODE):
                said = reason_text(signing.Reason(signing.SIGNATURE_OK, "", kid=valid[0].kid))
                assert use.detail == said != "", use.detail
            # And in every reader's language, as a real exit keeps it.
            for language in ("vi", "en", "zh-hans"):
                with translation.override(language):
                    said = reason_text(signing.Reason(signing.SIGNATURE_OK, "", kid=valid[0].kid))
                    assert use.detail_shown == said and not use.detail_shown.is_fallback
    assert statuses[TripStatus.EXITED] > 30
    # Receipts are numbered without gaps per gate and year.
    numbers = defaultdict(list)
    for gate, year, sequence, number in Receipt.objects.values_list(
        "gate__code", "year", "sequence", "number"
    ):
        numbers[(gate, year)].append(sequence)
        assert number == f"{gate.upper()}-{year}-{sequence:06d}"
    for (gate, year), sequences in numbers.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1))
        assert ReceiptSequence.objects.get(gate__code=gate, year=year).last == len(sequences)
    # Weighbridge readings: the truck's tare plus its load, the declared gross weight give or
    # take what the risk rules look for (a light truck with a small load weighs under 16 t).
    declared = dict(
        CargoLine.objects.filter(trip__in=trips)
        .values_list("trip_id")
        .annotate(kg=Sum("gross_weight_kg"))
        .order_by()
    )
    readings = WeighbridgeReading.objects.filter(trip__in=trips)
    assert readings.exists()
    for reading in readings:
        # An overloaded truck (up to a quarter over its declaration) may pass 50 t; nothing
        # passes what the gate's weighbridge form accepts.
        assert 7000 <= reading.tare_kg <= 16000 and reading.gross_kg <= 80000
        load = reading.gross_kg - reading.tare_kg
        assert declared[reading.trip_id] * Decimal("0.74") <= load + 10, reading.trip_id
        assert load - 10 <= declared[reading.trip_id] * Decimal("1.26"), reading.trip_id


def test_the_gate_pages_read_the_generated_data(demo, clock):
    result = demo
    today = clock.astimezone(ZONE).date()
    kpis = gate_kpis(None, today - dt.timedelta(days=4), today)
    assert kpis["count"] > 50 and kpis["clearance"]["median"] > 0
    assert {row["channel"] for row in kpis["channels"] if row["count"]} >= {"green", "yellow"}
    board = yard_board(Gate.objects.get(code="hng"), clock)
    assert board["inside"] > 0 and board["expected"]["count"] > 0
    assert sum(result["inside_by_gate"].values()) >= board["inside"]
    kinds = set()
    for day in (today - dt.timedelta(days=1), today):
        report = daily_report(None, day)
        assert report.counts.payments and report.counts.receipts_issued
        assert report.counts.crossings
        assert report.balance.is_balanced
        kinds |= {d.kind for d in report.discrepancies}
        if report.counts.notifications_duplicate:
            kinds.add("duplicate_notification")
    # The discrepancies the demo plants for reconciliation, on its last two days.
    assert {"amount_mismatch", "paid_no_receipt", "unknown_trip", "duplicate_use"} <= kinds
    assert "duplicate_notification" in kinds


def test_organisations_and_demo_users(demo):
    result = demo
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


def test_demo_command_prints_the_summary(reference):
    out = io.StringIO()
    call_command("demo", "--no-serve", "--days", "1", "--scale", "0.03", stdout=out)
    text = out.getvalue()
    for heading in ("Trips by status:", "inside now", "median (min)", "risk channels", "Logins"):
        assert heading in text
    assert "HNG Hữu Nghị" in text and "haiquan" in text
    # What a person reads names states, channels, directions and roles, never their codes.
    summary = text[text.index("Trips by status:") :]
    for label in ("Fees paid", "Checked in", "Customs officer", "Gate operator", "Import"):
        assert label in summary
    for code in ("gate_operator", "customs_officer", "empty_return", "tntx", " arrived "):
        assert code not in summary
    # Not a terminal: each stage is one line once done, with its time; then the total.
    for stage in (
        "Database migrations (",
        "Border gates and the HS 2022 nomenclature: ",
        "Organisations and logins: ",
        "Trips planned, ",
        "Past trips written with their payments, receipts, visits and inspections: ",
        "Coming trips declared and paid through the services (",
        "One-stop desk files: ",
    ):
        assert sum(line.startswith(stage) for line in text.splitlines()) == 1, stage
    assert any(line.startswith("Demo ready in ") for line in text.splitlines())
    # The desk's files by state, in English, and their on-time share.
    assert any(
        line.startswith("  one-stop desk: ") and "on time" in line for line in text.splitlines()
    )
