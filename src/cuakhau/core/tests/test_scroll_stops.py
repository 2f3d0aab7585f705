"""Every table's scroll box was a tab stop, even on a wide screen where nothing in it scrolls:
a keyboard user tabbed through one empty stop per table. It is a stop only while its table is
wider than the box (``static/cuakhau/page.js``), again when the window is narrowed."""

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOXES = """() => [...document.querySelectorAll(".table-scroll")].map(box => ({
  scrolls: box.scrollWidth > box.clientWidth + 1, stop: box.tabIndex === 0}))"""


def test_a_table_box_is_a_tab_stop_only_while_it_scrolls(browser, live_server, operator, mlt):
    page = browser.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/gate/kpi/")
    boxes = page.evaluate(BOXES)
    assert boxes and not any(box["scrolls"] for box in boxes), boxes
    assert not any(box["stop"] for box in boxes), boxes
    # Narrowed to a small phone: the tables that no longer fit are reached by the keyboard.
    page.set_viewport_size({"width": 320, "height": 700})
    page.wait_for_function(
        """() => [...document.querySelectorAll(".table-scroll")]
          .some(box => box.scrollWidth > box.clientWidth + 1)"""
    )
    boxes = page.evaluate(BOXES)
    assert any(box["scrolls"] for box in boxes)
    assert all(box["stop"] == box["scrolls"] for box in boxes), boxes
