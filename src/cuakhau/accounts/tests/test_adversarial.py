"""What another person, a stale reader or a staff member may not do to an account: revoke
someone else's token, write a token's last use more than once a minute, bring a revoked token
back, or give anyone (themselves first) a role in the administration."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from cuakhau.accounts import roles, services
from cuakhau.accounts.models import ApiToken, note_use
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_nobody_revokes_or_lists_another_persons_token(enterprise, other_enterprise):
    token, raw = services.issue_token(enterprise, "tablet")
    _theirs, their_raw = services.issue_token(other_enterprise, "phone")
    response = bearer(their_raw).delete(f"/api/v1/me/tokens/{token.pk}")
    assert response.status_code == 404
    page = Client()
    page.force_login(other_enterprise)
    page.post(f"/profile/tokens/{token.pk}/revoke/")
    assert [t["id"] for t in bearer(their_raw).get("/api/v1/me/tokens").json()] == [_theirs.pk]
    token.refresh_from_db()
    assert token.revoked_at is None
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_a_revoked_token_is_refused_even_beside_a_session(enterprise):
    token, raw = services.issue_token(enterprise, "tablet")
    token.revoke()
    client = bearer(raw)
    client.force_login(enterprise)
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/me/tokens", {"name": "x"}, "application/json").status_code == 401


def test_the_last_use_is_written_once_by_readers_of_the_same_old_time(enterprise):
    token, _raw = services.issue_token(enterprise, "tablet")
    old = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    first, second = ApiToken.objects.get(pk=token.pk), ApiToken.objects.get(pk=token.pk)
    now = timezone.now()
    note_use(first, "last_used_at", now)
    # The second request read the old time too; it comes a little later, within the minute.
    note_use(second, "last_used_at", now + dt.timedelta(seconds=20))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now
    note_use(second, "last_used_at", now + dt.timedelta(seconds=61))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now + dt.timedelta(seconds=61)


@pytest.fixture
def help_desk(db):
    """Staff who may change people's accounts (a password, deactivating a leaver), no more:
    in the administrators' group, so the site lets them in, but not a superuser."""
    person = services.create_user("hotro", PASSWORD, roles.DESK)
    person.is_staff = True
    person.save()
    person.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    for codename in ("view_user", "change_user", "view_apitoken", "change_apitoken"):
        person.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(person)
    return person, client


def _change_form(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    data.update(changes)
    return data


def test_staff_cannot_give_themselves_a_role_or_the_administration(help_desk):
    person, client = help_desk
    customs = Group.objects.get(name=roles.CUSTOMS)
    response = client.post(
        f"/admin/auth/user/{person.pk}/change/",
        _change_form(
            person, is_superuser="on", is_staff="on", groups=[customs.pk], first_name="Lan"
        ),
    )
    assert response.status_code == 302, response.content[:2000]
    person.refresh_from_db()
    assert person.first_name == "Lan"  # what they may change is changed
    assert not person.is_superuser
    assert set(person.groups.values_list("name", flat=True)) == {roles.DESK, roles.ADMINISTRATOR}
    assert not person.user_permissions.filter(codename="add_user").exists()


def test_staff_cannot_change_an_administrators_account(help_desk):
    _person, client = help_desk
    admin = services.create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    # Shown (they may view people), not changed.
    response = client.post(
        f"/admin/auth/user/{admin.pk}/change/", _change_form(admin, is_active="")
    )
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.is_active
    response = client.post(f"/admin/auth/user/{admin.pk}/password/", {})
    assert response.status_code == 403
    assert client.get("/admin/auth/user/").status_code == 200


def test_a_revoked_token_stays_revoked_in_the_administration(enterprise, help_desk):
    _person, client = help_desk
    token, raw = services.issue_token(enterprise, "tablet")
    token.revoke()
    response = client.post(
        f"/admin/accounts/apitoken/{token.pk}/change/",
        {"revoked_at_0": "", "revoked_at_1": "", "expires_at_0": "2099-01-01"},
    )
    assert response.status_code in (200, 302)
    token.refresh_from_db()
    assert token.revoked_at is not None and token.expires_at is None
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_a_token_makes_none_that_outlives_it(enterprise):
    ends = (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    _parent, raw = services.issue_token(enterprise, "integration", expires_at=ends)
    for asked in (None, (ends + dt.timedelta(days=300)).isoformat()):
        body = {"name": "child"} if asked is None else {"name": "child", "expires_at": asked}
        response = bearer(raw).post("/api/v1/me/tokens", body, "application/json")
        assert response.status_code == 201, response.content
        assert dt.datetime.fromisoformat(response.json()["expires_at"]) == ends
    sooner = (ends - dt.timedelta(days=10)).replace(microsecond=0)
    response = bearer(raw).post(
        "/api/v1/me/tokens", {"name": "child", "expires_at": sooner.isoformat()}, "application/json"
    )
    assert dt.datetime.fromisoformat(response.json()["expires_at"]) == sooner
    # Made on the profile page (a session): as the person chooses.
    page = Client()
    page.force_login(enterprise)
    response = page.post(
        "/api/v1/me/tokens", {"name": "kept", "password": PASSWORD}, "application/json"
    )
    assert response.status_code == 201 and response.json()["expires_at"] is None
