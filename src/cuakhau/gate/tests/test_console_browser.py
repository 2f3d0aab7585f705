"""The booth's console in real Chromium: ready for the next truck after every answer, and
still answering, loading and queueing when the network drops."""

import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from stdnum import iso6346

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, banana_line, future
from cuakhau.core.testing.browser import log_in, wait_until
from cuakhau.gate import services
from cuakhau.gate.models import GateEvent, Lane
from cuakhau.reference.validators import normalise_plate
from cuakhau.trips.models import Trip

from .conftest import paid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCAN_READY = "document.activeElement && document.activeElement.id === 'id_scan'"


def load(n: int) -> dict:
    number = f"MSKU{n:06d}"
    return {
        "cargo_lines": [banana_line(container_numbers=[number + iso6346.calc_check_digit(number)])]
    }


@pytest.fixture
def booth(browser, live_server, mlt, lanes):
    operator = create_user("vanhanh", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    page = browser.new_page()
    page.set_viewport_size({"width": 1024, "height": 1280})
    log_in(page, live_server, operator.username, PASSWORD)
    page.operator = operator
    return page


def open_console(page, live_server):
    page.goto(f"{live_server.url}/gate/mlt/console/")
    # The copy of the gate's trucks is saved, and the page with its files kept for offline use.
    wait_until(page, "document.getElementById('snapshot-status').textContent !== ''")
    wait_until(page, "window.cuakhauConsole.shellReady === true")


def assert_ready(page):
    assert page.input_value("#id_scan") == ""
    assert page.evaluate(SCAN_READY)


def test_the_scan_field_is_emptied_and_focused_after_lookup_and_check_in(
    booth, live_server, enterprise
):
    trip = paid(enterprise, expected_arrival=future(1), **load(1))
    open_console(booth, live_server)
    booth.fill("#id_scan", "25c 123 45")
    booth.select_option("#id_lane", "L2")
    booth.click("#lookup")
    booth.wait_for_selector("#do-check_in")
    assert_ready(booth)
    booth.fill("#id_yard_position", "B-03")
    booth.click("#do-check_in")
    booth.wait_for_selector("#result-done")
    wait_until(booth, SCAN_READY)
    assert_ready(booth)
    # The truck is done: its yard position is cleared too, the booth's lane stays.
    assert booth.input_value("#id_yard_position") == ""
    assert booth.input_value("#id_lane") == "L2"
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.visit.yard_position == "B-03"
    # An unknown truck is an answer too.
    booth.fill("#id_scan", "29H-999.99")
    booth.press("#id_scan", "Enter")
    booth.wait_for_selector(".problem")
    assert_ready(booth)


def test_the_plate_key_is_the_servers(booth, live_server):
    open_console(booth, live_server)
    plates = [
        "25C-123.45",
        " 25c 123 45 ",
        "２５Ｃ－１２３．４５",
        "25C ١٢٣.٤٥",
        "25C-۱۲۳.۴۵",
        "२५C-१२३.४५",
        "๒๕C_๑๒๓•๔๕",
        "云G·12345",
        "桂A・D12345",
        "25LD-012.34",
        "𝟐𝟓C-𝟏𝟐𝟑.𝟒𝟓",
        "②⑤C-123.45",
        "25c\u00a0123\u3000.45",
        "ß-25",
    ]
    # Every script's digits, each in a plate.
    zeros = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).digit_zeros"
    )
    plates += ["25C-" + "".join(chr(z + d) for d in (1, 2, 3, 4, 5)) for z in zeros]
    keys = booth.evaluate("(plates) => plates.map(window.cuakhauConsole.plateKey)", plates)
    assert keys == [normalise_plate(p) for p in plates]


def test_offline_lookup_reload_and_queue(booth, live_server, enterprise, mlt, settings):
    coming = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-111.11", **load(2))
    other = paid(enterprise, expected_arrival=future(2), tractor_plate="25C-222.22", **load(3))
    receipt = other.receipts.get()
    open_console(booth, live_server)
    texts = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).texts"
    )
    assert booth.inner_text("#net-status") == texts["online"]
    assert booth.get_attribute("#net-status", "aria-live") == "polite"

    booth.context.set_offline(True)
    wait_until(
        booth,
        "(text) => document.getElementById('net-status').textContent === text",
        arg=texts["offline"],
    )

    # By plate, typed another way: answered from the copy, and said so.
    booth.fill("#id_scan", "25c 111 11")
    booth.click("#lookup")
    booth.wait_for_selector("#result-offline")
    assert booth.inner_text("#offline-answer") == texts["offline_answer"]
    assert texts["age_now"] in booth.inner_text("#offline-age")  # the copy's age, in words
    assert coming.reference in booth.inner_text("#result-offline")
    assert booth.is_visible("#offline-check_in")
    assert_ready(booth)

    # By the receipt's QR: its signature is checked with the published keys, offline.
    booth.fill("#id_scan", receipt.token)
    booth.click("#lookup")
    wait_until(
        booth,
        "(ref) => document.getElementById('result-offline').textContent.includes(ref)",
        arg=other.reference,
    )
    card = booth.inner_text("#result-offline")
    assert receipt.number in card and "⚠" not in card
    assert_ready(booth)

    # The page itself loads offline, from the service worker's copy: a lane opened since is
    # not on it, so it did not come from the server.
    Lane.objects.create(gate=mlt, code="L9")
    response = booth.reload()
    assert response.from_service_worker
    booth.wait_for_selector("#console-form")
    assert booth.locator("#id_lane option[value=L9]").count() == 0
    wait_until(
        booth,
        "(text) => document.getElementById('net-status').textContent === text",
        arg=texts["offline"],
    )

    # Two check-ins queued, described and counted in words.
    for scan, button in (
        (coming.reference, "#offline-check_in"),
        ("25C-222.22", "#offline-check_in"),
    ):
        booth.select_option("#id_lane", "L2")
        booth.fill("#id_scan", scan)
        booth.click("#lookup")
        booth.wait_for_selector(button)
        booth.click(button)
        booth.wait_for_selector("#result-queued")
        assert_ready(booth)
    assert booth.inner_text("#queue-status") == texts["waiting"]["other"].replace("%(n)s", "2")
    queued = booth.inner_text("#queue-list")
    assert "25C-111.11" in queued and "25C-222.22" in queued and "L2" in queued

    # Meanwhile another booth checked the second truck in: the server will refuse it.
    services.check_in(booth.operator, mlt, other.reference, lane="L1")

    booth.context.set_offline(False)
    booth.wait_for_selector("#sent-list li.refused")
    booth.wait_for_selector("#sent-list li.confirmed")
    confirmed = booth.inner_text("#sent-list li.confirmed")
    refused = booth.inner_text("#sent-list li.refused")
    assert "25C-111.11" in confirmed
    reason = GateEvent.objects.get(trip=other, accepted=False).problems[0]["message"]
    assert "25C-222.22" in refused and reason in refused  # the server's reason
    assert booth.is_hidden("#queue")
    assert booth.inner_text("#net-status") in (texts["back_online"], texts["online"])
    assert Trip.objects.get(pk=coming.pk).status == "arrived"
    assert GateEvent.objects.filter(trip=coming, accepted=True).count() == 1


def test_a_truck_queued_offline_is_not_offered_its_action_again(booth, live_server, enterprise):
    """The copy of the gate's trucks still shows a truck as it was before its check-in was
    queued here: scanned again (a scanner reading twice, a second look), it offered the
    check-in again, and the second, sent later, was refused; a second exit flagged its
    receipt as presented again after its use."""
    trip = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-333.33", **load(4))
    open_console(booth, live_server)
    texts = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).texts"
    )
    booth.context.set_offline(True)
    wait_until(
        booth,
        "(text) => document.getElementById('net-status').textContent === text",
        arg=texts["offline"],
    )
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.click("#offline-check_in")
    booth.wait_for_selector("#result-queued")
    booth.fill("#id_scan", "25C 333 33")
    booth.click("#lookup")
    booth.wait_for_selector("#result-offline")
    assert booth.locator("#offline-check_in").count() == 0
    card = booth.inner_text("#result-offline")
    assert texts["already_queued"].split("%(what)s")[0] in card and "25C-333.33" in card
    booth.context.set_offline(False)
    booth.wait_for_selector("#sent-list li.confirmed")
    assert GateEvent.objects.get(trip=trip).accepted


def test_a_button_pressed_online_whose_answer_is_lost_is_sent_as_that_action(
    booth, live_server, enterprise
):
    """The check-in reached the server but its answer was lost on the gate's network: the
    console queued it, and under a new id it was refused, sent, as a truck already inside.
    Queued under its press's id, it is confirmed as the check-in done."""
    trip = paid(enterprise, expected_arrival=future(1), **load(5))
    open_console(booth, live_server)
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.wait_for_selector("#do-check_in")

    def answer_lost(route):
        route.fetch()  # the server checks the truck in
        route.abort()  # and its answer never comes back

    booth.route("**/gate/mlt/console/check_in/", answer_lost)
    booth.click("#do-check_in")
    booth.wait_for_selector("#result-queued")
    assert Trip.objects.get(pk=trip.pk).status == "arrived"
    booth.unroute("**/gate/mlt/console/check_in/")
    booth.evaluate("window.cuakhauConsole.flush()")
    booth.wait_for_selector("#sent-list li.confirmed")
    assert booth.locator("#sent-list li.refused").count() == 0
    [event] = GateEvent.objects.filter(trip=trip)
    assert event.accepted and event.actor == booth.operator


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_the_console_writes_its_times_as_the_pages_do(booth, live_server, enterprise, language):
    """The copy's line and an offline answer's expected time: Django's short format of the
    page's language on the gate's clock (en: 2 Dec 2026, 14:05, never 12/02 in US order)."""
    from django.utils import formats, translation
    from django.utils.dateparse import parse_datetime

    from cuakhau.accounts.services import set_language

    trip = paid(enterprise, expected_arrival=future(3), tractor_plate="25C-777.77", **load(7))
    set_language(booth.operator, language)
    open_console(booth, live_server)
    made = booth.evaluate(
        "JSON.parse(localStorage.getItem('cuakhau-gate-snapshot-mlt')).generated_at"
    )

    def written(moment):
        local = timezone.localtime(moment, zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
        with translation.override(language):
            return formats.date_format(local, "SHORT_DATETIME_FORMAT")

    assert written(parse_datetime(made)) in booth.inner_text("#snapshot-status")
    booth.context.set_offline(True)
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.wait_for_selector("#result-offline")
    assert written(trip.expected_arrival) in booth.inner_text("#result-offline")


def test_a_weight_typed_offline_is_read_as_the_page_writes_numbers(booth, live_server, enterprise):
    """A check-in queued offline on a Vietnamese page with the weighbridge's 24.300 (24,300 kg,
    as the page writes it) was sent as "24.300", read by the API as 24.3 kg and refused once the
    network was back: a truck inside the gate with no visit. The weight is now read as the
    online form reads it and queued as a plain number; one the page cannot read is refused
    beside its field before anything is queued."""
    from cuakhau.accounts.services import set_language

    trip = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-333.33", **load(8))
    set_language(booth.operator, "vi")
    open_console(booth, live_server)
    booth.context.set_offline(True)

    def press_check_in(gross, tare=""):
        booth.fill("#id_scan", trip.reference)
        booth.click("#lookup")
        booth.wait_for_selector("#offline-check_in")
        booth.fill("#id_gross_kg", gross)
        booth.fill("#id_tare_kg", tare)
        booth.click("#offline-check_in")

    texts = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).texts"
    )
    for gross, tare, field, message in (
        ("24.30", "", "gross_kg", texts["number_separators"]),
        ("100", "", "gross_kg", texts["weight_range"]["gross_kg"]),
        ("24.300", "25.000", "tare_kg", texts["tare_below"]),
    ):
        press_check_in(gross, tare)
        booth.wait_for_selector(f"#offline-error-{field}")
        assert booth.inner_text(f"#offline-error-{field}") == message
        assert booth.get_attribute(f"#id_{field}", "aria-invalid") == "true"
        assert booth.evaluate("localStorage.getItem('cuakhau-gate-queue-mlt')") is None
        assert booth.is_visible("#offline-check_in")  # corrected, it is pressed again

    press_check_in("24.300,5", "9.800")
    booth.wait_for_selector("#result-queued")
    assert booth.locator(".field .error").count() == 0
    booth.context.set_offline(False)
    booth.wait_for_selector("#sent-list li.confirmed")
    trip.refresh_from_db()
    assert trip.status == "arrived"
    reading = trip.weighings.get()
    assert (reading.gross_kg, reading.tare_kg) == (Decimal("24300.5"), Decimal("9800"))


@pytest.mark.parametrize(
    ("language", "read", "refused"),
    [
        ("vi", {"２４．３００，５": "24300.5", "２４，３": "24.3", "24\u3000300": "24300"},
         ["２４．３", "٢٤٫٣٠٠"]),
        ("zh-hans", {"２４，３００．５": "24300.5", "２４３００": "24300", "－５": "-5"},
         ["２４，３", "１e３", "＋２４３００", "+24300"]),
    ],
)  # fmt: skip
def test_a_weight_in_wide_or_other_digits_is_read_as_the_server_reads_it(
    booth, live_server, language, read, refused
):
    """A Chinese input method in its wide mode types "２４，３００．５": the online form reads it
    (``core.inputs.number_as_typed``), the offline console refused it as no number."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from cuakhau.accounts.services import set_language
    from cuakhau.core.inputs import read_local_number

    set_language(booth.operator, language)
    open_console(booth, live_server)
    for typed in [*read, *refused]:
        answer = booth.evaluate("(t) => window.cuakhauConsole.plainNumber(t)", typed)
        with translation.override(language):
            try:
                server = read_local_number(typed)
            except ValidationError:
                server = None
        expected = read.get(typed)
        if expected is None:
            assert answer.get("error") and server is None, (typed, answer)
        else:
            assert Decimal(answer["value"]) == Decimal(server) == Decimal(expected), typed


def test_a_shift_change_never_sends_one_operators_queue_under_anothers_name(
    booth, live_server, enterprise, mlt
):
    """Operators change shifts on the booth's one tablet: the check-ins the first queued offline
    were sent, once the network was back, with the second's session, and the audit trail said the
    second checked those trucks in. Each queued action now carries who queued it: only the
    signed-in operator's own are sent, another's stay queued and say whose they are, until that
    operator signs in on the tablet again."""
    first = booth.operator
    second = create_user("vanhanh_ca2", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    theirs = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-555.55", **load(11))
    mine = paid(enterprise, expected_arrival=future(2), tractor_plate="25C-666.66", **load(12))
    open_console(booth, live_server)
    texts = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).texts"
    )

    def queue_offline(trip):
        booth.context.set_offline(True)
        booth.fill("#id_scan", trip.reference)
        booth.click("#lookup")
        booth.wait_for_selector("#offline-check_in")
        booth.click("#offline-check_in")
        booth.wait_for_selector("#result-queued")

    # The first shift queues a check-in offline, and their session ends before the network is
    # back (signed out, or expired): the tablet asks to sign in again, and keeps the queue.
    queue_offline(theirs)
    queued = booth.evaluate("JSON.parse(localStorage.getItem('cuakhau-gate-queue-mlt'))")
    assert [item["event"]["operator_id"] for item in queued] == [first.pk]
    # Ended as signing out ends it: the session is gone on the server and its cookie on the
    # tablet (the sign-out button needs the network the console has not).
    Session.objects.all().delete()
    booth.context.clear_cookies()
    booth.context.set_offline(False)
    wait_until(
        booth,
        "(text) => document.getElementById('queue-status').textContent === text",
        arg=texts["sign_in_again"],
    )
    assert not GateEvent.objects.exists()

    # The second shift signs in: nothing of the first's is sent, and the queue says whose it is.
    log_in(booth, live_server, second.username, PASSWORD)
    open_console(booth, live_server)
    booth.evaluate("window.cuakhauConsole.flush()")
    others = booth.inner_text("#queue-list li.others")
    assert "25C-555.55" in others
    assert texts["queued_by_other"].replace("%(name)s", first.username) in others
    assert not GateEvent.objects.exists()
    assert Trip.objects.get(pk=theirs.pk).status == "paid"

    # The second shift's own action queued offline is sent with their session; the first's stays.
    queue_offline(mine)
    booth.context.set_offline(False)
    booth.wait_for_selector("#sent-list li.confirmed")
    booth.evaluate("window.cuakhauConsole.flush()")
    assert "25C-666.66" in booth.inner_text("#sent-list li.confirmed")
    assert booth.locator("#queue-list li").count() == 1
    assert "25C-555.55" in booth.inner_text("#queue-list li.others")
    arrived = Trip.objects.get(pk=mine.pk)
    assert arrived.status == "arrived"
    assert arrived.transitions.get(to_status="arrived").actor == second
    assert Trip.objects.get(pk=theirs.pk).status == "paid"

    # The first operator signs in again on the tablet: their check-in is sent, in their name.
    booth.evaluate("document.querySelector('form.menu-logout').requestSubmit()")
    booth.wait_for_url(lambda url: "/login/" in url)
    log_in(booth, live_server, first.username, PASSWORD)
    open_console(booth, live_server)
    wait_until(
        booth,
        "(plate) => [...document.querySelectorAll('#sent-list li.confirmed')]"
        ".some((li) => li.textContent.includes(plate))",
        arg="25C-555.55",
    )
    assert booth.is_hidden("#queue")
    checked_in = Trip.objects.get(pk=theirs.pk)
    assert checked_in.status == "arrived"
    assert checked_in.transitions.get(to_status="arrived").actor == first
    event = GateEvent.objects.get(trip=theirs)
    assert event.actor == first and event.payload["operator_id"] == str(first.pk)


KEPT_PAGES = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) out.push(new URL(request.url).pathname);
  }
  return out;
}"""


def signed_in_cookie(page):
    return [c["value"] for c in page.context.cookies() if c["name"] == "cuakhau_signed_in"]


def test_signing_out_drops_the_console_kept_for_offline_use_and_keeps_the_queue(
    booth, live_server, enterprise
):
    """The service worker kept the last operator's console: opened offline after they signed
    out, the tablet showed their page and queued actions in their name (refused from anyone
    else, waiting for ever). Signing out now drops the kept console pages; the actions the
    operator queued stay on the tablet and are sent when they sign in again."""
    from playwright.sync_api import Error as PlaywrightError

    first = booth.operator
    trip = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-444.44", **load(21))
    open_console(booth, live_server)
    assert "/gate/mlt/console/" in booth.evaluate(KEPT_PAGES)
    assert signed_in_cookie(booth) == [str(first.pk)]

    # A check-in queued offline, and the server still out of reach when the shift ends.
    booth.route("**/api/v1/gate/mlt/events", lambda route: route.abort())
    booth.context.set_offline(True)
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.click("#offline-check_in")
    booth.wait_for_selector("#result-queued")
    # Signing out with no network ends nothing: the operator keeps their offline console.
    booth.evaluate("document.querySelector('form.menu-logout').requestSubmit()")
    wait_until(booth, "document.getElementById('net-status').classList.contains('offline')")
    assert "/gate/mlt/console/" in booth.evaluate(KEPT_PAGES)
    assert signed_in_cookie(booth) == [str(first.pk)]
    booth.context.set_offline(False)
    booth.evaluate("window.cuakhauConsole.flush()")
    booth.evaluate("document.querySelector('form.menu-logout').requestSubmit()")
    booth.wait_for_url(lambda url: "/login/" in url)

    # Signed out: no console page kept, no one said signed in; the queue is still there.
    assert "/gate/mlt/console/" not in booth.evaluate(KEPT_PAGES)
    assert signed_in_cookie(booth) == []
    queued = booth.evaluate("JSON.parse(localStorage.getItem('cuakhau-gate-queue-mlt'))")
    assert [item["event"]["operator_id"] for item in queued] == [first.pk]
    booth.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        booth.goto(f"{live_server.url}/gate/mlt/console/")
    booth.context.set_offline(False)

    # The operator signs in again: their check-in is sent, in their name.
    booth.unroute("**/api/v1/gate/mlt/events")
    log_in(booth, live_server, first.username, PASSWORD)
    open_console(booth, live_server)
    booth.wait_for_selector("#sent-list li.confirmed")
    trip.refresh_from_db()
    assert trip.status == "arrived"
    assert trip.transitions.get(to_status="arrived").actor == first


def test_a_console_kept_from_a_session_that_ended_elsewhere_is_not_shown_nor_queues(
    booth, live_server, enterprise
):
    """Signed out from another page (or the session ended): the service worker no longer
    serves the console's copy offline, and a copy loaded anyway (a browser whose worker cannot
    read cookies) queues nothing in the name of someone no longer signed in."""
    from playwright.sync_api import Error as PlaywrightError

    first = booth.operator
    trip = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-454.54", **load(22))
    open_console(booth, live_server)
    texts = booth.evaluate(
        "JSON.parse(document.getElementById('console-config').textContent).texts"
    )
    booth.goto(f"{live_server.url}/profile/")
    booth.evaluate("document.querySelector('form.menu-logout').requestSubmit()")
    booth.wait_for_url(lambda url: "/login/" in url)
    assert signed_in_cookie(booth) == []
    # The console's copy is still kept: the service worker drops it when asked for it offline.
    assert "/gate/mlt/console/" in booth.evaluate(KEPT_PAGES)
    booth.context.set_offline(True)
    with pytest.raises(PlaywrightError):
        booth.goto(f"{live_server.url}/gate/mlt/console/")
    booth.context.set_offline(False)
    booth.goto(f"{live_server.url}/login/")
    assert "/gate/mlt/console/" not in booth.evaluate(KEPT_PAGES)

    # The page's own check: its operator no longer the one signed in, nothing is queued.
    log_in(booth, live_server, first.username, PASSWORD)
    open_console(booth, live_server)
    booth.context.set_offline(True)
    booth.evaluate("document.cookie = 'cuakhau_signed_in=; Max-Age=0; Path=/'")
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.wait_for_selector("#result-offline")
    assert texts["signed_out"] in booth.inner_text("#result-offline")
    assert booth.locator("#offline-check_in").count() == 0
    assert booth.evaluate("localStorage.getItem('cuakhau-gate-queue-mlt')") is None


def test_each_weight_refused_online_is_marked_beside_its_field_at_once(
    booth, live_server, enterprise
):
    """Online, a wrong reading and a wrong tare were said one at a time in the card, no field
    marked. Both are now marked beside their fields in one answer, the first focused, and the
    marks go with the next answer."""
    from cuakhau.accounts.services import set_language

    trip = paid(enterprise, expected_arrival=future(1), tractor_plate="25C-444.44", **load(9))
    set_language(booth.operator, "vi")
    open_console(booth, live_server)
    booth.fill("#id_scan", trip.reference)
    booth.click("#lookup")
    booth.wait_for_selector("#do-check_in")
    booth.fill("#id_gross_kg", "25,400.5")  # a Vietnamese page writes 25.400,5
    booth.fill("#id_tare_kg", "99")
    booth.click("#do-check_in")
    booth.wait_for_selector("#fields-refused")
    for name in ("gross_kg", "tare_kg"):
        assert booth.get_attribute(f"#id_{name}", "aria-invalid") == "true"
        assert booth.inner_text(f"#id_{name}_error")
    assert booth.evaluate("document.activeElement.id") == "id_gross_kg"
    booth.fill("#id_gross_kg", "25.400,5")
    booth.fill("#id_tare_kg", "9.800")
    booth.click("#do-check_in")
    booth.wait_for_selector("#result-done")
    assert booth.locator("#console-form [aria-invalid=true], #console-form .error").count() == 0
    trip.refresh_from_db()
    assert (trip.weighings.get().gross_kg, trip.weighings.get().tare_kg) == (
        Decimal("25400.5"),
        Decimal("9800"),
    )
