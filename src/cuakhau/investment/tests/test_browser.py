"""The register on a phone, in real Chromium: the board filters the list, reads the totals and
imports a spreadsheet through its preview; the page never scrolls sideways."""

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in
from cuakhau.investment.models import InvestmentProject
from cuakhau.investment.tests.test_import import FOREIGN, GOOD, HEADER, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_board_imports_and_filters_on_a_phone(browser, live_server, board, tmp_path):
    workbook = tmp_path / "du-an-2024.xlsx"
    workbook.write_bytes(xlsx_bytes([HEADER, GOOD, FOREIGN]))
    page = browser.new_page()
    log_in(page, live_server, board.username, PASSWORD)

    page.goto(f"{live_server.url}/investment/import/")
    page.set_input_files("#id_file", str(workbook))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-preview")
    assert fits(page), "the preview must fit a phone screen"
    assert not InvestmentProject.objects.exists()
    page.click("#import-preview button[type=submit]")
    page.wait_for_selector("#zone-totals")
    assert InvestmentProject.objects.count() == 2
    # 45 + 72.8 billion đồng, in the Vietnamese format of a Vietnamese phone.
    assert page.inner_text("[data-total=registered]") == "117.800.000.000 ₫"
    assert fits(page), "the list must fit a phone screen"

    page.select_option("#id_country", "CN")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("[data-total=count]")
    assert page.inner_text("[data-total=count]") == "1"
    assert page.locator("#projects tbody tr").count() == 1
    page.click("#projects a.ref")
    page.wait_for_selector("text=MLT-102")
    assert fits(page)
