from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import roles, services
from .forms import LanguageForm, TokenForm
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
        token_form = TokenForm(request.POST)
        if token_form.is_valid():
            _token, new_token = services.issue_token(
                request.user,
                token_form.cleaned_data["name"],
                expires_at=token_form.cleaned_data["expires_at"],
            )
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
            token_form = TokenForm()
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
            "token_form": token_form,
            "new_token": new_token,
            "language_form": LanguageForm(initial={"language": translation.get_language()}),
        },
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
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


class PasswordChange(auth_views.PasswordChangeView):
    """Django's own password change (the old password, the new one twice, the project's
    password validators); the session stays signed in, other sessions of the user end."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response
