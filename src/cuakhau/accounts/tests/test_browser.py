"""On a phone, in Vietnamese: a token made for 90 days, then a sign-in locked by wrong passwords."""

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lock_out(page, live_server, username):
    """Five wrong passwords in a row: the sign-in of this username from here is locked."""
    for _ in range(5):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "mat-khau-sai")
        page.click("button[type=submit]")
        page.wait_for_load_state()


def test_a_token_for_90_days_and_a_locked_sign_in(browser, live_server, enterprise, tmp_path):
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    page.fill("#id_name", "cân điện tử")
    page.select_option("#id_expires", "90")
    page.fill("#id_token_password", PASSWORD)
    page.click("button:text-is('Tạo mã truy cập')")
    page.wait_for_selector("#new-token")
    row = page.locator("#tokens tr[data-state=active]")
    assert "cân điện tử" in row.inner_text()
    assert "còn hiệu lực" in row.inner_text()
    page.screenshot(path=tmp_path / "profile.png", full_page=True)

    # A past day is refused on its field, and no token is made.
    page.fill("#id_name", "máy tính bảng chốt 2")
    page.select_option("#id_expires", "date")
    page.fill("#id_expires_on", "2020-01-31")
    page.fill("#id_token_password", PASSWORD)
    page.click("button:text-is('Tạo mã truy cập')")
    page.wait_for_selector('.error[data-field="expires_on"]')
    assert enterprise.api_tokens.count() == 1

    # Signing out sits in the top bar's menu, closed until opened (a phone's disclosure).
    page.click("details.menu > summary")
    page.click("text=Đăng xuất")
    lock_out(page, live_server, enterprise.username)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", enterprise.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#locked-out")
    assert "Hãy thử lại sau 15 phút" in page.inner_text("#locked-out")
    assert "/login/" in page.url  # not let in
    page.screenshot(path=tmp_path / "locked.png", full_page=True)


def test_a_locked_out_person_chooses_a_new_password_from_the_emailed_link(
    browser, live_server, enterprise, mailoutbox
):
    from cuakhau.accounts.services import set_email
    from cuakhau.core.testing.layout import axe_violations, horizontal_overflow

    set_email(enterprise, "xuatnhapkhau@phongtho.com.vn")
    page = browser.new_page()
    lock_out(page, live_server, enterprise.username)
    page.click("#forgot-password")
    # A slip first: the field says what is wrong, nothing is sent.
    page.fill("#id_email", "xuatnhapkhau.phongtho.com.vn")
    page.click("button[type=submit]")
    page.wait_for_selector('.error[data-field="email"]')
    assert not mailoutbox
    assert axe_violations(page) == [] and not horizontal_overflow(page)
    page.fill("#id_email", "xuatnhapkhau@phongtho.com.vn")
    page.click("button[type=submit]")
    page.wait_for_selector("#reset-sent")
    assert "Hãy kiểm tra e-mail của bạn" in page.inner_text("h1")
    link = next(w for w in mailoutbox[0].body.split() if w.startswith("http"))
    page.goto(link)
    page.fill("#id_new_password1", "Ma Lù Thàng, Lai Châu 2026")
    page.fill("#id_new_password2", "Ma Lù Thàng, Lai Châu 2026")
    page.click("button[type=submit]")
    page.wait_for_selector("#reset-complete")
    assert axe_violations(page) == [] and not horizontal_overflow(page)
    page.click("a.button.primary")
    page.fill("#id_username", enterprise.username)
    page.fill("#id_password", "Ma Lù Thàng, Lai Châu 2026")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/trips/")


def test_the_token_section_fits_a_phone_and_copies_the_secret(browser, live_server, enterprise):
    """At 360 px the new secret ran past the screen, and the table's Revoke button with it."""
    browser.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/profile/")
    page.fill("#id_name", "máy tính bảng chốt 2")
    page.fill("#id_token_password", PASSWORD)
    page.click("button:text-is('Tạo mã truy cập')")
    page.wait_for_selector("#new-token")
    width = page.evaluate("innerWidth")
    for selector in ("#new-token", "#tokens button", "#copy-token"):
        box = page.locator(selector).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box, width)
    page.click("#copy-token")
    page.wait_for_selector("#copy-token:text-is('Đã sao chép')")
    secret = page.inner_text("#new-token").strip()
    assert page.evaluate("navigator.clipboard.readText()") == secret
