"""Repeated failed logins are throttled by django-axes: 5 wrong passwords for one username from
one address lock that pair out for 15 minutes; nobody else, and no API token, is affected."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client

from cuakhau.accounts import services
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BOOTH = "203.113.131.7"  # the address the guesser types from
DESK = "203.113.140.22"


def attempt(username, password, address=BOOTH, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post("/login/", {"username": username, "password": password})
    return client, response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(username, address=BOOTH):
    for _ in range(4):
        client, response = attempt(username, "mat-khau-sai", address)
        assert response.status_code == 200  # the form again, with its error
        assert not logged_in(client)
    # The fifth failure is refused like the others, and says the sign-in is now locked.
    client, response = attempt(username, "mat-khau-sai", address)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_right_password_logs_in(enterprise):
    client, response = attempt(enterprise.username, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_five_wrong_passwords_lock_out_the_sixth_attempt_even_with_the_right_one(enterprise):
    fail_five_times(enterprise.username)
    client, response = attempt(enterprise.username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    html = response.content.decode()
    assert 'id="locked-out"' in html and "15 minutes" in html
    assert 'class="topbar"' in html  # the project's own layout, not a bare message


def test_four_wrong_passwords_do_not_lock(enterprise):
    for _ in range(4):
        attempt(enterprise.username, "mat-khau-sai")
    client, response = attempt(enterprise.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_success_resets_the_count(enterprise):
    for _ in range(4):
        attempt(enterprise.username, "mat-khau-sai")
    assert logged_in(attempt(enterprise.username, PASSWORD)[0])
    for _ in range(4):
        attempt(enterprise.username, "mat-khau-sai")
    assert logged_in(attempt(enterprise.username, PASSWORD)[0])


def test_another_user_at_the_same_address_is_not_locked(enterprise, other_enterprise):
    fail_five_times(enterprise.username)
    client, response = attempt(other_enterprise.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_same_user_at_another_address_is_not_locked(enterprise):
    fail_five_times(enterprise.username, BOOTH)
    assert attempt(enterprise.username, PASSWORD, BOOTH)[1].status_code == 429
    client, response = attempt(enterprise.username, PASSWORD, DESK)
    assert response.status_code == 302 and logged_in(client)


def age_attempts(minutes):
    for row in AccessAttempt.objects.all():
        row.attempt_time -= dt.timedelta(minutes=minutes)
        row.save(update_fields=["attempt_time"])


def test_the_lock_expires_after_15_minutes(enterprise):
    fail_five_times(enterprise.username)
    age_attempts(14)
    assert attempt(enterprise.username, PASSWORD)[1].status_code == 429
    # That refused attempt counted as a failure too and restarted the cool-off.
    age_attempts(16)
    client, response = attempt(enterprise.username, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_test_client_login_goes_through_the_same_throttle(enterprise):
    fail_five_times(enterprise.username, "127.0.0.1")
    assert not Client().login(username=enterprise.username, password=PASSWORD)


def test_a_lockout_does_not_stop_the_users_api_token(enterprise):
    _token, raw = services.issue_token(enterprise, "weighbridge")
    fail_five_times(enterprise.username)
    assert attempt(enterprise.username, PASSWORD)[1].status_code == 429
    api = Client(REMOTE_ADDR=BOOTH, HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == enterprise.username


@pytest.mark.parametrize(
    "language, words",
    [
        ("vi", ["Tạm khóa đăng nhập", "sai 5 lần liên tiếp", "Hãy thử lại sau 15 phút"]),
        ("zh-hans", ["登录已暂时锁定", "连续 5 次错误", "请在 15 分钟后重试"]),
    ],
)
def test_the_lockout_page_speaks_the_visitors_language(enterprise, language, words):
    fail_five_times(enterprise.username)
    response = attempt(enterprise.username, PASSWORD, HTTP_ACCEPT_LANGUAGE=language)[1]
    assert response.status_code == 429
    html = response.content.decode()
    for word in words:
        assert word in html


@pytest.mark.parametrize("username", ["x" * 5000, "vanhanh\x00", "dn\u2028phongtho"])
def test_a_username_no_account_can_have_is_a_field_error_and_counts_no_attempt(
    enterprise, username
):
    # PostgreSQL refused the NUL in the user lookup, and the 5000 characters where django-axes
    # keeps the name tried (255): a 500 there, while SQLite took both.
    client, response = attempt(username, PASSWORD)
    assert response.status_code == 200 and not logged_in(client)
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_the_admin_sign_in_refuses_them_alike(db):
    response = Client().post("/admin/login/", {"username": "x" * 5000, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
