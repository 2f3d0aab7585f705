"""Who may call what: the one table for every API operation and every page.

Each rule names the roles (and the kinds of gate device) that may call, the path parameter
naming the gate the caller must work at (the management board, auditors and administrators
read every gate), and the kind of record the path names, which must be one the caller may see
(enterprises and drivers: their organisation's; officers: their gates', drafts excepted).
``cuakhau.core.policy`` enforces the rules before any handler runs; an API operation without a
rule stops the server from starting and a page without one is refused, and
``core/tests/test_policy.py`` walks every route to prove it, with a matrix of callers.

The services check again what only they can know (that this enterprise owns this draft, that
this officer's agency inspects this stage): the table says who may knock, the service decides
what the action does for them.
"""

from cuakhau.accounts.roles import (
    ADMINISTRATOR,
    AUDITOR,
    BOARD,
    BORDER_GUARD,
    CUSTOMS,
    CUSTOMS_MANAGER,
    DESK,
    ENTERPRISE,
    GATE_OPERATOR,
    QUARANTINE,
)
from cuakhau.core.policy import PUBLIC, SIGNED_IN, allow
from cuakhau.gate.models import DeviceKind

EVERYONE = (SIGNED_IN,)
OFFICERS = (GATE_OPERATOR, CUSTOMS, CUSTOMS_MANAGER, BORDER_GUARD, QUARANTINE, DESK)
READ_ALL = (BOARD, AUDITOR, ADMINISTRATOR)
INSPECTORS = (CUSTOMS, BORDER_GUARD, QUARANTINE, ADMINISTRATOR)
REVIEWERS = (CUSTOMS, CUSTOMS_MANAGER, BORDER_GUARD, QUARANTINE, ADMINISTRATOR)
RISK_READERS = (CUSTOMS_MANAGER, AUDITOR, ADMINISTRATOR)
CASHIERS = (GATE_OPERATOR, DESK, ADMINISTRATOR)
OPERATORS = (GATE_OPERATOR, ADMINISTRATOR)
# Permissions an administrator may grant one person beside their role.
VIEW_RISK_RULES = "risk.view_ruleset"
CHANGE_RISK_RULES = "risk.change_riskrule"
ADD_MARKET_RULE = "market.add_marketaccessrule"
MANAGE_SLOTS = "slots.manage_capacity"
MANAGE_INVESTMENT = "investment.manage_projects"
MANAGE_STATISTICS = "stats.manage_statistics"
MANAGE_COOPERATION = "cooperation.manage_cooperation"
CAMERA = DeviceKind.PLATE_CAMERA
WEIGHBRIDGE = DeviceKind.WEIGHBRIDGE
TABLET = DeviceKind.TABLET
# A desk's file (issue 11): only its gate's desk officers see it.
DESK_FILE = "desk_application"

# API operations, keyed "METHOD /path" as in the OpenAPI document (paths under /api/v1).
API = {
    # Trips: declared by enterprises; read by whoever may see them.
    "GET /trips": allow(*EVERYONE, why="Lists only the trips the caller may see."),
    "POST /trips": allow(ENTERPRISE, why="For the caller's own organisation."),
    "GET /trips/{reference}": allow(*EVERYONE, record="trip"),
    "PUT /trips/{reference}": allow(ENTERPRISE, record="trip", why="Own drafts only."),
    "POST /trips/{reference}/submit": allow(ENTERPRISE, record="trip"),
    "POST /trips/{reference}/amend": allow(ENTERPRISE, record="trip"),
    "POST /trips/{reference}/cancel": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "POST /trips/{reference}/reject": allow(*REVIEWERS, record="trip"),
    "GET /trips/{reference}/documents": allow(*EVERYONE, record="trip"),
    "POST /trips/{reference}/documents": allow(
        ENTERPRISE, record="trip", why="Its own trips only, until the truck is cleared."
    ),
    "DELETE /trips/{reference}/documents/{document_id}": allow(
        ENTERPRISE, record="trip", why="Its own drafts' documents only."
    ),
    # Reference data.
    "GET /reference/gates": allow(*EVERYONE),
    "GET /reference/hs": allow(*EVERYONE),
    # The caller's own account and tokens.
    "GET /me": allow(*EVERYONE),
    "GET /me/tokens": allow(*EVERYONE),
    "POST /me/tokens": allow(*EVERYONE),
    "DELETE /me/tokens/{token_id}": allow(*EVERYONE, record="token"),
    # Receipts.
    "POST /receipts/verify": allow(*OFFICERS, *READ_ALL, devices=[TABLET]),
    "GET /receipts/{number}": allow(*EVERYONE, record="receipt"),
    # Fees are the cashiers' (the gate's operators and its desk): not the inspecting agencies.
    "POST /receipts/{number}/revoke": allow(*CASHIERS, record="receipt"),
    # Payments: the provider proves itself with its signature, not with a credential of ours.
    "POST /payments/notifications/{provider}": PUBLIC,
    # Notification delivery receipts: public, each provider proves itself (eSMS by the secret
    # key in its callback URL, Zalo by the OA-secret signature of the event).
    "GET /notify/delivery/esms": PUBLIC,
    "POST /notify/delivery/zalo": PUBLIC,
    "GET /trips/{reference}/fees": allow(*EVERYONE, record="trip"),
    "POST /trips/{reference}/cash-payments": allow(*CASHIERS, record="trip"),
    "POST /trips/{reference}/simulate-bank-transfer": allow(
        ENTERPRISE, ADMINISTRATOR, record="trip", why="Demo mode only."
    ),
    # The gate: its operators, and the devices registered for it.
    "POST /gate/{gate}/lookup": allow(
        GATE_OPERATOR,
        CUSTOMS,
        BORDER_GUARD,
        QUARANTINE,
        ADMINISTRATOR,
        devices=[TABLET],
        gate="gate",
    ),
    "POST /gate/{gate}/check-in": allow(*OPERATORS, gate="gate"),
    "POST /gate/{gate}/exit": allow(*OPERATORS, gate="gate"),
    "POST /gate/{gate}/events": allow(
        *OPERATORS,
        devices=[CAMERA, WEIGHBRIDGE],
        gate="gate",
        why="A device reports only its own kind of event.",
    ),
    "POST /gate/{gate}/plates": allow(devices=[CAMERA], gate="gate"),
    "POST /gate/{gate}/weighbridge": allow(*OPERATORS, devices=[WEIGHBRIDGE], gate="gate"),
    # Inspections.
    "GET /trips/{reference}/inspections": allow(*EVERYONE, record="trip"),
    "POST /trips/{reference}/inspections": allow(*INSPECTORS, record="trip"),
    "POST /trips/{reference}/inspections/start": allow(*INSPECTORS, record="trip"),
    "POST /trips/{reference}/samples": allow(QUARANTINE, ADMINISTRATOR, record="trip"),
    "POST /samples/{sample_id}/result": allow(QUARANTINE, ADMINISTRATOR, record="sample"),
    # Market access.
    "GET /market/rules": allow(*EVERYONE),
    "POST /market/check": allow(*EVERYONE),
    "POST /market/suspensions": allow(
        CUSTOMS,
        CUSTOMS_MANAGER,
        QUARANTINE,
        ADMINISTRATOR,
        perms=[ADD_MARKET_RULE],
        why="At a named gate only by an officer of that gate.",
    ),
    # Risk.
    "GET /risk/rulesets/active": allow(*RISK_READERS, perms=[VIEW_RISK_RULES, CHANGE_RISK_RULES]),
    "POST /risk/rulesets": allow(CUSTOMS_MANAGER, ADMINISTRATOR, perms=[CHANGE_RISK_RULES]),
    "GET /risk/assessments/{trip_reference}": allow(
        *EVERYONE, record="trip", why="The reasons are shown to customs only."
    ),
    # Time slots and the waiting area (issue 10).
    "GET /trips/{reference}/slot": allow(*EVERYONE, record="trip"),
    "GET /trips/{reference}/slot/free-hours": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "POST /trips/{reference}/slot": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "POST /trips/{reference}/slot/move": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "POST /trips/{reference}/slot/cancel": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "POST /slots/{gate}/arrivals": allow(
        *OPERATORS, devices=[CAMERA], gate="gate", why="A plate camera at the waiting area."
    ),
    "GET /slots/{gate}/queue": allow(*OFFICERS, *READ_ALL, gate="gate"),
    "POST /slots/{gate}/call-forward": allow(*OPERATORS, gate="gate"),
    "PUT /slots/{gate}/capacity": allow(
        ADMINISTRATOR, perms=[MANAGE_SLOTS], gate="gate", why="Gate managers hold the permission."
    ),
    "GET /slots/wait-times": PUBLIC,
    # The one-stop desk (issue 11). The catalogue is public; the look-up proves itself with the
    # applicant's phone number (and is throttled per address); files are the desk's.
    "GET /desk/procedures": PUBLIC,
    "POST /desk/track": PUBLIC,
    # Online filing, as on the page: anyone, signed in or not (the documents are checked).
    "POST /desk/applications": PUBLIC,
    "GET /desk/applications": allow(DESK, ADMINISTRATOR),
    "GET /desk/applications/{code}": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    "POST /desk/applications/{code}/actions/{action}": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    # The supplement received, with its documents (multipart), as on the file's page.
    "POST /desk/applications/{code}/supplement": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    "POST /desk/applications/{code}/reassign": allow(
        DESK,
        ADMINISTRATOR,
        record=DESK_FILE,
        why="Supervisors: the permission desk.reassign_application.",
    ),
    # The zone's registers (issue 12): the board keeps them; the province's auditors and the
    # administrators read them; enterprises and gate staff see nothing.
    "GET /investment/projects": allow(*READ_ALL),
    "GET /investment/totals": allow(*READ_ALL),
    "GET /investment/projects/{code}": allow(*READ_ALL),
    "POST /investment/projects/{code}/actions/{action}": allow(
        BOARD, ADMINISTRATOR, perms=[MANAGE_INVESTMENT]
    ),
    "GET /cooperation/commitments": allow(*READ_ALL),
    "GET /cooperation/totals": allow(*READ_ALL),
    "POST /cooperation/commitments/{commitment_id}/actions/{action}": allow(
        BOARD, ADMINISTRATOR, perms=[MANAGE_COOPERATION]
    ),
    # Trade statistics (issue 12): the dashboard's figures, read like the page.
    "GET /stats/summary": allow(*READ_ALL),
}

# Pages, keyed by URL name ("namespace:*" covers a whole namespace).
VIEWS = {
    "healthz": PUBLIC,
    "login": PUBLIC,
    # A forgotten password: asked for by anyone (throttled), the link's pages open to whoever
    # holds the link.
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    # The link confirming a new e-mail address: it proves the inbox by itself.
    "confirm_email": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "jwks": PUBLIC,
    "revocations": PUBLIC,
    "receipts:offline": PUBLIC,
    "home": allow(*EVERYONE),
    "profile": allow(*EVERYONE),
    "revoke_token": allow(*EVERYONE, record="token"),
    "password_change": allow(*EVERYONE),
    "profile_email": allow(*EVERYONE),
    "trips:list": allow(*EVERYONE),
    "trips:new": allow(ENTERPRISE),
    "trips:cargo_line": allow(ENTERPRISE),
    "trips:detail": allow(*EVERYONE, record="trip"),
    "trips:edit": allow(ENTERPRISE, record="trip"),
    "trips:amend": allow(ENTERPRISE, record="trip"),
    "trips:document": allow(ENTERPRISE, record="trip"),
    "trips:document_file": allow(*EVERYONE, record="trip"),
    "trips:document_remove": allow(ENTERPRISE, record="trip", why="Its own drafts only."),
    "trips:action": allow(
        ENTERPRISE, *REVIEWERS, record="trip", why="Which actions depends on the role."
    ),
    "reference:hs_search": allow(*EVERYONE),
    "receipts:verify": allow(*OFFICERS, *READ_ALL),
    "receipts:detail": allow(*EVERYONE, record="receipt"),
    "receipts:pdf": allow(*EVERYONE, record="receipt"),
    "receipts:revoke": allow(*CASHIERS, record="receipt", why="A cashier of the receipt's gate."),
    "payments:reconciliation": allow(*OFFICERS, *READ_ALL),
    "payments:resolve": allow(*CASHIERS, why="A cashier of the payments' gate."),
    "payments:simulate": allow(ENTERPRISE, ADMINISTRATOR, record="trip", why="Demo mode only."),
    "payments:cash": allow(*CASHIERS, record="trip"),
    "gate:console": allow(*OPERATORS, gate="code"),
    "gate:scan": allow(*OPERATORS, gate="code"),
    "gate:act": allow(*OPERATORS, gate="code"),
    "gate:snapshot": allow(*OPERATORS, gate="code", why="The console's offline copy."),
    "gate:service_worker": PUBLIC,
    "gate:board": allow(*OFFICERS, *READ_ALL, gate="code"),
    "gate:board_fragment": allow(*OFFICERS, *READ_ALL, gate="code"),
    "gate:kpi": allow(*OFFICERS, *READ_ALL),
    "market:rules": allow(*EVERYONE),
    "risk:rules": allow(*RISK_READERS, perms=[VIEW_RISK_RULES, CHANGE_RISK_RULES]),
    "risk:edit_settings": allow(CUSTOMS_MANAGER, ADMINISTRATOR, perms=[CHANGE_RISK_RULES]),
    "risk:edit_rule": allow(CUSTOMS_MANAGER, ADMINISTRATOR, perms=[CHANGE_RISK_RULES]),
    "inspections:queue": allow(*INSPECTORS),
    "inspections:trip": allow(*INSPECTORS, record="trip"),
    "inspections:act": allow(*INSPECTORS, record="trip"),
    "slots:wait_times": PUBLIC,
    "slots:trip": allow(*EVERYONE, record="trip", why="Its enterprise books; others read."),
    "slots:cancel": allow(ENTERPRISE, ADMINISTRATOR, record="trip"),
    "slots:waiting": allow(*OPERATORS, gate="code"),
    "slots:capacity": allow(ADMINISTRATOR, perms=[MANAGE_SLOTS], gate="code"),
    # The one-stop desk (issue 11): applicants file and track without an account (their own
    # file only, proven by code and phone in the session); the rest is the desk's.
    "desk:procedures": PUBLIC,
    "desk:procedure": PUBLIC,
    "desk:apply": PUBLIC,
    "desk:track": PUBLIC,
    "desk:status": PUBLIC,
    "desk:applicant_document": PUBLIC,
    "desk:queue": allow(DESK, ADMINISTRATOR),
    "desk:counter": allow(DESK, ADMINISTRATOR),
    "desk:application": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    "desk:act": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    "desk:take": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    "desk:reassign": allow(
        DESK,
        ADMINISTRATOR,
        record=DESK_FILE,
        why="Supervisors: the permission desk.reassign_application.",
    ),
    "desk:document": allow(DESK, ADMINISTRATOR, record=DESK_FILE),
    # The desk's reports: its supervisors (the reassignment permission), the board, auditors.
    "desk:reports": allow(BOARD, AUDITOR, ADMINISTRATOR, perms=["desk.reassign_application"]),
    # The capacity simulator (issue 10): planning figures for the management board.
    "capacity:simulate": allow(BOARD, ADMINISTRATOR),
    # Notifications sent to people (phone numbers, e-mail addresses): audit and operations.
    "notify:messages": allow(AUDITOR, ADMINISTRATOR),
    "notify:message": allow(AUDITOR, ADMINISTRATOR),
    # The zone's registers (issue 12): kept by the board, read by auditors and administrators.
    "investment:projects": allow(*READ_ALL),
    "investment:project": allow(*READ_ALL),
    "investment:example_file": allow(*READ_ALL),
    "investment:import": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_INVESTMENT]),
    "investment:import_confirm": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_INVESTMENT]),
    "investment:act": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_INVESTMENT]),
    "cooperation:overview": allow(*READ_ALL),
    "cooperation:commitments": allow(*READ_ALL),
    "cooperation:commitment": allow(*READ_ALL),
    "cooperation:meeting": allow(*READ_ALL),
    "cooperation:external": allow(*READ_ALL),
    "cooperation:act": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_COOPERATION]),
    "cooperation:record": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_COOPERATION]),
    # Trade statistics (issue 12): the board, auditors and administrators read every gate and
    # the zone (CSV downloads alike); the board sets targets and exchange rates.
    "stats:dashboard": allow(*READ_ALL),
    "stats:gate_dashboard": allow(*READ_ALL),
    "stats:csv": allow(*READ_ALL),
    "stats:gate_csv": allow(*READ_ALL),
    "stats:targets": allow(*READ_ALL),
    "stats:set_target": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_STATISTICS]),
    "stats:rates": allow(*READ_ALL),
    "stats:set_rate": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_STATISTICS]),
    # Monthly and annual reports (PDF, XLSX) of a gate or the zone: the dashboard's readers.
    "stats:report": allow(*READ_ALL),
    # Historical figures from the board's spreadsheets: imported and undone by the board.
    "stats:import": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_STATISTICS]),
    "stats:import_confirm": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_STATISTICS]),
    "stats:import_undo": allow(BOARD, ADMINISTRATOR, perms=[MANAGE_STATISTICS]),
    "stats:import_example": allow(*READ_ALL),
    # The API's own documents (the operations themselves follow ``API``).
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC,
    # Django's admin site: its login page is open, the rest is the administrators'.
    "admin:login": PUBLIC,
    "admin:*": allow(ADMINISTRATOR),
}
