"""The slot pages' own words where another app's same English word means something else: the
direction of traffic an hour is for (Chiều, 方向), not a trip's declared type (Loại hình,
进出境类型); "lanes" as how many lanes (số làn, 车道数), not the gate's lanes (làn, 车道)."""

import re

import pytest
from django.test import Client

from cuakhau.core.testing.languages import reader_in, visible_text

pytestmark = pytest.mark.django_db

WORDS = {
    "vi": {"Direction": "Chiều", "direction": "chiều", "lanes": "số làn", "wrong": "Loại hình"},
    "zh-hans": {"Direction": "方向", "direction": "方向", "lanes": "车道数", "wrong": "进出境类型"},
}


def _label(html: str, field: str) -> str:
    found = re.search(rf'<label for="id_{field}">([^<]*)<', html)
    assert found, field
    return found.group(1)


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_capacity_page_says_direction_and_number_of_lanes(manager, capacity, language):
    words = WORDS[language]
    client = reader_in(manager, language)
    page = client.get("/slots/mlt/capacity/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<th>{words['Direction']}</th>" in html
    assert _label(html, "direction") == words["direction"]
    assert _label(html, "lanes") == words["lanes"]
    assert words["wrong"].lower() not in visible_text(html).lower()


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_public_wait_times_head_the_direction(capacity, language):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/slots/wait-times/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<th>{WORDS[language]['Direction']}</th>" in html
    assert WORDS[language]["wrong"] not in visible_text(html)
