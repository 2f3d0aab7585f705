import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.stamps import new_stamp
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import (
    compact_tax_code,
    normalise_phone_number,
    validate_country,
    validate_tax_code,
)


class Organisation(models.Model):
    """A Vietnamese or Chinese enterprise that declares trips."""

    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    tax_code = models.CharField(
        _("tax code"),
        max_length=20,
        unique=True,
        help_text=_("Vietnamese MST or Chinese unified social credit code."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def clean(self):
        if self.tax_code:
            # Stored in one form (fullwidth or other scripts' digits folded, no separators),
            # or the same code typed twice two ways would pass the uniqueness check.
            self.tax_code = compact_tax_code(self.tax_code)
        if self.country and self.tax_code:
            try:
                validate_tax_code(self.tax_code, self.country)
            except ValidationError as e:
                raise ValidationError({"tax_code": e.messages}) from None


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    gates = models.ManyToManyField(
        Gate, blank=True, related_name="officers", verbose_name=_("gates")
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # A driver's: the trips declared with this number are the ones they read
    # (``trips.services.driven_by``). Kept as E.164, as a trip keeps its driver's.
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Drawn again whenever what the person may do changes (groups, permissions, gates): a
    # process keeps a token owner's access under it (``accounts.access``).
    access_stamp = models.BigIntegerField(_("access stamp"), default=new_stamp, editable=False)
    # When the person last changed the e-mail a password reset goes to: a confirmation link
    # made before it no longer works (an address removed must not come back by an old link).
    email_changed_at = models.DateTimeField(
        _("e-mail changed at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self):
        return str(self.user)

    def clean(self):
        try:
            self.phone = normalise_phone_number(self.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix: str) -> tuple[str, str, str]:
    """A fresh credential for a person's token or a gate device: (raw, hash, hint).

    Only the hash and the hint (its first characters, to recognise it in a list) are stored.
    """
    raw = prefix + secrets.token_urlsafe(32)
    return raw, hash_token(raw), raw[:10]


# One write a minute at most: the gate's devices call many times a second.
LAST_USE_PRECISION = 60


def note_use(instance, field: str, now) -> None:
    """Record when a credential was last used, at most once a minute."""
    last = getattr(instance, field)
    if last is None or (now - last).total_seconds() > LAST_USE_PRECISION:
        # The condition again in the statement: requests that read the same old time at once
        # (a device's burst) write it once between them, not once each.
        stale = models.Q(**{f"{field}__isnull": True}) | models.Q(
            **{f"{field}__lt": now - dt.timedelta(seconds=LAST_USE_PRECISION)}
        )
        if type(instance).objects.filter(stale, pk=instance.pk).update(**{field: now}):
            setattr(instance, field, now)


class TokenState(models.TextChoices):
    # In a context: Django's own "active" (of a user account) says something else.
    ACTIVE = "active", pgettext_lazy("API token", "active")
    EXPIRED = "expired", pgettext_lazy("API token", "expired")
    REVOKED = "revoked", pgettext_lazy("API token", "revoked")


class ApiToken(models.Model):
    """A per-user API token. Only its hash is stored; the raw value is shown once.

    It works until it is revoked or, when it has one, until its expiry time.
    """

    PREFIX = "ck_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    hint = models.CharField(_("key prefix"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, help_text=_("Empty: never expires.")
    )
    # The token whose request made this one, if any: revoking a token revokes what was made
    # with it (a stolen token's copies go with it).
    made_with = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="minted",
        verbose_name=_("made with token"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    def state_at(self, moment) -> str:
        # Revoked wins over expired: it is the decision someone took.
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at is not None and self.expires_at <= moment:
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return TokenState(self.state).label

    @property
    def is_active(self) -> bool:
        return self.state == TokenState.ACTIVE

    @classmethod
    def issue(cls, user, name: str, expires_at=None, made_with=None) -> tuple["ApiToken", str]:
        raw, key_hash, hint = new_secret(cls.PREFIX)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=key_hash,
            hint=hint,
            expires_at=expires_at,
            made_with=made_with,
        )
        return token, raw

    def revoke(self):
        """Revoke this token and every token made with it, at any depth, at the same time."""
        from django.db import transaction

        now = timezone.now()
        with transaction.atomic():
            if self.revoked_at is None:
                self.revoked_at = now
                self.save(update_fields=["revoked_at"])
            # One query a generation: a token is made after the one it was made with, so the
            # walk ends (a chain is as deep as someone minted tokens with tokens).
            generation = [self.pk]
            while generation:
                generation = list(
                    ApiToken.objects.filter(made_with__in=generation).values_list("pk", flat=True)
                )
                ApiToken.objects.filter(pk__in=generation, revoked_at=None).update(revoked_at=now)


class PasswordResetRequest(models.Model):
    """A request for a password-reset e-mail, kept to throttle them per caller's address and per
    e-mail address (rows every worker process sees, unlike a per-process cache). The address
    typed is kept only as a digest: most requests name somebody's real inbox, some name none."""

    remote_addr = models.GenericIPAddressField(_("IP address"), null=True)
    email_digest = models.CharField(_("e-mail digest"), max_length=64)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["remote_addr", "at"], name="accounts_reset_addr_at"),
            models.Index(fields=["email_digest", "at"], name="accounts_reset_email_at"),
        ]
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self):
        return f"{self.remote_addr} {self.at:%Y-%m-%d %H:%M}"
