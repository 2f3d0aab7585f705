"""The notifications list refuses a filter it cannot read: the message beside the field, HTTP
400, and no message rather than every one (``core.listing``)."""

import pytest

from cuakhau.notify.services import notify
from cuakhau.notify.testing import run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(db):
    message = notify(
        recipient={"phone": "0912345678"},
        language="vi",
        template="test_message",
        context={"at": "10:00"},
        dedupe_key="filter-test",
    )
    run_tasks()
    return message


@pytest.mark.parametrize(
    "query, field",
    [
        ({"status": "lost"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"status": "sent", "channel": "sms\x00"}, "channel"),
        ({"status": "٢"}, "status"),
        ({"channel": "x" * 1000}, "channel"),
    ],
)
def test_an_unknown_filter_is_refused_beside_its_field_and_lists_no_message(
    client, auditor, sent, query, field
):
    client.force_login(auditor)
    assert b"84912345678" in client.get("/notify/messages/").content
    response = client.get("/notify/messages/", query)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="{field}"' in html and 'id="list-refused"' in html
    assert "84912345678" not in html


@pytest.mark.parametrize("page", ["abc", "0", "٢", "9" * 40, "2"])
def test_a_page_that_is_none_of_the_list_is_refused(client, auditor, sent, page):
    client.force_login(auditor)
    response = client.get("/notify/messages/", {"page": page})
    assert response.status_code == 400
    assert b'id="list-refused"' in response.content and b"84912345678" not in response.content


def test_the_valid_filters_still_filter(client, auditor, sent):
    client.force_login(auditor)
    shown = client.get("/notify/messages/", {"status": "sent", "channel": ""})
    assert shown.status_code == 200 and b"84912345678" in shown.content
    hidden = client.get("/notify/messages/", {"channel": "email"})
    assert hidden.status_code == 200 and b"84912345678" not in hidden.content
