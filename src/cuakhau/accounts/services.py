"""Accounts: API tokens, demo users, language preference, the e-mail a password reset goes to."""

import datetime as dt
import hashlib
import logging

from axes import utils as axes_utils
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, logout
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cuakhau.core.context import SYSTEM, RequestContext
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import check_text
from cuakhau.core.prepared import Prepared
from cuakhau.core.stamps import NONE_KEPT
from cuakhau.reference.validators import normalise_phone_number

from . import access, roles
from .models import (
    ApiToken,
    PasswordResetRequest,
    TokenState,
    UserProfile,
    hash_token,
    note_use,
)

logger = logging.getLogger(__name__)

# The lifetimes offered when a token is created; "never" is always offered too.
TOKEN_LIFETIME_DAYS = (30, 90, 365)
# An expiry further away than this is a typing slip (2226 for 2026), not a plan: a token that
# should live on is one that never expires, and says so.
MAX_TOKEN_LIFETIME = dt.timedelta(days=3 * 365)


class _Joined(Aggregate):
    """The values of a group of rows as one comma-separated text (the vendors name it apart)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _joined(queryset, expression) -> Subquery:
    """One text of ``expression`` over the rows of ``queryset`` (filtered on the outer user)."""
    return Subquery(
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(joined=_Joined(expression))
        .values("joined")[:1]
    )


def _split(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def _access_of_token_owner():
    """Who the token's owner is, as annotations of the token row: roles, permissions, gates.

    Loaded with the token in the same statement, so a token-authenticated request costs one
    indexed lookup: the groups, the permissions (the user's own and their groups') and the
    profile's gates come as correlated subqueries instead of four more round trips.
    """
    User = get_user_model()
    user = OuterRef("user_id")
    gates = UserProfile.gates.through.objects.filter(userprofile__user_id=user)
    perm = Concat(F("content_type__app_label"), Value("."), F("codename"), output_field=CharField())
    return {
        "owner_roles": _joined(Group.objects.filter(user=user), F("name")),
        "owner_group_perms": _joined(Permission.objects.filter(group__user=user), perm),
        "owner_user_perms": _joined(
            Permission.objects.filter(**{User.user_permissions.field.related_query_name(): user}),
            perm,
        ),
        "owner_gate_ids": _joined(gates, Cast("gate_id", CharField())),
        "owner_gate_codes": _joined(gates, F("gate__code")),
    }


def _access_read(token: ApiToken) -> access.Access:
    return access.Access(
        roles=frozenset(_split(token.owner_roles)),
        user_perms=frozenset(_split(token.owner_user_perms)),
        group_perms=frozenset(_split(token.owner_group_perms)),
        gate_ids=frozenset(int(pk) for pk in _split(token.owner_gate_ids)),
        gate_codes=tuple(sorted(_split(token.owner_gate_codes))),
    )


def _remember_access(user, held: access.Access) -> None:
    """Seed the per-request caches that ``roles_of``, ``has_perm`` and ``works_at`` read."""
    roles_held = set(held.roles)
    if user.is_superuser:
        roles_held.add(roles.ADMINISTRATOR)
    user._cuakhau_roles = roles_held
    if user.is_active and not user.is_anonymous:
        # ModelBackend's own cache attributes: has_perm() reads these instead of querying.
        user._user_perm_cache = set(held.user_perms)
        user._group_perm_cache = set(held.group_perms)
        user._perm_cache = set(held.user_perms | held.group_perms)
    user._cuakhau_gate_ids = held.gate_ids
    user._cuakhau_gate_codes = list(held.gate_codes)


def _token_with_owner(key_hash, known):
    """The token, its owner, profile and organisation; the owner's roles, permissions and
    gates only when the profile's stamp is not ``known`` (``access_read`` says whether they
    were read: a person with no role reads as no role too)."""
    stamp_is_known = Q(user__profile__access_stamp=known)
    return (
        ApiToken.objects.select_related("user", "user__profile", "user__profile__organisation")
        .annotate(
            access_read=Case(
                When(stamp_is_known, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
            **{
                name: Case(When(stamp_is_known, then=Value(None)), default=subquery)
                for name, subquery in _access_of_token_owner().items()
            },
        )
        .filter(key_hash=key_hash)
    )


def _stamp_of(token: ApiToken) -> int | None:
    profile = token.user._state.fields_cache.get("profile")
    return profile.access_stamp if profile is not None else None


# Compiled once per process: building this query costs far more than running it.
_TOKEN_WITH_OWNER = Prepared(_token_with_owner, key_hash=str, known=int)


def authenticate_token(raw: str):
    """The active user owning this API token, or None. Records when the token was last used
    (at most once a minute: ``note_use``)."""
    if not raw:
        return None
    key_hash = hash_token(raw.strip())
    token = _TOKEN_WITH_OWNER.first(key_hash=key_hash, known=access.KEPT.known(key_hash))
    if token is None:
        return None
    now = timezone.now()
    if token.state_at(now) != TokenState.ACTIVE or not token.user.is_active:
        return None
    held = None if token.access_read else access.KEPT.get(key_hash, _stamp_of(token))
    if held is None:
        if not token.access_read:
            # Dropped meanwhile (other tokens filled the process's room): read it whole.
            token = _TOKEN_WITH_OWNER.first(key_hash=key_hash, known=NONE_KEPT)
            if token is None or token.state_at(now) != TokenState.ACTIVE:
                return None
            if not token.user.is_active:
                return None
        held = _access_read(token)
        stamp = _stamp_of(token)
        if stamp is not None:  # an owner without a profile: no change to tell it by
            access.KEPT.put(key_hash, stamp, held)
    note_use(token, "last_used_at", now)
    _remember_access(token.user, held)
    # The credential of this request: a token it makes lives no longer (``issue_token``).
    token.user._cuakhau_token = token
    return token.user


def gate_codes_of(user) -> list[str]:
    """The codes of the gates in the user's profile, sorted."""
    codes = getattr(user, "_cuakhau_gate_codes", None)
    if codes is None:
        codes = list(
            UserProfile.gates.through.objects.filter(userprofile__user=user)
            .order_by("gate__code")
            .values_list("gate__code", flat=True)
        )
    return codes


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


def issue_token(
    user, name: str, *, expires_at: dt.datetime | None = None, made_with: ApiToken | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; ``expires_at`` None means it works until revoked.

    ``made_with``: the token the request came with, if any. The new one expires no later
    than it (a token that expires would otherwise mint one that never does, and outlive its
    own end); the answer says the expiry it got. Revoking ``made_with`` revokes the new one.
    """
    try:
        name = check_text(name, ApiToken, "name")
    except ValidationError as exc:
        raise FieldErrors({"name": exc.messages}) from None
    expires_at = check_token_expiry(expires_at)
    ends = made_with.expires_at if made_with is not None else None
    if ends is not None and (expires_at is None or expires_at > ends):
        expires_at = ends
    if expires_at is not None:
        # Kept and answered in UTC, as the token's other times (not the offset it was typed in).
        expires_at = expires_at.astimezone(dt.UTC)
    return ApiToken.issue(user, name or "token", expires_at=expires_at, made_with=made_with)


def token_of_request(user) -> ApiToken | None:
    """The token a request was authenticated with (``authenticate_token``), else None."""
    return getattr(user, "_cuakhau_token", None)


def revoke_token(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.get(pk=token_id, user=user)
    token.revoke()
    return token


def revoke_tokens_of(user) -> int:
    """Revoke every API token of this person still working (a password reset or change that
    asks for it): whoever took the account may have made one. How many were revoked."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=now)


def password_is_right(request, password: str) -> bool:
    """Whether ``password`` is the signed-in person's, checked as a sign-in is.

    A session left open must not be a place to guess the password from (then reset links go
    to the guesser's inbox): django-axes counts a wrong one against the person and the
    address, and once they are locked out refuses every one, the right one too. The session
    that reached the limit is signed out, and the lockout page answers (the middleware's).
    """
    user = request.user
    checked = authenticate(request, username=user.get_username(), password=password or "")
    if checked is not None and checked.pk == user.pk:
        if settings.AXES_RESET_ON_SUCCESS:
            # As a sign-in does (axes resets on ``user_logged_in``, which no form here sends):
            # else the right password between wrong ones would still let them add up, and the
            # lockout's "in a row" would not be true. Only this username at this address.
            axes_utils.reset(ip=get_client_ip_address(request), username=user.get_username())
        return True
    if getattr(request, "axes_locked_out", False):
        logout(request)
    return False


def check_password_of_session(request, password: str | None) -> None:
    """``FieldErrors`` on ``password`` unless it is the signed-in person's (``password_is_right``)."""
    if not password:
        # Not a guess (as a form without the field is not): nothing to count against the person.
        raise FieldErrors({"password": [_("This field is required.")]})
    if not password_is_right(request, password):
        raise FieldErrors({"password": [_("Your password was entered incorrectly.")]})


def profile_of(user) -> UserProfile:
    # Loaded with the user (a token's select_related): no second query.
    loaded = user._state.fields_cache.get("profile")
    if loaded is not None:
        return loaded
    profile, _created = UserProfile.objects.get_or_create(user=user)
    return profile


def set_language(user, language: str) -> None:
    profile = profile_of(user)
    profile.language = language
    profile.save(update_fields=["language"])


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create one group per role with its permissions (idempotent): after every migration."""
    wanted = {
        tuple(dotted.split(".", 1))
        for role in roles.ALL
        for dotted in roles.PERMISSIONS.get(role, [])
    }
    found = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _app, codename in wanted}
        )
    }
    missing = sorted(".".join(key) for key in wanted - found.keys())
    if missing:
        raise Permission.DoesNotExist(f"No permission {', '.join(missing)}")
    groups = {}
    for role in roles.ALL:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [found[tuple(dotted.split(".", 1))] for dotted in roles.PERMISSIONS.get(role, [])]
        )
        groups[role] = group
    return groups


def role_group(role: str) -> Group:
    """The role's group, as the last migration left it (made now if it is missing)."""
    group = Group.objects.filter(name=role).first()
    return group if group is not None else ensure_role_groups()[role]


@transaction.atomic
def create_user(
    username, password, role, *, organisation=None, gates=(), language="", phone="", **fields
):
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, **fields)
    if role == roles.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(role_group(role))
    profile = profile_of(user)
    profile.organisation = organisation
    profile.language = language
    # As the administration keeps it: a driver's is what their trips are found by.
    profile.phone = normalise_phone_number(phone)
    profile.save()
    if gates:
        profile.gates.set(gates)
    return user


def normalise_email(email: str) -> str:
    """As typed, but with its domain in lower case (Django's normalisation; the part before
    the @ is the mail server's to read)."""
    return get_user_model().objects.normalize_email(email.strip()) if email else ""


def set_email(user, email: str) -> None:
    """The address this person's password-reset links go to ("" for none). A person changes it
    through ``email_confirmation``: a link sent to the new address proves it is theirs."""
    user.email = normalise_email(email)
    user.save(update_fields=["email"])
    profile = profile_of(user)
    profile.email_changed_at = timezone.now()
    profile.save(update_fields=["email_changed_at"])


# A reset link sent to an inbox that is not the person's would hand their account to a
# stranger (a slip of one letter is enough): a new address counts once its owner opens the
# link sent to it. The link names the person, the new address and when it was made.
EMAIL_CONFIRMATION_SALT = "cuakhau.accounts.email-confirmation"
EMAIL_CONFIRMATION_MAX_AGE = dt.timedelta(days=2)


def email_confirmation(user, email: str) -> str:
    """The signed token of a link confirming ``email`` as this person's."""
    return signing.dumps(
        {"user": user.pk, "email": normalise_email(email), "at": timezone.now().timestamp()},
        salt=EMAIL_CONFIRMATION_SALT,
    )


def send_email_confirmation(user, email: str, link: str) -> bool:
    """E-mail the confirmation link to the new address, in the person's language. False when
    the mail server refused it (logged): the person is told and asks again."""
    language = profile_of(user).language or translation.get_language()
    context = {
        "username": user.get_username(),
        "link": link,
        "days": EMAIL_CONFIRMATION_MAX_AGE.days,
    }
    with translation.override(language):
        subject = render_to_string("accounts/email_confirm_subject.txt", context)
        body = render_to_string("accounts/email_confirm_email.txt", context)
    try:
        send_mail(" ".join(subject.split()), body, None, [normalise_email(email)])
    except Exception:  # noqa: BLE001  (SMTP, DNS, a refused recipient: all the same to the person)
        logger.exception(
            "the confirmation of a new e-mail address of user %s was not sent", user.pk
        )
        return False
    return True


def email_change_of(token: str):
    """(person, address) a confirmation link asks for, or None for a token altered, over two
    days old, or made before the address last changed (used already, or overtaken by another
    change). Reads only: opening the link sets nothing."""
    try:
        data = signing.loads(
            token, salt=EMAIL_CONFIRMATION_SALT, max_age=EMAIL_CONFIRMATION_MAX_AGE
        )
    except signing.BadSignature:
        return None
    user = (
        get_user_model()
        .objects.select_related("profile")
        .filter(pk=data["user"], is_active=True)
        .first()
    )
    if user is None:
        return None
    changed = profile_of(user).email_changed_at
    if changed is not None and data["at"] < changed.timestamp():
        return None
    return user, data["email"]


def confirm_email(token: str):
    """The person whose new address this token confirms, with the address set; None for a
    token ``email_change_of`` refuses."""
    change = email_change_of(token)
    if change is None:
        return None
    user, email = change
    set_email(user, email)
    return user


# Password-reset e-mails: how many one caller's address, and one inbox, may ask for in a window.
# A reset link is harmless to its inbox's owner, but a flood of them is not.
RESET_WINDOW = dt.timedelta(hours=1)
RESET_LIMIT_PER_ADDRESS = 10
RESET_LIMIT_PER_EMAIL = 3


class TooManyResetRequests(Exception):
    """Too many password-reset e-mails asked for (HTTP 429)."""


def note_reset_request(email: str, context: RequestContext = SYSTEM) -> None:
    """Count a request for a password-reset e-mail to this address; refuse it past the limits.
    Every request counts, whether or not an account has the address: the answer must not say
    which addresses do."""
    now = timezone.now()
    since = now - RESET_WINDOW
    PasswordResetRequest.objects.filter(at__lt=since).delete()
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    recent = PasswordResetRequest.objects.filter(at__gte=since)
    if recent.filter(remote_addr=context.remote_addr).count() >= RESET_LIMIT_PER_ADDRESS:
        raise TooManyResetRequests(
            _("Too many password resets asked for from this address. Try again in an hour.")
        )
    if recent.filter(email_digest=digest).count() >= RESET_LIMIT_PER_EMAIL:
        raise TooManyResetRequests(
            _("Too many password resets asked for this e-mail address. Try again in an hour.")
        )
    PasswordResetRequest.objects.create(
        remote_addr=context.remote_addr, email_digest=digest, at=now
    )
