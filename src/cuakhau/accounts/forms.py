from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import DayField, TextField, clean_text

from . import services

NEVER = "never"
ON_DATE = "date"


def _lifetime_choices():
    choices = [(NEVER, _("Never"))]
    for days in services.TOKEN_LIFETIME_DAYS:
        label = ngettext_lazy("In %(days)d day", "In %(days)d days", days) % {"days": days}
        choices.append((str(days), label))
    choices.append((ON_DATE, _("After the date below")))
    return choices


class _NameNoAccountCanHave:
    """A username no account can have is refused before anyone looks it up: PostgreSQL
    refuses a NUL in a query, and django-axes keeps the name tried in 255 characters (Django's
    form sets the field's length for the browser only)."""

    def clean_username(self):
        return clean_text(
            self.cleaned_data["username"], max_length=self.fields["username"].max_length
        )


class SignInForm(_NameNoAccountCanHave, AuthenticationForm):
    pass


class AdminSignInForm(_NameNoAccountCanHave, AdminAuthenticationForm):
    pass


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


def _current_password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _CurrentPassword:
    """The signed-in person's password, asked again before something that would let whoever
    found the session open keep the account (its reset address, a token, a new password).
    Checked as a sign-in: a wrong one counts towards the lockout (``password_is_right``)."""

    password_field = "password"

    def _check_current_password(self, message=None):
        message = message or _("Your password was entered incorrectly.")
        password = self.cleaned_data[self.password_field]
        if self.request is None or not services.password_is_right(self.request, password):
            raise forms.ValidationError(message, code="password_incorrect")
        return password


class TokenForm(_CurrentPassword, forms.Form):
    name = TextField(
        label=_("Token name"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. booth 2 tablet")}),
    )
    # Not required: a form sent without the choice makes a token that never expires, as before.
    expires = forms.ChoiceField(
        label=_("Expires"), choices=_lifetime_choices, initial=NEVER, required=False
    )
    expires_on = DayField(
        label=_("Last day of validity"),
        required=False,
        help_text=_("The token works until the end of this day."),
    )
    # Last: the browser's password manager fills it, the person reads the fields above first.
    password = _current_password_field()

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)
        # The e-mail form on the same page has a password field too.
        self.fields["password"].widget.attrs["id"] = "id_token_password"

    def clean_password(self):
        return self._check_current_password()

    def clean(self):
        """Turn the choice into ``expires_at`` (None: never), checked by the token service."""
        data = super().clean()
        if "expires" in self.errors:
            return data
        choice = data.get("expires") or NEVER
        try:
            if choice == NEVER:
                data["expires_at"] = None
            elif choice == ON_DATE:
                if data.get("expires_on") is None:
                    if "expires_on" not in self.errors:
                        self.add_error("expires_on", _("Choose the last day of validity."))
                    return data
                data["expires_at"] = services.expiry_at_end_of(data["expires_on"])
            else:
                data["expires_at"] = services.expiry_after_days(int(choice))
        except FieldErrors as refused:
            field = "expires_on" if choice == ON_DATE else "expires"
            for messages in refused.errors.values():
                for message in messages:
                    self.add_error(field, message)
        return data


def _email_field(**options) -> forms.EmailField:
    # As Django's user model holds it (254 characters), typed on a phone's e-mail keyboard.
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        **options,
    )


class EmailForm(_CurrentPassword, forms.Form):
    """The e-mail address a password reset goes to, changed only with the person's password:
    whoever finds a session left open must not be able to take the account with it."""

    email = _email_field(
        required=False,
        help_text=_("Where a link to choose a new password is sent if you forget it."),
    )
    password = _current_password_field()

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        kwargs.setdefault("initial", {"email": user.email})
        super().__init__(*args, **kwargs)

    def clean_password(self):
        return self._check_current_password()


class PasswordChangeCountedForm(_CurrentPassword, PasswordChangeForm):
    """Django's password change, its old password checked as a sign-in is; and whether the
    person's API tokens go with the old password (ticked unless they say otherwise)."""

    password_field = "old_password"
    revoke_tokens = forms.BooleanField(
        label=_("Also revoke my API tokens"),
        required=False,
        initial=True,
        help_text=_(
            "Do it if someone else may have known your password: a token made with it keeps "
            "working after the change. Programs using your tokens then need new ones."
        ),
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        return self._check_current_password(self.error_messages["password_incorrect"])


class ResetRequestForm(PasswordResetForm):
    """Django's password-reset request, its e-mail written in the language of the person it
    goes to (chosen on their profile), not of whoever asked for it."""

    email = _email_field()

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        language = services.profile_of(context["user"]).language or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
