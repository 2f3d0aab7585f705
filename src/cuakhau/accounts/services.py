"""Accounts: API tokens, demo users, language preference."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cuakhau.core.errors import FieldErrors

from . import roles
from .models import ApiToken, TokenState, UserProfile, hash_token, note_use

# The lifetimes offered when a token is created; "never" is always offered too.
TOKEN_LIFETIME_DAYS = (30, 90, 365)
# An expiry further away than this is a typing slip (2226 for 2026), not a plan: a token that
# should live on is one that never expires, and says so.
MAX_TOKEN_LIFETIME = dt.timedelta(days=3 * 365)


def authenticate_token(raw: str):
    """The active user owning this API token, or None. Records when the token was last used."""
    if not raw:
        return None
    try:
        token = ApiToken.objects.select_related("user").get(key_hash=hash_token(raw.strip()))
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.state_at(now) != TokenState.ACTIVE or not token.user.is_active:
        return None
    note_use(token, "last_used_at", now)
    return token.user


def _too_far_message() -> str:
    years = MAX_TOKEN_LIFETIME.days // 365
    return ngettext(
        "A token can last at most %(years)d year; choose “never” for one that does not expire.",
        "A token can last at most %(years)d years; choose “never” for one that does not expire.",
        years,
    ) % {"years": years}


def check_token_expiry(expires_at: dt.datetime | None, *, now=None) -> dt.datetime | None:
    """The expiry as an aware time, or ``FieldErrors`` when it is past or absurdly far.

    A time without a zone is read in the current time zone (the gate's clock).
    """
    if expires_at is None:
        return None
    now = now or timezone.now()
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise FieldErrors({"expires_at": [_("The expiry must be in the future.")]})
    if expires_at - now > MAX_TOKEN_LIFETIME:
        raise FieldErrors({"expires_at": [_too_far_message()]})
    return expires_at


def expiry_after_days(days: int, *, now=None) -> dt.datetime:
    """When a token made now for ``days`` days stops working."""
    if not 1 <= days <= MAX_TOKEN_LIFETIME.days:
        raise FieldErrors(
            {
                "expires_in_days": [
                    _("Between %(low)d and %(high)d days.")
                    % {"low": 1, "high": MAX_TOKEN_LIFETIME.days}
                ]
            }
        )
    return (now or timezone.now()) + dt.timedelta(days=days)


def expiry_at_end_of(day: dt.date, *, now=None) -> dt.datetime:
    """When a token valid through ``day`` (the whole day, on the local clock) stops working."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Checked on the date first: the last representable date has no next midnight.
    if day < today:
        raise FieldErrors({"expires_at": [_("The expiry must be in the future.")]})
    if day > timezone.localdate(now + MAX_TOKEN_LIFETIME):
        raise FieldErrors({"expires_at": [_too_far_message()]})
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    return min(timezone.make_aware(next_midnight), now + MAX_TOKEN_LIFETIME)


def issue_token(user, name: str, *, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; ``expires_at`` None means it works until revoked."""
    return ApiToken.issue(user, name.strip() or "token", expires_at=check_token_expiry(expires_at))


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
