"""Sending through the real adapters' wire formats (a local fake gateway, no network):
channel choice, retries with back-off, fallback, never twice, delivery receipts."""

import datetime as dt
import hashlib
import json

import pytest
from django.core import mail
from django.utils import timezone

from cuakhau.core.management.commands.worker import requeue_orphans
from cuakhau.notify import services
from cuakhau.notify.models import AttemptOutcome, DeliveryAttempt, Message, MessageStatus
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

from .conftest import ESMS_SECRET, ZALO_SECRET

pytestmark = pytest.mark.django_db

CALLED = {
    "plate": "25C-123.45",
    "reference": "MLT-4KX7P2Q",
    "gate": "Ma Lù Thàng",
    "deadline": "14:30",
}
ZNS_OK = (200, {"error": 0, "message": "Success", "data": {"msg_id": "zmsg-1", "sent_time": "1"}})
ESMS_OK = (200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "esms-77"})


def call_forward(key="slots:call:1", language="vi", **recipient):
    return notify(
        recipient=recipient or {"phone": "0912345678"},
        language=language,
        template="truck_called_forward",
        context=CALLED,
        dedupe_key=key,
    )


def test_a_vietnamese_phone_gets_zns_with_the_template_of_its_language(providers, mlt):
    providers.answers = [ZNS_OK]
    message = call_forward(language="en")
    assert message.channels == ["zns", "sms"]
    run_tasks()
    message.refresh_from_db()
    assert (message.status, message.channel, message.provider_id) == ("sent", "zns", "zmsg-1")
    (request,) = providers.requests
    assert request["path"] == "/zns"
    assert request["headers"]["access_token"] == "zalo-token"
    assert request["json"] == {
        "phone": "84912345678",
        "template_id": "301235",
        # The gate's name in the template's language (English), not the one it was given in.
        "template_data": {**CALLED, "gate": "Ma Lu Thang"},
        "tracking_id": str(message.uid),
    }


def test_without_a_zns_template_in_that_language_the_driver_gets_an_sms_in_it(providers):
    providers.answers = [ESMS_OK]
    message = call_forward(language="zh-hans")
    assert message.channels == ["sms"]
    run_tasks()
    (request,) = providers.requests
    body = request["json"]
    assert body["Phone"] == "84912345678" and body["Brandname"] == "CUAKHAU"
    assert body["RequestId"] == str(message.uid) and body["SmsType"] == "2"
    assert "25C-123.45" in body["Content"] and body["IsUnicode"] == "1"
    message.refresh_from_db()
    assert message.provider_id == "esms-77"


def test_a_foreign_phone_with_an_email_gets_the_email(providers):
    message = call_forward(phone="+86 138 1234 5678", email="driver@jinping.cn")
    assert message.channels == ["email"]
    run_tasks()
    (sent,) = mail.outbox
    assert sent.to == ["driver@jinping.cn"] and "25C-123.45" in sent.subject
    assert providers.requests == []


def test_transient_errors_are_retried_with_growing_waits_then_the_next_channel(providers, settings):
    settings.CUAKHAU_NOTIFY = {**settings.CUAKHAU_NOTIFY, "max_attempts": 3}
    providers.answers = [
        (503, {}),
        (200, {"error": -32, "message": "rate limit"}),
        (503, {}),
        ESMS_OK,
    ]
    message = call_forward()
    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRY
    first_wait = message.next_attempt_at - message.attempts.get().finished_at
    assert first_wait == dt.timedelta(seconds=30)

    # Nothing is sent before it is due, even if a task runs early.
    services.send_message(message.pk)
    assert message.attempts.count() == 1

    waits = []
    for _ in range(2):
        message.refresh_from_db()
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        services.send_message(message.pk)
        message.refresh_from_db()
        last = message.attempts.last()
        if message.status == MessageStatus.RETRY and message.current_channel == "zns":
            waits.append(message.next_attempt_at - last.finished_at)
    assert waits == [dt.timedelta(seconds=60)]
    # Three transient ZNS failures exhausted ZNS: the SMS goes out at once.
    run_tasks()
    message.refresh_from_db()
    assert (message.status, message.channel) == ("sent", "sms")
    outcomes = list(message.attempts.values_list("channel", "outcome"))
    assert outcomes == [("zns", "transient")] * 3 + [("sms", "sent")]


def failed_on_every_channel(providers):
    """A call forward that Zalo (no such account) and eSMS (no balance) both refused for good."""
    providers.answers = [
        (200, {"error": -118, "message": "Zalo account not existed"}),
        (200, {"CodeResult": "103", "ErrorMessage": "Balance not enough"}),
    ]
    message = call_forward()
    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    return message


def test_a_permanent_error_falls_back_to_the_next_channel_and_the_last_one_fails(providers):
    message = failed_on_every_channel(providers)
    assert [a.outcome for a in message.attempts.all()] == ["permanent", "permanent"]
    assert "103" in message.last_error


def test_an_accepted_message_is_never_sent_again(providers):
    providers.answers = [ZNS_OK]
    message = call_forward()
    run_tasks()
    # Duplicate tasks, a sweep, a restarted worker: none of them sends it again.
    services.send_message(message.pk)
    services._enqueue(message.pk)
    services.resume_due_messages(timezone.now() + dt.timedelta(hours=1))
    run_tasks()
    assert len(providers.requests) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_an_attempt_cut_off_by_a_dying_worker_is_not_repeated_blindly(providers):
    """ZNS cannot recognise a repeat: the message is marked 'outcome unknown' for a person."""
    providers.answers = [ZNS_OK]
    message = call_forward()
    now = timezone.now()
    # What a worker killed during the HTTP call leaves: the attempt recorded, no answer.
    DeliveryAttempt.objects.create(
        message=message, channel="zns", provider="zalo", started_at=now - dt.timedelta(minutes=5)
    )
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    services.send_message(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    assert message.attempts.get().outcome == AttemptOutcome.UNKNOWN
    assert providers.requests == []


def test_an_sms_cut_off_is_sent_again_with_the_same_request_id(providers):
    """eSMS refuses a repeated RequestId (code 124), so asking again cannot send twice."""
    providers.answers = [(200, {"CodeResult": "124", "ErrorMessage": "Duplicate RequestId"})]
    message = call_forward(language="zh-hans")
    DeliveryAttempt.objects.create(
        message=message,
        channel="sms",
        provider="esms",
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    services.send_message(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert providers.requests[0]["json"]["RequestId"] == str(message.uid)


def test_esms_delivery_report_needs_the_callback_key(providers, client):
    providers.answers = [ESMS_OK]
    message = call_forward(language="zh-hans")
    run_tasks()
    url = "/api/v1/notify/delivery/esms"
    refused = client.get(url, {"SMSID": "esms-77", "SendStatus": "5", "key": "guess"})
    assert refused.status_code == 401
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    ok = client.get(url, {"SMSID": "esms-77", "SendStatus": "5", "key": ESMS_SECRET})
    assert ok.status_code == 200 and ok.json()["message_status"] == "delivered"
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at
    assert message.attempts.get().delivery_status == "SendStatus 5"


def test_a_callback_key_or_signature_that_is_no_ascii_text_is_refused(providers, client):
    # What the provider sends is compared with our secret: "é" was compared as text, a 500.
    refused = client.get(
        "/api/v1/notify/delivery/esms", {"SMSID": "esms-77", "SendStatus": "5", "key": "é"}
    )
    assert refused.status_code == 401
    body, mac = _zalo_event("zmsg-1")
    refused = _post_zalo(client, body, "é" + mac[1:])
    assert refused.status_code == 401


def _ms(moment: dt.datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _zalo_event(msg_id, delivery_time=None, message=None, at=None):
    """A Zalo event signed as Zalo signs it; ``message`` replaces the event's message whole;
    ``at``: when Zalo sent it (now)."""
    timestamp = _ms(at or timezone.now())
    if message is None:
        message = {"msg_id": msg_id, "delivery_time": delivery_time or timestamp}
    body = json.dumps(
        {
            "app_id": "4321",
            "event_name": "user_received_message",
            "message": message,
            "timestamp": timestamp,
        }
    ).encode()
    raw = b"4321" + body + timestamp.encode() + ZALO_SECRET.encode()
    return body, hashlib.sha256(raw).hexdigest()


def test_zalo_delivery_event_is_verified_by_its_signature(providers, client):
    providers.answers = [ZNS_OK]
    message = call_forward()
    run_tasks()
    delivered = (timezone.now() + dt.timedelta(seconds=3)).replace(microsecond=0)
    body, mac = _zalo_event("zmsg-1", _ms(delivered))
    url = "/api/v1/notify/delivery/zalo"
    forged = client.post(
        url,
        body.replace(b"zmsg-1", b"zmsg-2"),
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
    )
    assert forged.status_code == 401
    ok = client.post(
        url, body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}"
    )
    assert ok.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at == delivered


def _post_zalo(client, body, mac):
    return client.post(
        "/api/v1/notify/delivery/zalo",
        body,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
    )


@pytest.mark.parametrize(
    "message",
    [
        "zmsg-1",  # the message as text, not an object
        ["zmsg-1"],
        {"msg_id": ["zmsg-1"]},
        {"msg_id": {"id": "zmsg-1"}},
        {"msg_id": True},
        {"msg_id": ""},
    ],
)
def test_a_signed_zalo_event_of_another_shape_is_refused_not_a_server_error(
    providers, client, message
):
    providers.answers = [ZNS_OK]
    sent = call_forward()
    run_tasks()
    body, mac = _zalo_event("zmsg-1", message=message)
    assert _post_zalo(client, body, mac).status_code == 401
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


@pytest.mark.parametrize(
    "delivery_time",
    [
        "99999999999999999999",  # beyond any calendar: the server could not write it
        "１７６４５０００００００００",  # full-width digits
        "1",  # 1970
        "1764500000000",  # a year before the message was sent
        "4102444800000",  # 2100
    ],
)
def test_a_delivery_time_that_cannot_be_true_is_recorded_as_now(providers, client, delivery_time):
    providers.answers = [ZNS_OK]
    sent = call_forward()
    run_tasks()
    body, mac = _zalo_event("zmsg-1", delivery_time)
    before = timezone.now()
    assert _post_zalo(client, body, mac).status_code == 200
    sent.refresh_from_db()
    assert sent.status == MessageStatus.DELIVERED
    assert before <= sent.delivered_at <= timezone.now()
    assert sent.attempts.get().delivery_at == sent.delivered_at


def test_a_replayed_zalo_event_is_refused_and_never_moves_the_delivery_time(providers, client):
    providers.answers = [ZNS_OK]
    message = call_forward()
    run_tasks()
    sent_at = timezone.now().replace(microsecond=0)
    body, mac = _zalo_event("zmsg-1", _ms(sent_at + dt.timedelta(seconds=2)))
    assert _post_zalo(client, body, mac).status_code == 200
    message.refresh_from_db()
    delivered = message.delivered_at
    assert delivered == sent_at + dt.timedelta(seconds=2)
    # Captured and replayed an hour later, signature and all: its timestamp is an hour old.
    replayed = _zalo_event("zmsg-1", _ms(sent_at), at=timezone.now() - dt.timedelta(hours=1))
    refused = _post_zalo(client, *replayed)
    assert refused.status_code == 401 and "too old" in refused.json()["detail"]
    # An old event signed now (or Zalo repeating its callback) with another delivery time: the
    # delivery recorded first stands, on the message and on its attempt.
    later = _ms(sent_at + dt.timedelta(seconds=40))
    assert _post_zalo(client, *_zalo_event("zmsg-1", later)).status_code == 200
    stale = _zalo_event("zmsg-1", later, at=timezone.now() - dt.timedelta(minutes=6))
    assert _post_zalo(client, *stale).status_code == 401
    message.refresh_from_db()
    attempt = message.attempts.get()
    assert message.delivered_at == attempt.delivery_at == delivered


def test_a_queued_task_survives_a_worker_restart():
    """Enqueued with the database backend and no worker; a task left running by a killed
    worker; a new worker starts and runs both."""
    first = call_forward(key="a")
    second = call_forward(key="b", phone="0987654321")
    from django_tasks_db.models import DBTaskResult

    orphan = DBTaskResult.objects.get(args_kwargs__args=[second.pk])
    orphan.claim("worker@old-host")  # the old worker took it, then died
    assert requeue_orphans(worker_id="worker@old-host") == 1
    run_tasks()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == MessageStatus.SENT


def test_a_call_forward_not_sent_before_the_call_lapsed_is_never_sent(providers):
    """The gateway failed for half an hour (or the worker was down): "drive to the gate now"
    would send the driver to a gate whose call already went to the next truck."""
    providers.answers = [(503, {})]
    message = call_forward()
    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRY
    providers.answers = [ZNS_OK]
    later = timezone.now() - dt.timedelta(minutes=31)
    Message.objects.filter(pk=message.pk).update(created_at=later, next_attempt_at=timezone.now())
    assert services.send_message(message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.next_attempt_at is None and "too late" in message.last_error
    assert len(providers.requests) == 1  # the first, failed attempt only
    assert services.resume_due_messages(timezone.now() + dt.timedelta(hours=1)) == 0


def test_a_message_worth_sending_however_late_is_still_sent(providers):
    providers.answers = [ESMS_OK]  # no ZNS template for this one: by SMS
    message = notify(
        recipient={"phone": "0912345678"},
        language="vi",
        template="receipt_replaced",
        context={"old": "HNG-2026-000001", "new": "HNG-2026-000002", "reference": "HNG-4KX7P2Q"},
        dedupe_key="receipts.replaced:1",
    )
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    run_tasks()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_provider_configured_after_queueing_is_not_given_a_number_it_cannot_reach(
    providers, settings
):
    """Queued while SMS went to the console (which prints any number), sent after eSMS was
    configured: eSMS reaches Vietnamese subscribers only, so a Chinese driver's number goes
    to the e-mail given with it, and eSMS is never called."""
    adapters_now = settings.CUAKHAU_NOTIFY["adapters"]
    settings.CUAKHAU_NOTIFY = {
        **settings.CUAKHAU_NOTIFY,
        "adapters": {**adapters_now, "sms": {"class": "cuakhau.notify.adapters.ConsoleAdapter"}},
    }
    message = call_forward(language="zh-hans", phone="+86 138 1234 5678", email="li@example.cn")
    assert message.channels == ["sms", "email"]
    settings.CUAKHAU_NOTIFY = {**settings.CUAKHAU_NOTIFY, "adapters": adapters_now}
    run_tasks()
    message.refresh_from_db()
    assert (message.status, message.channel) == ("sent", "email")
    assert providers.requests == []
    assert list(message.attempts.values_list("channel", flat=True)) == ["email"]
    assert len(mail.outbox) == 1
