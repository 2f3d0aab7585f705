from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cuakhau.core.context import context_of

from . import roles, services
from .forms import (
    EmailForm,
    LanguageForm,
    PasswordChangeCountedForm,
    ResetRequestForm,
    TokenForm,
)
from .middleware import remember_language
from .models import ApiToken


@login_required
def home(request):
    user_roles = roles.roles_of(request.user)
    if user_roles & (roles.ORGANISATION_ROLES | roles.GATE_ROLES | roles.READ_ALL_ROLES):
        return redirect("trips:list")
    return redirect("profile")


@login_required
def profile(request):
    new_token = None
    token_form = TokenForm()
    if request.method == "POST":
        token_form = TokenForm(request.POST, request=request)
        if not token_form.is_valid() and not request.user.is_authenticated:
            return locked_out(request)
        if token_form.is_valid():
            _token, new_token = services.issue_token(
                request.user,
                token_form.cleaned_data["name"],
                expires_at=token_form.cleaned_data["expires_at"],
            )
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
            token_form = TokenForm()
    return _profile_page(request, token_form=token_form, new_token=new_token)


def _profile_page(request, *, token_form=None, email_form=None, new_token=None, status=200):
    profile_ = services.profile_of(request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "profile": profile_,
            "roles": [
                roles.LABELS[r] for r in sorted(roles.roles_of(request.user)) if r in roles.LABELS
            ],
            "tokens": request.user.api_tokens.all(),
            "token_form": token_form or TokenForm(),
            "new_token": new_token,
            "email_form": email_form or EmailForm(request.user),
            "language_form": LanguageForm(initial={"language": translation.get_language()}),
        },
        status=status,
    )


@login_required
@require_POST
def set_email(request):
    form = EmailForm(request.user, request.POST, request=request)
    if not form.is_valid():
        if not request.user.is_authenticated:  # signed out: locked out for guessing
            return locked_out(request)
        return _profile_page(request, email_form=form, status=422)
    email = services.normalise_email(form.cleaned_data["email"])
    if not email:
        services.set_email(request.user, "")
        messages.success(
            request,
            _("No e-mail address is kept: ask an administrator to reset a forgotten password."),
        )
    elif email == request.user.email:
        messages.info(request, _("%(email)s is already the address kept.") % {"email": email})
    else:
        token = services.email_confirmation(request.user, email)
        link = request.build_absolute_uri(reverse("confirm_email", args=[token]))
        if services.send_email_confirmation(request.user, email, link):
            messages.success(
                request,
                _(
                    "A link was sent to %(email)s. Open it within %(days)s days: from then on, "
                    "password resets go to that address."
                )
                % {"email": email, "days": services.EMAIL_CONFIRMATION_MAX_AGE.days},
            )
        else:
            messages.error(
                request,
                _("The e-mail to %(email)s could not be sent. Try again later.") % {"email": email},
            )
    return redirect("profile")


@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    """The link sent to a new address. Opening it shows the address and a button; the button
    makes it the person's (no sign-in needed: the link itself proves the inbox, and the person
    asked for it with their password). A mail server's link scanner opens links too: a GET
    alone sets nothing."""
    if request.method == "POST":
        user = services.confirm_email(token)
        context = {"confirmed": user}
    else:
        change = services.email_change_of(token)
        user, email = change or (None, "")
        context = {"asked": user and {"username": user.get_username(), "email": email}}
    return render(
        request,
        "accounts/email_confirmed.html",
        context,
        status=200 if user is not None else 400,
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        services.revoke_token(request.user, token_id)
        messages.success(request, _("Token revoked."))
    except ApiToken.DoesNotExist:
        messages.error(request, _("No such token."))
    return redirect("profile")


@require_POST
def set_language(request):
    """Switch language; remembered in the profile of a signed-in user, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    # Back to a page of this site only, by its path: ``redirect()`` would take a bare word
    # for a view's name to look up.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.set_language(request.user, language)
        remember_language(response, language)
    return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers a login refused after too many failures (AXES_LOCKOUT_CALLABLE)."""
    cooloff = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = cooloff // 60
    if request.path_info.startswith("/api/"):  # a session's token made over the API
        response = JsonResponse(
            {
                "detail": _(
                    "Locked after %(limit)d wrong passwords in a row: try again in %(minutes)d "
                    "minutes. Until then even the right password is refused."
                )
                % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
            },
            status=429,
            # As the API's other answers say it.
            content_type="application/json; charset=utf-8",
        )
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
            status=429,
        )
    # A client (or a script) waits this long before trying again, rather than guessing.
    response["Retry-After"] = str(cooloff)
    return response


class PasswordChange(auth_views.PasswordChangeView):
    """Django's own password change (the old password, the new one twice, the project's
    password validators); the session stays signed in, other sessions of the user end, and
    the person's API tokens too unless they untick it."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeCountedForm
    success_url = reverse_lazy("profile")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if not self.request.user.is_authenticated:  # signed out: locked out for guessing
            return locked_out(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        if form.cleaned_data.get("revoke_tokens"):
            _say_tokens_revoked(self.request, services.revoke_tokens_of(form.user))
        return response


def _say_tokens_revoked(request, count: int) -> None:
    if count:
        messages.info(
            request,
            ngettext(
                "%(count)d API token of yours was revoked: make a new one on your profile "
                "for a program that used it.",
                "%(count)d API tokens of yours were revoked: make new ones on your profile "
                "for the programs that used them.",
                count,
            )
            % {"count": count},
        )


class PasswordReset(auth_views.PasswordResetView):
    """Django's request for a password-reset link by e-mail, counted against the caller's
    address and the inbox named (``services.note_reset_request``). The answer is the same
    whether or not an account has the address."""

    form_class = ResetRequestForm
    subject_template_name = "accounts/password_reset_subject.txt"
    email_template_name = "accounts/password_reset_email.txt"

    def form_valid(self, form):
        try:
            services.note_reset_request(form.cleaned_data["email"], context_of(self.request))
        except services.TooManyResetRequests as refused:
            form.add_error(None, str(refused))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        self.extra_email_context = {"reset_hours": _reset_hours()}
        return super().form_valid(form)


def _reset_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


class PasswordResetDone(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(reset_hours=_reset_hours(), **kwargs)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's page behind the e-mailed link: a new password twice, under the password rules.
    Every session of the person ends, and every API token: whoever knew the old password may
    have made one, and a recovered account is one that was out of the person's hands. The
    failed sign-ins that locked them out are forgotten (the lockout stands for guessers, not
    for the person who proved their inbox)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        _say_tokens_revoked(self.request, services.revoke_tokens_of(form.user))
        return response
