"""The shipped rules' notes in the reader's language (``notes``, ``data/note-texts.csv``)."""

import pytest
from django.test import Client
from django.utils import translation

from cuakhau.accounts.services import issue_token, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.market.models import MarketAccessRule
from cuakhau.market.notes import note_table, translated_lines
from cuakhau.reference.localize import country_name

pytestmark = pytest.mark.django_db

DRAGON_EN = "Largest Vietnamese fruit export to China by volume"
DRAGON_VI = "Thanh long: loại quả Việt Nam xuất khẩu sang Trung Quốc nhiều nhất về khối lượng"
DRAGON_ZH = "火龙果：按数量计越南对华出口最多的水果"
MLT_ONLY_ZH = "仅适用于马鹿塘：莱州省已请求中方在该口岸开放（2025年）。"


def page_in(user, language, **params):
    set_language(user, language)
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    page = client.get("/market/", params)
    assert page.status_code == 200
    return page.text


def test_every_shipped_note_line_has_its_translations(market_rules):
    """When the reference data changes, this lists the lines to add to note-texts.csv."""
    missing = set()
    for rule in MarketAccessRule.objects.filter(is_active=True).exclude(note=""):
        assert rule.text_language == "en"
        for wanted in ("vi", "zh"):
            for line in translated_lines(rule.note, "en", wanted):
                if line.strip() and line.is_fallback:
                    missing.add(str(line))
    assert not missing, sorted(missing)
    assert len({texts["en"] for texts in note_table().values()}) >= 20


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        ("zh-hans", [DRAGON_ZH, MLT_ONLY_ZH, "河口口岸（对应老街/金城II号）"], [DRAGON_EN]),
        ("vi", [DRAGON_VI, "Chỉ áp dụng tại Ma Lù Thàng"], [DRAGON_EN, DRAGON_ZH]),
        ("en", [DRAGON_EN, "Applies at Ma Lu Thang only"], [DRAGON_VI, DRAGON_ZH]),
    ],
)
def test_the_notes_show_in_the_page_language(
    market_rules, quarantine_officer, language, present, absent
):
    text = page_in(quarantine_officer, language)
    for expected in present:
        assert expected in text
    for unexpected in absent:
        assert unexpected not in text
    notes = [part.split("</details>", 1)[0] for part in text.split("<details>")[1:]]
    assert len(notes) > 10
    if language != "en":  # every shipped note line is known: none left in English
        assert not [note for note in notes if 'lang="en"' in note]


def test_a_note_in_free_text_stays_as_written_and_marked(market_rules, quarantine_officer):
    shipped = MarketAccessRule.objects.filter(is_active=True, note__contains=DRAGON_EN).get()
    MarketAccessRule.objects.create(
        hs_prefix="081091",
        direction=shipped.direction,
        destination="CN",
        requirement=shipped.requirement,
        legal_basis="GACC notice",
        declared_by="GACC",
        note="Call the plant-quarantine desk first",
        text_language="en",
    )
    text = page_in(quarantine_officer, "zh-hans", hs="081091")
    assert '<span lang="en">Call the plant-quarantine desk first</span>' in text
    assert "(英文原文)" in text or 'class="original-language"' in text


def test_the_api_gives_the_note_in_the_request_language(market_rules, quarantine_officer):
    set_language(quarantine_officer, "zh-hans")
    _token, raw = issue_token(quarantine_officer, "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    items = client.get("/api/v1/market/rules", {"hs": "081090"}).json()["items"]
    notes = [i["note_localized"] for i in items if DRAGON_EN in i["note"]]
    assert notes and DRAGON_ZH in notes[0] and DRAGON_EN not in notes[0]


@pytest.mark.parametrize(
    "language, china", [("en", "China"), ("vi", "Trung Quốc"), ("zh-hans", "中国")]
)
def test_the_api_names_each_country_in_the_request_language(
    market_rules, quarantine_officer, language, china
):
    """A rule's destination was answered as "CN" alone: its name now stands beside the code."""
    _token, raw = issue_token(quarantine_officer, "test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
    items = client.get("/api/v1/market/rules", {"hs": "081090"}).json()["items"]
    assert items and {(i["destination"], i["destination_name"]) for i in items} == {("CN", china)}
    for item in items:
        origin = item["origin_country"]
        with translation.override(language):
            assert item["origin_country_name"] == (country_name(origin) if origin else "")


def test_translated_lines_keep_unknown_lines_in_their_language():
    with translation.override("zh-hans"):
        lines = translated_lines(
            "Applies at Ma Lu Thang only: Lai Chau asked China to open it there (2025).\nfree",
            "en",
        )
    assert [str(line) for line in lines] == [MLT_ONLY_ZH, "free"]
    assert [line.is_fallback for line in lines] == [False, True]
