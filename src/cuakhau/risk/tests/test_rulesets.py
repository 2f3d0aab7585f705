"""Changing the rules: a new version each time, old versions and their assessments untouched."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.risk import services
from cuakhau.risk.models import RiskRule, RuleSet

from .helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(customs_mlt):
    customs_mlt.user_permissions.add(
        Permission.objects.get(content_type__app_label="risk", codename="change_riskrule")
    )
    return type(customs_mlt).objects.get(pk=customs_mlt.pk)  # a fresh permission cache


def rule(ruleset: RuleSet, kind: str) -> RiskRule:
    return ruleset.rules.get(kind=kind)


def test_a_change_is_a_new_active_version_and_the_old_one_stays(manager):
    v1 = services.active_ruleset()
    old_score = rule(v1, "undervaluation").score
    v2 = services.new_ruleset_version(
        manager,
        [{"kind": "undervaluation", "score": 45, "params": {"ratio": "0.4"}}],
        "Tighter after the Q3 audit.",
    )
    v1.refresh_from_db()
    assert (v1.is_active, v2.is_active, v2.version) == (False, True, 2)
    assert RuleSet.objects.filter(is_active=True).get() == v2
    assert (v2.based_on, v2.created_by, v2.note) == (v1, manager, "Tighter after the Q3 audit.")
    assert v2.random_seed == v1.random_seed
    changed = rule(v2, "undervaluation")
    # Only the given parameter changed; the other one was kept.
    assert (changed.score, changed.params) == (45, {"ratio": "0.4", "min_history": 5})
    assert changed.copied_from == rule(v1, "undervaluation")
    assert (rule(v1, "undervaluation").score, rule(v1, "undervaluation").params["ratio"]) == (
        old_score,
        "0.5",
    )
    assert v2.rules.count() == v1.rules.count()


def test_old_assessments_keep_pointing_at_the_old_version(enterprise, manager):
    trip = submit(enterprise)
    before = services.current_assessment(trip)
    v1 = before.ruleset
    v2 = services.new_ruleset_version(
        manager, [{"kind": "first_time_declarant", "is_enabled": False}], "Too many first-timers."
    )
    after = services.assess(trip)
    before.refresh_from_db()
    assert (before.ruleset, after.ruleset) == (v1, v2)
    assert rule(v1, "first_time_declarant").is_enabled
    reason_ids = {r["rule_id"] for r in before.reasons}
    assert reason_ids <= set(v1.rules.values_list("id", flat=True)) | {None}


def test_edits_by_rule_id_name_the_active_version(manager):
    v1 = services.active_ruleset()
    target = rule(v1, "hs_watch")
    v2 = services.new_ruleset_version(
        manager, [{"rule_id": target.pk, "params": {"prefixes": "2402, 8517.13"}}], "Narrower."
    )
    assert rule(v2, "hs_watch").params == {"prefixes": ["2402", "851713"]}
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, [{"rule_id": target.pk, "score": 1}], "Stale id.")
    assert exc.value.errors["rules.0.rule_id"] == [
        f"Rule {target.pk} is not in the active rule set (version 2)."
    ]


def test_settings_change_thresholds_and_rates(manager):
    v2 = services.new_ruleset_version(
        manager,
        [],
        "Fewer random checks.",
        settings={"yellow_threshold": 25, "random_red_rate": "0.02"},
    )
    assert (v2.yellow_threshold, v2.red_threshold) == (25, 60)
    assert (v2.random_red_rate, v2.random_yellow_rate) == (Decimal("0.02"), Decimal("0.10"))


@pytest.mark.parametrize(
    ("changes", "new_settings", "path"),
    [
        ([{"kind": "undervaluation", "params": {"ratio": "2"}}], None, "rules.0.params.ratio"),
        ([{"kind": "undervaluation", "params": {"bogus": 1}}], None, "rules.0.params.bogus"),
        ([{"kind": "weight_difference", "score": -1}], None, "rules.0.score"),
        ([{"kind": "random", "is_enabled": "yes"}], None, "rules.0.is_enabled"),
        ([{"kind": "hs_watch", "params": {"prefixes": []}}], None, "rules.0.params.prefixes"),
        ([{"kind": "hs_watch", "params": {"prefixes": ["24A"]}}], None, "rules.0.params.prefixes"),
        ([{"kind": "teleport", "score": 1}], None, "rules.0.kind"),
        ([{"score": 1}], None, "rules.0"),
        ([{"kind": "random", "colour": "red"}], None, "rules.0"),
        ([], {"yellow_threshold": 60}, "settings.red_threshold"),
        (
            [],
            {"random_red_rate": "0.5", "random_yellow_rate": "0.6"},
            "settings.random_yellow_rate",
        ),
        ([], {"random_red_rate": "0.00001"}, "settings.random_red_rate"),
        ([], {"yellow_threshold": 0}, "settings.yellow_threshold"),
        ([], {"lucky": 7}, "settings"),
    ],
)
def test_invalid_changes_are_refused_with_their_path(manager, changes, new_settings, path):
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, changes, "A change.", settings=new_settings)
    assert path in exc.value.errors, exc.value.errors
    assert RuleSet.objects.get(is_active=True).version == 1


def test_a_change_needs_a_note(manager):
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, [{"kind": "random", "score": 5}], "  ")
    assert "note" in exc.value.errors


def test_a_change_that_changes_nothing_is_refused(manager):
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, [{"kind": "random", "score": 0}], "No-op.")
    assert exc.value.errors == {"rules": ["Nothing changed: version 1 stays."]}


def test_a_change_based_on_an_old_version_is_refused(manager):
    services.new_ruleset_version(manager, [{"kind": "random", "score": 5}], "First.")
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(
            manager, [{"kind": "random", "score": 6}], "Second.", base_version=1
        )
    assert "base_version" in exc.value.errors
    assert services.active_ruleset().version == 2


def test_only_customs_managers_change_the_rules(enterprise, customs_mlt):
    for user in (enterprise, customs_mlt):
        with pytest.raises(PermissionDenied):
            services.new_ruleset_version(user, [{"kind": "random", "score": 5}], "Try.")
    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    assert services.new_ruleset_version(admin, [{"kind": "random", "score": 5}], "OK.").version == 2


def test_a_callable_may_add_a_rule(manager):
    def add_watch(ruleset, rules):
        rules.append(
            RiskRule(
                kind="hs_watch",
                params={"prefixes": ["8703"]},
                score=20,
                description_vi="Ô tô con.",
                description_en="Passenger cars.",
            )
        )

    v2 = services.new_ruleset_version(manager, add_watch, "Cars too.")
    assert list(v2.rules.values_list("position", flat=True)) == list(range(7))
    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, [{"kind": "hs_watch", "score": 1}], "Which one?")
    assert exc.value.errors["rules.0.kind"] == [
        "Several rules have kind hs_watch: give the rule_id."
    ]


def test_a_callable_is_validated_too(manager):
    def broken(ruleset, rules):
        rules[0].params = {"prefixes": "not digits"}

    with pytest.raises(services.RiskValidationError) as exc:
        services.new_ruleset_version(manager, broken, "Broken.")
    assert "rules.0.params.prefixes" in exc.value.errors


@pytest.mark.parametrize("typed, count", [(5, 5), ("５", 5), ("٥", 5), (" 12 ", 12)])
def test_a_rules_whole_number_in_any_digits_is_read_as_every_other(typed, count):
    from cuakhau.risk.params import clean_params

    params, errors = clean_params("failed_inspections", {"window_days": 90, "min_failures": typed})
    assert errors == {}
    assert params["min_failures"] == count


@pytest.mark.parametrize("typed", [True, "1_0", "+5", "5.0", 5.0, "1e1", "٥.٠"])
def test_a_rules_whole_number_refuses_what_no_other_takes(typed):
    # Python's int() took "1_0" and "+5" where every whole number of the API refuses them.
    from cuakhau.risk.params import clean_params

    _params, errors = clean_params("failed_inspections", {"window_days": 90, "min_failures": typed})
    assert list(errors) == ["params.min_failures"]


@pytest.mark.parametrize("typed", ["+0.5", "5e-1", "0_5", "+,5", "0.5.0"])
def test_a_rules_decimal_refuses_what_every_other_decimal_refuses(typed):
    # Decimal() took "+0.5", "5e-1" and "0_5" as a ratio, where the whole numbers beside it
    # refuse "+5" and every other decimal sent as text refuses them.
    from cuakhau.risk.params import clean_params

    _params, errors = clean_params("undervaluation", {"ratio": typed, "min_history": 5})
    assert list(errors) == ["params.ratio"]


@pytest.mark.parametrize("typed, ratio", [("0,5", "0.5"), ("٠.٥", "0.5"), (0.25, "0.25")])
def test_a_rules_decimal_in_any_digits_is_read(typed, ratio):
    from cuakhau.risk.params import clean_params

    params, errors = clean_params("undervaluation", {"ratio": typed, "min_history": 5})
    assert errors == {}
    assert params["ratio"] == ratio
