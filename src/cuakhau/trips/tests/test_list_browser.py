"""The trip list filtered live (htmx) on a phone: a filter it cannot apply replaces the rows
with the refusal, beside the field, and correcting it brings the rows back."""

import pytest

from cuakhau.conftest import PASSWORD, declaration
from cuakhau.core.testing.browser import log_in
from cuakhau.trips import services as trips

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_filter_replaces_the_rows_live_and_a_correct_one_brings_them_back(
    browser, live_server, enterprise, mlt
):
    trip = trips.save_and_submit(enterprise, None, declaration())
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/")
    page.wait_for_selector(f"text={trip.reference}")

    # Until before from: htmx gets a 400 and swaps it in (the form says so).
    page.fill("#id_date_from", "2026-12-20")
    page.fill("#id_date_to", "2026-12-10")
    page.dispatch_event("#id_date_to", "change")
    page.wait_for_selector("#id_date_to_error .error")
    assert page.locator(f"#trip-rows >> text={trip.reference}").count() == 0
    assert page.locator("#trip-rows").inner_text().strip() != ""  # the refusal, said

    # Corrected: the rows are back, the message gone.
    page.fill("#id_date_from", "")
    page.fill("#id_date_to", "")
    page.dispatch_event("#id_date_to", "change")
    page.wait_for_selector(f"#trip-rows >> text={trip.reference}")
    assert page.locator("#id_date_to_error .error").count() == 0
