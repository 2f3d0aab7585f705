"""The trip rules: validation, the state machine, amendments, the audit trail."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.trips import references, services
from cuakhau.trips.models import Container, Trip

pytestmark = pytest.mark.django_db


def errors_of(actor, data) -> dict:
    with pytest.raises(services.TripValidationError) as exc:
        services.create_draft(actor, data)
    return exc.value.errors


def test_a_valid_declaration_becomes_a_draft_with_a_checked_reference(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    assert trip.status == "draft"
    assert trip.reference.startswith("MLT-")
    assert references.is_valid_reference(trip.reference)
    assert trip.tractor_plate == "25C-123.45"
    assert trip.tractor_plate_key == "25C12345"
    assert [line.hs_code for line in trip.cargo_lines.all()] == ["080390", "071410"]
    assert list(trip.containers.values_list("number", flat=True)) == ["CSQU3054383"]
    assert [(t.action, t.to_status, t.actor) for t in trip.transitions.all()] == [
        ("create", "draft", enterprise)
    ]


def test_one_wrong_character_in_a_reference_is_caught():
    ref = references.new_reference("mlt")
    for i in range(4, len(ref)):
        for replacement in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if replacement != ref[i]:
                assert not references.is_valid_reference(ref[:i] + replacement + ref[i + 1 :])
    swapped = ref[:5] + ref[6] + ref[5] + ref[7:]
    assert swapped == ref or not references.is_valid_reference(swapped)


def test_plates_are_matched_whatever_the_typing(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration(tractor_plate="25c 12345"))
    assert trip.tractor_plate == "25C-123.45"
    assert trip.tractor_plate_key == "25C12345"
    cn = services.create_draft(
        enterprise, declaration(tractor_plate="云G·12345", trailer_plate="", cargo_lines=[])
    )
    assert cn.tractor_plate_key == "云G12345"


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"tractor_plate": "25C-12"}, "tractor_plate", "not a valid"),
        ({"tractor_plate": "00C-123.45"}, "tractor_plate", "province"),
        ({"tractor_plate": "云G1234I"}, "tractor_plate", "Chinese plate"),
        ({"tractor_plate": "云I12345"}, "tractor_plate", "Chinese plate"),
        ({"tractor_plate": "桂O·D12345"}, "tractor_plate", "Chinese plate"),
        ({"gate": "xyz"}, "gate", "xyz"),
        ({"driver_nationality": "XX"}, "driver_nationality", "ISO 3166"),
        ({"expected_arrival": timezone.now() - dt.timedelta(hours=3)}, "expected_arrival", "past"),
        ({"direction": "smuggling"}, "direction", "smuggling"),
    ],
)
def test_trip_fields_are_refused_with_a_specific_message(
    enterprise, mlt, overrides, path, fragment
):
    errors = errors_of(enterprise, declaration(**overrides))
    assert path in errors, errors
    assert fragment in " ".join(errors[path])


def test_a_draft_may_leave_text_empty_but_not_a_submission(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration(driver_name=""))
    assert trip.driver_name == ""
    with pytest.raises(services.TripValidationError) as refused:
        services.save_and_submit(enterprise, trip, declaration(driver_name=""))
    assert "driver_name" in refused.value.errors


@pytest.mark.parametrize(
    ("line", "path", "fragment"),
    [
        (banana_line(hs_code="999999"), "cargo_lines.0.hs_code", "not in the HS 2022"),
        (banana_line(hs_code="08039"), "cargo_lines.0.hs_code", "6 digits"),
        (
            banana_line(container_numbers=["CSQU3054384"]),
            "cargo_lines.0.container_numbers",
            "check digit",
        ),
        (
            banana_line(container_numbers=["HELLO"]),
            "cargo_lines.0.container_numbers",
            "not a container",
        ),
        (banana_line(gross_weight_kg="0"), "cargo_lines.0.gross_weight_kg", ""),
        (banana_line(net_weight_kg="-5"), "cargo_lines.0.net_weight_kg", ""),
        (banana_line(net_weight_kg="20500"), "cargo_lines.0.net_weight_kg", "above the gross"),
        (banana_line(currency="VNX"), "cargo_lines.0.currency", "ISO 4217"),
        (banana_line(currency="XXX"), "cargo_lines.0.currency", "ISO 4217"),
        (banana_line(currency="XTS"), "cargo_lines.0.currency", "ISO 4217"),
        (banana_line(currency="XAU"), "cargo_lines.0.currency", "ISO 4217"),
        (
            banana_line(hs_code="08039099"),
            "cargo_lines.0.hs_code",
            "0803.90.10, 0803.90.20, 0803.90.30, 0803.90.90",
        ),
        (banana_line(hs_code="0803.90.00"), "cargo_lines.0.hs_code", "national nomenclature"),
        (banana_line(origin_country="ZZ"), "cargo_lines.0.origin_country", "ISO 3166"),
        (banana_line(unit="XYZ"), "cargo_lines.0.unit", ""),
        (banana_line(quantity="abc"), "cargo_lines.0.quantity", ""),
    ],
)
def test_cargo_line_fields_are_refused_with_their_path(enterprise, mlt, line, path, fragment):
    errors = errors_of(enterprise, declaration(cargo_lines=[line, cassava_line()]))
    assert path in errors, errors
    assert fragment in " ".join(errors[path])


def test_national_eight_digit_lines_are_accepted_under_an_existing_subheading(enterprise, mlt):
    trip = services.create_draft(
        enterprise, declaration(cargo_lines=[banana_line(hs_code="0803.90.10")])
    )
    assert trip.cargo_lines.get().hs_code == "08039010"


def test_every_error_is_reported_at_once(enterprise, mlt):
    errors = errors_of(
        enterprise,
        declaration(
            tractor_plate="bad",
            cargo_lines=[banana_line(hs_code="999999"), cassava_line(net_weight_kg="9000")],
        ),
    )
    assert {"tractor_plate", "cargo_lines.0.hs_code", "cargo_lines.1.net_weight_kg"} <= set(errors)


def test_a_container_cannot_be_on_two_active_trips(enterprise, other_enterprise, mlt):
    first = services.create_draft(enterprise, declaration())
    # The company's own draft holds the box against its other declarations...
    own = errors_of(enterprise, declaration(cargo_lines=[banana_line()]))
    assert first.reference in " ".join(own["cargo_lines.0.container_numbers"])
    # ...but not against another company's: a draft may never be sent.
    waiting = services.create_draft(other_enterprise, declaration(cargo_lines=[banana_line()]))
    services.submit_trip(enterprise, first)
    # Submitted, it holds it against everyone; another company learns that the container is
    # taken, never which trip holds it.
    errors = errors_of(other_enterprise, declaration(cargo_lines=[banana_line()]))
    message = " ".join(errors["cargo_lines.0.container_numbers"])
    assert "CSQU3054383" in message and first.reference not in message
    with pytest.raises(services.TripValidationError) as refused:
        services.submit_trip(other_enterprise, waiting)
    assert "CSQU3054383" in str(refused.value.errors)
    services.cancel_trip(enterprise, first, reason="Wrong truck")
    # Once the first trip is cancelled the container is free again.
    assert services.submit_trip(other_enterprise, waiting).status == "submitted"
    assert waiting.containers.get().active


def test_a_submission_racing_for_a_container_is_refused_as_a_field_error(
    enterprise, other_enterprise, mlt
):
    first = services.create_draft(enterprise, declaration())
    other = services.create_draft(other_enterprise, declaration(cargo_lines=[banana_line()]))
    assert not first.containers.get().active
    # The other company's submission took the box between this one's check and its write.
    other.containers.update(active=True)
    with pytest.raises(services.TripValidationError) as refused:
        services._hold_containers(first)
    assert "another company" in " ".join(refused.value.errors["container_numbers"])


def test_a_container_twice_on_one_trip_is_refused(enterprise, mlt):
    errors = errors_of(
        enterprise,
        declaration(cargo_lines=[banana_line(container_numbers=["CSQU3054383", "csqu 305438 3"])]),
    )
    assert "twice" in " ".join(errors["cargo_lines.0.container_numbers"])


def test_the_database_refuses_a_container_on_two_active_trips(enterprise, mlt):
    from django.db import IntegrityError, transaction

    trip = services.save_and_submit(enterprise, None, declaration())
    other = services.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    with pytest.raises(IntegrityError), transaction.atomic():
        Container.objects.create(trip=other, number="CSQU3054383", active=True)
    assert trip.containers.count() == 1


def test_submit_needs_cargo_unless_empty_return(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration(cargo_lines=[]))
    with pytest.raises(services.TripValidationError) as exc:
        services.submit_trip(enterprise, trip)
    assert "cargo_lines" in exc.value.errors
    trip.refresh_from_db()
    assert trip.status == "draft"
    empty = services.create_draft(enterprise, declaration(direction="empty_return", cargo_lines=[]))
    assert services.submit_trip(enterprise, empty).status == "submitted"


def test_an_empty_return_with_cargo_is_refused(enterprise, mlt):
    errors = errors_of(enterprise, declaration(direction="empty_return"))
    assert "empty return" in " ".join(errors["cargo_lines"])


def test_a_failed_submit_leaves_the_draft_exactly_as_it_was(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    before = services.declaration_snapshot(trip)
    bad = declaration(cargo_lines=[banana_line(hs_code="999999")], driver_name="Someone Else")
    with pytest.raises(services.TripValidationError):
        services.save_and_submit(enterprise, trip, bad)
    trip.refresh_from_db()
    assert trip.status == "draft"
    assert services.declaration_snapshot(trip) == before
    assert trip.transitions.count() == 1


def test_submitted_trips_are_changed_only_by_amendment_keeping_the_old_version(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    assert trip.status == "submitted"
    with pytest.raises(IllegalTransition):
        services.update_draft(enterprise, trip, declaration(driver_name="Other"))
    with pytest.raises(services.TripValidationError):
        services.amend_trip(enterprise, trip, declaration(driver_name="Other"), reason="")
    amended = services.amend_trip(
        enterprise, trip, declaration(driver_name="Vàng A Sình"), reason="Đổi lái xe"
    )
    assert amended.version == 2
    assert amended.driver_name == "Vàng A Sình"
    old = amended.versions.get()
    assert old.version == 1 and old.snapshot["driver_name"] == "Lò Văn Páo"
    assert old.reason == "Đổi lái xe"
    actions = list(amended.transitions.values_list("action", "from_status", "to_status", "version"))
    assert actions == [
        ("create", "", "draft", 1),
        ("submit", "draft", "submitted", 1),
        ("amend", "submitted", "submitted", 2),
    ]


def test_illegal_transitions_are_refused(enterprise, customs_mlt, mlt):
    trip = services.create_draft(enterprise, declaration())
    with pytest.raises(IllegalTransition):
        services.reject_trip(customs_mlt, trip, reason="x")
    services.cancel_trip(enterprise, trip)
    with pytest.raises(IllegalTransition):
        services.submit_trip(enterprise, trip)
    with pytest.raises(IllegalTransition):
        services.cancel_trip(enterprise, trip, reason="again")


def test_officers_reject_only_at_their_gates_and_with_a_reason(
    enterprise, customs_mlt, customs_hng, mlt
):
    trip = services.save_and_submit(enterprise, None, declaration())
    with pytest.raises(services.TripPermissionDenied):
        services.reject_trip(customs_hng, trip, reason="not my gate")
    with pytest.raises(services.TripValidationError):
        services.reject_trip(customs_mlt, trip, reason="  ")
    rejected = services.reject_trip(customs_mlt, trip, reason="Thiếu giấy kiểm dịch")
    assert rejected.status == "rejected"
    last = rejected.transitions.last()
    assert (last.actor, last.reason) == (customs_mlt, "Thiếu giấy kiểm dịch")
    assert not rejected.containers.filter(active=True).exists()


def test_enterprises_cannot_touch_another_organisations_trip(enterprise, other_enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    with pytest.raises(services.TripPermissionDenied):
        services.update_draft(other_enterprise, trip, declaration())
    with pytest.raises(services.TripPermissionDenied):
        services.submit_trip(other_enterprise, trip)
    with pytest.raises(services.TripPermissionDenied):
        services.cancel_trip(other_enterprise, trip)


def test_officers_do_not_see_drafts_or_other_gates(
    enterprise, customs_mlt, customs_hng, auditor, mlt
):
    draft = services.create_draft(enterprise, declaration())
    submitted = services.save_and_submit(
        enterprise, None, declaration(cargo_lines=[cassava_line()])
    )
    assert set(services.visible_trips(enterprise)) == {draft, submitted}
    assert list(services.visible_trips(customs_mlt)) == [submitted]
    assert list(services.visible_trips(customs_hng)) == []
    assert set(services.visible_trips(auditor)) == {draft, submitted}


def test_a_draft_withdrawn_before_submission_stays_the_enterprises(
    enterprise, customs_mlt, operator, auditor, client, mlt
):
    """Cancelling a draft makes it "cancelled", not declared: its gate's officers never had
    it (driver's papers, values, documents), and do not get it by its withdrawal."""
    from cuakhau.gate import services as gate

    withdrawn = services.create_draft(enterprise, declaration(driver_document_number="B9988776"))
    services.cancel_trip(enterprise, withdrawn)
    declared = services.save_and_submit(
        enterprise, None, declaration(cargo_lines=[cassava_line()], tractor_plate="25C-555.12")
    )
    services.cancel_trip(enterprise, declared, "Xe hỏng")
    assert set(services.visible_trips(enterprise)) == {withdrawn, declared}
    assert set(services.visible_trips(auditor)) == {withdrawn, declared}
    assert list(services.visible_trips(customs_mlt)) == [declared]
    with pytest.raises(Trip.DoesNotExist):
        services.find_trip(operator, withdrawn.reference)
    # Nor at the gate, by its reference or its plate: "no trip of this gate".
    for scan in (withdrawn.reference, withdrawn.tractor_plate):
        check = gate.assess(scan, mlt)
        assert check.trip is None
        assert [p.code for p in check.problems] == ["not_found"]
    assert gate.assess(declared.reference, mlt).trip == declared
    client.force_login(operator)
    page = client.get(f"/trips/{withdrawn.reference}/")
    assert page.status_code == 404
    assert "B9988776" not in page.content.decode()
    assert client.get(f"/trips/{declared.reference}/").status_code == 200


def test_find_trip_tells_a_mistyped_reference_from_an_unknown_one(
    enterprise, other_enterprise, mlt
):
    trip = services.create_draft(enterprise, declaration())
    assert services.find_trip(enterprise, trip.reference.lower().replace("-", " ")) == trip
    wrong = trip.reference[:-1] + ("A" if trip.reference[-1] != "A" else "B")
    with pytest.raises(Trip.DoesNotExist, match="check character"):
        services.find_trip(enterprise, wrong)
    with pytest.raises(Trip.DoesNotExist, match="No trip"):
        services.find_trip(other_enterprise, trip.reference)


def test_one_container_holds_several_lines_a_mixed_load(enterprise, mlt):
    box = "CSQU3054383"
    trip = services.create_draft(
        enterprise,
        declaration(
            vehicle_type="tractor_trailer",
            container_size="40",
            cargo_lines=[
                banana_line(container_numbers=[box]),
                cassava_line(container_numbers=[box]),
            ],
        ),
    )
    assert [c.number for c in trip.containers.all()] == [box]
    assert [[c.number for c in line.containers.all()] for line in trip.cargo_lines.all()] == [
        [box],
        [box],
    ]
    # Still one container on one active trip, whichever line names it.
    with pytest.raises(services.TripValidationError) as exc:
        services.create_draft(
            enterprise, declaration(cargo_lines=[cassava_line(container_numbers=[box])])
        )
    assert trip.reference in exc.value.errors["cargo_lines.0.container_numbers"][0]
    # Round trip: the stored declaration declares the same load again.
    data = services.declaration_data(trip)
    assert data["container_numbers"] == [box]
    assert [line["container_numbers"] for line in data["cargo_lines"]] == [[box], [box]]


def test_an_empty_container_goes_home_on_the_trip_itself(enterprise, mlt):
    trip = services.create_draft(
        enterprise,
        declaration(
            direction="empty_return",
            vehicle_type="container_truck",
            capacity_tonnes="",
            container_size="20",
            container_numbers=["TGHU 123456-7"],
            cargo_lines=[],
        ),
    )
    assert trip.containers.count() == 1
    assert trip.cargo_lines.count() == 0


@pytest.mark.parametrize(
    "overrides, path, words",
    [
        ({"vehicle_type": "tractor_trailer", "trailer_plate": ""}, "trailer_plate", "trailer"),
        ({"vehicle_type": "tractor_trailer"}, "container_size", "size"),
        ({"vehicle_type": "passenger"}, "cargo_lines.0.container_numbers", "passenger"),
        (
            {
                "vehicle_type": "container_truck",
                "container_size": "40",
                "container_numbers": ["TGHU1234567"],
            },
            "container_numbers",
            "at most 1",
        ),
        ({"vehicle_type": "truck", "container_size": "20"}, "container_size", "tractor-trailer"),
    ],
)
def test_containers_must_fit_the_declared_vehicle(enterprise, mlt, overrides, path, words):
    with pytest.raises(services.TripValidationError) as exc:
        services.create_draft(enterprise, declaration(**overrides))
    assert words in " ".join(exc.value.errors[path]), exc.value.errors
    assert not Trip.objects.exists()


def test_a_new_declaration_submitted_at_once_is_refused_with_every_error(enterprise, mlt):
    """Submitted as it is declared, a declaration is held to a submission's rules before
    anything is written: what a draft would refuse and what only a submission needs come
    back together, and no trip, line or transition is left behind."""
    before = (Trip.objects.count(), Container.objects.count())
    bad = declaration(
        tractor_plate="bad", driver_name="", cargo_lines=[banana_line(hs_code="999999")]
    )
    with pytest.raises(services.TripValidationError) as refused:
        services.save_and_submit(enterprise, None, bad)
    assert {"tractor_plate", "driver_name", "cargo_lines.0.hs_code"} <= set(refused.value.errors)
    assert (Trip.objects.count(), Container.objects.count()) == before


def without_containers(plate: str) -> dict:
    return declaration(
        tractor_plate=plate,
        cargo_lines=[banana_line(container_numbers=[]), cassava_line()],
    )


def test_a_new_declaration_submitted_at_once_is_the_same_trip_as_a_draft_then_submitted(
    enterprise, mlt
):
    at_once = services.save_and_submit(enterprise, None, without_containers("25C-123.45"))
    draft = services.create_draft(enterprise, without_containers("25C-123.46"))
    later = services.save_and_submit(enterprise, draft, without_containers("25C-123.46"))
    for trip in (at_once, later):
        assert trip.status == "submitted"
        assert [t.action for t in trip.transitions.order_by("pk")] == ["create", "submit"]
        # Its fee and its risk channel were assessed on what was stored.
        assert trip.assessments.get(is_current=True).total_vnd > 0
        assert trip.risk_assessments.get(is_current=True).declared_gross_kg == sum(
            line.gross_weight_kg for line in trip.cargo_lines.all()
        )
    # The returned trip is read as stored (a figure to its column's places, a moment in UTC).
    stored = Trip.objects.get(pk=at_once.pk)
    assert at_once.expected_arrival == stored.expected_arrival
    assert str(at_once.capacity_tonnes) == str(stored.capacity_tonnes)
    # ... and carries none of the rows its submission wrote: a later change is seen.
    at_once.cargo_lines.filter(line_no=2).delete()
    assert [line.line_no for line in at_once.cargo_lines.all()] == [1]


def test_declaring_and_submitting_a_trip_keeps_to_its_query_count(
    enterprise, mlt, django_assert_num_queries
):
    """Every declarant, the demo and the suite pay it: pinned, as the pages' budgets are.
    (A subheading's first declaration makes its price-history row: the second is counted.)"""
    services.save_and_submit(enterprise, None, without_containers("25C-123.45"))
    with django_assert_num_queries(QUERIES_TO_DECLARE_AND_SUBMIT):
        services.save_and_submit(enterprise, None, without_containers("25C-123.46"))


# The gate and each subheading's code checked, the market rules' edition, the reference's
# uniqueness, the trip, its lines and the two transitions written; the fee (schedule, rates,
# previous assessment, the new one), the price history (a row a subheading) and the risk
# channel (rule set, previous assessment, history stamps, the company's record); whether money
# came first. With their savepoints.
QUERIES_TO_DECLARE_AND_SUBMIT = 36
