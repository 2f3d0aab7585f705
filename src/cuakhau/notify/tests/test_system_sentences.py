"""A failure the system itself describes (too late, a channel not configured, a worker that
stopped, an address it could not use) is its own sentence, kept in each language and read in
the reader's; only the provider's answer is shown, to the administrator, as the provider's."""

import datetime as dt
import importlib

import pytest
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.conftest import person
from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.notify import services
from cuakhau.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageStatus
from cuakhau.notify.testing import run_tasks

from .test_delivery import ZNS_OK, call_forward, failed_on_every_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return person("quantri", roles.ADMINISTRATOR)


def page(user, language, message):
    response = reader_in(user, language).get(f"/notify/messages/{message.pk}/")
    assert response.status_code == 200
    return visible_text(response.content.decode())


def expired(providers):
    providers.answers = [(503, {})]
    message = call_forward()
    run_tasks()
    later = timezone.now() - dt.timedelta(minutes=31)
    Message.objects.filter(pk=message.pk).update(created_at=later, next_attempt_at=timezone.now())
    services.send_message(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    return message


def test_an_expiry_is_the_systems_sentence_in_each_language(providers, admin):
    message = expired(providers)
    assert set(message.last_error_texts) == {"vi", "en", "zh"}
    assert message.last_error_texts["en"].startswith("Not sent: too late to be of use after")
    assert message.provider_answer == ""
    vi = page(admin, "vi", message)
    assert "Không gửi: đã quá muộn để còn có ích sau" in vi
    assert "too late" not in vi and "Provider's answer" not in vi
    assert "Phản hồi của nhà cung cấp" not in vi.split("Kênh")[0]
    zh = page(admin, "zh-hans", message)
    assert "未发送" in zh and "too late" not in zh
    listed = visible_text(reader_in(admin, "zh-hans").get("/notify/messages/").content.decode())
    assert "未发送" in listed and "too late" not in listed


def test_a_stopped_worker_is_said_in_the_readers_language(providers, auditor):
    providers.answers = [ZNS_OK]
    message = call_forward()
    DeliveryAttempt.objects.create(
        message=message,
        channel="zns",
        provider="zalo",
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    services.send_message(message.pk)
    message.refresh_from_db()
    attempt = message.attempts.get()
    assert attempt.error_texts["vi"] == message.last_error_texts["vi"]
    text = page(auditor, "vi", message)
    assert "Tiến trình gửi đã dừng" in text and "worker" not in text


def test_a_channel_turned_off_after_queueing_is_said_by_its_label(providers, settings):
    message = call_forward(language="zh-hans")
    settings.CUAKHAU_NOTIFY = {**settings.CUAKHAU_NOTIFY, "adapters": {}}
    services.send_message(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error_texts["en"] == ("Channel not configured for this recipient: SMS.")
    assert message.last_error_texts["zh"].endswith("：短信。")


def test_an_unusable_address_is_said_in_the_readers_language(auditor):
    message = call_forward(phone="0912-34ab", email="taixe@phongtho.vn")
    attempt = message.attempts.get(outcome=AttemptOutcome.SKIPPED)
    assert attempt.error_texts["vi"] == "Không phải số điện thoại: 0912-34ab"
    assert attempt.provider_answer == ""
    assert "Không phải số điện thoại: 0912-34ab" in page(auditor, "vi", message)


def test_the_providers_answer_is_kept_and_labelled_as_the_providers(providers, admin):
    message = failed_on_every_channel(providers)
    assert message.last_error_texts == {} and "Balance not enough" in message.provider_answer
    text = page(admin, "en", message)
    assert "Provider's answer" in text and "Answer of eSMS" in text
    assert "Balance not enough" in text


def test_sentences_stored_before_are_read_back_in_each_language():
    migration = importlib.import_module(
        "cuakhau.notify.migrations.0004_system_sentences_in_each_language"
    )
    late = migration.read_back("not sent: too late after 2026-03-01T02:00:00+00:00")
    assert late["en"].startswith("Not sent: too late to be of use after")
    assert late["vi"].startswith("Không gửi") and late["zh"].startswith("未发送")
    channel = migration.read_back("channel zns is not configured for this recipient")
    assert channel["en"] == "Channel not configured for this recipient: Zalo notification (ZNS)."
    assert migration.read_back("no configured channel takes +8613812345678")["vi"] == (
        "Không kênh nào đã cấu hình nhận được +8613812345678."
    )
    assert migration.read_back("sms: eSMS 103 Balance not enough") is None
