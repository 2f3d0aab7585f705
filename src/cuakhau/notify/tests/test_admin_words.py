"""The administration's list and page of messages say what each message is about and in
which language it went, in the administrator's language: never the template's code
("truck_called_forward") nor the language's ("zh-hans"), in a column or a filter."""

import re

import pytest

from cuakhau.accounts import roles
from cuakhau.conftest import person
from cuakhau.core.testing.languages import reader_in, visible_text

from .test_delivery import call_forward

pytestmark = pytest.mark.django_db

CODES = ("truck_called_forward", "zh-hans", "zns", "sms")


def _codes_in(text):
    return [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]


@pytest.mark.parametrize(
    ("language", "event", "in_chinese"),
    [
        ("vi", "Xe được gọi vào cửa khẩu", "Tiếng Trung giản thể"),
        ("zh-hans", "车辆被叫号前往口岸", "简体中文"),
    ],
)
def test_messages_are_listed_and_shown_in_words(providers, language, event, in_chinese):
    message = call_forward(language="zh-hans")
    admin = reader_in(person("quantri", roles.ADMINISTRATOR), language)
    listed = admin.get("/admin/notify/message/")
    assert listed.status_code == 200
    text = visible_text(listed.content.decode())
    assert event in text and in_chinese in text
    assert not _codes_in(text), _codes_in(text)
    # The filters offer the events and languages by name; choosing one still selects by code.
    filtered = admin.get("/admin/notify/message/?template=truck_called_forward&language=zh-hans")
    assert filtered.status_code == 200
    assert f"/admin/notify/message/{message.pk}/change/" in filtered.content.decode()
    shown = admin.get(f"/admin/notify/message/{message.pk}/change/")
    assert shown.status_code == 200
    text = visible_text(shown.content.decode())
    assert event in text and in_chinese in text
    assert not _codes_in(text), _codes_in(text)
