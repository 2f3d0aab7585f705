"""Fee assessment against the shipped schedules: brackets, containers, tonnes, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cuakhau.conftest import banana_line, cassava_line, declaration, steel_line
from cuakhau.fees import services
from cuakhau.fees.models import FeeRate, FeeSchedule
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def submitted(user, **overrides):
    return trips.save_and_submit(user, None, declaration(**overrides))


def test_submission_records_an_itemised_assessment(enterprise, mlt):
    trip = submitted(enterprise)  # 30 t truck, export of bananas and cassava
    assessment = services.current_assessment(trip)
    assert assessment.schedule.key == "lai-chau-example"
    assert assessment.total_vnd == 800_000
    [item] = assessment.items
    assert item["code"] == "d" and item["confidence"] == "example"
    assert assessment.explanation["goods"] == "agricultural"


@pytest.mark.parametrize(
    ("capacity", "direction", "expected"),
    [
        ("3.5", "export", 120_000),
        ("4", "export", 300_000),  # lower bound inclusive
        ("9.99", "import", 300_000),
        ("10", "export", 500_000),
        ("17.9", "tntx", 4_000_000),
        ("18", "transit", 6_000_000),
    ],
)
def test_capacity_brackets(enterprise, mlt, capacity, direction, expected):
    trip = submitted(
        enterprise, capacity_tonnes=capacity, direction=direction, cargo_lines=[cassava_line()]
    )
    assert services.current_assessment(trip).total_vnd == expected


def test_a_container_truck_pays_by_container_size(enterprise, mlt):
    trip = submitted(
        enterprise, vehicle_type="container_truck", capacity_tonnes="", container_size="20"
    )
    assert services.current_assessment(trip).total_vnd == 500_000


def test_cao_bang_charges_per_container_and_per_tonne(enterprise, reference_data):
    per_container = submitted(
        enterprise,
        gate="tlg",
        direction="tntx",
        vehicle_type="container_truck",
        capacity_tonnes="",
        # One chassis carries two 20-foot boxes (or one 40-foot).
        container_size="20",
        cargo_lines=[banana_line(container_numbers=["CSQU3054383", "TGHU1234567"])],
    )
    assessment = services.current_assessment(per_container)
    assert [i["amount_vnd"] for i in assessment.items] == [5_500_000, 5_500_000]
    assert "CSQU3054383" in assessment.items[0]["label_en"]
    per_tonne = submitted(enterprise, gate="tlg", direction="import", cargo_lines=[steel_line()])
    # 24.3 t of other goods at 100,000 VND/t
    assert services.current_assessment(per_tonne).total_vnd == 2_430_000


def test_mixed_load_pays_the_rate_of_its_most_valuable_goods(enterprise, reference_data):
    trip = submitted(
        enterprise,
        gate="tlg",
        direction="export",
        cargo_lines=[steel_line(value="20000"), cassava_line(value="2240")],
    )
    assessment = services.current_assessment(trip)
    assert assessment.explanation["goods"] == "other"
    assert assessment.items[0]["rate_vnd"] == 100_000


def test_lang_son_published_rate_for_small_fruit_trucks(enterprise, hng):
    trip = submitted(
        enterprise,
        gate="hng",
        capacity_tonnes="1.5",
        cargo_lines=[banana_line(container_numbers=[])],
    )
    assessment = services.current_assessment(trip)
    assert assessment.total_vnd == 100_000
    assert assessment.items[0]["confidence"] == "published"


def test_empty_return_uses_the_empty_vehicle_rate(enterprise, mlt):
    trip = submitted(enterprise, direction="empty_return", cargo_lines=[])
    assert services.current_assessment(trip).total_vnd == 50_000


def test_an_amendment_reassesses_and_shows_the_difference(enterprise, mlt):
    trip = submitted(enterprise, capacity_tonnes="8", cargo_lines=[cassava_line()])
    assert services.current_assessment(trip).total_vnd == 300_000
    trips.amend_trip(
        enterprise, trip, declaration(capacity_tonnes="15", cargo_lines=[cassava_line()]), "Đổi xe"
    )
    current = services.current_assessment(trip)
    assert (current.total_vnd, current.difference_vnd, current.trip_version) == (
        500_000,
        200_000,
        2,
    )
    assert trip.assessments.count() == 2


def test_assessment_is_deterministic(enterprise, mlt):
    trip = submitted(enterprise)
    first, second = services.assess(trip), services.assess(trip)
    assert first.items == second.items and first.total_vnd == second.total_vnd


def test_a_frozen_schedule_is_never_edited_and_new_versions_take_effect_by_date(
    enterprise, mlt, admin_user
):
    trip = submitted(enterprise)
    schedule = services.current_assessment(trip).schedule
    rate = schedule.rates.first()
    rate.amount_vnd = 1
    with pytest.raises(ValidationError):
        rate.save()
    assert FeeRate.objects.get(pk=rate.pk).amount_vnd != 1
    new = services.new_schedule_version(schedule, admin_user, effective_from=dt.date(2030, 1, 1))
    assert new.version == 2 and new.rates.count() == schedule.rates.count()
    services.publish_schedule(new, admin_user)
    assert services.schedule_for(mlt, dt.date(2029, 12, 31)) == schedule
    assert services.schedule_for(mlt, dt.date(2030, 1, 1)) == new
    assert FeeSchedule.objects.filter(gate=mlt, key=schedule.key).count() == 2


def test_a_trip_no_rate_fits_cannot_be_submitted(enterprise, mlt):
    FeeRate.objects.filter(schedule__gate=mlt, vehicle="passenger").delete()
    FeeRate.objects.filter(schedule__gate=mlt, vehicle="any").delete()
    with pytest.raises(services.NoFeeRate):
        submitted(
            enterprise,
            vehicle_type="passenger",
            capacity_tonnes="",
            direction="empty_return",
            cargo_lines=[],
        )


def test_vehicle_facts_are_required_by_type(enterprise, mlt):
    with pytest.raises(trips.TripValidationError) as exc:
        trips.create_draft(
            enterprise, declaration(vehicle_type="container_truck", capacity_tonnes="")
        )
    assert "container_size" in exc.value.errors
    with pytest.raises(trips.TripValidationError) as exc:
        trips.create_draft(enterprise, declaration(capacity_tonnes=""))
    assert "capacity_tonnes" in exc.value.errors
    with pytest.raises(trips.TripValidationError) as exc:
        trips.create_draft(enterprise, declaration(capacity_tonnes="500"))
    assert "capacity_tonnes" in exc.value.errors
    assert Decimal("30") == trips.create_draft(enterprise, declaration()).capacity_tonnes


def test_admin_shows_frozen_schedules_read_only(enterprise, mlt, admin_client):
    trip = submitted(enterprise)
    schedule = services.current_assessment(trip).schedule
    assert admin_client.get("/admin/fees/feeschedule/").status_code == 200
    page = admin_client.get(f"/admin/fees/feeschedule/{schedule.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    admin_client.post(
        "/admin/fees/feeschedule/", {"action": "new_version", "_selected_action": [schedule.pk]}
    )
    assert FeeSchedule.objects.filter(gate=mlt, key=schedule.key, version=2).exists()


@pytest.mark.parametrize(
    ("gross_kg", "tonnes", "amount"),
    [
        ("20000.5", "20.001", 2_000_100),  # half a kilogram up, never to the even one below
        ("20001.5", "20.002", 2_000_200),
        ("20000.499", "20", 2_000_000),
    ],
)
def test_a_weight_per_tonne_is_rounded_to_the_kilogram_half_up(
    enterprise, reference_data, gross_kg, tonnes, amount
):
    trip = submitted(
        enterprise,
        gate="tlg",
        direction="import",
        cargo_lines=[steel_line(gross_weight_kg=gross_kg, net_weight_kg="19000")],
    )
    [item] = services.current_assessment(trip).items  # 100,000 VND a tonne
    assert (item["quantity"], item["amount_vnd"]) == (tonnes, amount)


def test_a_quantity_of_whole_tens_of_tonnes_is_written_in_digits(enterprise, reference_data):
    from cuakhau.core.api_support import fee_item_out
    from cuakhau.core.templatetags.cuakhau import quantity

    trip = submitted(
        enterprise,
        gate="tlg",
        direction="import",
        cargo_lines=[steel_line(gross_weight_kg="20000", net_weight_kg="19800")],
    )
    [item] = services.current_assessment(trip).items
    # Decimal.normalize alone wrote "2E+1", signed so into the receipt and shown "2E+1 t".
    assert item["quantity"] == "20" and item["amount_vnd"] == 2_000_000
    assert services.plain_number(Decimal("12.3450")) == "12.345"
    # An item assessed before, as stored: the API and the page write it in digits too.
    assert fee_item_out({**item, "quantity": "2E+1"})["quantity"] == "20"
    assert quantity("2E+1") == "20"


def test_the_next_version_takes_effect_tomorrow_at_its_gate(
    enterprise, mlt, admin_client, settings, monkeypatch
):
    """The administration's "effective tomorrow" was the server's tomorrow (``date.today()``):
    on a host kept on UTC, at 01:30 on 2 March at the gate it was still 1 March there."""
    from django.utils import timezone

    schedule = services.current_assessment(submitted(enterprise)).schedule
    settings.TIME_ZONE = "UTC"
    at_the_gate = dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.UTC)  # 01:30 on 2 March, UTC+7
    monkeypatch.setattr(timezone, "now", lambda: at_the_gate)
    answer = admin_client.post(
        "/admin/fees/feeschedule/",
        {"action": "new_version", "_selected_action": [schedule.pk]},
        follow=True,
    )
    new = FeeSchedule.objects.get(gate=mlt, key=schedule.key, version=2)
    assert new.effective_from == dt.date(2026, 3, 3)
    assert f"{new} created" in answer.content.decode()


def test_equally_fitting_rates_of_one_position_are_chosen_the_same_whatever_their_order(
    enterprise, mlt
):
    """Rates added in the admin all have position 0: two that fit a load equally well were
    chosen as the database returned them, which PostgreSQL does in any order."""
    schedule = services.schedule_for(mlt, dt.date.today())
    trip = trips.create_draft(enterprise, declaration())
    facts = services.facts_of(trip)
    chosen = services.choose_rate(list(schedule.rates.all()), facts)
    twin = FeeRate.objects.get(pk=chosen.pk)
    twin.pk, twin.amount_vnd = None, chosen.amount_vnd + 1
    twin.save()  # same position, same criteria: a tie, broken by the rate made first
    rates = list(schedule.rates.all())
    assert [r.pk for r in rates if r.position == chosen.position][-2:] == [chosen.pk, twin.pk]
    assert services.choose_rate(rates, facts).pk == chosen.pk
    assert services.choose_rate(rates[::-1], facts).pk == chosen.pk
    assert services.assess(trip).items[0].rate_id == chosen.pk
