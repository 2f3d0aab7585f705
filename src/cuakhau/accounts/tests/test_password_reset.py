"""A forgotten password: the person types the e-mail address kept on their profile, gets a link
(in their own language, valid two hours, once) and chooses a new password; the answer never
says whether an account has the address, and requests are throttled per caller and per inbox."""

import datetime as dt
import re
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client

from cuakhau.accounts import services
from cuakhau.accounts.models import PasswordResetRequest
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Hữu Nghị Lạng Sơn 2026!"
EMAIL = "xuatnhapkhau@phongtho.com.vn"
BOOTH = "203.113.131.7"


@pytest.fixture
def with_email(enterprise):
    services.set_email(enterprise, EMAIL)
    services.set_language(enterprise, "vi")
    return enterprise


def ask(email, address=BOOTH, **headers):
    return Client(REMOTE_ADDR=address, **headers).post("/login/forgot/", {"email": email})


def link_in(message) -> str:
    return re.search(r"http://testserver(/login/reset/\S+/)", message.body).group(1)


def signed_in(user, password=PASSWORD) -> Client:
    client = Client()
    assert client.login(username=user.username, password=password)
    return client


def test_the_login_page_leads_to_a_new_password_chosen_from_the_emailed_link(
    with_email, mailoutbox
):
    elsewhere = signed_in(with_email)
    assert 'href="/login/forgot/"' in Client().get("/login/").content.decode()
    # The address as people type it: another case, spaces around.
    response = ask("  XuatNhapKhau@PhongTho.com.vn ")
    assert response.status_code == 302 and response["Location"] == "/login/forgot/sent/"
    done = Client().get("/login/forgot/sent/", HTTP_ACCEPT_LANGUAGE="en")
    assert "It works for 2 hours, once." in done.content.decode()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    # In the language the person chose on their profile, whoever asked.
    assert message.subject == "cuakhau: chọn mật khẩu mới"
    assert with_email.username in message.body and "2 giờ" in message.body

    browser = Client()
    form = browser.get(link_in(message), follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    page = form.redirect_chain[-1][0]
    response = browser.post(page, {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/login/reset/done/"
    with_email.refresh_from_db()
    assert with_email.check_password(NEW)
    assert elsewhere.get("/profile/").status_code == 302  # the old password's sessions ended
    signed_in(with_email, NEW)
    # The link works once.
    again = Client().get(link_in(message), follow=True)
    assert 'id="reset-link-refused"' in again.content.decode()


def test_the_email_speaks_the_language_its_reader_chose(with_email, mailoutbox):
    services.set_language(with_email, "zh-hans")
    ask(EMAIL, HTTP_ACCEPT_LANGUAGE="vi")
    assert mailoutbox[0].subject == "cuakhau：设置新密码"


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(
    with_email, other_enterprise, mailoutbox
):
    other_enterprise.is_active = False
    other_enterprise.save()
    services.set_email(other_enterprise, "ketoan@jinping.cn")
    known = ask(EMAIL, address="203.113.131.8")
    for email in ("khongai@phongtho.com.vn", "ketoan@jinping.cn"):
        unknown = ask(email, address="203.113.131.9")
        assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [m.to for m in mailoutbox] == [[EMAIL]]  # an inactive account gets nothing


@pytest.mark.parametrize(
    "email",
    [
        "",
        "phongtho.com.vn",
        "xuat\x00nhap@phongtho.com.vn",
        "a" * 250 + "@phongtho.com.vn",
        "xuat nhap@phongtho.com.vn",
        "٢٥@phongtho.com.vn\u202e",
    ],
)
def test_an_address_that_is_none_is_refused_beside_the_field(with_email, mailoutbox, email):
    response = ask(email)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'class="error"' in html
    assert not mailoutbox and not PasswordResetRequest.objects.exists()


def test_requests_are_throttled_per_inbox_and_per_caller(with_email, mailoutbox):
    for n in range(services.RESET_LIMIT_PER_EMAIL):
        assert ask(EMAIL, address=f"203.113.131.{n + 10}").status_code == 302
    refused = ask(EMAIL, address="203.113.131.99")
    assert refused.status_code == 429
    assert "Try again in an hour." in refused.content.decode()
    assert len(mailoutbox) == services.RESET_LIMIT_PER_EMAIL
    for n in range(services.RESET_LIMIT_PER_ADDRESS):
        assert ask(f"ai{n}@phongtho.com.vn", address="14.160.32.5").status_code == 302
    assert ask("ai-nua@phongtho.com.vn", address="14.160.32.5").status_code == 429
    assert ask("ai-nua@phongtho.com.vn", address="14.160.32.6").status_code == 302


def test_a_person_locked_out_by_wrong_passwords_signs_in_after_the_reset(with_email, mailoutbox):
    for _ in range(5):
        Client(REMOTE_ADDR=BOOTH).post(
            "/login/", {"username": with_email.username, "password": "mat-khau-sai"}
        )
    locked = Client(REMOTE_ADDR=BOOTH).post(
        "/login/", {"username": with_email.username, "password": PASSWORD}
    )
    assert locked.status_code == 429
    ask(EMAIL)
    browser = Client()
    page = browser.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    browser.post(page, {"new_password1": NEW, "new_password2": NEW})
    client = Client(REMOTE_ADDR=BOOTH)
    client.post("/login/", {"username": with_email.username, "password": NEW})
    assert "_auth_user_id" in client.session


def test_a_link_past_its_two_hours_or_altered_no_longer_works(with_email, mailoutbox, monkeypatch):
    ask(EMAIL)
    link = link_in(mailoutbox[0])
    uid, token = link.strip("/").split("/")[-2:]
    altered = f"/login/reset/{uid}/{token[:-1]}{'a' if token[-1] != 'a' else 'b'}/"
    assert 'id="reset-link-refused"' in Client().get(altered, follow=True).content.decode()
    later = default_token_generator._now() + dt.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(type(default_token_generator), "_now", lambda self: later)
    assert 'id="reset-link-refused"' in Client().get(link, follow=True).content.decode()
    with_email.refresh_from_db()
    assert with_email.check_password(PASSWORD)


def test_a_refused_new_password_says_why_beside_the_field(with_email, mailoutbox):
    ask(EMAIL)
    browser = Client()
    page = browser.get(link_in(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    for new1, new2, field in (
        (NEW, NEW + "x", "new_password2"),
        ("12345678", "12345678", "new_password2"),
    ):
        response = browser.post(page, {"new_password1": new1, "new_password2": new2})
        assert response.status_code == 200
        assert f'id="id_{field}_error"' in response.content.decode()
    with_email.refresh_from_db()
    assert with_email.check_password(PASSWORD)


def test_a_new_reset_address_counts_once_the_link_sent_to_it_is_opened(enterprise, mailoutbox):
    services.set_language(enterprise, "zh-hans")
    client = signed_in(enterprise)
    page = client.get("/profile/").content.decode()
    assert 'action="/profile/email/"' in page
    wrong = client.post("/profile/email/", {"email": EMAIL, "password": "mat-khau-sai"})
    assert wrong.status_code == 422
    assert "您输入的密码不正确。" in wrong.content.decode()  # beside the field, in their language
    assert 'id="id_password_error"' in wrong.content.decode()
    assert not mailoutbox
    response = client.post(
        "/profile/email/", {"email": "XuatNhapKhau@PhongTho.COM.VN", "password": PASSWORD}
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.email == ""  # not until its owner opens the link
    (message,) = mailoutbox
    assert message.to == ["XuatNhapKhau@phongtho.com.vn"]  # the domain's case is no one's
    assert message.subject == "cuakhau：确认您的电子邮件地址"
    link = re.search(r"http://testserver(/profile/email/confirm/\S+/)", message.body).group(1)
    # A slip of one character in the link: refused, nothing set.
    altered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    assert Client().get(altered).status_code == 400
    assert Client().post(altered).status_code == 400
    opened = Client().get(link)  # in the mail application's browser, signed in or not
    page = opened.content.decode()
    assert opened.status_code == 200 and 'id="confirm-email"' in page
    assert "XuatNhapKhau@phongtho.com.vn" in page and "dn_phongtho" in page
    enterprise.refresh_from_db()
    assert enterprise.email == ""  # opening the link (a mail scanner does) sets nothing
    confirmed = Client().post(link)
    assert confirmed.status_code == 200 and 'id="email-confirmed"' in confirmed.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.email == "XuatNhapKhau@phongtho.com.vn"
    assert 'value="XuatNhapKhau@phongtho.com.vn"' in client.get("/profile/").content.decode()
    # Once only: the address it replaced is no longer the one kept.
    assert 'id="email-link-refused"' in Client().get(link).content.decode()
    assert Client().post(link).status_code == 400
    # Removing the address needs no link.
    client.post("/profile/email/", {"email": "", "password": PASSWORD})
    enterprise.refresh_from_db()
    assert enterprise.email == ""
    assert Client().get(link).status_code == 400


def test_a_link_for_an_address_asked_for_before_another_no_longer_works(enterprise, mailoutbox):
    client = signed_in(enterprise)
    for email in ("ketoan@phongtho.com.vn", EMAIL):
        client.post("/profile/email/", {"email": email, "password": PASSWORD})
    first, second = (re.search(r"http://testserver(\S+)", m.body).group(1) for m in mailoutbox)
    assert Client().post(second).status_code == 200
    assert Client().post(first).status_code == 400
    enterprise.refresh_from_db()
    assert enterprise.email == EMAIL


def test_a_confirmation_link_past_its_two_days_no_longer_works(enterprise, monkeypatch):
    token = services.email_confirmation(enterprise, EMAIL)
    later = time.time() + 2 * 24 * 3600 + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert Client().get(f"/profile/email/confirm/{token}/").status_code == 400
    assert Client().post(f"/profile/email/confirm/{token}/").status_code == 400
    enterprise.refresh_from_db()
    assert enterprise.email == ""


def test_the_confirmation_button_needs_the_pages_csrf_token(enterprise):
    """The button posts with the page's CSRF token; a form on another site cannot press it."""
    token = services.email_confirmation(enterprise, EMAIL)
    url = f"/profile/email/confirm/{token}/"
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url).status_code == 403
    page = browser.get(url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(url, {"csrfmiddlewaretoken": csrf}).status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.email == EMAIL


@pytest.mark.parametrize(
    "email", ["phongtho.com.vn", "xuat\x00nhap@phongtho.com.vn", "a" * 250 + "@phongtho.com.vn"]
)
def test_an_address_that_is_none_is_refused_on_the_profile_and_the_old_one_stays(with_email, email):
    client = signed_in(with_email)
    response = client.post("/profile/email/", {"email": email, "password": PASSWORD})
    assert response.status_code == 422
    assert 'id="id_email_error"' in response.content.decode()
    with_email.refresh_from_db()
    assert with_email.email == EMAIL
