"""The declaration's "Add a cargo line" button on a phone, when the server refuses the line or
the phone has no signal: htmx swaps nothing then, and the tap did nothing a person could see."""

import pytest
from django.utils import translation

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in, wait_until
from cuakhau.trips import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSAL = "#add-line + [data-request-refused][role=alert]"


def test_a_line_refused_or_unsent_says_why_beside_the_button(browser, live_server, enterprise):
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/new/")
    language = page.evaluate("document.documentElement.lang")
    lines = page.locator("#cargo-lines .cargo-line").count()
    page.click("#add-line")
    counted = "document.querySelectorAll('#cargo-lines .cargo-line').length === "
    wait_until(page, f"{counted}{lines + 1}")
    assert page.locator("#cargo-lines .cargo-line").count() == lines + 1
    assert page.locator(REFUSAL).count() == 0

    # The fiftieth line is the last: the next is refused, in the reader's language, as a sentence.
    page.evaluate(
        "n => { document.querySelector('#id_lines-TOTAL_FORMS').value = String(n) }",
        services.MAX_CARGO_LINES,
    )
    page.click("#add-line")
    wait_until(page, f"!!document.querySelector({REFUSAL!r})")
    with translation.override(language):
        said = translation.gettext("At most %(n)d cargo lines per trip.") % {
            "n": services.MAX_CARGO_LINES
        }
    assert page.inner_text(REFUSAL) == said
    assert page.is_visible(REFUSAL)

    # No signal: nothing was sent, and the button says so (once, not a note per tap).
    page.context.set_offline(True)
    page.click("#add-line")
    page.click("#add-line")
    with translation.override(language):
        unsent = translation.gettext(
            "No connection: nothing was sent. Try again when the phone has a signal."
        )
    wait_until(page, f"document.querySelector({REFUSAL!r}).textContent === {unsent!r}")
    assert page.locator("[data-request-refused]").count() == 1

    # With the signal back and a line the form can take, the note goes and the line comes.
    page.context.set_offline(False)
    page.evaluate(
        "n => { document.querySelector('#id_lines-TOTAL_FORMS').value = String(n) }", lines + 1
    )
    page.click("#add-line")
    wait_until(page, f"!document.querySelector({REFUSAL!r}) && {counted}{lines + 2}")
