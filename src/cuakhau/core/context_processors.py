from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def platform(request):
    return {"DEMO_MODE": settings.DEMO_MODE, "NAV": _navigation(request)}


def _navigation(request) -> list[tuple[str, str]]:
    """The links a user's roles make useful, so each person sees their own work first."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from cuakhau.accounts import roles

    user_roles = roles.roles_of(user)
    items = []
    gates = list(user.profile.gates.all()[:3]) if hasattr(user, "profile") else []
    if user.has_perm("trips.operate_gate"):
        items += [
            (
                reverse("gate:console", args=[g.code]),
                _("Console %(gate)s") % {"gate": g.code.upper()},
            )
            for g in gates
        ]
    if user.has_perm("trips.inspect_trip"):
        items.append((reverse("inspections:queue"), _("Inspections")))
    if user_roles & (roles.GATE_ROLES | {roles.ADMINISTRATOR}):
        items.append((reverse("receipts:verify"), _("Verify receipt")))
    if user_roles & (roles.GATE_ROLES | roles.READ_ALL_ROLES):
        items += [
            (f"/gate/{g.code}/board/", _("Yard %(gate)s") % {"gate": g.code.upper()}) for g in gates
        ]
        items.append(("/payments/reconciliation/", _("Reconciliation")))
        items.append(("/gate/kpi/", _("Gate KPIs")))
    if "market" in settings.INSTALLED_APPS or "cuakhau.market" in settings.INSTALLED_APPS:
        items.append(("/market/", _("Market access")))
    return items
