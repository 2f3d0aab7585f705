"""The HS chapters' bar chart named a chapter with no Chinese name in English, bare, on a
Chinese page ("08 Edible fruit and…"), while the table under it marked the same name
"(英文原文)". Its labels and tooltips now carry the mark too."""

import json
import re

import pytest

from cuakhau.stats.tests.shared import _shared_crossings, shared_three_crossings  # noqa: F401

from .test_dashboard import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_crossings")]


def chart_of(page: str, name: str) -> tuple[dict, str]:
    start = page.index(f'id="chart-data-{name}"')
    data = json.loads(page[page.index(">", start) + 1 : page.index("</script>", start)])
    svg = page[page.index(f'id="chart-{name}"') :]
    return data, svg[: svg.index("</svg>")]


@pytest.mark.parametrize("name", ["chapters", "products"])
def test_a_chinese_reader_sees_an_english_name_marked_in_the_chart(three_crossings, board, name):
    page = signed_in(board, "zh-hans").get("/stats/mlt/?year=2025").content.decode()
    data, svg = chart_of(page, name)
    english = [label for label in data["labels"] if label.split(" ", 1)[1][:1].isascii()]
    assert english, data["labels"]
    assert all(label.endswith(" (英文原文)") for label in english), data["labels"]
    # Beside the bar within the room a name had: the code, the name cut short, the mark.
    assert all(len(label) <= 24 for label in data["labels"])
    # On hover, the whole name, marked, then the figure.
    titles = re.findall(r"<title>(\d+ [^<]*): [\d,.]+</title>", svg)
    english = [t for t in titles if t.split(" ", 1)[1][:1].isascii()]
    assert english and all(t.endswith(" (英文原文)") for t in english), titles


def test_a_name_in_the_readers_language_is_not_marked(three_crossings, board):
    page = signed_in(board, "vi").get("/stats/mlt/?year=2025").content.decode()
    data, svg = chart_of(page, "chapters")
    assert data["labels"] and not any("bản gốc" in label for label in data["labels"])
    assert "bản gốc" not in svg


@pytest.mark.parametrize("name", ["chapters", "products"])
def test_the_summary_api_says_which_names_are_not_in_the_readers_language(
    three_crossings, board, name
):
    # It gave the same English names bare: a client could not tell them from Chinese ones.
    rows = signed_in(board, "zh-hans").get("/api/v1/stats/summary?gate=mlt&year=2025").json()
    english = [row for row in rows[name] if row["name"][:1].isascii()]
    assert english, rows[name]
    assert all((r["name_lang"], r["name_note"]) == ("en", "英文原文") for r in english)
    assert all(r["name_note"] == "" for r in rows[name] if r not in english)
    rows = signed_in(board, "en").get("/api/v1/stats/summary?gate=mlt&year=2025").json()
    assert {(r["name_lang"], r["name_note"]) for r in rows[name]} == {("en", "")}


@pytest.mark.parametrize(
    ("language", "gate_name", "zone", "dong"),
    [
        ("vi", "Ma Lù Thàng", "Tất cả cửa khẩu trong khu kinh tế", "Đồng Việt Nam"),
        ("en", "Ma Lu Thang", "All gates of the zone", "Vietnamese Dong"),
        ("zh-hans", "马鹿塘", "经济区所有口岸", "越南盾"),
    ],
)
def test_the_summary_api_names_its_gate_and_currencies(
    three_crossings, board, language, gate_name, zone, dong
):
    # It gave "mlt" and "VND" alone, where every other answer names things in the reader's words.
    client = signed_in(board, language)
    answer = client.get("/api/v1/stats/summary?gate=mlt&year=2025").json()
    assert answer["gate"] == "mlt" and gate_name in answer["gate_name"]
    named = {rate["currency"]: rate["currency_name"] for rate in answer["rates"]}
    assert named and named.get("VND", dong) == dong
    assert all(name and name != code for code, name in named.items()), named
    assert client.get("/api/v1/stats/summary?year=2025").json()["gate_name"] == zone
