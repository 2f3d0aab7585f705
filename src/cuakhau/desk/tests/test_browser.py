"""From filing to result in real Chromium: an applicant files online with a PDF, a desk officer
moves the file through its stages, and the applicant follows it with the code and phone."""

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in
from cuakhau.desk.models import Application

from .conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_application_from_filing_to_result(
    browser, live_server, catalogue, desk_officer, tmp_path
):
    document = tmp_path / "don-de-nghi-dieu-chinh.pdf"
    document.write_bytes(PDF)
    page = browser.new_page()

    # The applicant, without an account.
    page.goto(f"{live_server.url}/desk/apply/?procedure={catalogue.key}")
    page.fill("#id_applicant_name", "Lò Thị Mai")
    page.fill("#id_organisation_name", "Công ty TNHH Thương mại Ma Lù Thàng")
    page.fill("#id_phone", "0912 345 678")
    page.set_input_files("#id_documents", str(document))
    page.click("button[type=submit]")
    page.wait_for_selector(".receipt")
    code = page.inner_text("h1 .ref").strip()
    application = Application.objects.get(code=code)
    assert page.inner_text(".appointment") == application.due_date.strftime("%d/%m/%Y")

    # The desk officer.
    browser.clear_cookies()
    log_in(page, live_server, desk_officer.username, PASSWORD)
    page.goto(f"{live_server.url}/desk/queue/")
    page.click(f"text={code}")
    for action in ("transfer", "start"):
        page.click(f"form[data-action={action}] button")
        page.wait_for_selector(
            f".status[data-status={'transferred' if action == 'transfer' else 'processing'}]"
        )
    page.fill(
        "form[data-action=ready] input[name=result_note]",
        "Giấy chứng nhận đăng ký đầu tư điều chỉnh",
    )
    page.click("form[data-action=ready] button")
    page.wait_for_selector(".status[data-status=result_ready]")
    page.click("form[data-action=return] button")
    page.wait_for_selector(".status[data-status=returned]")

    # The applicant again, on another day: code and phone.
    browser.clear_cookies()
    page.goto(f"{live_server.url}/desk/track/")
    page.fill("#id_code", code.lower())
    page.fill("#id_phone", "+84912345678")
    page.click("button[type=submit]")
    page.wait_for_selector(".status[data-status=returned]")
    assert "Giấy chứng nhận đăng ký đầu tư điều chỉnh" in page.inner_text(".receipt")
    application.refresh_from_db()
    assert [t.action for t in application.transitions.all()] == [
        "file",
        "transfer",
        "start",
        "ready",
        "return",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_visitor_on_a_phone_reaches_the_open_pages_from_the_menu(browser, live_server, catalogue):
    from cuakhau.core.testing.layout import horizontal_overflow, small_targets

    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/desk/track/")
    assert not page.is_visible(".menu nav a[href='/desk/apply/']")
    page.click(".menu > summary")
    links = page.eval_on_selector_all(
        ".menu nav a",
        """els => els.map(el => {
          const box = el.getBoundingClientRect();
          return {href: el.getAttribute('href'), left: box.left, right: box.right,
                  width: box.width, height: box.height};
        })""",
    )
    hrefs = {link["href"] for link in links}
    assert {"/desk/apply/", "/desk/track/", "/slots/wait-times/", "/login/"} <= hrefs
    for link in links:
        assert link["left"] >= 0 and link["right"] <= 390, link
        assert link["width"] >= 44 and link["height"] >= 44, link
    assert horizontal_overflow(page) == 0
    assert small_targets(page) == []
    page.click(".menu nav a[href='/desk/apply/']")
    page.wait_for_url("**/desk/apply/")
    assert page.locator("#id_applicant_name").count() == 1
