"""What the booth's console keeps for offline use: only its gate's trucks of the day, only
what the booth needs; the service worker that keeps the page; the texts the script shows."""

import datetime as dt
import json
import re
import unicodedata

import pytest
from django.utils import timezone
from django.utils.translation import override
from stdnum import iso6346

from cuakhau.conftest import PASSWORD, banana_line, declaration, future
from cuakhau.gate import services
from cuakhau.gate.snapshot import console_snapshot, digit_zeros
from cuakhau.trips import services as trips

from .conftest import paid

pytestmark = pytest.mark.django_db

BOOTH_FIELDS = {
    "reference",
    "tractor_plate",
    "trailer_plate",
    "plate_keys",
    "status",
    "direction",
    "expected_arrival",
    "arrived_at",
    "receipts",
}


def load(n: int) -> dict:
    """A declaration's cargo in its own container (a container rides one active trip)."""
    number = f"CSQU{n:06d}"
    return {
        "cargo_lines": [banana_line(container_numbers=[number + iso6346.calc_check_digit(number)])]
    }


@pytest.fixture
def day(enterprise, other_enterprise, mlt, hng, operator, lanes):
    """Ma Lù Thàng's day: a paid truck due soon, one inside, one unpaid, one due next week, a
    draft; and a paid truck of Hữu Nghị, whose operator's console must never hold it."""
    soon = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-111.11", **load(1))
    inside = paid(enterprise, expected_arrival=future(2), tractor_plate="25C-222.22", **load(2))
    services.check_in(operator, mlt, inside.reference, lane="L1")
    unpaid = trips.save_and_submit(
        enterprise,
        None,
        declaration(expected_arrival=future(3), tractor_plate="25C-333.33", **load(90)),
    )
    next_week = paid(
        enterprise, expected_arrival=future(24 * 7), tractor_plate="25C-444.44", **load(3)
    )
    draft = trips.create_draft(enterprise, declaration(expected_arrival=future(1), **load(91)))
    elsewhere = paid(
        other_enterprise, gate="hng", expected_arrival=future(1), tractor_plate="12C-555.55"
    )
    return locals()


def test_the_snapshot_holds_the_gates_trucks_of_the_day_and_nothing_else(day, mlt):
    snapshot = console_snapshot(mlt)
    rows = {row["reference"]: row for row in snapshot["trips"]}
    assert set(rows) == {day["soon"].reference, day["inside"].reference, day["unpaid"].reference}
    for row in rows.values():
        assert set(row) == BOOTH_FIELDS
    soon = rows[day["soon"].reference]
    assert soon["status"] == "paid" and soon["plate_keys"] == ["25C11111", "25R01234"]
    assert soon["receipts"] == [{"number": day["soon"].receipts.get().number, "state": "valid"}]
    assert rows[day["inside"].reference]["arrived_at"] is not None
    assert rows[day["unpaid"].reference]["receipts"] == []
    # The published keys, for checking a scanned receipt's signature offline.
    assert snapshot["gate"] == "mlt" and snapshot["jwks"]["keys"]
    text = json.dumps(snapshot)
    for absent in ("elsewhere", "draft", "next_week"):
        assert day[absent].reference not in text
    # Nothing about the people or the cargo.
    assert "Lò Văn Páo" not in text and "012345678901" not in text


def test_a_truck_inside_since_yesterday_stays_in_the_copy(day, mlt):
    later = timezone.now() + dt.timedelta(days=3)
    references = {row["reference"] for row in console_snapshot(mlt, now=later)["trips"]}
    assert references == {day["inside"].reference}


def test_the_snapshot_page_is_the_operators_json(day, client, operator):
    client.force_login(operator)
    response = client.get("/gate/mlt/console/snapshot/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert day["soon"].reference in {row["reference"] for row in response.json()["trips"]}
    # Another gate's snapshot is not this operator's.
    assert client.get("/gate/hng/console/snapshot/").status_code in (403, 404)


def test_the_digit_table_gives_every_scripts_digits():
    zeros = digit_zeros()
    assert 0x0660 in zeros and 0xFF10 in zeros and 0x0966 in zeros and 0x30 not in zeros
    for zero in zeros:
        assert [unicodedata.decimal(chr(zero + n)) for n in range(10)] == list(range(10))
    every = {cp for cp in range(0x80, 0x110000) if unicodedata.decimal(chr(cp), None) is not None}
    assert every == {zero + n for zero in zeros for n in range(10)}


def test_the_service_worker_keeps_the_app_shell(client):
    response = client.get("/gate/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/gate/"
    body = response.content.decode()
    assert "/static/gate/console.js" in body and "/static/cuakhau/app.css" in body
    assert "htmx" in body


def test_the_service_worker_answers_with_the_production_static_storage(client, settings, tmp_path):
    """Served files are named by their hash (the manifest ``collectstatic`` writes): the worker
    lists those names, and the static prefix is no file of the manifest's (it answered 500)."""
    shell = ["cuakhau/app.css", "gate/console.js", "django_htmx/htmx-2.min.js"]
    hashed = {name: name.replace(".", ".0123abcd.", 1) for name in shell}
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": hashed, "version": "1.1", "hash": "0123abcd"})
    )
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        },
    }
    response = client.get("/gate/sw.js")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f"/static/{name}" in body for name in hashed.values()), body
    assert '"static_url": "/static/"' in body


@pytest.mark.parametrize(
    ("language", "online", "waiting"),
    [
        ("vi", "Trực tuyến", "2 thao tác đang chờ gửi"),
        ("en", "Online", "2 actions waiting to be sent"),
        ("zh-hans", "在线", "2 项操作等待发送"),
    ],
)
def test_the_console_hands_its_script_translated_texts(
    client, operator, lanes, language, online, waiting
):
    client.force_login(operator)
    with override(language):
        response = client.get("/gate/mlt/console/", HTTP_ACCEPT_LANGUAGE=language)
    config = response.context["console_config"]
    texts = config["texts"]
    assert texts["online"] == online
    assert texts["waiting"]["other"].replace("%(n)s", "2") == waiting
    assert texts["statuses"]["paid"] and texts["directions"]["export"]
    assert config["snapshot_url"] == "/gate/mlt/console/snapshot/"
    assert 'id="console-config"' in response.content.decode()


def test_the_card_names_the_scanned_truck_for_its_action(client, operator, enterprise, lanes):
    trip = paid(enterprise, expected_arrival=future(1), **load(4))
    client.force_login(operator)
    response = client.post("/gate/mlt/console/scan/", {"scan": trip.reference})
    html = response.content.decode()
    assert f'id="card-scan" value="{trip.reference}"' in html
    assert "#card-scan" in html


@pytest.mark.parametrize(
    ("language", "datetime_format", "december"),
    [
        ("vi", "d/m/Y H:i", "Tháng 12"),
        ("en", "j M Y, H:i", "Dec"),
        ("zh-hans", "Y年n月j日 H:i", "十二月"),
    ],
)
def test_the_console_writes_times_with_the_projects_formats(
    client, operator, lanes, language, datetime_format, december
):
    from cuakhau.accounts.services import set_language
    from cuakhau.gate.snapshot import SCRIPT_FORMAT_CHARACTERS

    set_language(operator, language)
    client.force_login(operator)
    config = client.get("/gate/mlt/console/").context["console_config"]
    written = config["formats"]
    assert written["datetime"] == datetime_format and written["time"] == "H:i"
    assert written["months"]["M"][11] == december
    # Every letter of the formats is one the script writes (a backslash escapes one).
    for text in (written["datetime"], written["time"]):
        letters = [c for c in re.sub(r"\\.", "", text) if c.isascii() and c.isalpha()]
        assert set(letters) <= SCRIPT_FORMAT_CHARACTERS, text


def test_the_browser_is_told_who_is_signed_in_for_the_consoles_offline_copy(
    client, operator, lanes
):
    """The console's copy kept offline is served, and queues, only for the person signed in:
    the browser is told who that is (a cookie its scripts read, the session's being
    HttpOnly), from signing in to signing out, and signing out drops its HTTP cache too."""
    from django.contrib.sessions.models import Session
    from django.test import Client

    from cuakhau.accounts.services import issue_token

    signed_in = client.post("/login/", {"username": operator.username, "password": PASSWORD})
    assert signed_in.status_code == 302
    cookie = signed_in.cookies["cuakhau_signed_in"]
    assert cookie.value == str(operator.pk) and not cookie["httponly"]
    assert cookie["max-age"] == client.session.get_expiry_age()
    page = client.get("/gate/mlt/console/")
    assert page["X-Console-Operator"] == str(operator.pk)
    assert "cuakhau_signed_in" not in page.cookies  # said once, not on every answer

    signed_out = client.post("/logout/")
    assert signed_out.cookies["cuakhau_signed_in"]["max-age"] == 0
    assert signed_out["Clear-Site-Data"] == '"cache"'

    # A session ended on the server: the next answer says no one is signed in.
    client.post("/login/", {"username": operator.username, "password": PASSWORD})
    Session.objects.all().delete()
    ended = client.get("/login/")
    assert ended.cookies["cuakhau_signed_in"]["max-age"] == 0
    # A token's caller has no session in a browser: nothing said.
    _token, key = issue_token(operator, "booth")
    answer = Client().post(
        "/api/v1/gate/mlt/lookup",
        {"scan": "29H-999.99"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert answer.status_code == 200, answer.content
    assert "cuakhau_signed_in" not in answer.cookies and "Clear-Site-Data" not in answer
