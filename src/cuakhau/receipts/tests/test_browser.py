"""Revoking a receipt end to end in Debian's Chromium, on a phone: the gate's cashier opens the
receipt from the trip page, is refused without a reason (beside the field), then revokes it as
refunded; the page says so and offers nothing more to revoke; the trip's fees are due again. axe-core finds nothing serious on the receipt page with its form."""

import pytest

from cuakhau.conftest import PASSWORD, declaration
from cuakhau.core.testing.browser import PHONE, log_in
from cuakhau.core.testing.layout import axe_violations, horizontal_overflow
from cuakhau.payments import services as payments
from cuakhau.receipts import services
from cuakhau.trips import services as trips

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cashier_revokes_a_receipt_on_a_phone(browser, live_server, enterprise, operator):
    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    receipt = services.valid_receipt_of(trip)
    page = browser.new_page()
    assert page.viewport_size == PHONE

    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/receipts/{receipt.number}/")
    page.click("#revoke > summary")
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    page.check("input[name=kind][value=refunded]")
    with page.expect_navigation():
        page.click("#revoke-receipt")  # no reason given
    error = page.locator('p.error[data-field="reason"]')
    assert error.count() == 1 and error.inner_text().strip()
    assert page.locator("input[name=kind][value=refunded]").is_checked()  # kept as chosen
    receipt.refresh_from_db()
    assert receipt.status == "valid"
    page.fill("#id_reason", "Paid twice: the bank sent the first transfer back.")
    with page.expect_navigation():
        page.click("#revoke-receipt")
    assert page.url.endswith(f"/receipts/{receipt.number}/")
    assert receipt.number in page.locator(".message.success").inner_text()
    assert page.locator("#receipt-number ~ .badge.rejected").count() == 1
    assert page.locator("#revoke").count() == 0
    receipt.refresh_from_db()
    assert receipt.status == "revoked" and receipt.revoked_by == operator

    # The enterprise, on its phone: the trip waits for its fees again.
    browser.clear_cookies()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    assert horizontal_overflow(page) == 0
    trip.refresh_from_db()
    assert trip.status == "submitted"
