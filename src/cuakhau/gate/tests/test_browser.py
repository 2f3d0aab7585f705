"""A truck walked through the smart gate in real Chromium: check-in at the console, a red-channel
physical inspection, border-guard check, and exit — on a tablet-sized screen."""

import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, declaration, steel_line
from cuakhau.core.testing.browser import log_in
from cuakhau.gate.models import Lane
from cuakhau.payments import services as payments
from cuakhau.risk import services as risk
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_red_channel_inspection_and_exit(browser, live_server, enterprise, mlt):
    risk.install_default_ruleset()
    # The customs manager watches hot-rolled steel this month: enough alone for the red channel.
    risk.new_ruleset_version(
        None,
        [{"kind": "hs_watch", "params": {"prefixes": ["7208"]}, "score": 70}],
        "Thép cán nóng: kiểm tra tháng 11",
    )
    for n in (1, 2):
        Lane.objects.get_or_create(gate=mlt, code=f"L{n}")
    operator = create_user("vanhanh", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    customs = create_user("haiquan", PASSWORD, roles.CUSTOMS, gates=[mlt])
    guard = create_user("bienphong", PASSWORD, roles.BORDER_GUARD, gates=[mlt])
    trip = trips.save_and_submit(
        enterprise, None, declaration(direction="import", cargo_lines=[steel_line()])
    )
    payments.simulate_bank_transfer(trip)

    booth = browser.new_page()
    booth.set_viewport_size({"width": 800, "height": 1280})
    log_in(booth, live_server, operator.username, PASSWORD)
    booth.goto(f"{live_server.url}/gate/mlt/console/")
    booth.fill("#id_scan", trip.reference)
    booth.select_option("#id_lane", "L1")
    booth.fill("#id_yard_position", "C-07")
    booth.click("#lookup")
    booth.wait_for_selector("#do-check_in")
    booth.click("#do-check_in")
    booth.wait_for_selector("#result-done")
    assert Trip.objects.get(pk=trip.pk).status == "arrived"

    browser.clear_cookies()
    officer = browser.new_page()
    log_in(officer, live_server, customs.username, PASSWORD)
    officer.goto(f"{live_server.url}/inspections/")
    officer.click(f"text={trip.reference}")
    # The click navigates: wait for the trip's page before reading its language.
    officer.wait_for_selector("#channel")
    # The channel in words, in the officer's language (Vietnamese by default), never the code.
    from django.utils import translation

    from cuakhau.core.templatetags.labels import words

    with translation.override(officer.evaluate("document.documentElement.lang")):
        assert officer.inner_text("#channel") == str(words("channel", "red"))
    assert officer.get_attribute("#channel", "class").split()[-1] == "channel-red"
    assert "7208" in officer.inner_text(".reasons")
    officer.click("#start-inspection")
    officer.select_option("#result", "pass")
    officer.fill("#notes", "Kiểm tra thực tế: đúng chủng loại, đủ số lượng.")
    officer.click("#record-result")
    officer.wait_for_selector(".message.success")

    browser.clear_cookies()
    border = browser.new_page()
    log_in(border, live_server, guard.username, PASSWORD)
    border.goto(f"{live_server.url}/inspections/{trip.reference}/")
    border.select_option("#result", "pass")
    border.click("#record-result")
    border.wait_for_selector("#trip-status")
    assert Trip.objects.get(pk=trip.pk).status == "cleared"

    browser.clear_cookies()
    log_in(booth, live_server, operator.username, PASSWORD)
    booth.goto(f"{live_server.url}/gate/mlt/console/")
    booth.fill("#id_scan", "25C-123.45")
    booth.click("#lookup")
    booth.wait_for_selector("#do-exit")
    booth.click("#do-exit")
    booth.wait_for_selector("#result-done")
    trip.refresh_from_db()
    assert trip.status == "exited"
    assert trip.receipts.get().used_at is not None
    assert [t.action for t in trip.transitions.all()] == [
        "create",
        "submit",
        "pay",
        "check_in",
        "clear",
        "exit",
    ]
