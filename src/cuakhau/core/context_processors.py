import functools

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def platform(request):
    # Worked out when a page shows the menu, once: a fragment the wall screen polls every few
    # seconds (the yard board) renders no menu and should not pay for it (a fifth of its time).
    return {"DEMO_MODE": settings.DEMO_MODE, "NAV": functools.cache(lambda: _navigation(request))}


def csp_nonce(request):
    """The nonce the answer's Content-Security-Policy lets an inline script run with."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def _navigation(request) -> list[tuple[str, list[tuple[str, str]]]]:
    """The links a user's roles make useful, in groups, so each person sees their own work
    first and a phone's menu stays short enough to scan."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return _public_navigation()
    from cuakhau.accounts import roles

    user_roles = roles.roles_of(user)
    gates = list(user.profile.gates.all()[:3]) if hasattr(user, "profile") else []
    trips = [(reverse("trips:list"), _("Trips"))]
    if user.has_perm("trips.declare_trip"):
        trips.append((reverse("trips:new"), _("Declare a trip")))
    at_gate = []
    if user.has_perm("trips.operate_gate"):
        at_gate += [
            (
                reverse("gate:console", args=[g.code]),
                _("Console %(gate)s") % {"gate": g.code.upper()},
            )
            for g in gates
        ]
        # Time slots (issue 10): the waiting area in front of the gate.
        at_gate += [
            (
                reverse("slots:waiting", args=[g.code]),
                _("Waiting area %(gate)s") % {"gate": g.code.upper()},
            )
            for g in gates
        ]
    if user.has_perm("trips.inspect_trip"):
        at_gate.append((reverse("inspections:queue"), _("Inspections")))
    if user_roles & (roles.GATE_ROLES | {roles.ADMINISTRATOR}):
        at_gate.append((reverse("receipts:verify"), _("Verify receipt")))
    figures = []
    if user_roles & (roles.GATE_ROLES | roles.READ_ALL_ROLES):
        at_gate += [
            (f"/gate/{g.code}/board/", _("Yard %(gate)s") % {"gate": g.code.upper()}) for g in gates
        ]
        figures.append(("/payments/reconciliation/", _("Reconciliation")))
        figures.append(("/gate/kpi/", _("Gate KPIs")))
    # Trade statistics (issue 12): the zone's and each gate's dashboard.
    if user_roles & roles.READ_ALL_ROLES:
        figures.insert(0, (reverse("stats:dashboard"), _("Trade statistics")))
    if user_roles & {roles.BOARD, roles.ADMINISTRATOR}:
        figures.append((reverse("capacity:simulate"), _("Capacity simulator")))
    figures.append((reverse("slots:wait_times"), _("Waiting times")))
    # The one-stop desk (issue 11): its queue for the desk, the catalogue for everyone.
    desk = [(reverse("desk:procedures"), _("Administrative procedures"))]
    if user_roles & {roles.DESK, roles.ADMINISTRATOR}:
        desk.insert(0, (reverse("desk:queue"), _("Desk queue")))
    # Its reports: the desk's supervisors (a permission), the board, auditors, administrators.
    if user_roles & roles.READ_ALL_ROLES or user.has_perm("desk.reassign_application"):
        desk.append((reverse("desk:reports"), _("Desk report")))
    # The zone's registers (issue 12): the board keeps them, auditors and administrators read.
    registers = []
    if user_roles & roles.READ_ALL_ROLES:
        registers = [
            (reverse("investment:projects"), _("Investment projects")),
            (reverse("cooperation:overview"), _("Cooperation")),
            (reverse("cooperation:commitments"), _("Commitments")),
        ]
    rules = []
    if "market" in settings.INSTALLED_APPS or "cuakhau.market" in settings.INSTALLED_APPS:
        rules.append(("/market/", _("Market access")))
    groups = [
        (_("Trips"), trips),
        (_("At the gate"), at_gate),
        (_("Figures"), figures),
        (_("Rules"), rules),
        (_("One-stop desk"), desk),
        (_("Registers"), registers),
        (pgettext_lazy("menu", "Account"), [(reverse("profile"), _("Profile and language"))]),
    ]
    # The policy has the last word: a link here is never one its page refuses.
    from cuakhau.core.policy import may_open

    groups = [
        (label, [(url, text) for url, text in items if may_open(user, url)])
        for label, items in groups
    ]
    return [(label, items) for label, items in groups if items]


def _public_navigation() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a visitor without an account can do: the pages the policy leaves open (file and
    track an application at the desk, the waiting times, the offline receipt check) and sign in.
    The receipt check for officers (``receipts:verify``) is not open, its offline twin is."""
    return [
        (
            _("One-stop desk"),
            [
                (reverse("desk:apply"), _("File an application")),
                (reverse("desk:track"), _("Track an application")),
                (reverse("desk:procedures"), _("Administrative procedures")),
            ],
        ),
        (
            _("At the gate"),
            [
                (reverse("slots:wait_times"), _("Waiting times")),
                (reverse("receipts:offline"), _("Verify receipt")),
            ],
        ),
        (pgettext_lazy("menu", "Account"), [(reverse("login"), _("Log in"))]),
    ]
