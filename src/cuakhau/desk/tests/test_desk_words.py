"""The desk's own words where another app's same English word means something else: a file's
"Documents" are the applicant's papers (Giấy tờ, 材料), not a trip's customs documents (Chứng
từ, 单证); "pending" files are being handled (đang giải quyết, 办理中), not awaiting a lab result
(chờ kết quả, 待出结果); "Reject" refuses to take a file on (不予受理), not a customs 驳回."""

import pytest
from django.conf import settings
from django.test import Client

from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.desk import services

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db

WORDS = {
    "vi": {
        "documents": "Giấy tờ",
        "pending": "đang giải quyết",
        "reject": "Từ chối",
        "wrong": ["Chứng từ", "chờ kết quả"],
    },
    "zh-hans": {
        "documents": "材料",
        "pending": "办理中",
        "reject": "不予受理",
        "wrong": ["单证", "待出结果", "驳回"],
    },
}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_a_file_shows_its_papers_and_the_refusal_in_desk_words(catalogue, desk_officer, language):
    words = WORDS[language]
    filed = services.file_application(applicant_data(catalogue), [pdf()])
    page = reader_in(desk_officer, language).get(f"/desk/applications/{filed.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<h2>{words['documents']}</h2>" in html
    text = visible_text(html)
    assert words["reject"] in text
    for wrong in words["wrong"]:
        assert wrong not in text, wrong


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_report_counts_files_being_handled(catalogue, supervisor, language):
    words = WORDS[language]
    services.file_application(applicant_data(catalogue), [pdf()])
    page = reader_in(supervisor, language).get("/desk/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="total-pending"')
    assert f"<span>{words['pending']}</span>" in html[start : start + 200]
    for wrong in words["wrong"]:
        assert wrong not in visible_text(html), wrong


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_filing_form_asks_for_the_papers(catalogue, language):
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = visitor.get("/desk/apply/")
    assert page.status_code == 200
    assert f">{WORDS[language]['documents']}<" in page.content.decode()
