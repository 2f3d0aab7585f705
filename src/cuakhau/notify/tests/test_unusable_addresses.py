"""One unusable address of a recipient (a malformed phone, an e-mail address that is not one,
a foreign phone no configured channel takes) does not stop the message on the others: it is
recorded on the message as a delivery not tried, with its reason in the reader's language.
Only a recipient with no usable address at all is refused."""

import pytest
from django.core import mail

from cuakhau.core.errors import FieldErrors
from cuakhau.core.testing.languages import reader_in, visible_text
from cuakhau.notify.models import AttemptOutcome, FailureReason, Message
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

from .test_delivery import CALLED, ZNS_OK

pytestmark = pytest.mark.django_db


def call_forward(**recipient):
    return notify(
        recipient=recipient,
        language="vi",
        template="truck_called_forward",
        context=CALLED,
        dedupe_key="slots:call:7",
    )


def skipped(message):
    return [
        (a.channel, a.reason)
        for a in message.attempts.filter(outcome=AttemptOutcome.SKIPPED).order_by("pk")
    ]


def test_a_malformed_phone_does_not_stop_the_email():
    message = call_forward(phone="0912-34ab", email="taixe@phongtho.vn")
    assert message.channels == ["email"] and message.recipient_phone == ""
    assert skipped(message) == [("sms", FailureReason.BAD_PHONE)]
    run_tasks()
    (sent,) = mail.outbox
    assert sent.to == ["taixe@phongtho.vn"]
    message.refresh_from_db()
    assert message.status == "sent"
    # The skipped phone stays on record after the e-mail went.
    assert skipped(message) == [("sms", FailureReason.BAD_PHONE)]


def test_a_malformed_email_does_not_stop_the_phone(providers):
    providers.answers = [ZNS_OK]
    message = call_forward(phone="0912345678", email="taixe@@phongtho")
    assert message.channels == ["zns", "sms"] and message.recipient_email == ""
    assert skipped(message) == [("email", FailureReason.BAD_EMAIL)]
    run_tasks()
    message.refresh_from_db()
    assert (message.status, message.channel) == ("sent", "zns")


def test_a_phone_no_channel_takes_is_recorded_not_silently_dropped(providers):
    # Brandname SMS and ZNS reach Vietnamese subscribers only: the Chinese driver's phone is
    # valid but unreachable here; the e-mail still goes.
    message = call_forward(phone="+86 138 1234 5678", email="li.wei@jinping.cn")
    assert message.channels == ["email"] and message.recipient_phone == "8613812345678"
    assert skipped(message) == [("sms", FailureReason.NO_CHANNEL)]


def test_a_recipient_with_no_usable_address_is_still_refused(providers):
    with pytest.raises(FieldErrors) as refused:
        call_forward(phone="12ab", email="nobody")
    assert set(refused.value.errors) == {"recipient.phone", "recipient.email"}
    with pytest.raises(FieldErrors) as refused:
        call_forward(phone="+86 138 1234 5678")
    assert set(refused.value.errors) == {"recipient"}
    assert not Message.objects.exists()


def test_the_skipped_address_is_shown_with_its_reason_in_the_readers_language(auditor):
    message = call_forward(phone="0912-34ab", email="taixe@phongtho.vn")
    run_tasks()
    text = visible_text(
        reader_in(auditor, "vi").get(f"/notify/messages/{message.pk}/").content.decode()
    )
    assert "Không gửi: địa chỉ không dùng được" in text
    assert "Số điện thoại không hợp lệ." in text
    listed = visible_text(reader_in(auditor, "vi").get("/notify/messages/").content.decode())
    assert "Có địa chỉ không dùng được" in listed
