"""The rules page in Vietnamese, English and Chinese: descriptions, parameters, the badge, and
the expert parameters field with its help and its errors; Chinese descriptions in the API."""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.languages import visible_text
from cuakhau.risk import services
from cuakhau.risk.models import RiskRule

from .helpers import only
from .test_api import Api, grant

pytestmark = pytest.mark.django_db

LANGUAGES = ["vi", "en", "zh-hans"]


def reader(role: str, language: str, mlt=None, **fields):
    """A signed-in person whose profile speaks ``language``, and a client of theirs."""
    gates = [mlt] if mlt is not None else []
    user = create_user(f"{role}_{language}", PASSWORD, role, gates=gates, language=language)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return user, client


def rules_page(client) -> tuple[str, str]:
    response = client.get("/risk/rules/")
    assert response.status_code == 200
    html = response.content.decode()
    return html, visible_text(html)


# ---------------------------------------------------------------------------------------------
# Descriptions


def test_the_shipped_rules_have_a_chinese_description():
    ruleset = services.install_default_ruleset()
    for rule in ruleset.rules.all():
        assert rule.description_zh and rule.description_zh != rule.description_en
    first_time = ruleset.rules.get(kind="first_time_declarant")
    assert first_time.description_zh == "企业此前从未提交过车次。"


@pytest.mark.parametrize(
    "language, description",
    [
        ("vi", "Doanh nghiệp chưa từng nộp chuyến nào trước đó."),
        ("en", "The enterprise has never submitted a trip before."),
        ("zh-hans", "企业此前从未提交过车次。"),
    ],
)
def test_each_rule_is_described_in_the_readers_language(mlt, language, description):
    _user, client = reader(roles.CUSTOMS_MANAGER, language, mlt)
    html, text = rules_page(client)
    assert description in text
    # Six rules, each in the page's language: nothing falls back, nothing is marked.
    assert "original-language" not in html
    others = {
        "vi": "Doanh nghiệp chưa từng",
        "en": "has never submitted",
        "zh-hans": "从未提交",
    }
    for other_language, other in others.items():
        if other_language != language:
            assert other not in text


def test_a_rule_without_a_chinese_description_reads_in_english_marked(mlt):
    def without_chinese(ruleset, rules):
        for rule in rules:
            rule.description_zh = ""

    services.new_ruleset_version(None, without_chinese, "test: no Chinese")
    _user, client = reader(roles.CUSTOMS_MANAGER, "zh-hans", mlt)
    html, _text = rules_page(client)
    assert '<span lang="en">The enterprise has never submitted a trip before.</span>' in html
    assert "(英文原文)" in html


def test_the_migration_gives_the_stored_shipped_rules_their_chinese():
    ruleset = services.install_default_ruleset()
    RiskRule.objects.update(description_zh="")
    rewritten = ruleset.rules.get(kind="random")
    rewritten.description_en = "Picked by lot."
    rewritten.save()
    migration = importlib.import_module("cuakhau.risk.migrations.0005_riskrule_description_zh")
    migration.fill(apps, None)
    described = dict(ruleset.rules.values_list("kind", "description_zh"))
    assert described["undervaluation"].startswith("申报单价")
    assert described["random"] == ""  # a manager's own text gets no shipped translation


# ---------------------------------------------------------------------------------------------
# Parameters as labelled values


@pytest.mark.parametrize(
    "language, expected",
    [
        (
            "vi",
            [
                "Tiền tố mã HS theo dõi: 2402, 8471, 8517, 0306, 93",
                "Tỷ lệ so với đơn giá trung vị: 0,5 · Số lô đã khai tối thiểu để so sánh: 5",
                "Khoảng thời gian xét: 180 ngày · Số lần kiểm tra không đạt tối thiểu: 1",
                "Mức chênh lệch trọng lượng cho phép: 10%",
            ],
        ),
        (
            "en",
            [
                "Watched HS code prefixes: 2402, 8471, 8517, 0306, 93",
                "Ratio to the median unit value: 0.5 · Earlier declarations needed to compare: 5",
                "Look-back period: 180 days · Failed inspections needed: 1",
                "Tolerated weight difference: 10%",
            ],
        ),
        (
            "zh-hans",
            [
                "重点监控的HS编码前缀：2402、8471、8517、0306、93",
                "与单价中位数之比：0.5 · 比较所需的最少既往申报数：5",
                "回溯期限：180天 · 最少查验不合格次数：1",
                "允许的重量差异：10%",
            ],
        ),
    ],
)
def test_parameters_are_labelled_values_in_the_readers_language(auditor, language, expected):
    set_language(auditor, language)
    client = Client()
    client.force_login(grant(auditor, "view_ruleset"))
    html, text = rules_page(client)
    lines = {line.strip() for line in text.splitlines()}
    for line in expected:
        assert line in lines
    # No JSON for a reader who cannot edit: neither its keys nor its braces.
    assert '"ratio"' not in html and "min_history" not in html and "{" not in text


@pytest.mark.parametrize(
    "language, shown", [("vi", "10.000"), ("en", "10,000"), ("zh-hans", "10,000")]
)
def test_numbers_are_written_as_the_language_writes_them(mlt, language, shown):
    only("undervaluation", min_history=10000, ratio="0.25")
    _user, client = reader(roles.CUSTOMS_MANAGER, language, mlt)
    _html, text = rules_page(client)
    ratio = "0,25" if language == "vi" else "0.25"
    separator = "：" if language == "zh-hans" else ": "
    assert f"{separator}{ratio} · " in text
    assert f"{separator}{shown}\n" in text or f"{separator}{shown} " in text


# ---------------------------------------------------------------------------------------------
# The badge


@pytest.mark.parametrize(
    "language, badge, wrong",
    [("vi", "đang áp dụng", "Kích hoạt"), ("en", "active", None), ("zh-hans", "现行", "有效")],
)
def test_the_active_badge_says_the_rule_set_is_in_force(mlt, language, badge, wrong):
    _user, client = reader(roles.CUSTOMS_MANAGER, language, mlt)
    html, text = rules_page(client)
    assert f'<span class="badge active">{badge}</span>' in html
    assert f"({badge})" in text  # the version in force, in the list of versions
    if wrong:
        assert wrong not in text


# ---------------------------------------------------------------------------------------------
# The expert field


@pytest.mark.parametrize(
    "language, meaning",
    [
        ("vi", ": Tỷ lệ so với đơn giá trung vị (số lớn hơn 0 và không quá 1"),
        ("en", ": Ratio to the median unit value (a number above 0 and at most 1"),
        ("zh-hans", "：与单价中位数之比（大于0且不超过1的数"),
    ],
)
def test_the_parameters_field_explains_each_key(mlt, language, meaning):
    _user, client = reader(roles.CUSTOMS_MANAGER, language, mlt)
    html, text = rules_page(client)
    rule = services.active_ruleset().rules.get(kind="undervaluation")
    help_id = f'id="id_rule-{rule.pk}-params_helptext"'
    assert help_id in html
    help_html = html.split(help_id, 1)[1].split("</small>", 1)[0]
    assert f'<code lang="zxx">ratio</code>{meaning}' in help_html
    assert '<code lang="zxx">min_history</code>' in help_html
    assert '<code lang="zxx">{&quot;ratio&quot;: &quot;0.5&quot;, ' in help_html
    # The keys are code, in no language: the page's text around them is all in its language.
    assert "min_history" not in text


def test_a_kind_of_rule_without_parameters_has_no_parameters_field(mlt):
    _user, client = reader(roles.CUSTOMS_MANAGER, "en", mlt)
    html, _text = rules_page(client)
    ruleset = services.active_ruleset()
    first_time = ruleset.rules.get(kind="first_time_declarant")
    weight = ruleset.rules.get(kind="weight_difference")
    assert f'name="rule-{first_time.pk}-params"' not in html
    assert f'name="rule-{weight.pk}-params"' in html


def post_params(client, rule, text: str):
    prefix = f"rule-{rule.pk}"
    return client.post(
        f"/risk/rules/{rule.pk}/",
        {
            f"{prefix}-base_version": rule.ruleset.version,
            f"{prefix}-score": rule.score,
            f"{prefix}-params": text,
            f"{prefix}-is_enabled": "on",
            f"{prefix}-note": "Tuning.",
        },
    )


def field_errors(response, rule) -> list[str]:
    html = response.content.decode()
    marker = f'data-field="rule-{rule.pk}-params">'
    return [part.split("</p>", 1)[0] for part in html.split(marker)[1:]]


@pytest.mark.parametrize(
    "language, text, expected",
    [
        (
            "en",
            '{"ratio": 0.5, "min_history": 5',
            "This is not valid JSON (line 1, column 32): write the parameters as in "
            "{&quot;ratio&quot;: &quot;0.5&quot;, &quot;min_history&quot;: 5}.",
        ),
        (
            "vi",
            '{"ratio": 0.5,\n "min_history": }',
            "Đây không phải JSON hợp lệ (dòng 2, cột 17)",
        ),
        (
            "en",
            '["ratio", 0.5]',
            "Give an object of names and values, as in {&quot;ratio&quot;",
        ),
        (
            "en",
            '{"ratio": "0.5", "min_history": 5, "window_days": 30}',
            "This kind of rule takes no parameter window_days; it takes: ratio, min_history.",
        ),
        (
            "zh-hans",
            '{"ratio": "0.5", "window_days": 30}',
            "此类规则没有参数 window_days；其参数为：ratio, min_history。",
        ),
        (
            "en",
            '{"ratio": "half", "min_history": 5}',
            'Ratio to the median unit value (<code lang="zxx">ratio</code>): Give a number.',
        ),
        (
            "en",
            '{"ratio": "0.5", "min_history": 2.5}',
            'Earlier declarations needed to compare (<code lang="zxx">min_history</code>): '
            "Give a whole number.",
        ),
        (
            "vi",
            '{"ratio": "3", "min_history": 5}',
            'Tỷ lệ so với đơn giá trung vị (<code lang="zxx">ratio</code>): '
            "Vui lòng nhập một số lớn hơn 0 và không quá 1.",
        ),
        (
            "zh-hans",
            '{"ratio": "0.5", "min_history": 0}',
            '比较所需的最少既往申报数（<code lang="zxx">min_history</code>）：'
            "请填写 1 至 10000 之间的数。",
        ),
    ],
)
def test_a_bad_parameter_gets_a_specific_error_beside_the_field(mlt, language, text, expected):
    _user, client = reader(roles.CUSTOMS_MANAGER, language, mlt)
    rule = services.active_ruleset().rules.get(kind="undervaluation")
    response = post_params(client, rule, text)
    assert response.status_code == 200
    errors = field_errors(response, rule)
    assert any(expected in error for error in errors), errors
    assert services.active_ruleset().version == 1


def test_a_watch_list_with_a_bad_prefix_names_the_prefix(mlt):
    _user, client = reader(roles.CUSTOMS_MANAGER, "en", mlt)
    rule = services.active_ruleset().rules.get(kind="hs_watch")
    response = post_params(client, rule, '{"prefixes": ["2402", "24x"]}')
    [error] = field_errors(response, rule)
    assert error == (
        'Watched HS code prefixes (<code lang="zxx">prefixes</code>): '
        "24x is not an HS prefix: give 2 to 8 digits."
    )


def test_good_parameters_save_a_new_version(mlt):
    _user, client = reader(roles.CUSTOMS_MANAGER, "vi", mlt)
    rule = services.active_ruleset().rules.get(kind="failed_inspections")
    response = post_params(client, rule, '{"window_days": 90, "min_failures": 2}')
    assert response.status_code == 302
    edited = services.active_ruleset().rules.get(kind="failed_inspections")
    assert edited.params == {"window_days": 90, "min_failures": 2}
    _html, text = rules_page(client)
    assert "Khoảng thời gian xét: 90 ngày · Số lần kiểm tra không đạt tối thiểu: 2" in text


# ---------------------------------------------------------------------------------------------
# The API


def test_the_api_gives_and_takes_the_chinese_description(customs_mlt):
    manager = grant(customs_mlt, "change_riskrule")
    body = Api(manager).get("/risk/rulesets/active").json()
    first_time = next(r for r in body["rules"] if r["kind"] == "first_time_declarant")
    assert first_time["description_zh"] == "企业此前从未提交过车次。"
    response = Api(manager).post(
        "/risk/rulesets",
        {
            "note": "Clearer Chinese.",
            "rules": [{"kind": "first_time_declarant", "description_zh": " 企业首次提交车次。 "}],
        },
    )
    assert response.status_code == 201, response.content
    first_time = next(r for r in response.json()["rules"] if r["kind"] == "first_time_declarant")
    assert first_time["description_zh"] == "企业首次提交车次。"
    # Optional, it can be cleared (a Chinese reader then gets the English, marked so); the
    # other two languages cannot.
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "Withdrawn.", "rules": [{"kind": "first_time_declarant", "description_zh": " "}]},
    )
    assert response.status_code == 201, response.content
    first_time = next(r for r in response.json()["rules"] if r["kind"] == "first_time_declarant")
    assert first_time["description_zh"] == ""
    response = Api(manager).post(
        "/risk/rulesets",
        {"note": "Oops.", "rules": [{"kind": "first_time_declarant", "description_vi": " "}]},
    )
    assert response.status_code == 422
    locs = [item["loc"] for item in response.json()["detail"]]
    assert ["body", "rules", 0, "description_vi"] in locs


def test_only_the_chinese_description_changing_is_a_change():
    services.install_default_ruleset()

    def retranslate(ruleset, rules):
        rules[0].description_zh = "重点监控的商品（示例）。"

    v2 = services.new_ruleset_version(None, retranslate, "test: Chinese only")
    assert v2.version == 2
    assert json.loads(json.dumps(v2.rules.first().description_zh)) == "重点监控的商品（示例）。"


@pytest.mark.parametrize("item", ['{"a": 1}', "null", "true", "[24]"])
def test_a_prefix_that_is_no_text_is_said_so_not_shown_as_python(mlt, item):
    # A list item sent as an object came back as "{'a': 1} is not an HS prefix".
    _user, client = reader(roles.CUSTOMS_MANAGER, "en", mlt)
    rule = services.active_ruleset().rules.get(kind="hs_watch")
    response = post_params(client, rule, f'{{"prefixes": ["2402", {item}]}}')
    [error] = field_errors(response, rule)
    assert error.endswith("Each HS code prefix is 2 to 8 digits."), error
    assert services.active_ruleset().version == 1


def test_a_prefix_in_fullwidth_digits_is_kept_in_ascii(mlt):
    from cuakhau.risk.choices import RuleKind
    from cuakhau.risk.params import SPECS

    assert SPECS[RuleKind.HS_WATCH]["prefixes"](["２４٠٢", "0803"]) == (["2402", "0803"], None)
