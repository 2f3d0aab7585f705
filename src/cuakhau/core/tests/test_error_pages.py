"""The error pages (400, 403, 404, 500) are the site's own: in the reader's language, with the
menu and the language switcher, and with the reason the application gave.

Django renders ``403.html`` and ``404.html`` with the request's context when DEBUG is off (as in
the tests); ``400.html`` and ``500.html`` are self-contained, in the three languages. The API
keeps its JSON errors (``ApiErrorShapeMiddleware``).

The pages' own texts are new messages: until their translations are in the catalogues, a
Vietnamese or Chinese page shows them in English. The Vietnamese and Chinese tests therefore
compare them with what gettext gives in that language (English now, the translation later) and
otherwise assert on what is translated already: the language, the menu, the application's reason.
"""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.template import loader
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from django.views import defaults

from cuakhau.accounts.services import set_language
from cuakhau.conftest import PASSWORD, declaration
from cuakhau.core import policy as enforcement
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

MENU = '<details class="menu">'
SWITCHER = 'name="language"'


def signed_in(user, language: str = "") -> Client:
    if language:
        set_language(user, language)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def refusal(user, view_name: str, language: str) -> str:
    """The reason the policy gives this user for this page, in this language."""
    from cuakhau.policy import VIEWS

    with translation.override(language), pytest.raises(PermissionDenied) as refused:
        enforcement.enforce(VIEWS[view_name], user, {})
    return str(refused.value)


def not_a_reference(language: str) -> str:
    with translation.override(language):
        # "NOPE" is not even written as a reference: no check character to blame.
        return gettext("%(ref)s is not a trip reference: it looks like MLT-ABC1234.") % {
            "ref": "NOPE"
        }


# --- 404 ---------------------------------------------------------------------------------------


def test_a_404_speaks_english_with_the_menu_and_the_reason(enterprise):
    response = signed_in(enterprise, "en").get("/trips/NOPE/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in html and MENU in html and SWITCHER in html
    assert "<title>Page not found" in html and "<h1>Page not found</h1>" in html
    assert "Nothing is found at this address, or it is not yours to see." in html
    assert escape(not_a_reference("en")) in html
    assert 'href="/"' in html and "Go to the start page" in html
    assert "The requested resource was not found on this server." not in html


def test_a_404_speaks_vietnamese_with_the_menu_and_the_reason(enterprise):
    html = signed_in(enterprise, "vi").get("/trips/NOPE/").content.decode()
    assert '<html lang="vi">' in html and MENU in html and SWITCHER in html
    # Translated already: the reason the trips app gave, and the menu.
    reason = not_a_reference("vi")
    assert reason.startswith("NOPE không phải là mã chuyến xe") and escape(reason) in html
    assert escape(in_language("vi", "Profile and language")) in html
    # The page's own title: English until its translation is in the catalogue.
    assert f"<h1>{escape(in_language('vi', 'Page not found'))}</h1>" in html


def test_another_organisations_trip_is_a_404_in_chinese_with_the_menu(
    enterprise, other_enterprise, mlt
):
    trip = trips.create_draft(enterprise, declaration())
    response = signed_in(other_enterprise, "zh-hans").get(f"/trips/{trip.reference}/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-hans">' in html and MENU in html and SWITCHER in html
    with translation.override("zh-hans"):
        reason = gettext("No trip %(ref)s.") % {"ref": trip.reference}
    assert reason.startswith("未找到车次") and escape(reason) in html
    assert f"<h1>{escape(in_language('zh-hans', 'Page not found'))}</h1>" in html
    # Nothing of the trip itself: a refusal reads the same as a trip that does not exist.
    assert "Lò Văn Páo" not in html and "25C-123.45" not in html


def test_an_anonymous_404_shows_the_public_menu_and_no_class_name(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html and MENU in html and 'href="/login/"' in html
    assert "Resolver404" not in html and 'id="error-detail"' not in html
    # A visitor's language is their browser's.
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/no-such-page/").content.decode()
    assert '<html lang="vi">' in vietnamese and MENU in vietnamese


@pytest.mark.parametrize(
    "exception",
    [
        Http404(),  # the class name: "Http404"
        Http404("No Trip matches the given query."),  # get_object_or_404's, untranslated
        Http404({"path": "nope/", "tried": []}),  # the resolver's dictionary: "Http404"
    ],
    ids=["bare", "get_object_or_404", "resolver"],
)
def test_djangos_own_404_messages_are_not_shown(exception):
    request = RequestFactory().get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = defaults.page_not_found(request, exception).content.decode()
    assert "<h1>Page not found</h1>" in html and 'id="error-detail"' not in html
    assert "matches the given query" not in html and "Http404" not in html


def test_a_404_message_is_escaped(enterprise):
    request = RequestFactory().get("/somewhere/")
    request.user = enterprise
    html = defaults.page_not_found(request, Http404("No trip <b>x</b>.")).content.decode()
    assert "No trip &lt;b&gt;x&lt;/b&gt;." in html and "<b>x</b>" not in html


# --- 403 ---------------------------------------------------------------------------------------


def test_a_403_shows_the_title_and_the_policys_reason(enterprise):
    response = signed_in(enterprise, "en").get("/notify/messages/")
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="en">' in html and MENU in html and SWITCHER in html
    assert "<title>Access denied" in html and "<h1>Access denied</h1>" in html
    reason = refusal(enterprise, "notify:messages", "en")
    assert reason.startswith("This is for: ") and escape(reason) in html
    assert "Your account may not open this page." in html and 'href="/"' in html


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_a_403_speaks_the_readers_language(enterprise, language):
    response = signed_in(enterprise, language).get("/notify/messages/")
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html and MENU in html
    reason = refusal(enterprise, "notify:messages", language)
    assert reason.startswith({"vi": "Chức năng này dành cho", "zh-hans": "此功能仅限"}[language])
    assert escape(reason) in html
    assert f"<h1>{escape(in_language(language, 'Access denied'))}</h1>" in html


def test_a_403_without_a_reason_shows_the_general_explanation(enterprise):
    request = RequestFactory().get("/somewhere/")
    request.user = enterprise
    response = defaults.permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403 and "<h1>Access denied</h1>" in html
    assert 'id="error-detail"' not in html and "Your account may not open this page." in html


def test_an_anonymous_403_offers_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    html = defaults.permission_denied(request, PermissionDenied("Go away.")).content.decode()
    assert "Go away." in html and 'href="/login/?next=/somewhere/"' in html


# --- 400 and 500: no context, three languages ----------------------------------------------


def test_the_500_page_renders_with_an_empty_context():
    html = loader.get_template("500.html").render()
    assert html.lstrip().startswith("<!doctype html>") and '<html lang="vi">' in html
    assert '<meta name="viewport"' in html
    assert "Lỗi máy chủ" in html and "Server error" in html and "服务器错误" in html
    assert '<div lang="en">' in html and '<div lang="zh-Hans">' in html
    assert 'href="/"' in html and "{%" not in html and "{{" not in html
    # Nothing fetched: no stylesheet or script that the broken server would have to serve.
    assert "<link" not in html and "<script" not in html


def test_the_500_handler_uses_the_page():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Lỗi máy chủ" in response.content.decode()


def test_the_400_page_is_self_contained_in_three_languages():
    html = loader.get_template("400.html").render()
    assert "Yêu cầu không hợp lệ" in html and "Bad request" in html and "请求无效" in html
    assert "Lỗi máy chủ" not in html and 'id="error-400"' in html
    response = defaults.bad_request(RequestFactory().get("/"), SuspiciousOperation("secret"))
    assert response.status_code == 400 and "secret" not in response.content.decode()


def test_a_refused_host_gets_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400 and "Bad request" in response.content.decode()


# --- the API keeps its JSON --------------------------------------------------------------------


def test_api_errors_stay_json(client, enterprise):
    for caller in (client, signed_in(enterprise, "vi")):
        missing = caller.get("/api/v1/no-such-thing")
        assert missing.status_code == 404
        assert missing["Content-Type"].startswith("application/json")
        assert "no-such-thing" in missing.json()["detail"]
    # A trip the caller may not see: the API's own 404, JSON too.
    theirs = signed_in(enterprise, "en").get("/api/v1/trips/NOPE")
    assert theirs.status_code == 404 and theirs["Content-Type"].startswith("application/json")
    # A body Django cannot read before any operation runs (a multipart post without its
    # boundary): the site's HTML 400 page was the answer.
    unread = client.generic(
        "POST", "/api/v1/desk/applications", b"x", content_type="multipart/form-data"
    )
    assert unread.status_code == 400 and unread["Content-Type"].startswith("application/json")
    assert "could not be read" in unread.json()["detail"]


# --- on a phone --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_error_pages_fit_a_phone(browser, live_server, enterprise):
    from cuakhau.core.testing.browser import log_in
    from cuakhau.core.testing.layout import axe_violations, horizontal_overflow, small_targets

    page = browser.new_page()
    log_in(page, live_server, enterprise.username, PASSWORD)
    problems = []
    # A long reference without a space (the reason repeats it) must wrap, not scroll.
    for path, status in (("/trips/" + "X" * 120 + "/", 404), ("/notify/messages/", 403)):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == status, path
        assert page.locator(".error-page h1").is_visible()
        problems += [f"{path}: {p}" for p in small_targets(page) + axe_violations(page)]
        if overflow := horizontal_overflow(page):
            problems.append(f"{path}: scrolls {overflow}px sideways")
    for name in ("400.html", "500.html"):
        page.set_content(loader.get_template(name).render())
        problems += [f"{name}: {p}" for p in small_targets(page) + axe_violations(page)]
        if overflow := horizontal_overflow(page):
            problems.append(f"{name}: scrolls {overflow}px sideways")
    assert problems == []


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_a_form_sent_without_its_csrf_token_gets_the_sites_page_in_the_readers_language(
    enterprise, language
):
    set_language(enterprise, language)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=enterprise.username, password=PASSWORD)
    response = client.post("/profile/password/", {"old_password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{language}">' in html and MENU in html and 'id="error-403-csrf"' in html
    assert f"<h1>{escape(in_language(language, 'The form could not be sent'))}</h1>" in html
    assert (
        escape(in_language(language, "Go back, reload the page and send the form again.")) in html
    )
    # No cookie came with the form: the page says what to allow.
    cookie = in_language(
        language, "Your browser did not send this site's cookie: allow cookies for this site."
    )
    assert cookie in html  # ({% translate %} writes the apostrophe as it is)
    enterprise.refresh_from_db()
    assert enterprise.check_password(PASSWORD)


def test_an_unknown_api_route_answers_a_tokens_owner_in_their_language(other_enterprise):
    """As every operation does: a 404 or 405 of no operation was said in the language the
    request negotiated, not the profile's."""
    from cuakhau.accounts.services import issue_token, set_language

    set_language(other_enterprise, "zh-hans")
    caller = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(other_enterprise, 'zh')[1]}")
    missing = caller.get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing["Content-Language"] == "zh-hans"
    assert "No such API endpoint" not in missing.json()["detail"]
    wrong = caller.delete("/api/v1/trips", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 405 and "is not allowed here" not in wrong.json()["detail"]
