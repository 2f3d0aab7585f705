"""notify(): one message per event, recorded, enqueued and sent in the recipient's language."""

import pytest
from django_tasks_db.models import DBTaskResult

from cuakhau.core.errors import FieldErrors
from cuakhau.notify.models import AttemptOutcome, Message, MessageStatus
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

pytestmark = pytest.mark.django_db

CALLED = {
    "plate": "25C-123.45",
    "reference": "MLT-4KX7P2Q",
    "gate": "Ma Lù Thàng",
    "deadline": "14:30",
}


def test_a_message_is_recorded_queued_and_its_task_waits_in_the_database():
    message = notify(
        recipient={"phone": "0912 345 678"},
        language="vi",
        template="truck_called_forward",
        context=CALLED,
        dedupe_key="slots:call:1",
    )
    assert message.status == MessageStatus.QUEUED
    assert message.recipient_phone == "84912345678"
    assert message.channels == ["sms"]  # ZNS is not configured; SMS prints to the console
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}

    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.provider == "console" and message.provider_id == f"console-{message.uid}"
    (attempt,) = message.attempts.all()
    assert attempt.outcome == AttemptOutcome.SENT and attempt.finished_at is not None


def test_the_same_key_twice_is_one_message_sent_once():
    first = notify(
        recipient="+84912345678",
        language="en",
        template="truck_called_forward",
        context=CALLED,
        dedupe_key="slots:call:2",
    )
    run_tasks()
    again = notify(
        recipient="0987654321",  # even with another number: the event was already notified
        language="zh-hans",
        template="truck_called_forward",
        context=CALLED,
        dedupe_key="slots:call:2",
    )
    run_tasks()
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert first.attempts.count() == 1


def test_unknown_template_missing_parameters_and_bad_phone_are_field_errors():
    with pytest.raises(FieldErrors) as refused:
        notify(
            recipient={"phone": "12ab"},
            language="vi",
            template="truck_called_forward",
            context={"plate": "25C-123.45"},
            dedupe_key="k",
        )
    assert set(refused.value.errors) == {"context", "recipient.phone"}
    with pytest.raises(FieldErrors) as refused:
        notify(recipient="0912345678", language="vi", template="nope", context={}, dedupe_key="k")
    assert set(refused.value.errors) == {"template"}
    assert not Message.objects.exists()
