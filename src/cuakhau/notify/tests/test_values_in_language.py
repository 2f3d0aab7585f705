"""Every value inside a message reads in the recipient's language: gate names, fee names,
states and labels, dates and times (in the gate's local time) — whatever language the code
that notified was running in."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from cuakhau.notify import messages
from cuakhau.notify.messages import LANGUAGES, render
from cuakhau.notify.models import Message, MessageStatus
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

from .test_delivery import ZNS_OK

pytestmark = pytest.mark.django_db


def called(gate, key="slots:call:h2", language="zh-hans", phone="+86 138 1234 5678", **extra):
    return notify(
        recipient={"phone": phone},
        language=language,
        template="truck_called_forward",
        context={
            "plate": "25C-123.45",
            "reference": "MLT-4KX7P2Q",
            "gate": gate,
            "deadline": "14:30",
            **extra,
        },
        dedupe_key=key,
    )


def text_of(message: Message) -> str:
    return render(message.template, message.language, message.context).text


def test_the_call_forward_names_the_gate_in_chinese_for_a_chinese_driver(mlt):
    from cuakhau.slots.services import tell_driver

    # As the slots app calls it: a Chinese driver, the gate's name picked by that app.
    trip = SimpleNamespace(
        driver_nationality="CN",
        driver_phone="+86 138 1234 5678",
        tractor_plate="25C-123.45",
        reference="MLT-4KX7P2Q",
    )
    entry = SimpleNamespace(
        pk=4711, trip=trip, gate=mlt, called_at=dt.datetime(2026, 12, 2, 7, 0, tzinfo=dt.UTC)
    )
    tell_driver(entry)

    message = Message.objects.get(dedupe_key="slots.called:4711")
    text = text_of(message)
    assert message.language == "zh-hans"
    assert mlt.name_zh in text
    assert mlt.name_en not in text and mlt.name_vi not in text


@pytest.mark.parametrize("given", ["name_vi", "name_en", "name_zh", "code", "gate"])
@pytest.mark.parametrize(
    "language, name", [("vi", "name_vi"), ("en", "name_en"), ("zh-hans", "name_zh")]
)
def test_a_gate_given_any_way_is_named_in_the_recipients_language(mlt, given, language, name):
    gate = mlt if given == "gate" else getattr(mlt, given)
    message = called(gate, language=language)

    text = text_of(message)
    assert getattr(mlt, name) in text
    others = {mlt.name_vi, mlt.name_en, mlt.name_zh} - {getattr(mlt, name)}
    assert not any(other in text for other in others)


def test_the_page_summary_reads_in_the_readers_language(mlt, monkeypatch):
    template = messages.MessageTemplate(
        code="h2_gate_subject", subject="%(gate)s", text="%(gate)s", params=("gate",)
    )
    monkeypatch.setitem(messages.TEMPLATES, template.code, template)
    message = notify(
        recipient={"phone": "0912345678"},
        language="vi",
        template=template.code,
        context={"gate": mlt},
        dedupe_key="h2:summary",
    )
    for language, name in [("vi", mlt.name_vi), ("en", mlt.name_en), ("zh-hans", mlt.name_zh)]:
        with translation.override(language):
            assert message.summary == name


def test_a_time_is_written_in_each_language_in_the_gates_local_time(mlt):
    mlt.time_zone = "Asia/Shanghai"  # an hour ahead of Hanoi: the gate's clock, not the server's
    deadline = dt.datetime(2026, 12, 2, 7, 30, tzinfo=dt.UTC)
    texts = {
        language: text_of(
            called(mlt, key=f"h2:time:{language}", language=language, deadline=deadline)
        )
        for language in LANGUAGES
    }

    assert all("15:30" in text for text in texts.values())
    assert "02/12/2026 15:30" in texts["vi"]
    assert "2 Dec 2026, 15:30" in texts["en"]
    assert "2026年12月2日 15:30" in texts["zh-hans"]
    assert not any("07:30" in text or "+00:00" in text for text in texts.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_fee_names_states_and_channel_labels_are_in_the_recipients_language(language):
    from cuakhau.notify.models import Channel

    item = {
        "code": "d",
        "label_vi": "Xe tải từ 18 tấn",
        "label_en": "Truck 18 t and over",
        "label_zh": "18吨及以上货车",
        "amount_vnd": 800000,
    }
    label = {"vi": item["label_vi"], "en": item["label_en"], "zh-hans": item["label_zh"]}
    values = {"fee": item, "state": MessageStatus.SENT.label, "channel": Channel.ZNS.label}
    texts = {}
    for name, value in values.items():
        with translation.override("vi"):  # the request that notifies runs in Vietnamese
            message = notify(
                recipient={"phone": "0912345678"},
                language=language,
                template="test_message",
                context={"at": value},
                dedupe_key=f"h2:{name}:{language}",
            )
        texts[name] = text_of(message)

    assert label[language] in texts["fee"]
    with translation.override(language):
        assert str(MessageStatus.SENT.label) in texts["state"]
        assert str(Channel.ZNS.label) in texts["channel"]
    if language != "vi":
        with translation.override("vi"):
            assert str(Channel.ZNS.label) not in texts["channel"]


def test_a_function_is_called_in_the_recipients_language(mlt):
    with translation.override("en"):
        message = notify(
            recipient={"phone": "0912345678"},
            language="zh-hans",
            template="test_message",
            context={"at": lambda: mlt.counterpart},
            dedupe_key="h2:callable",
        )
    with translation.override("zh-hans"):
        expected = str(mlt.counterpart)
    assert text_of(message).count(expected) == 1
    assert mlt.counterpart_name_zh in text_of(message)


def test_zns_gets_the_gate_in_the_template_language(providers, mlt):
    providers.answers = [ZNS_OK]
    message = called(mlt.name_en, key="h2:zns", language="vi", phone="0912345678")
    run_tasks()

    (request,) = providers.requests
    assert request["json"]["template_data"]["gate"] == mlt.name_vi
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
