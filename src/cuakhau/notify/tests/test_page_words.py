"""The notifications pages in the reader's words: notify's own "channel" (Kênh, 渠道), not the
customs risk lane (Luồng, 通道); the event and the provider by name, never by their codes; the
UI's word for a trip (车次) and a Chinese full-width colon in the heading."""

import pytest

from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.notify.adapters import provider_label
from cuakhau.notify.messages import TEMPLATES, event_label
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

pytestmark = pytest.mark.django_db

WORDS = {
    "vi": {
        "channel": "Kênh",
        "lane": "Luồng",
        "event": "Đã nộp phí, phát hành biên lai",
        "provider": "Chỉ ghi vào nhật ký máy chủ (thử nghiệm, không gửi đi)",
        "heading": "Thông báo: Chuyến ",
    },
    "zh-hans": {
        "channel": "渠道",
        "lane": "通道",
        "event": "已缴费，开具收据",
        "provider": "仅写入服务器日志（测试，未实际发送）",
        "heading": "通知：车次 ",
    },
}


@pytest.fixture
def paid_message():
    message = notify(
        recipient={"phone": "0912345678"},
        language="zh-hans",
        template="receipt_issued",
        context={"reference": "LC-0001", "number": "BL-9905", "gate": "mlt", "plate": "25C-123"},
        dedupe_key="receipts.issued:9905",
    )
    run_tasks()
    message.refresh_from_db()
    assert message.provider == "console"
    return message


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_message_page_names_the_channel_event_and_provider(auditor, paid_message, language):
    words = WORDS[language]
    page = reader_in(auditor, language).get(f"/notify/messages/{paid_message.pk}/")
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert f"\n{words['channel']} " in text and words["lane"] not in text
    assert words["event"] in text and words["provider"] in text
    assert words["heading"] in text
    # The program's codes stay the program's: the deduplication key, the template, the
    # provider's code. The provider's message id is shown, labelled, for the operator.
    assert "receipts.issued" not in text and "receipt_issued" not in text
    assert "console" not in text.replace(f"console-{paid_message.uid}", "")
    assert f"console-{paid_message.uid}" in text


def test_the_chinese_texts_say_che_ci_for_a_trip_and_a_full_width_colon(auditor, paid_message):
    text = visible_text(
        reader_in(auditor, "zh-hans").get(f"/notify/messages/{paid_message.pk}/").content.decode()
    )
    assert "通知：车次 LC-0001 已缴费：收据 BL-9905" in text
    assert "行程" not in text and "通知: " not in text


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_list_filters_and_heads_by_notify_channel(auditor, paid_message, language):
    words = WORDS[language]
    page = reader_in(auditor, language).get("/notify/messages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f">{words['channel']}</label>" in html or f">{words['channel']}<" in html
    assert f"<th>{words['channel']}</th>" in html
    assert words["lane"] not in visible_text(html)


def test_every_template_and_shipped_provider_has_a_label(settings):
    for code in TEMPLATES:
        assert event_label(code) != code
    assert event_label("retired_template") == "retired_template"
    for name in ("console", "email", "esms", "zalo"):
        assert provider_label(name) != name
    assert provider_label("") == "" and provider_label("carrier-pigeon") == "carrier-pigeon"
