"""A person changes their own password on Django's form: the old one first, the new one twice,
the password rules; they stay signed in, every other session of theirs ends."""

import pytest
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "Cửa khẩu Ma Lù Thàng 2026!"


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_person_changes_their_password_and_stays_signed_in(enterprise):
    client, elsewhere = signed_in(enterprise), signed_in(enterprise)
    page = client.get("/profile/")
    assert 'href="/profile/password/"' in page.content.decode()
    response = client.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/profile/"
    assert "Your password was changed." in response.content.decode()
    assert client.get("/profile/").status_code == 200  # still signed in
    assert elsewhere.get("/profile/").status_code == 302  # the other session ended
    enterprise.refresh_from_db()
    assert enterprise.check_password(NEW)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"old_password": "wrong"}, "old_password", "old password was entered incorrectly"),
        ({"new_password2": NEW + "x"}, "new_password2", "didn’t match"),
        ({"new_password1": "12345678", "new_password2": "12345678"}, "new_password2", "common"),
        ({"new_password1": "a\x00b", "new_password2": "a\x00b"}, "new_password1", "Null"),
    ],
)
def test_a_refused_change_says_why_beside_the_field_and_keeps_the_password(
    enterprise, fields, field, words
):
    client = signed_in(enterprise)
    data = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW, **fields}
    response = client.post("/profile/password/", data)
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert words.lower() in error.lower(), error
    enterprise.refresh_from_db()
    assert enterprise.check_password(PASSWORD)


def test_a_visitor_is_sent_to_sign_in(db):
    response = Client().get("/profile/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("language", "title"),
    [("vi", "Đổi mật khẩu"), ("zh-hans", "修改密码"), ("en", "Change password")],
)
def test_the_page_speaks_the_persons_language(enterprise, language, title):
    set_language(enterprise, language)
    html = signed_in(enterprise).get("/profile/password/").content.decode()
    assert f"<h1>{title}</h1>" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("vi", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("zh-hans", "密码太短：至少需要 8 个字符。"),
        ("en", "This password is too short. It must contain at least 8 characters."),
    ],
)
def test_every_password_rule_refuses_in_the_persons_language(enterprise, language, words):
    # Django 5.2's own catalogues miss its new wording of the length rule: it was English on
    # every page.
    set_language(enterprise, language)
    client = signed_in(enterprise)
    data = {"old_password": PASSWORD, "new_password1": "Lù7!", "new_password2": "Lù7!"}
    html = client.post("/profile/password/", data).content.decode()
    error = html.split('id="id_new_password2_error"', 1)[1].split("</div>", 1)[0]
    assert words in error, error
    assert "This password" not in error or language == "en"
