"""API tokens: expiry (service, profile page, API, command), last use, the state shown."""

import datetime as dt
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from cuakhau.accounts import services
from cuakhau.accounts.models import ApiToken, TokenState
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import FieldErrors

pytestmark = pytest.mark.django_db

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def logged_in(user, **headers) -> Client:
    client = Client(**headers)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def travel_to(monkeypatch, moment: dt.datetime) -> None:
    # Every "now" of the project and of Django reads django.utils.timezone.now.
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- the service -------------------------------------------------------------------------------


def test_a_token_works_until_its_expiry_then_is_refused(enterprise, monkeypatch):
    made = timezone.now()
    token, raw = services.issue_token(
        enterprise, "weighbridge", expires_at=services.expiry_after_days(30, now=made)
    )
    assert token.expires_at == made + dt.timedelta(days=30)

    travel_to(monkeypatch, made + dt.timedelta(days=30) - dt.timedelta(seconds=1))
    assert services.authenticate_token(raw) == enterprise
    assert token.state == TokenState.ACTIVE

    travel_to(monkeypatch, made + dt.timedelta(days=30))
    assert services.authenticate_token(raw) is None
    assert token.state == TokenState.EXPIRED


def test_an_expired_token_gets_401_from_the_api(enterprise, monkeypatch):
    _token, raw = services.issue_token(
        enterprise, "tablet", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert bearer(raw).get("/api/v1/me").status_code == 200
    travel_to(monkeypatch, timezone.now() + dt.timedelta(hours=1, seconds=1))
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_a_token_without_expiry_keeps_working(enterprise, monkeypatch):
    token, raw = services.issue_token(enterprise, "booth")
    assert token.expires_at is None
    travel_to(monkeypatch, timezone.now() + dt.timedelta(days=20 * 365))
    assert services.authenticate_token(raw) == enterprise


def test_revoked_wins_over_expired(enterprise, monkeypatch):
    token, raw = services.issue_token(
        enterprise, "old", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    token.revoke()
    travel_to(monkeypatch, timezone.now() + dt.timedelta(days=2))
    assert token.state == TokenState.REVOKED
    assert services.authenticate_token(raw) is None


@pytest.mark.parametrize(
    "expires_at",
    [
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        "now",
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime.max,
        dt.datetime.min,
        "four years",
    ],
)
def test_past_or_absurd_expiries_are_field_errors(enterprise, expires_at):
    now = timezone.now()
    expires_at = {"now": now, "four years": now + dt.timedelta(days=4 * 365)}.get(
        expires_at, expires_at
    )
    with pytest.raises(FieldErrors) as refused:
        services.issue_token(enterprise, "x", expires_at=expires_at)
    assert list(refused.value.errors) == ["expires_at"]
    assert not ApiToken.objects.exists()


def test_a_time_without_zone_is_read_on_the_gate_clock(enterprise):
    tomorrow_noon = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(12, 0))
    token, _raw = services.issue_token(enterprise, "x", expires_at=tomorrow_noon)
    assert token.expires_at == tomorrow_noon.replace(tzinfo=VIETNAM)


def test_a_date_means_through_the_end_of_that_day(enterprise):
    day = timezone.localdate() + dt.timedelta(days=10)
    expires = services.expiry_at_end_of(day)
    assert expires == dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, VIETNAM)
    assert services.expiry_at_end_of(timezone.localdate()) > timezone.now()
    for refused in (timezone.localdate() - dt.timedelta(days=1), dt.date.max):
        with pytest.raises(FieldErrors):
            services.expiry_at_end_of(refused)


@pytest.mark.parametrize("days", [0, -5, 3 * 365 + 1, 10**9])
def test_expiry_days_out_of_range_are_field_errors(days):
    with pytest.raises(FieldErrors):
        services.expiry_after_days(days)


def test_last_use_is_recorded(enterprise, monkeypatch):
    token, raw = services.issue_token(enterprise, "tablet")
    assert token.last_used_at is None
    used = timezone.now()
    travel_to(monkeypatch, used)
    services.authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == used


# --- the profile page ------------------------------------------------------------------------


def test_profile_creates_a_token_for_30_days(enterprise):
    before = timezone.now()
    response = logged_in(enterprise).post(
        "/profile/", {"name": "tablet", "expires": "30", "password": PASSWORD}
    )
    assert 'id="new-token"' in response.content.decode()
    token = enterprise.api_tokens.get()
    assert before + dt.timedelta(days=30) <= token.expires_at <= timezone.now() + dt.timedelta(30)


def test_profile_creates_a_token_until_a_date(enterprise):
    day = timezone.localdate() + dt.timedelta(days=45)
    logged_in(enterprise).post(
        "/profile/",
        {
            "name": "tablet",
            "expires": "date",
            "expires_on": day.isoformat(),
            "password": PASSWORD,
        },
    )
    token = enterprise.api_tokens.get()
    assert timezone.localtime(token.expires_at) == dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, VIETNAM
    )


def test_profile_without_a_choice_makes_a_token_that_never_expires(enterprise):
    logged_in(enterprise).post(
        "/profile/", {"name": "tablet", "expires": "never", "password": PASSWORD}
    )
    assert enterprise.api_tokens.get().expires_at is None


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"expires": "date", "expires_on": "2020-02-01"}, "expires_on"),
        ({"expires": "date", "expires_on": "9999-12-31"}, "expires_on"),
        ({"expires": "date", "expires_on": "10000-01-01"}, "expires_on"),
        ({"expires": "date", "expires_on": ""}, "expires_on"),
        ({"expires": "36500"}, "expires"),
        ({"expires": "forever"}, "expires"),
    ],
)
def test_profile_refuses_past_or_absurd_expiries_on_the_field(enterprise, fields, field):
    response = logged_in(enterprise).post(
        "/profile/", {"name": "tablet", "password": PASSWORD, **fields}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'class="error" data-field="{field}"' in html
    assert 'id="new-token"' not in html
    assert not enterprise.api_tokens.exists()


def token_rows(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-token="\d+" data-state="(\w+)">(.*?)</tr>', html, re.S))


def test_profile_lists_created_last_used_expiry_and_state(enterprise, monkeypatch):
    active, raw = services.issue_token(
        enterprise, "may-can", expires_at=services.expiry_after_days(90)
    )
    services.authenticate_token(raw)
    services.issue_token(enterprise, "cu", expires_at=timezone.now() + dt.timedelta(minutes=5))
    revoked, _raw = services.issue_token(enterprise, "mat")
    revoked.revoke()
    travel_to(monkeypatch, timezone.now() + dt.timedelta(minutes=10))

    html = logged_in(enterprise).get("/profile/").content.decode()
    for heading in ("Created", "Last used", "Expires", "State"):
        assert f"<th>{heading}</th>" in html
    rows = token_rows(html)
    assert set(rows) == {"active", "expired", "revoked"}
    assert "may-can" in rows["active"] and ">active<" in rows["active"]
    assert "never used" not in rows["active"]  # it was used
    assert "cu" in rows["expired"] and ">expired<" in rows["expired"]
    assert "mat" in rows["revoked"] and ">revoked<" in rows["revoked"]
    assert "never used" in rows["revoked"]
    # Only a token that is not revoked yet can be revoked.
    assert "Revoke" in rows["active"] and "Revoke" in rows["expired"]
    assert "Revoke" not in rows["revoked"]


@pytest.mark.parametrize(
    "language, words",
    [
        ("vi", ["Hết hạn", "Lần dùng cuối", "còn hiệu lực", "đã hết hạn", "Sau 30 ngày"]),
        ("zh-hans", ["到期", "最后使用", "有效", "已过期", "30 天后"]),
    ],
)
def test_profile_token_columns_are_translated(enterprise, language, words, monkeypatch):
    services.issue_token(enterprise, "a", expires_at=timezone.now() + dt.timedelta(minutes=1))
    services.issue_token(enterprise, "b")
    travel_to(monkeypatch, timezone.now() + dt.timedelta(minutes=2))
    services.set_language(enterprise, language)
    html = logged_in(enterprise).get("/profile/").content.decode()
    for word in words:
        assert word in html


# --- the API -----------------------------------------------------------------------------------


def test_api_creates_a_token_with_expiry_and_lists_its_state(enterprise):
    _token, raw = services.issue_token(enterprise, "integration")
    api = bearer(raw)
    expires = (timezone.now() + dt.timedelta(days=90)).replace(microsecond=0)
    response = api.post(
        "/api/v1/me/tokens",
        json.dumps({"name": "weighbridge", "expires_at": expires.isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert dt.datetime.fromisoformat(body["expires_at"]) == expires
    assert body["state"] == "active"
    assert services.authenticate_token(body["token"]) == enterprise

    listed = {t["name"]: t for t in api.get("/api/v1/me/tokens").json()}
    assert listed["weighbridge"]["state"] == "active"
    assert listed["integration"]["expires_at"] is None
    api.delete(f"/api/v1/me/tokens/{body['id']}")
    listed = {t["name"]: t for t in api.get("/api/v1/me/tokens").json()}
    assert listed["weighbridge"]["state"] == "revoked"


def test_api_a_day_alone_is_a_token_through_the_end_of_that_day(enterprise):
    # As the profile page's date field: "2026-12-10" was read as that day's first instant, and
    # the token did not work on the day it named.
    _token, raw = services.issue_token(enterprise, "integration")
    day = timezone.localdate() + dt.timedelta(days=30)
    response = bearer(raw).post(
        "/api/v1/me/tokens",
        json.dumps({"name": "booth", "expires_at": day.isoformat()}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    ends = dt.datetime.fromisoformat(response.json()["expires_at"])
    assert ends == services.expiry_at_end_of(day)
    assert timezone.localtime(ends - dt.timedelta(microseconds=1)).date() == day


@pytest.mark.parametrize(
    "expires_at",
    [
        "2020-01-01T00:00:00+07:00",
        "9999-12-31T00:00:00Z",
        "10000-01-01",
        "soon",
        7,
        "2020-01-01",
        "2026-02-30",
        "9999-12-31",
    ],
)
def test_api_refuses_past_or_absurd_expiry_with_422(enterprise, expires_at):
    _token, raw = services.issue_token(enterprise, "integration")
    response = bearer(raw).post(
        "/api/v1/me/tokens",
        json.dumps({"name": "x", "expires_at": expires_at}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    locations = [error["loc"] for error in response.json()["detail"]]
    assert any(loc[0] == "body" and loc[-1] == "expires_at" for loc in locations), locations
    assert enterprise.api_tokens.count() == 1


# --- the command -------------------------------------------------------------------------------


def test_createtoken_with_expiry_days(enterprise, capsys):
    call_command("createtoken", enterprise.username, "--name", "booth", "--expires-days", "90")
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="booth")
    assert services.authenticate_token(raw) == enterprise
    expected = timezone.now() + dt.timedelta(days=90)
    assert abs(token.expires_at - expected) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("days", ["0", "-1", "100000000000"])
def test_createtoken_refuses_absurd_expiry_days(enterprise, days):
    with pytest.raises(CommandError, match="--expires-days"):
        call_command("createtoken", enterprise.username, "--expires-days", days)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", ["tab\u202eevil", "ESC\x1b[31m", "bell\x07", "nul\x00"])
def test_a_token_name_holds_no_control_character_however_it_is_made(enterprise, name):
    """The profile page's form took any text (a right-to-left override, an escape sequence),
    stored it and showed it on the page and in the API's list of tokens."""
    from django.test import Client

    web = Client()
    web.force_login(enterprise)
    page = web.post("/profile/", {"name": name, "expires": "", "password": PASSWORD})
    assert page.status_code == 200 and "control character" in page.content.decode()
    with pytest.raises(FieldErrors) as refused:
        services.issue_token(enterprise, name)
    assert list(refused.value.errors) == ["name"]
    with pytest.raises(CommandError, match="--name"):
        call_command("createtoken", enterprise.username, "--name", name)
    assert not ApiToken.objects.exists()


def test_revoking_a_token_revokes_the_tokens_made_with_it(enterprise):
    """A stolen token used to mint others: revoking it shuts out every copy, at any depth,
    and leaves the user's other tokens working."""
    _first, stolen = services.issue_token(enterprise, "phone")
    _laptop, laptop = services.issue_token(enterprise, "laptop")
    thief = Client(HTTP_AUTHORIZATION=f"Bearer {stolen}")
    copy = thief.post("/api/v1/me/tokens", {"name": "copy"}, content_type="application/json")
    assert copy.status_code == 201
    by_copy = Client(HTTP_AUTHORIZATION=f"Bearer {copy.json()['token']}")
    deeper = by_copy.post("/api/v1/me/tokens", {"name": "deeper"}, content_type="application/json")
    assert deeper.status_code == 201
    by_deeper = Client(HTTP_AUTHORIZATION=f"Bearer {deeper.json()['token']}")
    assert by_deeper.get("/api/v1/me").status_code == 200

    owner = Client(HTTP_AUTHORIZATION=f"Bearer {laptop}")
    revoked = owner.delete(f"/api/v1/me/tokens/{_first.pk}")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    for client in (thief, by_copy, by_deeper):
        assert client.get("/api/v1/me").status_code == 401
    assert owner.get("/api/v1/me").status_code == 200
    states = {t["name"]: t["state"] for t in owner.get("/api/v1/me/tokens").json()}
    assert states == {
        "phone": "revoked",
        "copy": "revoked",
        "deeper": "revoked",
        "laptop": "active",
    }
    # All at the moment of the decision.
    assert ApiToken.objects.filter(user=enterprise, revoked_at=_first_revoked(_first)).count() == 3


def _first_revoked(token):
    token.refresh_from_db()
    return token.revoked_at


def test_revoking_a_token_made_with_another_leaves_the_other_working(enterprise):
    first, raw = services.issue_token(enterprise, "phone")
    made, _made_raw = services.issue_token(enterprise, "copy", made_with=first)
    made.revoke()
    first.refresh_from_db()
    assert first.is_active and not made.is_active
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("expires_at", ["9999-12-31", "2099-12-31", "9999-12-31T00:00:00Z"])
def test_api_a_well_formed_day_too_far_is_told_the_three_year_limit(enterprise, expires_at):
    _token, raw = services.issue_token(enterprise, "integration")
    response = bearer(raw).post(
        "/api/v1/me/tokens",
        json.dumps({"name": "x", "expires_at": expires_at}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "at most 3 years" in response.content.decode()
    assert "YYYY-MM-DD" not in response.content.decode()


def test_api_answers_the_expiry_in_utc_like_the_other_times(enterprise):
    _token, raw = services.issue_token(enterprise, "integration")
    day = timezone.localdate() + dt.timedelta(days=30)
    for asked in (day.isoformat(), f"{day.isoformat()}T08:00:00"):
        body = (
            bearer(raw)
            .post(
                "/api/v1/me/tokens",
                json.dumps({"name": "x", "expires_at": asked}),
                content_type="application/json",
            )
            .json()
        )
        assert body["expires_at"].endswith("Z") and body["created_at"].endswith("Z"), body
    listed = bearer(raw).get("/api/v1/me/tokens").json()
    assert all(t["expires_at"] is None or t["expires_at"].endswith("Z") for t in listed)


def test_api_a_session_makes_a_token_only_with_the_password(enterprise):
    from axes.models import AccessAttempt

    page = Client(REMOTE_ADDR="203.113.131.7")
    page.force_login(enterprise)
    for guess in range(4):
        response = page.post(
            "/api/v1/me/tokens", {"name": "copy", "password": f"guess-{guess}"}, "application/json"
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "password"
    assert AccessAttempt.objects.get().failures_since_start == 4
    # No password at all is no guess: said required, not counted.
    response = page.post("/api/v1/me/tokens", {"name": "copy"}, "application/json")
    assert response.status_code == 422
    assert AccessAttempt.objects.get().failures_since_start == 4
    response = page.post(
        "/api/v1/me/tokens", {"name": "copy", "password": "guess-last"}, "application/json"
    )
    assert response.status_code == 429 and "Locked after 5" in response.json()["detail"]
    assert not enterprise.api_tokens.exists()


def test_the_administration_revokes_tokens_and_never_deletes_them(enterprise, admin_client):
    parent, raw = services.issue_token(enterprise, "leaked")
    child = bearer(raw).post("/api/v1/me/tokens", {"name": "copy"}, "application/json").json()
    changelist = admin_client.get("/admin/accounts/apitoken/").content.decode()
    assert 'value="delete_selected"' not in changelist and 'value="revoke"' in changelist
    admin_client.post(
        "/admin/accounts/apitoken/",
        {"action": "delete_selected", "_selected_action": [parent.pk], "post": "yes"},
    )
    assert admin_client.post(f"/admin/accounts/apitoken/{parent.pk}/delete/").status_code == 403
    assert ApiToken.objects.filter(pk=parent.pk).exists()
    admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [parent.pk]}
    )
    assert bearer(child["token"]).get("/api/v1/me").status_code == 401
