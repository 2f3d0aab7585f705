"""Every template has its text in vi, en and zh-hans; the notifications page shows attempts."""

import pytest

from cuakhau.notify.messages import LANGUAGES, TEMPLATES, render
from cuakhau.notify.recipients import normalise_phone
from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_each_template_reads_differently_in_each_language(code):
    context = {p: f"<{p}>" for p in TEMPLATES[code].params}
    texts = {lang: render(code, lang, context) for lang in LANGUAGES}
    assert len({t.text for t in texts.values()}) == 3
    assert len({t.subject for t in texts.values()}) == 3
    for rendered in texts.values():
        assert all(f"<{p}>" in rendered.text for p in TEMPLATES[code].params)


@pytest.mark.parametrize(
    "raw, phone",
    [
        ("0912 345 678", "84912345678"),
        ("+84 (0)912-345-678".replace("(0)", ""), "84912345678"),
        ("84912345678", "84912345678"),
        ("+86 138 1234 5678", "8613812345678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_to_their_country_code(raw, phone):
    assert normalise_phone(raw) == phone


@pytest.mark.django_db
def test_the_auditor_sees_messages_and_their_attempts(client, auditor):
    message = notify(
        recipient={"phone": "0912345678"},
        language="vi",
        template="test_message",
        context={"at": "10:00"},
        dedupe_key="page-test",
    )
    run_tasks()
    client.force_login(auditor)
    listing = client.get("/notify/messages/?status=sent")
    assert listing.status_code == 200 and b"84912345678" in listing.content
    assert b"84912345678" not in client.get("/notify/messages/?status=failed").content
    detail = client.get(f"/notify/messages/{message.pk}/")
    assert detail.status_code == 200
    assert f"console-{message.uid}".encode() in detail.content
