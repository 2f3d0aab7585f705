"""A market rule's own words: "active" is a rule in force (đang áp dụng, 现行), not an account
switched on (Django's "Kích hoạt", "有效"); its direction is the way goods cross (Chiều, 方向),
not a trip's declared type (Loại hình, 进出境类型)."""

import re

import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.languages import reader_in, visible_text

pytestmark = pytest.mark.django_db

WORDS = {
    "vi": {"active": "Đang áp dụng", "direction": "Chiều", "wrong": ["Kích hoạt", "Loại hình"]},
    "zh-hans": {"active": "现行", "direction": "方向", "wrong": ["有效", "进出境类型"]},
}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_admin_rules_list_says_in_force_and_direction(market_rules, language):
    words = WORDS[language]
    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    page = reader_in(admin, language).get("/admin/market/marketaccessrule/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert words["active"] in text and words["direction"] in text
    # As a word of its own: "有效至" (valid until) is another column's.
    for wrong in words["wrong"]:
        assert not re.search(rf"(?<!\w){wrong}(?!\w)", text), wrong


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_suspension_form_names_the_direction(market_rules, quarantine_officer, language):
    words = WORDS[language]
    page = reader_in(quarantine_officer, language).get("/market/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'for="suspend_direction">{words["direction"]}<' in html
    assert words["wrong"][1] not in visible_text(html)
