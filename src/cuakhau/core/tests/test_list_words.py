"""Lists a person reads are joined as their language joins them (``core.wording``): ", " in
Vietnamese and English, the enumeration comma "、" in Chinese; and no button says a bare "OK"."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from cuakhau import policy
from cuakhau.accounts import roles
from cuakhau.accounts.services import issue_token, set_language
from cuakhau.core.testing.languages import reader_in
from cuakhau.core.wording import join_words, list_separator

pytestmark = pytest.mark.django_db

# The roles that may read the notifications page, as the policy names them.
NOTIFY_READERS = [roles.ADMINISTRATOR, roles.AUDITOR]


def _labels(codes, language):
    with translation.override(language):
        return [str(roles.LABELS[code]) for code in sorted(codes)]


def test_the_separator_is_the_languages():
    assert list_separator("zh-hans") == "、" and list_separator("zh_Hans") == "、"
    assert list_separator("vi") == ", " and list_separator("en") == ", "
    assert join_words(["a", "b", "c"], "zh-hans") == "a、b、c"
    with translation.override("zh-hans"):
        assert join_words(iter(["海关", "植物检疫"])) == "海关、植物检疫"
    with translation.override("vi"):
        assert join_words(["Hải quan", "Kiểm dịch"]) == "Hải quan, Kiểm dịch"
    assert join_words([]) == ""


def test_the_template_filter_joins_and_escapes():
    template = Template("{% load labels %}{{ items|join_words }}|{% list_separator %}")
    with translation.override("zh-hans"):
        assert template.render(Context({"items": ["<b>", "B"]})) == "&lt;b&gt;、B|、"
    with translation.override("en"):
        assert template.render(Context({"items": ["A", "B"]})) == "A, B|, "


@pytest.mark.parametrize(("language", "separator"), [("vi", ", "), ("zh-hans", "、")])
def test_the_403_page_lists_the_roles_as_the_language_does(enterprise, language, separator):
    client = reader_in(enterprise, language)
    response = client.get("/notify/messages/")
    assert response.status_code == 403
    html = response.content.decode()
    assert escape(separator.join(_labels(NOTIFY_READERS, language))) in html
    if language == "zh-hans":
        reason = html[html.index("此功能仅限") :].split("<", 1)[0]
        assert "、" in reason and ", " not in reason


@pytest.mark.parametrize(("language", "separator"), [("vi", ", "), ("zh-hans", "、")])
def test_an_api_refusal_lists_the_roles_as_the_language_does(enterprise, language, separator):
    set_language(enterprise, language)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'roles')[1]}")
    response = client.get("/api/v1/risk/rulesets/active")
    assert response.status_code == 403
    detail = response.json()["detail"]
    readers = policy.API["GET /risk/rulesets/active"].roles
    assert len(readers) > 2 and separator.join(_labels(readers, language)) in detail
    if language == "zh-hans":
        assert ", " not in detail


@pytest.mark.parametrize(
    ("language", "switch"), [("vi", "Chuyển"), ("en", "Switch"), ("zh-hans", "切换")]
)
def test_the_language_switch_without_script_has_a_word_not_ok(language, switch):
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = visitor.get("/login/").content.decode()
    assert f"<noscript><button>{switch}</button></noscript>" in html
    assert "<button>OK</button>" not in html
