"""The top bar of a visitor without an account: the pages the policy leaves open to them (file
and track an application, the waiting times, the offline receipt check) and sign in, in their
language; nothing that would only send them to the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from cuakhau import policy
from cuakhau.core.policy import view_rule

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = {
    "desk:apply": "/desk/apply/",
    "desk:track": "/desk/track/",
    "desk:procedures": "/desk/",
    "slots:wait_times": "/slots/wait-times/",
    "receipts:offline": "/receipts/offline/",
    "login": "/login/",
}


def menu_hrefs(response) -> list[str]:
    import re

    html = response.content.decode()
    menu = html[html.index('<details class="menu">') : html.index("</details>")]
    return re.findall(r'<a href="([^"]+)"', menu)


def test_a_visitor_has_a_menu_of_the_open_pages(catalogue):
    response = Client().get("/desk/track/")
    assert response.status_code == 200
    hrefs = menu_hrefs(response)
    assert set(hrefs) == set(PUBLIC_PAGES.values()), hrefs
    # Each is open to a visitor in the one policy table, and answers without a login.
    for name, path in PUBLIC_PAGES.items():
        assert reverse(name) == path
        assert view_rule(policy.VIEWS, name).public, name
        assert Client().get(path).status_code == 200, path
    # No log-out button for nobody.
    assert "menu-logout" not in response.content.decode()


def test_the_officers_receipt_check_stays_out_of_the_visitors_menu():
    # ``receipts:verify`` is for officers; were it opened, this test says to add it to the menu.
    assert not view_rule(policy.VIEWS, "receipts:verify").public
    assert "/receipts/verify/" not in menu_hrefs(Client().get("/desk/"))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("vi", ["Nộp hồ sơ", "Tra cứu hồ sơ", "Đăng nhập"]),
        ("zh-hans", ["登录"]),
    ],
)
def test_the_visitors_menu_is_in_their_language(language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    html = client.get("/desk/").content.decode()
    menu = html[html.index('<details class="menu">') : html.index("</details>")]
    for word in words:
        assert word in menu, (language, word)
    assert "Log in" not in menu and "File an application" not in menu


def test_a_signed_in_person_keeps_their_own_menu(client, desk_officer):
    client.force_login(desk_officer)
    hrefs = menu_hrefs(client.get("/desk/"))
    assert "/desk/queue/" in hrefs and "/login/" not in hrefs
