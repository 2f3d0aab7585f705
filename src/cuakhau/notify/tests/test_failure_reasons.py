"""A provider's failure is shown to people as a reason in their language; the provider's own
words (English, codes) are kept for the administrator who takes them up with the provider."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.conftest import person
from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.notify import services
from cuakhau.notify.models import FailureReason, Message, MessageStatus
from cuakhau.notify.testing import run_tasks

from .test_delivery import call_forward, failed_on_every_channel

pytestmark = pytest.mark.django_db

RAW = ("Zalo account not existed", "Balance not enough", "eSMS 103", "ZNS -118")


@pytest.fixture
def failed(providers):
    return failed_on_every_channel(providers)


def test_a_refused_message_is_labelled_and_keeps_the_providers_words(failed):
    assert failed.failure_reason == FailureReason.REFUSED
    assert "Balance not enough" in failed.last_error
    assert [a.reason for a in failed.attempts.all()] == [FailureReason.REFUSED] * 2


@pytest.mark.parametrize("path", ["/notify/messages/", "/notify/messages/{pk}/"])
def test_the_page_in_vietnamese_shows_no_raw_provider_english(auditor, failed, path):
    page = reader_in(auditor, "vi").get(path.format(pk=failed.pk))
    assert page.status_code == 200
    text = visible_text(page.content.decode())
    assert "Nhà cung cấp từ chối tin nhắn." in text
    assert not [raw for raw in RAW if raw in text]


def test_the_administrator_still_reads_the_providers_answer(failed):
    admin = person("quantri", roles.ADMINISTRATOR)
    text = visible_text(
        reader_in(admin, "vi").get(f"/notify/messages/{failed.pk}/").content.decode()
    )
    assert "Nhà cung cấp từ chối tin nhắn." in text
    assert "Balance not enough" in text and "Zalo account not existed" in text


def test_a_transient_failure_and_an_expiry_are_labelled(providers):
    providers.answers = [(503, {})] * 10
    message = call_forward(key="slots:call:9")
    run_tasks(max_tasks=1)
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRY
    assert message.failure_reason == FailureReason.UNAVAILABLE
    # The call lapsed while waiting for the provider: the expiry is the reason now.
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1), next_attempt_at=timezone.now()
    )
    services.send_message(message.pk)
    message.refresh_from_db()
    assert (message.status, message.failure_reason) == ("failed", FailureReason.EXPIRED)
