"""The rules, each at its boundary; thresholds; the random draw; the channel never going down."""

import hashlib
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction

from cuakhau.conftest import banana_line, cassava_line
from cuakhau.risk import services
from cuakhau.risk.models import RiskAssessment, RuleSet
from cuakhau.trips import services as trips

from .helpers import DECLARED_GROSS, inspected, kinds, only, reason_of, submit

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# The default rule set


def test_the_default_rule_set_is_installed_once_with_the_example_values():
    ruleset = services.install_default_ruleset()
    assert services.install_default_ruleset() == ruleset
    assert RuleSet.objects.count() == 1
    assert (ruleset.version, ruleset.is_active) == (1, True)
    assert (ruleset.yellow_threshold, ruleset.red_threshold) == (30, 60)
    assert (ruleset.random_red_rate, ruleset.random_yellow_rate) == (
        Decimal("0.03"),
        Decimal("0.10"),
    )
    assert "EXAMPLES" in ruleset.note and "not official" in ruleset.note
    assert len(ruleset.random_seed) == 32
    rules = {rule.kind: rule for rule in ruleset.rules.all()}
    assert set(rules) == {
        "hs_watch",
        "undervaluation",
        "failed_inspections",
        "first_time_declarant",
        "weight_difference",
        "random",
    }
    assert rules["hs_watch"].params == {"prefixes": ["2402", "8471", "8517", "0306", "93"]}
    assert "example" in rules["hs_watch"].description_en
    assert (rules["undervaluation"].params, rules["undervaluation"].score) == (
        {"ratio": "0.5", "min_history": 5},
        40,
    )
    assert (rules["failed_inspections"].params, rules["failed_inspections"].score) == (
        {"window_days": 180, "min_failures": 1},
        50,
    )
    assert rules["first_time_declarant"].score == 30
    assert (rules["weight_difference"].params, rules["weight_difference"].score) == (
        {"percent": "10"},
        40,
    )


def test_the_database_refuses_two_active_rule_sets():
    ruleset = services.active_ruleset()
    with pytest.raises(IntegrityError), transaction.atomic():
        RuleSet.objects.create(
            version=ruleset.version + 1,
            note="second",
            is_active=True,
            yellow_threshold=30,
            red_threshold=60,
            random_seed="x",
            random_red_rate=0,
            random_yellow_rate=0,
        )


def test_submitting_a_trip_assesses_it(enterprise):
    trip = submit(enterprise)
    assessment = services.current_assessment(trip)
    assert assessment is not None
    assert assessment.ruleset == services.active_ruleset()
    assert assessment.trip_version == 1
    assert assessment.declared_gross_kg == DECLARED_GROSS
    assert RiskAssessment.objects.filter(trip=trip).count() == 1


def test_a_draft_is_not_assessed(enterprise):
    from cuakhau.conftest import declaration

    draft = trips.create_draft(enterprise, declaration())
    with pytest.raises(services.RiskValidationError) as exc:
        services.assess(draft)
    assert "status" in exc.value.errors


def test_an_amendment_reassesses(enterprise):
    trip = submit(enterprise)
    first = services.current_assessment(trip)
    data = trips.declaration_data(trip)
    data["cargo_lines"][1]["value"] = "2300"
    trips.amend_trip(enterprise, trip, data, "Corrected invoice value.")
    current = services.current_assessment(trip)
    assert current.pk != first.pk and current.previous == first and current.trip_version == 2
    first.refresh_from_db()
    assert not first.is_current


# ---------------------------------------------------------------------------------------------
# HS watch


def test_a_watched_hs_code_scores(enterprise):
    only("hs_watch", prefixes=["2402"])
    trip = submit(
        enterprise,
        banana_line(container_numbers=[]),
        cassava_line(hs_code="240220", description="Thuốc lá điếu"),
    )
    assessment = services.current_assessment(trip)
    assert (assessment.score, assessment.channel) == (30, "yellow")
    reason = reason_of(assessment, "hs_watch")
    assert reason["reason_en"] == "Line 2: HS 240220 is on the watch list (prefix 2402)."
    assert reason["reason_vi"] == "Dòng 2: mã HS 240220 thuộc danh mục theo dõi (tiền tố 2402)."


def test_a_neighbouring_hs_code_does_not_score(enterprise):
    only("hs_watch", prefixes=["2402", "93"])
    trip = submit(enterprise, cassava_line(hs_code="240120", description="Lá thuốc lá"))
    assessment = services.current_assessment(trip)
    assert (assessment.score, assessment.channel, assessment.reasons) == (0, "green", [])


def test_a_chapter_prefix_watches_every_code_under_it(enterprise):
    only("hs_watch", prefixes=["93"])
    trip = submit(enterprise, cassava_line(hs_code="930200", description="Súng ngắn"))
    assert kinds(services.current_assessment(trip)) == ["hs_watch"]


# ---------------------------------------------------------------------------------------------
# Undervaluation: bananas are declared at 11,700 USD for 19,500 kg net, 0.6 USD/kg.


def banana_history(user, count: int, **line):
    for _ in range(count):
        submit(user, banana_line(container_numbers=[], **line))


def test_a_unit_value_just_below_half_the_median_scores(enterprise, other_enterprise):
    banana_history(enterprise, 5)
    only("undervaluation")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="5849.99"))
    assessment = services.current_assessment(trip)
    assert (assessment.score, assessment.channel) == (40, "yellow")
    reason = reason_of(assessment, "undervaluation")
    assert reason["reason_en"] == (
        "Line 1 (HS 080390): the declared unit value 0.3 USD/kg is below 0.5 × the median "
        "0.6 USD/kg of 5 earlier declarations of HS 080390 in USD."
    )
    assert reason["reason_vi"].startswith("Dòng 1 (HS 080390): đơn giá khai báo 0,3 USD/kg")


def test_a_unit_value_of_exactly_half_the_median_does_not_score(enterprise, other_enterprise):
    banana_history(enterprise, 5)
    only("undervaluation")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="5850"))
    assert services.current_assessment(trip).reasons == []


def test_too_little_history_says_nothing(enterprise, other_enterprise):
    banana_history(enterprise, 4)
    only("undervaluation")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="100"))
    assert services.current_assessment(trip).reasons == []


def test_drafts_and_cancelled_trips_are_not_history(enterprise, other_enterprise):
    from cuakhau.conftest import declaration

    banana_history(enterprise, 4)
    trips.create_draft(enterprise, declaration(cargo_lines=[banana_line(container_numbers=[])]))
    cancelled = submit(enterprise, banana_line(container_numbers=[]))
    trips.cancel_trip(enterprise, cancelled, "Truck broke down.")
    only("undervaluation")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="100"))
    assert services.current_assessment(trip).reasons == []


def test_a_line_in_another_currency_is_skipped_and_said_so(enterprise, other_enterprise):
    banana_history(enterprise, 5)
    only("undervaluation")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="100", currency="CNY"))
    assessment = services.current_assessment(trip)
    assert (assessment.score, assessment.channel) == (0, "green")
    reason = reason_of(assessment, "undervaluation")
    assert reason["score"] == 0
    assert reason["reason_en"] == (
        "Line 1 (HS 080390) was not compared: it is declared in CNY, while earlier "
        "declarations of HS 080390 are mostly in USD."
    )
    assert "chủ yếu khai bằng USD" in reason["reason_vi"]


def test_the_ratio_is_a_parameter(enterprise, other_enterprise):
    banana_history(enterprise, 5)
    only("undervaluation", ratio="0.9")
    trip = submit(other_enterprise, banana_line(container_numbers=[], value="10000"))
    assert kinds(services.current_assessment(trip)) == ["undervaluation"]


# ---------------------------------------------------------------------------------------------
# Failed inspections


def test_failed_inspections_score_from_the_minimum(enterprise):
    only("failed_inspections", min_failures=2)
    trip = submit(enterprise)
    assert services.assess(trip, organisation_failures=1).reasons == []
    assessment = services.assess(trip, organisation_failures=2)
    assert (assessment.score, assessment.channel) == (50, "yellow")
    assert reason_of(assessment, "failed_inspections")["reason_en"] == (
        "The enterprise failed 2 physical inspection(s) in the last 180 days (rule: 2 or more)."
    )


def test_the_provider_is_asked_for_the_rule_window(enterprise, monkeypatch):
    asked = []

    def provider(organisation, since):
        asked.append((organisation, since))
        return 1

    only("failed_inspections", window_days=30)
    trip = submit(enterprise)
    monkeypatch.setattr(services, "FAILED_INSPECTIONS_PROVIDER", provider)
    # Without a column to read it with the previous assessment, the provider counts.
    monkeypatch.setattr(services, "FAILED_INSPECTIONS_COLUMN", None)
    assessment = services.assess(trip)
    assert kinds(assessment) == ["failed_inspections"]
    organisation, since = asked[-1]
    assert organisation == trip.organisation
    assert (assessment.assessed_at - since).days == 30


def test_the_record_read_with_the_previous_assessment_is_the_providers_count(
    enterprise, other_enterprise, django_assert_num_queries
):
    """A reassessment (the gate's check-in) reads the enterprise's failed inspections in its
    read of the previous assessment: the same count as the provider's, window edge included,
    other enterprises' and other results' inspections left out."""
    import datetime as dt

    from django.utils import timezone

    from cuakhau.inspections import services as inspections

    only("failed_inspections", window_days=30, min_failures=2)
    trip, earlier, others = submit(enterprise), submit(enterprise), submit(other_enterprise)
    now = timezone.now()
    for on, days_ago, result in [
        (earlier, 3, "fail"),
        (earlier, 29, "fail"),
        (trip, 31, "fail"),  # outside the 30 days
        (trip, 1, "pass"),
        (others, 2, "fail"),  # another enterprise's
    ]:
        inspected(on, result, days_ago)
    assessment = services.assess(trip)
    assert reason_of(assessment, "failed_inspections")["reason_en"].startswith(
        "The enterprise failed 2 physical inspection(s) in the last 30 days"
    )
    since = assessment.assessed_at - dt.timedelta(days=30)
    assert inspections.failed_inspections(trip.organisation, since) == 2
    rules = services._enabled_rules(services.active_ruleset())
    with django_assert_num_queries(1):  # the previous assessment and the count, together
        previous, failures = services._previous_and_failures(trip, rules, now, None)
    assert (previous, failures) == (assessment, 2)
    # Never assessed: nothing carries the count, the rule asks for it.
    RiskAssessment.objects.filter(trip=others).delete()
    assert services._previous_and_failures(others, rules, now, None) == (None, None)
    assert kinds(services.assess(others)) == []  # one failure, two needed


def test_by_default_nobody_has_failed_an_inspection(enterprise):
    only("failed_inspections")
    assert services.current_assessment(submit(enterprise)).reasons == []


# ---------------------------------------------------------------------------------------------
# First-time declarant


def test_only_the_first_declaration_of_an_enterprise_scores(enterprise, other_enterprise):
    only("first_time_declarant")
    first = submit(enterprise)
    second = submit(enterprise)
    other = submit(other_enterprise)
    assert kinds(services.current_assessment(first)) == ["first_time_declarant"]
    assert services.current_assessment(second).reasons == []
    assert kinds(services.current_assessment(other)) == ["first_time_declarant"]
    # Reassessed later, the first trip is still the enterprise's first.
    assert kinds(services.assess(first)) == ["first_time_declarant"]


def test_a_reassessment_under_the_same_rules_keeps_the_first_answer_without_asking(
    enterprise,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def asked(context) -> bool:
        return any('"trips_trip"."submitted_at" <' in q["sql"] for q in context.captured_queries)

    only("first_time_declarant")
    first, second = submit(enterprise), submit(enterprise)
    for trip, expected in ((first, ["first_time_declarant"]), (second, [])):
        with CaptureQueriesContext(connection) as same_rules:
            assert kinds(services.assess(trip)) == expected
        assert not asked(same_rules)
    only("first_time_declarant", score=45)  # a new rule set: its answer is asked for once
    with CaptureQueriesContext(connection) as new_rules:
        assert kinds(services.assess(first)) == ["first_time_declarant"]
    assert asked(new_rules)
    assert services.current_assessment(first).score == 45


def test_a_draft_is_not_an_earlier_declaration(enterprise):
    from cuakhau.conftest import declaration

    only("first_time_declarant")
    trips.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    assert kinds(services.current_assessment(submit(enterprise))) == ["first_time_declarant"]


# ---------------------------------------------------------------------------------------------
# Weight difference (declared gross 28,500 kg; 10% is 2,850 kg)


@pytest.mark.parametrize(
    ("weighed", "fires"),
    [
        ("31350", False),
        ("31350.001", True),
        ("25650", False),
        ("25649.999", True),
    ],
)
def test_the_weight_difference_boundary(enterprise, weighed, fires):
    only("weight_difference")
    trip = submit(enterprise)
    assessment = services.assess(trip, weighbridge_kg=Decimal(weighed))
    assert assessment.weighbridge_kg == Decimal(weighed)
    assert kinds(assessment) == (["weight_difference"] if fires else [])


def test_the_weight_reason_gives_both_figures_in_both_languages(enterprise):
    only("weight_difference")
    trip = submit(enterprise)
    reason = reason_of(
        services.assess(trip, weighbridge_kg=Decimal("31500.5")), "weight_difference"
    )
    assert reason["reason_en"] == (
        "The weighbridge reads 31,500.5 kg against 28,500 kg declared gross: "
        "a difference of 10.5% (threshold 10%)."
    )
    assert reason["reason_vi"] == (
        "Trạm cân ghi 31.500,5 kg so với tổng trọng lượng cả bì khai báo 28.500 kg: "
        "chênh lệch 10,5% (ngưỡng 10%)."
    )


def test_without_a_reading_the_weight_rule_says_nothing(enterprise):
    only("weight_difference")
    assert services.current_assessment(submit(enterprise)).reasons == []


def test_a_reading_counts_in_later_reassessments(enterprise):
    only("weight_difference")
    trip = submit(enterprise)
    services.assess(trip, weighbridge_kg=Decimal("40000"))
    later = services.assess(trip)
    assert later.weighbridge_kg == Decimal("40000")
    assert kinds(later) == ["weight_difference"]


def test_a_reading_must_be_a_positive_weight(enterprise):
    trip = submit(enterprise)
    with pytest.raises(services.RiskValidationError) as exc:
        services.assess(trip, weighbridge_kg=Decimal("-3"))
    assert "weighbridge_kg" in exc.value.errors


# ---------------------------------------------------------------------------------------------
# Thresholds


@pytest.mark.parametrize(
    ("score", "channel"), [(29, "green"), (30, "yellow"), (59, "yellow"), (60, "red")]
)
def test_the_thresholds(enterprise, score, channel):
    only("first_time_declarant", score=score)
    assessment = services.current_assessment(submit(enterprise))
    assert (assessment.score, assessment.channel) == (score, channel)


def test_scores_add_up(enterprise):
    def change(ruleset, rules):
        ruleset.random_red_rate = ruleset.random_yellow_rate = Decimal(0)
        for rule in rules:
            rule.is_enabled = rule.kind in ("first_time_declarant", "weight_difference")

    services.new_ruleset_version(None, change, "test: two rules")
    trip = submit(enterprise)
    assessment = services.assess(trip, weighbridge_kg=Decimal("40000"))
    assert (assessment.score, assessment.channel) == (70, "red")
    assert kinds(assessment) == ["first_time_declarant", "weight_difference"]


# ---------------------------------------------------------------------------------------------
# Random selection


def exact_draw(seed: str, reference: str) -> Fraction:
    return Fraction(int(hashlib.sha256(f"{seed}:{reference}".encode()).hexdigest()[:8], 16), 2**32)


def test_the_stored_draw_is_reproducible_from_the_seed_and_reference(enterprise):
    trip = submit(enterprise)
    assessment = services.current_assessment(trip)
    exact = exact_draw(assessment.ruleset.random_seed, trip.reference)
    # Rounded down to 10 places, never up.
    assert 0 <= exact - Fraction(assessment.random_draw) < Fraction(1, 10**10)
    assert services.recompute_draw(assessment) == assessment.random_draw
    assert services.assess(trip).random_draw == assessment.random_draw


def test_a_known_draw():
    digest = hashlib.sha256(b"seed:MLT-TEST").hexdigest()[:8]
    expected = Decimal(int(digest, 16)) / Decimal(2**32)
    assert services.random_draw("seed", "MLT-TEST") == expected.quantize(
        Decimal("1e-10"), rounding=ROUND_FLOOR
    )


def random_only(red: Decimal, yellow: Decimal):
    def change(ruleset, rules):
        ruleset.random_red_rate, ruleset.random_yellow_rate = red, yellow
        for rule in rules:
            rule.is_enabled = rule.kind == "random"

    return services.new_ruleset_version(None, change, "test: random only")


def test_a_draw_below_the_red_rate_goes_red(enterprise):
    trip = submit(enterprise)
    draw = services.current_assessment(trip).random_draw
    # The smallest 4-place rate above the draw, and the largest one not above it.
    above = (draw + Decimal("0.00000000001")).quantize(Decimal("0.0001"), rounding=ROUND_CEILING)
    random_only(red=above, yellow=Decimal(0))
    assessment = services.assess(trip)
    assert assessment.channel == "red"
    reason = reason_of(assessment, "random")
    assert reason["channel"] == "red" and reason["score"] == 0
    assert reason["reason_en"].startswith("Selected at random for the red channel")
    assert reason["reason_vi"].startswith("Được chọn ngẫu nhiên vào luồng đỏ")


def test_a_draw_at_the_red_rate_is_not_red(enterprise):
    trip = submit(enterprise)
    draw = services.current_assessment(trip).random_draw
    # Reassessing never lowers the channel: start from a fresh trip assessment history.
    RiskAssessment.objects.filter(trip=trip).delete()
    at_or_below = draw.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR)
    random_only(red=at_or_below, yellow=Decimal(0))
    assert services.assess(trip).channel == "green"


def test_a_draw_between_the_rates_goes_yellow(enterprise):
    trip = submit(enterprise)
    RiskAssessment.objects.filter(trip=trip).delete()
    random_only(red=Decimal(0), yellow=Decimal(1))
    assessment = services.assess(trip)
    assert assessment.channel == "yellow"
    assert reason_of(assessment, "random")["channel"] == "yellow"


def test_the_random_channel_only_raises_the_score_channel(enterprise):
    def change(ruleset, rules):
        ruleset.random_red_rate, ruleset.random_yellow_rate = Decimal(0), Decimal(1)
        for rule in rules:
            rule.is_enabled = rule.kind in ("random", "first_time_declarant")
            if rule.kind == "first_time_declarant":
                rule.score = 60

    services.new_ruleset_version(None, change, "test")
    assert services.current_assessment(submit(enterprise)).channel == "red"


def test_a_disabled_random_rule_picks_no_one(enterprise):
    def change(ruleset, rules):
        ruleset.random_red_rate = Decimal(1)
        ruleset.random_yellow_rate = Decimal(0)
        for rule in rules:
            rule.is_enabled = False

    services.new_ruleset_version(None, change, "test")
    assert services.current_assessment(submit(enterprise)).channel == "green"


# ---------------------------------------------------------------------------------------------
# Reassessment never lowers the channel


def test_a_lower_score_later_keeps_the_channel(enterprise):
    only("first_time_declarant", score=60)
    trip = submit(enterprise)
    assert services.current_assessment(trip).channel == "red"
    services.new_ruleset_version(
        None, [{"kind": "first_time_declarant", "score": 0}], "The rule is too strict."
    )
    later = services.assess(trip)
    assert (later.score, later.channel) == (0, "red")
    reason = reason_of(later, "previous_channel")
    assert reason["rule_id"] is None and reason["score"] == 0
    assert "never lowers the channel (this one alone gives green)" in reason["reason_en"]
    assert "không bao giờ hạ luồng" in reason["reason_vi"]


def test_a_weighbridge_reading_can_raise_the_channel(enterprise):
    only("weight_difference", score=60)
    trip = submit(enterprise)
    assert services.current_assessment(trip).channel == "green"
    assert services.assess(trip, weighbridge_kg=Decimal("40000")).channel == "red"
    # A second, plausible reading does not undo the first.
    assert services.assess(trip, weighbridge_kg=Decimal("28500")).channel == "red"
    assert RiskAssessment.objects.filter(trip=trip, is_current=True).count() == 1


def test_only_one_assessment_is_current(enterprise):
    trip = submit(enterprise)
    services.assess(trip)
    services.assess(trip)
    assert RiskAssessment.objects.filter(trip=trip).count() == 3
    assert RiskAssessment.objects.filter(trip=trip, is_current=True).count() == 1
