"""A session left open is no place to guess the person's password from: the profile's forms that
ask for it (the reset e-mail, a new token, a new password) count a wrong one as a failed sign-in,
lock at the same limit and sign the session out. A password reset revokes the person's API
tokens; a password change does unless they untick it."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from cuakhau.accounts import services
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BOOTH = "203.113.131.7"
NEW = "Cửa khẩu Ma Lù Thàng 2026!"
EMAIL = "xuatnhapkhau@phongtho.com.vn"

GUESSES = {
    "e-mail": ("/profile/email/", lambda pw: {"email": "thief@evil.example", "password": pw}),
    "token": ("/profile/", lambda pw: {"name": "copy", "expires": "never", "password": pw}),
    "password": (
        "/profile/password/",
        lambda pw: {"old_password": pw, "new_password1": NEW, "new_password2": NEW},
    ),
}


def signed_in(user, address=BOOTH) -> Client:
    client = Client(REMOTE_ADDR=address)
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize("form", sorted(GUESSES))
def test_wrong_passwords_in_a_session_lock_it_out_as_at_sign_in(enterprise, form, mailoutbox):
    path, fields = GUESSES[form]
    client = signed_in(enterprise)
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(path, fields(f"guess-{guess}"))
        assert response.status_code in (200, 422)
        assert "entered incorrectly" in response.content.decode()
    assert AccessAttempt.objects.get(username=enterprise.username).failures_since_start == 4
    response = client.post(path, fields("guess-last"))
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session  # the session was signed out
    # Then even the right one is refused, at sign-in as on the form.
    again = signed_in_attempt = Client(REMOTE_ADDR=BOOTH)
    refused = signed_in_attempt.post(
        "/login/", {"username": enterprise.username, "password": PASSWORD}
    )
    assert refused.status_code == 429 and "_auth_user_id" not in again.session
    enterprise.refresh_from_db()
    assert enterprise.check_password(PASSWORD) and enterprise.email != "thief@evil.example"
    assert not enterprise.api_tokens.exists()
    assert not mailoutbox


def test_the_right_password_still_works_on_the_forms(enterprise, mailoutbox):
    client = signed_in(enterprise)
    client.post("/profile/email/", {"email": "wrong", "password": "nope"})
    response = client.post("/profile/", GUESSES["token"][1](PASSWORD))
    assert 'id="new-token"' in response.content.decode()
    response = client.post("/profile/email/", {"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302 and len(mailoutbox) == 1


def test_a_token_is_made_only_with_the_password(enterprise):
    client = signed_in(enterprise)
    response = client.post("/profile/", {"name": "tablet", "expires": "never"})
    html = response.content.decode()
    assert 'class="error" data-field="password"' in html and 'id="new-token"' not in html
    assert 'id="id_token_password"' in html
    assert not enterprise.api_tokens.exists()


def test_the_password_never_lands_in_the_attempts_record(enterprise):
    client = signed_in(enterprise)
    client.post("/profile/password/", GUESSES["password"][1]("my-secret-guess"))
    assert "my-secret-guess" not in AccessAttempt.objects.get().post_data
    assert NEW not in AccessAttempt.objects.get().post_data


def bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_password_reset_revokes_every_token_of_the_person(enterprise, mailoutbox):
    services.set_email(enterprise, EMAIL)
    _token, raw = services.issue_token(enterprise, "made by a thief")
    Client().post("/login/forgot/", {"email": EMAIL})
    link = re.search(r"http://testserver(/login/reset/\S+/)", mailoutbox[0].body).group(1)
    browser = Client()
    page = browser.get(link, follow=True).redirect_chain[-1][0]
    done = browser.post(page, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert "1 API token of yours was revoked" in done.content.decode()
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_a_password_change_revokes_the_tokens_when_asked(enterprise):
    client = signed_in(enterprise)
    page = client.get("/profile/password/").content.decode()
    assert re.search(r'<input type="checkbox" name="revoke_tokens"[^>]* checked', page)
    _token, raw = services.issue_token(enterprise, "integration")
    response = client.post(
        "/profile/password/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW,
            "new_password2": NEW,
            "revoke_tokens": "on",
        },
        follow=True,
    )
    assert "1 API token of yours was revoked" in response.content.decode()
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_a_password_change_keeps_the_tokens_when_unticked(enterprise):
    client = signed_in(enterprise)
    _token, raw = services.issue_token(enterprise, "integration")
    client.post(
        "/profile/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_the_right_password_in_a_session_starts_the_count_again_as_a_sign_in_does(enterprise):
    client = signed_in(enterprise)
    path, fields = GUESSES["token"]
    for guess in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(path, fields(f"guess-{guess}"))
    assert 'id="new-token"' in client.post(path, fields(PASSWORD)).content.decode()
    # Only this person at this address: another's count, or theirs elsewhere, stands.
    assert not AccessAttempt.objects.filter(username=enterprise.username, ip_address=BOOTH)
    response = client.post(path, fields("one-more-slip"))
    assert "entered incorrectly" in response.content.decode()
    assert AccessAttempt.objects.get(username=enterprise.username).failures_since_start == 1


def test_a_session_token_asked_without_a_password_is_told_so_and_not_counted(enterprise):
    client = signed_in(enterprise)
    for payload in ({"name": "tablet"}, {"name": "tablet", "password": ""}):
        response = client.post("/api/v1/me/tokens", payload, content_type="application/json")
        assert response.status_code == 422, response.content
        [error] = response.json()["detail"]
        assert error["loc"][-1] == "password" and error["msg"] == "This field is required."
    assert not AccessAttempt.objects.exists()
    assert not enterprise.api_tokens.exists()


@pytest.mark.parametrize("api", [False, True])
def test_the_lockout_says_when_to_try_again(enterprise, api):
    client = signed_in(enterprise)
    for guess in range(settings.AXES_FAILURE_LIMIT):
        if api:
            response = client.post(
                "/api/v1/me/tokens",
                {"name": "copy", "password": f"guess-{guess}"},
                content_type="application/json",
            )
        else:
            path, fields = GUESSES["token"]
            response = client.post(path, fields(f"guess-{guess}"))
    assert response.status_code == 429
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if api:
        assert response["Content-Type"] == "application/json; charset=utf-8"
