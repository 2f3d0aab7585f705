"""The reasons of an assessment are written in Chinese too (``reason_zh``), like the Vietnamese
and English: a Chinese reader saw them in English, marked as such. Assessments made before
get their Chinese read back from the English (migration 0009)."""

import importlib
import string
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.risk import services, texts
from cuakhau.risk.models import RiskAssessment

from .helpers import only, reason_of, submit
from .test_api import grant

pytestmark = pytest.mark.django_db

# Values as the engine gives them, in English form, for each placeholder of the templates.
VALUES = {
    "line": "2",
    "code": "240220",
    "prefix": "2402",
    "value": "0.3",
    "currency": "USD",
    "ratio": "0.5",
    "median": "1,234.5678",
    "count": "5",
    "hs6": "080390",
    "majority": "CNY",
    "days": "90",
    "minimum": "2",
    "weighed": "31,500.5",
    "declared": "28,500",
    "percent": "10.5",
    "threshold": "10",
    "draw": "0.0123456789",
    "red": "0.02",
    "limit": "0.12",
    "when": "2026-03-01 08:15",
}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(texts.TEMPLATES))
def test_every_template_has_chinese_with_the_same_values(key):
    template = texts.TEMPLATES[key]
    assert set(template) == {"vi", "en", "zh"}
    assert fields(template["zh"]) == fields(template["en"]) == fields(template["vi"])
    # Chinese, not English left in: no Latin word but the codes it quotes.
    assert not {"the", "is", "Line", "declared"} & set(template["zh"].split())


@pytest.mark.parametrize("key", sorted(texts.TEMPLATES))
def test_the_english_of_every_template_reads_back_into_its_chinese(key):
    values = {
        name: texts.channel_name(v) if name in ("previous", "computed") else v
        for name, v in {**VALUES, "previous": "red", "computed": "green"}.items()
    }
    written = texts.sentence(key, **values)
    assert texts.from_english(written["en"]) == written["zh"]


def test_several_lines_read_back_each_into_its_sentence():
    written = texts.join(
        [
            texts.sentence("hs_watch.line", line=1, code="240220", prefix="2402"),
            texts.sentence("hs_watch.line", line=3, code="930200", prefix="93"),
        ]
    )
    assert written["zh"] == (
        "第1行：HS编码240220在重点监控清单上（前缀2402）。"
        "第3行：HS编码930200在重点监控清单上（前缀93）。"
    )
    assert texts.from_english(written["en"]) == written["zh"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Checked by hand.",
        "Line 1: HS 240220 is on the watch list (prefix 2402). And something else.",
        "Channel kept at purple from the earlier assessment (2026-03-01 08:15): a reassessment "
        "never lowers the channel (this one alone gives green).",
    ],
)
def test_what_is_not_made_of_the_templates_is_not_guessed(text):
    assert texts.from_english(text) is None


def test_an_assessment_writes_its_reasons_in_chinese(enterprise):
    only("weight_difference")
    trip = submit(enterprise)
    reason = reason_of(
        services.assess(trip, weighbridge_kg=Decimal("31500.5")), "weight_difference"
    )
    assert reason["reason_zh"] == (
        "地磅读数为31,500.5 千克，申报毛重为28,500 千克：相差10.5%（阈值10%）。"
    )


def test_the_channel_kept_is_named_as_the_channel_labels_name_it(enterprise):
    only("first_time_declarant", score=60)
    trip = submit(enterprise)
    services.new_ruleset_version(None, [{"kind": "first_time_declarant", "score": 0}], "Lower.")
    reason = reason_of(services.assess(trip), "previous_channel")
    assert reason["reason_zh"].startswith("沿用上次评估（")
    assert "的红色通道：重新评估从不降低通道（仅按本次评估为绿色通道）。" in reason["reason_zh"]


def api_reasons(user, trip, language):
    _token, raw = issue_token(user, "test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        f"/api/v1/risk/assessments/{trip.reference}", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200, response.content
    return response.json()["reasons"]


@pytest.mark.parametrize(
    ("language", "text", "lang"),
    [
        ("zh-hans", "该企业首次申报：在本车次之前未提交过任何车次。", "zh"),
        (
            "en",
            "First declaration by this enterprise: no trip was submitted before this one.",
            "en",
        ),
        (
            "vi",
            "Doanh nghiệp khai báo lần đầu: chưa có chuyến nào được nộp trước chuyến này.",
            "vi",
        ),
    ],
)
def test_the_api_gives_the_reason_in_the_callers_language(
    enterprise, customs_mlt, language, text, lang
):
    only("first_time_declarant")
    trip = submit(enterprise)
    [reason] = api_reasons(grant(customs_mlt, "view_riskassessment"), trip, language)
    assert (reason["text"], reason["text_language"]) == (text, lang)
    assert reason["reason_zh"] == "该企业首次申报：在本车次之前未提交过任何车次。"
    assert reason["reason_en"].startswith("First declaration")


def older(assessment, reason_en=None):
    """The assessment as stored before Chinese was written: no reason_zh."""
    reasons = [{k: v for k, v in r.items() if k != "reason_zh"} for r in assessment.reasons]
    if reason_en is not None:
        reasons[0]["reason_en"] = reason_en
    RiskAssessment.objects.filter(pk=assessment.pk).update(reasons=reasons)


def migrate_reasons():
    migration = importlib.import_module("cuakhau.risk.migrations.0009_reasons_in_chinese")
    migration.write_chinese(django_apps, None)


def test_the_migration_writes_the_chinese_of_older_assessments(enterprise, other_enterprise):
    only("first_time_declarant")
    read_back = services.current_assessment(submit(enterprise))
    unreadable = services.current_assessment(submit(other_enterprise))
    older(read_back)
    older(unreadable, reason_en="Picked by the shift supervisor.")

    migrate_reasons()

    read_back.refresh_from_db()
    unreadable.refresh_from_db()
    assert read_back.reasons[0]["reason_zh"] == "该企业首次申报：在本车次之前未提交过任何车次。"
    assert read_back.reasons[0]["reason_vi"].startswith("Doanh nghiệp khai báo lần đầu")
    assert "reason_zh" not in unreadable.reasons[0]
    # What could not be read back comes in English, said to be English.
    text = services.reason_text(unreadable.reasons[0], "zh")
    assert (str(text), text.is_fallback, text.lang) == (
        "Picked by the shift supervisor.",
        True,
        "en",
    )


def test_the_api_says_a_reason_without_chinese_is_english(enterprise, customs_mlt):
    only("first_time_declarant")
    trip = submit(enterprise)
    older(services.current_assessment(trip), reason_en="Picked by the shift supervisor.")
    [reason] = api_reasons(grant(customs_mlt, "view_riskassessment"), trip, "zh-hans")
    assert (reason["text"], reason["text_language"], reason["reason_zh"]) == (
        "Picked by the shift supervisor.",
        "en",
        None,
    )
