from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.static import serve

from cuakhau.accounts import views as account_views
from cuakhau.accounts.forms import AdminSignInForm, SignInForm
from cuakhau.receipts import views as receipt_views

from .api import api


@require_safe
def healthz(request):
    """Liveness for load balancers and the benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


admin.site.login_form = AdminSignInForm
# The product's name in the reader's language: Django's own ("Django administration") tells an
# officer nothing about where they are.
admin.site.site_header = _("Border gate · administration")
admin.site.site_title = _("Border gate · administration")
admin.site.index_title = _("Records of the border gate")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Before the pages: every API request is matched against the patterns above it first.
    path("api/v1/", api.urls),
    path("", account_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/forgot/", account_views.PasswordReset.as_view(), name="password_reset"),
    path(
        "login/forgot/sent/",
        account_views.PasswordResetDone.as_view(),
        name="password_reset_done",
    ),
    path(
        "login/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "login/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", account_views.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke_token"),
    path("profile/password/", account_views.PasswordChange.as_view(), name="password_change"),
    path("profile/email/", account_views.set_email, name="profile_email"),
    path("profile/email/confirm/<str:token>/", account_views.confirm_email, name="confirm_email"),
    path("language/", account_views.set_language, name="set_language"),
    path("trips/", include("cuakhau.trips.urls")),
    path("reference/", include("cuakhau.reference.urls")),
    path("receipts/", include("cuakhau.receipts.urls")),
    path("payments/", include("cuakhau.payments.urls")),
    path("gate/", include("cuakhau.gate.urls")),
    path("market/", include("cuakhau.market.urls")),
    path("risk/", include("cuakhau.risk.urls")),
    path("inspections/", include("cuakhau.inspections.urls")),
    path("slots/", include("cuakhau.slots.urls")),
    path("desk/", include("cuakhau.desk.urls")),
    path("investment/", include("cuakhau.investment.urls")),
    path("cooperation/", include("cuakhau.cooperation.urls")),
    path("capacity/", include("cuakhau.capacity.urls")),
    path("stats/", include("cuakhau.stats.urls")),
    path("notify/", include("cuakhau.notify.urls")),
    path(".well-known/jwks.json", receipt_views.jwks, name="jwks"),
    path(".well-known/cuakhau-revocations.json", receipt_views.revocations, name="revocations"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
