"""The platform's roles. Each role is a Django group; permissions are granted to groups.

Scoping (which organisation's or gate's records a user sees) follows from the role:
enterprise users see their own organisation's trips, drivers only those of their organisation
declared with the phone on their profile (the number the trip's messages go to); officers see
the gates they are attached to; the management board, auditors and administrators see
everything.
"""

from django.utils.translation import gettext_lazy as _

ENTERPRISE = "enterprise"
DRIVER = "driver"
GATE_OPERATOR = "gate_operator"
CUSTOMS = "customs_officer"
CUSTOMS_MANAGER = "customs_manager"
BORDER_GUARD = "border_guard_officer"
QUARANTINE = "quarantine_officer"
DESK = "desk_officer"
BOARD = "management_board"
AUDITOR = "auditor"
ADMINISTRATOR = "administrator"

LABELS = {
    ENTERPRISE: _("Enterprise user"),
    DRIVER: _("Driver"),
    GATE_OPERATOR: _("Gate operator"),
    CUSTOMS: _("Customs officer"),
    CUSTOMS_MANAGER: _("Customs manager"),
    BORDER_GUARD: _("Border-guard officer"),
    QUARANTINE: _("Quarantine officer"),
    DESK: _("One-stop desk officer"),
    BOARD: _("Management board"),
    AUDITOR: _("Auditor"),
    ADMINISTRATOR: _("Administrator"),
}

ALL = list(LABELS)
ORGANISATION_ROLES = {ENTERPRISE, DRIVER}
GATE_ROLES = {GATE_OPERATOR, CUSTOMS, CUSTOMS_MANAGER, BORDER_GUARD, QUARANTINE, DESK}
READ_ALL_ROLES = {BOARD, AUDITOR, ADMINISTRATOR}

# Permissions (app_label.codename) granted to each role's group by the migration that creates
# the groups; the services check these, never the group names.
PERMISSIONS = {
    ENTERPRISE: ["trips.declare_trip", "trips.view_trip"],
    DRIVER: ["trips.view_trip"],
    GATE_OPERATOR: ["trips.view_trip", "trips.operate_gate"],
    CUSTOMS: [
        "trips.view_trip",
        "trips.reject_trip",
        "trips.inspect_trip",
        "market.add_marketaccessrule",
        "risk.view_riskassessment",
    ],
    CUSTOMS_MANAGER: [
        "trips.view_trip",
        "trips.reject_trip",
        "risk.view_ruleset",
        "risk.change_riskrule",
        "risk.view_riskassessment",
        "market.add_marketaccessrule",
    ],
    BORDER_GUARD: ["trips.view_trip", "trips.reject_trip", "trips.inspect_trip"],
    QUARANTINE: [
        "trips.view_trip",
        "trips.reject_trip",
        "trips.inspect_trip",
        "market.add_marketaccessrule",
    ],
    DESK: ["trips.view_trip"],
    BOARD: [
        "trips.view_trip",
        # The board keeps the zone's registers (issue 12).
        "investment.manage_projects",
        "cooperation.manage_cooperation",
        # Targets, exchange rates and the import of historical figures (issue 12).
        "stats.manage_statistics",
    ],
    AUDITOR: ["trips.view_trip", "risk.view_ruleset", "risk.view_riskassessment"],
    ADMINISTRATOR: [
        "trips.view_trip",
        "trips.reject_trip",
        "trips.cancel_any_trip",
        "trips.operate_gate",
        "trips.inspect_trip",
    ],
}


def roles_of(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_cuakhau_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._cuakhau_roles = cached
    return cached
