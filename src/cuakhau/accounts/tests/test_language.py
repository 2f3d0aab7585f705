"""A person's language: the browser's on a first visit, the profile's once they chose."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from cuakhau.accounts.services import set_language
from cuakhau.conftest import PASSWORD

COOKIE = django_settings.LANGUAGE_COOKIE_NAME
# A word of each language's sign-in page, so the test reads what a person reads.
LOGIN_WORDS = {"vi": "Đăng nhập", "en": "Log in", "zh-hans": "登录"}


@pytest.fixture(autouse=True)
def vietnamese_default(settings):
    settings.LANGUAGE_CODE = "vi"


def sign_in(client: Client, user, **headers):
    return client.post(
        "/login/", {"username": user.username, "password": PASSWORD}, follow=True, **headers
    )


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-hans"),
        ("en-GB,en;q=0.9", "en"),
        ("vi-VN,vi;q=0.9", "vi"),
        ("fr-FR,fr;q=0.9", "vi"),  # a language the site does not speak: the default
    ],
)
@pytest.mark.django_db
def test_a_first_visit_speaks_the_browsers_language(accept, expected):
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.headers["Content-Language"] == expected
    assert f'<html lang="{expected}">' in response.content.decode()
    assert LOGIN_WORDS[expected] in response.content.decode()


@pytest.mark.django_db
def test_a_visitors_choice_in_the_top_bar_beats_the_browser():
    client = Client()
    response = client.post(
        "/language/", {"language": "zh-hans", "next": "/login/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.cookies[COOKIE].value == "zh-hans"
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.headers["Content-Language"] == "zh-hans"


def test_no_choice_yet_a_signed_in_person_reads_the_browsers_language(enterprise):
    assert enterprise.profile.language == ""
    client = Client()
    sign_in(client, enterprise, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")
    assert client.get("/trips/", HTTP_ACCEPT_LANGUAGE="en-US").headers["Content-Language"] == "en"
    assert (
        client.get("/trips/", HTTP_ACCEPT_LANGUAGE="zh-CN").headers["Content-Language"] == "zh-hans"
    )
    enterprise.profile.refresh_from_db()
    assert enterprise.profile.language == ""  # reading is not choosing


def test_choosing_in_the_top_bar_when_signed_in_saves_it_to_the_profile(enterprise):
    client = Client()
    sign_in(client, enterprise)
    response = client.post("/language/", {"language": "en", "next": "/trips/"})
    assert response.status_code == 302 and response.url == "/trips/"
    enterprise.profile.refresh_from_db()
    assert enterprise.profile.language == "en"
    # The browser asking for Chinese does not override the person's choice.
    page = client.get("/trips/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page.headers["Content-Language"] == "en"


def test_signing_in_switches_to_the_profiles_language(other_enterprise):
    set_language(other_enterprise, "zh-hans")
    client = Client()
    # A Vietnamese browser that last chose English in the top bar, at a shared booth.
    client.cookies[COOKIE] = "en"
    before = client.get("/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert before.headers["Content-Language"] == "en"
    after = sign_in(client, other_enterprise, HTTP_ACCEPT_LANGUAGE="vi")
    assert after.headers["Content-Language"] == "zh-hans"
    assert "车次" in after.content.decode()  # the trips page, in Chinese
    # The cookie follows the profile, so signing out leaves the sign-in page in Chinese.
    assert client.cookies[COOKIE].value == "zh-hans"
    client.post("/logout/")
    assert client.get("/login/").headers["Content-Language"] == "zh-hans"


def test_a_language_the_site_does_not_speak_is_refused_and_changes_nothing(enterprise):
    set_language(enterprise, "vi")
    client = Client()
    sign_in(client, enterprise)
    response = client.post("/language/", {"language": "fr", "next": "/trips/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    enterprise.profile.refresh_from_db()
    assert enterprise.profile.language == "vi"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "trips:list", "profile", "Lò\x07"]
)
def test_the_language_switch_never_redirects_off_site(enterprise, next_url):
    # Nor takes a bare word for a view's name to look up.
    response = Client().post("/language/", {"language": "en", "next": next_url})
    assert response.status_code == 302 and response.url == "/"


def test_the_language_switch_returns_to_the_page_it_was_chosen_on(enterprise):
    response = Client().post("/language/", {"language": "en", "next": "/trips/?page=2"})
    assert response.url == "/trips/?page=2"


@pytest.mark.parametrize("language", ["vi", "en", "zh-hans"])
def test_the_profile_page_offers_the_languages_with_the_chosen_one_selected(enterprise, language):
    set_language(enterprise, language)
    client = Client()
    sign_in(client, enterprise)
    html = client.get("/profile/").content.decode()
    assert f'<option value="{language}" selected>' in html
    assert f'<html lang="{language}">' in html


@pytest.mark.django_db
def test_an_answer_every_cache_may_keep_carries_none_of_this_browsers_cookies(enterprise):
    """The published keys (``Cache-Control: public``), asked first by a browser signed in
    whose cookies were not written yet, set its language and signed-in cookies: a shared cache
    set to ignore ``Set-Cookie`` would hand them to every later reader."""
    set_language(enterprise, "zh-hans")
    client = Client()
    client.force_login(enterprise)
    keys = client.get("/.well-known/jwks.json")
    assert keys.status_code == 200 and "public" in keys["Cache-Control"]
    assert not keys.cookies, keys.cookies
    page = client.get("/")  # the next page of this browser's writes them
    assert page.cookies[COOKIE].value == "zh-hans"
    assert "cuakhau_signed_in" in page.cookies
