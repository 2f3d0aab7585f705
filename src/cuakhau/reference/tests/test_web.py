"""HS search through the page endpoint and the API, in each language; the loader."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD
from cuakhau.reference.models import Gate, HSCode
from cuakhau.reference.services import load_reference_data

LANGUAGES = {"vi": "vi", "en": "en", "zh": "zh-hans"}


def page_client(user, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def api_client(user, language: str) -> Client:
    _token, raw = issue_token(user, "hs search")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, shown",
    [
        ("vi", "0810.60 — Quả khác, tươi &gt; Quả sầu riêng"),
        ("en", "0810.60 — Fruit, edible; durians, fresh"),
        ("zh-hans", "0810.60 — 鲜食榴莲"),
    ],
)
@pytest.mark.parametrize("query", ["sầu riêng", "sau rieng", "榴莲", "durian"])
def test_page_suggestions_in_the_page_language(enterprise, language, shown, query):
    html = page_client(enterprise, language).get("/reference/hs/", {"q": query}).content.decode()
    assert '<option value="081060"' in html
    assert shown in html


@pytest.mark.django_db
def test_page_suggestion_without_a_name_in_the_language_is_marked(enterprise):
    html = page_client(enterprise, "zh-hans").get("/reference/hs/", {"q": "0803"}).content
    html = html.decode()
    assert '<option value="080310" lang="en">0803.10 — Fruit, edible; plantains' in html
    assert "(英文原文)" in html
    assert '<option value="080390">0803.90 — 香蕉</option>' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, name, name_language",
    [("vi", "Chuối, kể cả chuối lá", "vi"), ("en", "Fruit, edible; bananas", "en")],
)
@pytest.mark.parametrize("query", ["chuối", "香蕉", "banana", "0803"])
def test_api_search_in_each_language(enterprise, language, name, name_language, query):
    found = api_client(enterprise, language).get("/api/v1/reference/hs", {"q": query}).json()
    banana = next(item for item in found if item["code"] == "080390")
    assert banana["name"].startswith(name)
    assert (banana["name_language"], banana["name_is_fallback"]) == (name_language, False)
    assert banana["description_vi"] == "Loại khác"
    assert banana["name_zh"] == "香蕉"


@pytest.mark.django_db
def test_api_search_in_chinese_falls_back_and_says_so(enterprise):
    found = api_client(enterprise, "zh-hans").get("/api/v1/reference/hs?q=0803").json()
    assert [(i["code"], i["name_language"], i["name_is_fallback"]) for i in found] == [
        ("080310", "en", True),
        ("080390", "zh", False),
    ]


@pytest.mark.django_db
def test_api_refuses_a_bad_limit_with_its_field(enterprise):
    response = api_client(enterprise, "en").get("/api/v1/reference/hs?q=chuoi&limit=0")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "limit"


@pytest.mark.django_db
def test_loader_is_idempotent_and_fills_every_name(reference_data):
    before = {c.code: (c.search_key, c.name_zh) for c in HSCode.objects.all()}
    # A reload that finds everything as shipped writes no HS row again.
    with CaptureQueriesContext(connection) as queries:
        counts = load_reference_data()
    writes = [q["sql"] for q in queries if "reference_hscode" in q["sql"]]
    assert not [sql for sql in writes if not sql.lstrip().upper().startswith("SELECT")]
    assert counts["hs_codes"] == HSCode.objects.count() == len(before)
    assert {c.code: (c.search_key, c.name_zh) for c in HSCode.objects.all()} == before
    assert not HSCode.objects.filter(level__in=(4, 6), description_vi="").exists()
    assert Gate.objects.get(code="mlt").counterpart_name_vi == "Kim Thủy Hà"


@pytest.mark.django_db
def test_loader_repairs_a_changed_row(reference_data):
    HSCode.objects.filter(code="081060").update(description_vi="x", search_key="")
    load_reference_data()
    durian = HSCode.objects.get(code="081060")
    assert durian.description_vi == "Quả sầu riêng" and " sau rieng" in durian.search_key
