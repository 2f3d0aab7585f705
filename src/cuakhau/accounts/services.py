"""Accounts: API tokens, demo users, language preference."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from . import roles
from .models import ApiToken, UserProfile, hash_token


def authenticate_token(raw: str):
    """The active user owning this API token, or None. Records when the token was last used."""
    if not raw:
        return None
    try:
        token = ApiToken.objects.select_related("user").get(key_hash=hash_token(raw.strip()))
    except ApiToken.DoesNotExist:
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute at most: the gate's devices call many times a second.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def issue_token(user, name: str) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, name.strip() or "token")


def revoke_token(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    token.revoke()
    return token


def profile_of(user) -> UserProfile:
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


def set_language(user, language: str) -> None:
    profile = profile_of(user)
    profile.language = language
    profile.save(update_fields=["language"])


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create one group per role with its permissions (idempotent)."""
    groups = {}
    for role in roles.ALL:
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for dotted in roles.PERMISSIONS.get(role, []):
            app_label, codename = dotted.split(".")
            perms.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(perms)
        groups[role] = group
    return groups


@transaction.atomic
def create_user(username, password, role, *, organisation=None, gates=(), language="", **fields):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, **fields)
    if role == roles.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(ensure_role_groups()[role])
    profile = profile_of(user)
    profile.organisation = organisation
    profile.language = language
    profile.save()
    if gates:
        profile.gates.set(gates)
    return user
