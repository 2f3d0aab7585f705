"""A called truck's driver is told to be at the gate "by 02:39": by SMS, with no page beside it
naming the zone, and on the trip's page in the server's zone. A Chinese driver's phone runs on
Beijing's clock, an hour ahead of the gate's; a bare time read on it is an hour after the call
has gone to the next truck. Every time a driver acts by says whose clock it is, the gate's."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.notify.messages import render
from cuakhau.notify.models import Message
from cuakhau.slots import services

from .conftest import cassava_trip, fruit_trip

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
CHINESE_DRIVER = {
    "driver_name": "王建国",
    "driver_nationality": "CN",
    "driver_document_number": "E12345678",
    "driver_phone": "+86 138 0013 8000",
}


@pytest.fixture
def called(enterprise, operator, capacity, area, clock, monkeypatch):
    """A Chinese driver's fruit truck booked for the next hour, at the area ten to it, called."""
    monkeypatch.setattr("cuakhau.slots.tasks.enqueue_call_forward", lambda code: None)
    area.gate_places = 1  # one truck at a time: a second one waits for its expected call
    area.save(update_fields=["gate_places"])
    h1 = clock(0) + HOUR
    trip = fruit_trip(enterprise, plate="25C-801.01", **CHINESE_DRIVER)
    services.book_slot(enterprise, trip, h1)
    clock(50)
    entry = services.record_arrival(operator, trip.gate, trip)
    return entry, h1


def told(entry, kind):
    message = Message.objects.get(dedupe_key=f"slots.{kind}:{entry.pk}")
    assert message.language == "zh-hans"
    return {
        language: render(message.template, language, message.context).text
        for language in ("zh-hans", "vi", "en")
    }


def test_the_call_and_its_lapse_tell_the_driver_the_gates_clock(
    called, clock, django_capture_on_commit_callbacks
):
    entry, h1 = called
    with django_capture_on_commit_callbacks(execute=True):
        assert [e.pk for e in services.call_forward(entry.gate)] == [entry.pk]
    at = services.local(h1 + 20 * MINUTE, entry.gate).strftime("%H:%M")
    said = {
        "zh-hans": f"越南时间 {at}（UTC+07:00）",
        "vi": f"{at} giờ Việt Nam (UTC+07:00)",
        "en": f"{at} Vietnam time (UTC+07:00)",
    }
    for language, text in told(entry, "called").items():
        assert said[language] in text, text
    clock(20, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_calls() == 1
    for language, text in told(entry, "missed").items():
        assert said[language] in text, text


@pytest.mark.parametrize("server_zone", ["Asia/Ho_Chi_Minh", "UTC"])
def test_the_trip_pages_call_is_on_the_gates_clock_and_says_so(
    called, enterprise, operator, settings, server_zone
):
    entry, h1 = called
    later = cassava_trip(enterprise, plate="25C-801.02")
    services.book_slot(enterprise, later, h1)
    services.record_arrival(operator, later.gate, later)
    services.call_forward(entry.gate)
    settings.TIME_ZONE = server_zone  # a host kept on UTC: the pages still say the gate's time
    deadline = services.local(h1 + 20 * MINUTE, entry.gate).strftime("%H:%M")
    set_language(enterprise, "zh-hans")
    client = Client()
    client.force_login(enterprise)
    for url in (f"/trips/{entry.trip.reference}/", f"/slots/trips/{entry.trip.reference}/"):
        page = client.get(url).content.decode()
        call = page[page.index('class="call-deadline"') :]
        assert f"请在越南时间 {deadline}（UTC+07:00）前" in call[: call.index("</p>")], url
    # The next truck's expected call is the gate's time, said as such.
    page = client.get(f"/trips/{later.reference}/").content.decode()
    expected = page[page.index('class="expected-call"') :]
    assert "越南时间 " in expected[: expected.index("</strong>")]
    assert "（UTC+07:00）" in expected[: expected.index("</strong>")]
