"""The console's card after a check-in: the channel just given, in words, and when the truck
was expected, on the gate's clock in the reader's language."""

import datetime as dt
import re
import zoneinfo

import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, ensure_role_groups, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.risk.choices import RiskChannel, RuleKind
from cuakhau.risk.services import current_assessment

from .conftest import paid
from .test_console_offline import load

pytestmark = pytest.mark.django_db

GATE_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def expected_at() -> dt.datetime:
    """14:05 at the gate (UTC+7) in three days: 07:05 UTC, which no UTC server shows as such."""
    day = dt.datetime.now(GATE_ZONE).date() + dt.timedelta(days=3)
    return dt.datetime(day.year, day.month, day.day, 14, 5, tzinfo=GATE_ZONE)


def written(language: str, moment: dt.datetime) -> str:
    """As Django's formats of the project write a short date and time (``cuakhau.formats``)."""
    d = moment.astimezone(GATE_ZONE)
    return {
        "vi": f"{d:%d/%m/%Y} 14:05",
        "en": f"{d.day} {MONTHS[d.month - 1]} {d.year}, 14:05",
        "zh-hans": f"{d.year}年{d.month}月{d.day}日 14:05",
    }[language]


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def done_card(client, user, trip, language: str) -> str:
    set_language(user, language)
    client.force_login(user)
    response = client.post("/gate/mlt/console/check_in/", {"scan": trip.reference})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="result-done"' in html, html
    return html


def facts(html: str, name: str) -> str:
    match = re.search(rf'<dd id="done-{name}">(.*?)</dd>', html, re.S)
    assert match, f"no {name} on the card"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_the_card_shows_the_channel_given_and_the_expected_arrival(
    client, operator, enterprise, lanes, settings, language
):
    settings.TIME_ZONE = "UTC"  # the server's clock is not the gate's
    trip = paid(enterprise, expected_arrival=expected_at(), **load(40))
    html = done_card(client, operator, trip, language)
    given = current_assessment(trip)
    assert given is not None
    from django.utils import translation

    with translation.override(language):
        label = str(dict(RiskChannel.choices)[given.channel])
    channel = facts(html, "channel")
    assert channel == label
    assert f"channel-{given.channel}" in html
    assert facts(html, "expected") == written(language, trip.expected_arrival)
    # An operator is told the channel, never why.
    assert 'id="done-reasons"' not in html


def test_a_reader_of_the_reasons_sees_their_labels(client, mlt, enterprise, lanes):
    # An operator who is also a customs officer, who may read an assessment's reasons.
    user = create_user("vanhanh2", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    user.groups.add(ensure_role_groups()[roles.CUSTOMS])
    trip = paid(enterprise, expected_arrival=expected_at(), **load(41))
    html = done_card(client, user, trip, "en")
    given = current_assessment(trip)
    kinds = dict(RuleKind.choices)
    expected = list(
        dict.fromkeys(str(kinds[r["kind"]]) for r in given.reasons if r["kind"] in kinds)
    )
    assert expected, "the first trip of an enterprise gives a reason"
    listed = re.findall(r"<li>(.*?)</li>", html.split('id="done-reasons"')[1].split("</ul>")[0])
    assert listed == expected
    for reason in given.reasons:
        assert reason["kind"] not in listed
