"""The risk API and the rules page, through the test client."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.risk import services
from cuakhau.risk.models import RuleSet

from .helpers import only, submit

pytestmark = pytest.mark.django_db


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="risk", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)


class Api:
    def __init__(self, user):
        _token, raw = issue_token(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path):
        return self.client.get(f"/api/v1{path}")

    def post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
        )


# ---------------------------------------------------------------------------------------------
# Assessments


def test_customs_see_the_channel_and_every_reason(enterprise, customs_mlt):
    only("first_time_declarant", score=60)
    trip = submit(enterprise)
    officer = grant(customs_mlt, "view_riskassessment")
    response = Api(officer).get(f"/risk/assessments/{trip.reference}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["trip"], body["channel"], body["score"], body["ruleset_version"]) == (
        trip.reference,
        "red",
        60,
        2,
    )
    [reason] = body["reasons"]
    assert reason["kind"] == "first_time_declarant"
    assert reason["text"] == reason["reason_en"]
    assert reason["reason_vi"].startswith("Doanh nghiệp khai báo lần đầu")


def test_reasons_follow_the_reader_language(enterprise, customs_mlt):
    only("first_time_declarant")
    trip = submit(enterprise)
    officer = grant(customs_mlt, "view_riskassessment")
    response = Api(officer).client.get(
        f"/api/v1/risk/assessments/{trip.reference}", HTTP_ACCEPT_LANGUAGE="vi"
    )
    [reason] = response.json()["reasons"]
    assert reason["text"] == reason["reason_vi"]


def test_the_declarant_sees_the_channel_but_not_why(enterprise):
    only("first_time_declarant", score=60)
    trip = submit(enterprise)
    body = Api(enterprise).get(f"/risk/assessments/{trip.reference}").json()
    assert body["channel"] == "red"
    assert body["reasons"] is None and body["score"] is None and body["random_draw"] is None


def test_another_enterprise_gets_a_404(enterprise, other_enterprise):
    trip = submit(enterprise)
    assert Api(other_enterprise).get(f"/risk/assessments/{trip.reference}").status_code == 404


def test_a_trip_without_an_assessment_is_a_404(enterprise):
    from cuakhau.conftest import declaration
    from cuakhau.trips import services as trips

    draft = trips.create_draft(enterprise, declaration())
    response = Api(enterprise).get(f"/risk/assessments/{draft.reference}")
    assert response.status_code == 404
    assert "no risk channel yet" in response.json()["detail"]


# ---------------------------------------------------------------------------------------------
# Rule sets


def test_the_active_rules_are_for_customs_managers_and_auditors(enterprise, auditor):
    assert Api(enterprise).get("/risk/rulesets/active").status_code == 403
    response = Api(grant(auditor, "view_ruleset")).get("/risk/rulesets/active")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and len(body["rules"]) == 6
    assert "random_seed" not in body


def test_a_manager_posts_a_new_version(customs_mlt):
    manager = grant(customs_mlt, "change_riskrule")
    rule_id = services.active_ruleset().rules.get(kind="weight_difference").pk
    response = Api(manager).post(
        "/risk/rulesets",
        {
            "note": "Weighbridges here are accurate.",
            "base_version": 1,
            "settings": {"red_threshold": 70},
            "rules": [{"rule_id": rule_id, "params": {"percent": 5}}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["is_active"], body["red_threshold"]) == (2, True, 70)
    assert body["created_by"] == manager.username
    weight = next(r for r in body["rules"] if r["kind"] == "weight_difference")
    assert weight["params"] == {"percent": "5"}
    assert RuleSet.objects.get(version=1).is_active is False


def test_a_change_refused_by_its_schema_still_names_every_other_wrong_value(customs_mlt):
    # A score too large for the column used to hide an empty note, a rule not in the set and
    # a ratio above 1: the manager learnt of them one request at a time.
    manager = grant(customs_mlt, "change_riskrule")
    undervaluation = services.active_ruleset().rules.get(kind="undervaluation").pk
    response = Api(manager).post(
        "/risk/rulesets",
        {
            "note": " ",
            "base_version": 1,
            "settings": {"yellow_threshold": -1, "red_threshold": 20},
            "rules": [
                {"rule_id": undervaluation, "score": 10**40, "params": {"ratio": "3"}},
                {"rule_id": 999999, "score": 5},
            ],
        },
    )
    assert response.status_code == 422, response.content
    paths = {".".join(map(str, item["loc"][1:])) for item in response.json()["detail"]}
    assert paths == {
        "note",
        "settings.yellow_threshold",
        "rules.0.score",
        "rules.0.params.ratio",
        "rules.1.rule_id",
    }
    assert services.active_ruleset().version == 1


def test_posting_without_the_permission_is_a_403(customs_mlt):
    response = Api(customs_mlt).post(
        "/risk/rulesets", {"note": "x", "rules": [{"kind": "random", "score": 5}]}
    )
    assert response.status_code == 403


def test_an_invalid_version_is_a_422_with_paths(customs_mlt):
    manager = grant(customs_mlt, "change_riskrule")
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "", "rules": [{"kind": "undervaluation", "params": {"ratio": "1.5"}}]},
    )
    assert response.status_code == 422
    locs = [item["loc"] for item in response.json()["detail"]]
    assert ["body", "note"] in locs
    assert ["body", "rules", 0, "params", "ratio"] in locs


def _refused(manager, *edits):
    """The 422's messages by path, the active version left as it was."""
    before = services.active_ruleset().version
    response = Api(manager).post("/risk/rulesets", {"note": "QA", "rules": list(edits)})
    assert response.status_code == 422, response.content
    assert services.active_ruleset().version == before
    return {tuple(item["loc"][1:]): item["msg"] for item in response.json()["detail"]}


@pytest.mark.parametrize(
    "kind, name, value",
    [
        # Stored with thousands of digits.
        ("undervaluation", "ratio", "0." + "0" * 3000 + "1"),
        ("weight_difference", "percent", "2.125"),
        ("undervaluation", "ratio", 0.00005),
    ],
)
def test_a_fractional_parameter_has_a_bounded_number_of_decimals(customs_mlt, kind, name, value):
    manager = grant(customs_mlt, "change_riskrule")
    rule_id = services.active_ruleset().rules.get(kind=kind).pk
    errors = _refused(manager, {"rule_id": rule_id, "params": {name: value}})
    places = {"percent": 2, "ratio": 4}[name]
    assert errors == {
        ("rules", 0, "params", name): f"Give a number with at most {places} decimal places."
    }


@pytest.mark.parametrize(
    "kind, name, value",
    [
        # Above 0 as written, 0 once normalised in the default context (stored as "0"), or
        # stored with thousands of digits: an exponent is no decimal as text at all now, as
        # it is none in any other field.
        ("weight_difference", "percent", "1e-3000000"),
        ("undervaluation", "ratio", "1e-3000000"),
        ("weight_difference", "percent", "1e-4000"),
    ],
)
def test_a_fractional_parameter_with_an_exponent_is_no_number(customs_mlt, kind, name, value):
    manager = grant(customs_mlt, "change_riskrule")
    rule_id = services.active_ruleset().rules.get(kind=kind).pk
    errors = _refused(manager, {"rule_id": rule_id, "params": {name: value}})
    assert errors == {("rules", 0, "params", name): "Give a number."}


def test_the_finest_fractional_parameters_allowed_are_stored_as_given(customs_mlt):
    manager = grant(customs_mlt, "change_riskrule")
    rules = {rule.kind: rule.pk for rule in services.active_ruleset().rules.all()}
    response = Api(manager).post(
        "/risk/rulesets",
        {
            "note": "Finer",
            "rules": [
                {"rule_id": rules["weight_difference"], "params": {"percent": "0.01"}},
                {"rule_id": rules["undervaluation"], "params": {"ratio": "0,0001"}},
            ],
        },
    )
    assert response.status_code == 201, response.content
    params = {r["kind"]: r["params"] for r in response.json()["rules"]}
    assert params["weight_difference"] == {"percent": "0.01"}
    assert params["undervaluation"]["ratio"] == "0.0001"


def test_a_kind_contradicting_the_rule_id_is_refused_beside_the_kind(customs_mlt):
    """{"rule_id": <the HS watch>, "kind": "random", "score": 10} changed the HS watch."""
    manager = grant(customs_mlt, "change_riskrule")
    watch = services.active_ruleset().rules.get(kind="hs_watch")
    errors = _refused(manager, {"rule_id": watch.pk, "kind": "random", "score": 10})
    assert list(errors) == [("rules", 0, "kind")]
    assert "Watched HS codes, not Random selection" in errors[("rules", 0, "kind")]
    # The same kind beside the id only names the rule again.
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "x", "rules": [{"rule_id": watch.pk, "kind": "hs_watch", "score": 35}]},
    )
    assert response.status_code == 201, response.content


def test_two_changes_of_one_rule_are_refused(customs_mlt):
    """The last of two changes of the same rule won silently."""
    manager = grant(customs_mlt, "change_riskrule")
    weight = services.active_ruleset().rules.get(kind="weight_difference")
    errors = _refused(
        manager,
        {"rule_id": weight.pk, "score": 10},
        {"kind": "random", "score": 1},
        {"kind": "weight_difference", "score": 20},
    )
    assert list(errors) == [("rules", 2, "kind")]
    assert "already changed by change 1" in errors[("rules", 2, "kind")]


def test_the_chinese_description_can_be_cleared(customs_mlt):
    """Optional, it was refused as "cannot be empty" when cleared."""
    manager = grant(customs_mlt, "change_riskrule")
    rule_id = services.active_ruleset().rules.get(kind="random").pk
    for text in ("随机抽查", " "):
        response = Api(manager).post(
            "/risk/rulesets",
            {"note": "zh", "rules": [{"rule_id": rule_id, "description_zh": text}]},
        )
        assert response.status_code == 201, response.content
        [rule] = [r for r in response.json()["rules"] if r["kind"] == "random"]
        assert rule["description_zh"] == text.strip()
        rule_id = services.active_ruleset().rules.get(kind="random").pk
    errors = _refused(manager, {"rule_id": rule_id, "description_en": " "})
    assert list(errors) == [("rules", 0, "description_en")]


# ---------------------------------------------------------------------------------------------
# The rules page


def test_the_rules_page_lists_the_active_rules(customs_mlt, client):
    client.force_login(grant(customs_mlt, "change_riskrule"))
    response = client.get("/risk/rules/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Risk rules, version 1" in page and "Undervaluation" in page
    assert "Save as a new version" in page


def test_the_rules_page_is_not_for_everyone(enterprise, client):
    client.force_login(enterprise)
    assert client.get("/risk/rules/").status_code == 403


def test_an_auditor_reads_but_cannot_change(auditor, client):
    client.force_login(grant(auditor, "view_ruleset"))
    response = client.get("/risk/rules/")
    assert response.status_code == 200 and "Save as a new version" not in response.content.decode()
    rule = services.active_ruleset().rules.first()
    assert client.post(f"/risk/rules/{rule.pk}/", {}).status_code == 403


def test_editing_a_rule_on_the_page_saves_a_new_version(customs_mlt, client):
    client.force_login(grant(customs_mlt, "change_riskrule"))
    rule = services.active_ruleset().rules.get(kind="first_time_declarant")
    prefix = f"rule-{rule.pk}"
    response = client.post(
        f"/risk/rules/{rule.pk}/",
        {
            f"{prefix}-base_version": 1,
            f"{prefix}-score": 20,
            f"{prefix}-params": "{}",
            f"{prefix}-note": "New enterprises are mostly farmers' cooperatives.",
        },
    )
    assert response.status_code == 302
    active = services.active_ruleset()
    edited = active.rules.get(kind="first_time_declarant")
    assert (active.version, edited.score, edited.is_enabled) == (2, 20, False)


def test_a_bad_edit_shows_the_error_on_its_field(customs_mlt, client):
    client.force_login(grant(customs_mlt, "change_riskrule"))
    rule = services.active_ruleset().rules.get(kind="undervaluation")
    prefix = f"rule-{rule.pk}"
    response = client.post(
        f"/risk/rules/{rule.pk}/",
        {
            f"{prefix}-base_version": 1,
            f"{prefix}-score": 40,
            f"{prefix}-params": '{"ratio": "3", "min_history": 5}',
            f"{prefix}-is_enabled": "on",
            f"{prefix}-note": "Looser.",
        },
    )
    assert response.status_code == 200
    assert f'data-field="rule-{rule.pk}-params"' in response.content.decode()
    assert services.active_ruleset().version == 1


def test_a_rule_edit_the_form_refuses_still_names_its_wrong_parameters(customs_mlt, client):
    # A score that is no number hid the ratio above 1: only the score's error was shown.
    client.force_login(grant(customs_mlt, "change_riskrule"))
    rule = services.active_ruleset().rules.get(kind="undervaluation")
    prefix = f"rule-{rule.pk}"
    response = client.post(
        f"/risk/rules/{rule.pk}/",
        {
            f"{prefix}-base_version": 1,
            f"{prefix}-score": "1e30",
            f"{prefix}-params": '{"ratio": "3", "min_history": 5}',
            f"{prefix}-is_enabled": "on",
            f"{prefix}-note": "Looser.",
        },
    )
    page = response.content.decode()
    assert f'data-field="{prefix}-score"' in page
    assert f'data-field="{prefix}-params"' in page
    assert services.active_ruleset().version == 1


def test_settings_the_form_refuses_in_part_still_say_the_thresholds_cross(customs_mlt, client):
    client.force_login(grant(customs_mlt, "change_riskrule"))
    response = client.post(
        "/risk/rules/settings/",
        {
            "settings-base_version": 1,
            "settings-yellow_threshold": 50,
            "settings-red_threshold": 40,
            "settings-random_red_rate": "2",
            "settings-random_yellow_rate": "0.1",
            "settings-note": "",
        },
    )
    page = response.content.decode()
    for field in ("random_red_rate", "red_threshold", "note"):
        assert f'data-field="settings-{field}"' in page, field
    assert services.active_ruleset().version == 1


def test_settings_are_changed_on_the_page(customs_mlt, client):
    client.force_login(grant(customs_mlt, "change_riskrule"))
    response = client.post(
        "/risk/rules/settings/",
        {
            "settings-base_version": 1,
            "settings-yellow_threshold": 30,
            "settings-red_threshold": 30,
            "settings-random_red_rate": "0.03",
            "settings-random_yellow_rate": "0.1",
            "settings-note": "Same thresholds.",
        },
    )
    assert response.status_code == 200
    assert 'data-field="settings-red_threshold"' in response.content.decode()
    response = client.post(
        "/risk/rules/settings/",
        {
            "settings-base_version": 1,
            "settings-yellow_threshold": 30,
            "settings-red_threshold": 70,
            "settings-random_red_rate": "0.03",
            "settings-random_yellow_rate": "0.1",
            "settings-note": "Red only from 70.",
        },
    )
    assert response.status_code == 302
    assert services.active_ruleset().red_threshold == 70


def test_the_rules_page_speaks_vietnamese(customs_mlt, client):
    from django.utils import translation

    client.force_login(grant(customs_mlt, "change_riskrule"))
    with translation.override("vi"):
        response = client.get("/risk/rules/", HTTP_ACCEPT_LANGUAGE="vi")
    page = response.content.decode()
    assert "Quy tắc rủi ro, phiên bản 1" in page and "Khai thấp trị giá" in page


def test_the_settings_as_the_vietnamese_page_shows_them_are_read_back_unchanged(
    customs_mlt, client
):
    """The page writes the rates as Vietnamese writes numbers ("0,03"), and reads them so."""
    import re

    client.force_login(grant(customs_mlt, "change_riskrule"))
    page = client.get("/risk/rules/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    shown = dict(re.findall(r'name="(settings-[a-z_]+)"[^>]*?value="([^"]*)"', page))
    assert shown["settings-random_red_rate"].startswith("0,")
    before = services.active_ruleset()
    response = client.post(
        "/risk/rules/settings/",
        # Only the red threshold changes: a version that changes nothing is refused.
        {**shown, "settings-red_threshold": "65", "settings-note": "Đỏ từ 65 điểm."},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    said = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert response.status_code == 302, (shown, said)
    assert services.active_ruleset().red_threshold == 65
    after = services.active_ruleset()
    assert (after.random_red_rate, after.random_yellow_rate) == (
        before.random_red_rate,
        before.random_yellow_rate,
    )


@pytest.mark.parametrize("typed", ["+0.05", "5e-2", "0_05"])
def test_a_random_rate_as_text_is_read_as_every_decimal(customs_mlt, typed):
    # Decimal() took "+0.05", "5e-2" and "0_05" as the random inspection rate, where every
    # other decimal sent as text (and every whole number, "+5") is refused.
    manager = grant(customs_mlt, "change_riskrule")
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "Random checks.", "base_version": 1, "settings": {"random_red_rate": typed}},
    )
    assert response.status_code == 422, response.content
    paths = {".".join(map(str, item["loc"][1:])) for item in response.json()["detail"]}
    assert paths == {"settings.random_red_rate"}
    assert services.active_ruleset().version == 1


def test_a_random_rate_in_other_digits_is_read(customs_mlt):
    manager = grant(customs_mlt, "change_riskrule")
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "Random checks.", "base_version": 1, "settings": {"random_red_rate": "٠.٠٥"}},
    )
    assert response.status_code == 201, response.content
    assert services.active_ruleset().random_red_rate == Decimal("0.05")
