"""Paying from a phone in real Chromium: VietQR shown, bank confirms, receipt QR displayed."""

import pytest

from cuakhau.conftest import PASSWORD, declaration
from cuakhau.core.testing.browser import log_in
from cuakhau.trips import services as trips

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_by_simulated_transfer_and_show_the_receipt_qr(
    browser, live_server, enterprise, mlt, settings
):
    settings.DEMO_MODE = True
    trip = trips.save_and_submit(enterprise, None, declaration())
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    assert page.locator(".qr.vietqr svg").count() == 1
    assert "800" in page.inner_text("#amount-due")
    page.click("#simulate-transfer")
    page.wait_for_selector("#receipt-link")
    page.click("#receipt-link")
    page.wait_for_selector("#receipt-qr svg")
    number = page.inner_text("#receipt-number")
    assert number.startswith("MLT-")
    trip.refresh_from_db()
    assert trip.status == "paid"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
