"""The risk reasons on a trip's inspection page are in the officer's language: a Chinese page
showed the English sentences, marked "英文原文"."""

import pytest

from cuakhau.accounts.services import set_language
from cuakhau.risk import services as risk
from cuakhau.risk.models import RiskAssessment

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def reasons_html(officer, trip):
    html = signed_in(officer).get(f"/inspections/{trip.reference}/").text
    return html[html.index('<ul class="reasons">') : html.index("</ul>", html.index("reasons"))]


def test_a_chinese_officer_reads_the_reasons_in_chinese(officers, inside):
    set_language(officers["customs"], "zh-hans")
    shown = reasons_html(officers["customs"], inside)
    assert "该企业首次申报：在本车次之前未提交过任何车次。" in shown
    assert "First declaration" not in shown and "英文原文" not in shown


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("vi", "Doanh nghiệp khai báo lần đầu"),
        ("en", "First declaration by this enterprise"),
    ],
)
def test_the_other_languages_read_their_own(officers, inside, language, text):
    set_language(officers["customs"], language)
    assert text in reasons_html(officers["customs"], inside)


def test_a_reason_stored_without_chinese_comes_in_english_marked(officers, inside):
    assessment = risk.current_assessment(inside)
    RiskAssessment.objects.filter(pk=assessment.pk).update(
        reasons=[
            {k: v for k, v in r.items() if k != "reason_zh"} | {"reason_en": "Picked by hand."}
            for r in assessment.reasons
        ]
    )
    set_language(officers["customs"], "zh-hans")
    shown = reasons_html(officers["customs"], inside)
    assert '<span lang="en">Picked by hand.</span>' in shown and "英文原文" in shown
