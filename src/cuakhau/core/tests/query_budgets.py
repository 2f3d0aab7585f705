"""The most SQL queries one request of each page and API operation may make (issue 13).

Keyed as ``cuakhau.policy`` keys its rules: API operations "METHOD /path", pages by URL name.
A number is the same on SQLite and PostgreSQL (every count was measured equal on both,
savepoints included); a dict ``{"sqlite": n, "postgresql": m}`` would pin a count that
differs by vendor, with the reason beside it. Measured by
``core/tests/test_query_budgets.py``: lower a budget when a change saves queries (the test
warns), never raise one without saying why in the commit.
"""

BUDGETS: dict[str, int | dict[str, int]] = {
    # Pages, by URL name.
    "healthz": 3,
    "login": 7,
    # As the login page, for a signed-in caller (the session, the user, the navigation).
    "password_reset": 7,
    "password_reset_done": 7,
    "password_reset_confirm": 8,  # + the account the link names
    "password_reset_complete": 7,
    "confirm_email": 8,  # + the person the link names (with the profile); opening sets nothing
    "logout": 7,
    "set_language": 4,
    "jwks": 3,
    "revocations": 4,
    "receipts:offline": 6,  # + every gate's names (the page names a receipt's gate, never its code)
    "api:openapi-json": 3,
    "api:openapi-view": 3,
    "admin:login": 5,
    "admin:*": 5,
    "home": 4,
    "profile": 10,
    "password_change": 7,
    # The password checked as a sign-in (django-axes reads the lockout and clears old failures);
    # the right one clears this person's failures at this address, as a sign-in does (+1).
    "profile_email": 7,
    # Revoking walks the tokens made with it (one query a generation, in a savepoint: +3).
    "revoke_token": 10,
    "trips:list": 11,
    "trips:new": 9,
    "trips:cargo_line": 4,
    # + the trip's risk channel and its inspections (the enterprise reads them here too);
    # + the market rules' stamp: whether the gate will refuse the truck (rules cached by it).
    "trips:detail": 27,
    "trips:edit": 12,
    "trips:amend": 13,
    # An invoice attached: the trip found and locked, the document written, its audit.
    # Was 9: the trip read again under its lock, its documents counted against the trip's
    # limits and the "Document attached" step written, in a transaction of their own.
    "trips:document": 14,
    "trips:document_file": 7,
    # A draft's document removed: the trip found and locked, the document read and deleted,
    # the step recorded.
    "trips:document_remove": 14,
    "trips:action": 23,
    "reference:hs_search": 5,
    "receipts:verify": 8,
    "receipts:detail": 10,
    "receipts:pdf": 10,
    # As the API's revocation (POST /receipts/{number}/revoke), through the page's session.
    "receipts:revoke": 25,
    # One gate's report of the day (?gate=mlt): the day's records read narrow for the totals
    # and the discrepancy tests, the flagged ones whole, then each list's page by key (H18: one
    # query more than every row of every list read whole, and a third of the time); the trips
    # the day's records name read once, with their valid receipts (+1: the world's bank
    # transfer paid twice, a flagged payment, read whole with what its row needs).
    "payments:reconciliation": 22,
    # The payments locked, their trips' gates and the caller's, each payment written, after
    # the day's report (its discrepancy tests, 12) finds them one of its open discrepancies.
    "payments:resolve": 23,
    # A payment that completes the fee tells the driver (+7: the message and its sending task,
    # looked up by its key first, in savepoints of their own).
    "payments:simulate": 38,
    # The fee read first (+1): cash far beyond it is refused as a typing slip.
    "payments:cash": 20,
    "gate:console": 11,
    "gate:scan": 14,
    # The lane camera's latest read (+1): the button checks the plate the card did.
    "gate:act": 28,
    "gate:snapshot": 11,
    "gate:service_worker": 3,
    "gate:board": 16,
    "gate:board_fragment": 13,
    # The first reading (kept afterwards per data version: two queries then): the version, the
    # kept days, the visits of the days not kept yet, and those days kept (H18).
    "gate:kpi": 17,
    "market:rules": 9,
    "risk:rules": 10,
    "risk:edit_settings": 10,
    "risk:edit_rule": 10,
    # was 3 more per truck waiting (inspections, cargo lines, risk assessment)
    "inspections:queue": 12,
    "inspections:trip": 18,
    "inspections:act": 16,
    "notify:messages": 9,
    "notify:message": 9,
    "slots:wait_times": 17,
    "slots:trip": 16,
    "slots:cancel": 14,
    # + the trucks called and on their way, and the calls missed lately (one query each).
    "slots:waiting": 23,
    "slots:capacity": 8,
    "capacity:simulate": 7,
    "desk:procedures": 8,
    "desk:procedure": 8,
    "desk:apply": 10,
    "desk:track": 7,
    "desk:queue": 11,  # paged: the paginator's count and the overdue/due-soon counts of all files
    "desk:counter": 11,
    "desk:application": 13,
    "desk:act": 20,
    "desk:take": 11,
    "desk:reassign": 16,
    "desk:document": 7,
    "investment:projects": 14,
    "investment:project": 11,
    "investment:example_file": 4,
    "investment:import": 7,
    "investment:import_confirm": 6,
    "investment:act": 12,
    "cooperation:overview": 17,
    # By pages now, as the API's list: + the count of the commitments the filter selects.
    "cooperation:commitments": 10,
    "cooperation:commitment": 9,
    "cooperation:meeting": 10,
    "cooperation:external": 13,
    "cooperation:act": 12,
    "cooperation:record": 8,
    # The months imported from a spreadsheet (+1): their days are left out of trucks per day.
    "stats:dashboard": 43,
    "stats:gate_dashboard": 40,
    "stats:csv": 6,
    "stats:gate_csv": 7,
    # + the year's targets set and changed, with who set them (one query)
    "stats:targets": 10,
    # + the change kept beside the target, what it replaced, in the same transaction (13 -> 14)
    "stats:set_target": 14,
    # + the rates set and corrected, with who set them (one query)
    "stats:rates": 9,
    # + the nearest months rates, before and after; + the change kept beside the rate, in a
    # savepoint of its own (14 -> 15)
    "stats:set_rate": 15,
    "desk:reports": 9,
    "stats:report": 10,
    "stats:import": 10,
    "stats:import_confirm": 6,
    "stats:import_undo": 12,
    "stats:import_example": 4,
    # API operations (a token's lookup included; the world's callers hold one each).
    "GET /trips": 4,
    "POST /trips": 16,
    # + the market rules' stamp (+1; the cargo lines read once for the answer and the check):
    # whether the gate will refuse the truck, the trip page's warning, answered as its fees' is.
    "GET /trips/{reference}": 9,
    "PUT /trips/{reference}": 19,
    # + whether money came before the submission; + the draft's containers held from now on
    # (an update in a savepoint: a racing trip's box is a field error, on PostgreSQL too).
    # + the submitted trip answered with its market-access warning, as its GET (+1).
    "POST /trips/{reference}/submit": 39,
    # + the trip's open booking and the priority classes: a booking follows an amended direction
    # or cargo class (slots.services.follow_amendment; the world's trip holds one, unchanged);
    # + its market-access warning, as its GET (+1).
    "POST /trips/{reference}/amend": 55,
    "POST /trips/{reference}/cancel": 23,
    "POST /trips/{reference}/reject": 20,
    "GET /trips/{reference}/documents": 5,
    # As the page's attachment, the document answered alone.
    "POST /trips/{reference}/documents": 10,
    # As the page's removal, then the trip answered as its GET does.
    "DELETE /trips/{reference}/documents/{document_id}": 13,
    "GET /reference/gates": 3,
    "GET /reference/hs": 3,
    "GET /me": 2,
    "GET /me/tokens": 3,
    "POST /me/tokens": 3,
    # As the page's revoke_token: the tokens made with it are revoked too (+3).
    "DELETE /me/tokens/{token_id}": 8,
    "POST /receipts/verify": 4,  # + the gate checked at exists
    "GET /receipts/{number}": 5,
    # The trip locked before its receipt, and a paid trip's fees due again: its transition
    # written and recorded (+3); the driver told, in a savepoint of its own (+7: the message,
    # once per revocation, and its sending task); the enterprise's people with an address
    # looked up (+1; +7 for each one told).
    "POST /receipts/{number}/revoke": 25,
    # + the market rules' stamp and the cargo lines (+2): whether the gate will refuse the
    # truck, the trip page's warning before paying.
    "GET /trips/{reference}/fees": 11,
    # The fee read first (+1): cash far beyond it is refused as a typing slip.
    "POST /trips/{reference}/cash-payments": 18,
    # A payment that completes the fee tells the driver (+7: the message and its sending task,
    # looked up by its key first, in savepoints of their own).
    # + the gate's market-access warning, as the fees' answer gives it (+2).
    "POST /trips/{reference}/simulate-bank-transfer": 38,
    "POST /gate/{gate}/lookup": 7,
    "POST /gate/{gate}/check-in": 19,
    "POST /gate/{gate}/exit": 16,
    # 16 -> 14, and the weighbridge's 18 -> 16: measured once a reading's scan and weights
    # were checked together (gate.services.weighing_errors); the same writes, two reads fewer.
    "POST /gate/{gate}/events": 14,
    "POST /gate/{gate}/plates": 4,
    # 16 -> 18: a reading that raises the channel of a truck inside reads customs' latest
    # inspection and opens customs' check again (its pass was for the lower channel).
    "POST /gate/{gate}/weighbridge": 16,
    "GET /trips/{reference}/inspections": 10,
    # 21 -> 22: customs' result recorded without a started inspection reads the channel, so
    # the record says which check it was (the failed-inspections rule counts physical ones).
    "POST /trips/{reference}/inspections": 22,
    "POST /trips/{reference}/inspections/start": 19,
    # 15 -> 13: a sample's fields are all checked under the trip's one lock, and the
    # quarantine inspection under way read once (no second lock and check to start it).
    "POST /trips/{reference}/samples": 13,
    "POST /samples/{sample_id}/result": 11,  # + the sample read again under its lock
    "GET /market/rules": 4,
    "POST /market/check": 5,
    "POST /market/suspensions": 17,  # + an active suspension covering it already
    "GET /risk/rulesets/active": 4,
    "POST /risk/rulesets": 13,
    "GET /risk/assessments/{trip_reference}": 6,
    "GET /trips/{reference}/slot": 6,
    # was 67: two queries per hour of the day
    "GET /trips/{reference}/slot/free-hours": 8,
    "POST /trips/{reference}/slot": 25,
    "POST /trips/{reference}/slot/move": 27,
    "POST /trips/{reference}/slot/cancel": 13,
    "POST /slots/{gate}/arrivals": 35,  # + the waiting area in call order, for its position
    "GET /slots/{gate}/queue": 11,
    # was 684: DISTINCT over the model's ordering walked every hour of the week
    "POST /slots/{gate}/call-forward": 16,
    "PUT /slots/{gate}/capacity": 11,  # + the coming hours over the new capacity
    "POST /desk/applications": 19,  # + the filings from the caller's address this hour
    # was 1 more per file (the working calendar)
    "GET /desk/applications": 5,
    "GET /desk/applications/{code}": 7,
    "POST /desk/applications/{code}/actions/{action}": 21,
    # the action's, and the supplement's documents stored beside it
    "POST /desk/applications/{code}/supplement": 23,
    "POST /desk/applications/{code}/reassign": 15,
    "GET /investment/projects": 3,
    "GET /investment/totals": 7,
    "GET /investment/projects/{code}": 4,
    "POST /investment/projects/{code}/actions/{action}": 9,
    "GET /cooperation/commitments": 3,
    "GET /cooperation/totals": 7,
    "POST /cooperation/commitments/{commitment_id}/actions/{action}": 9,
    "GET /stats/summary": 34,
    # A payment that completes the fee tells the driver (+7: the message and its sending task,
    # looked up by its key first, in savepoints of their own).
    "POST /payments/notifications/{provider}": 31,
    "GET /notify/delivery/esms": 6,
    "POST /notify/delivery/zalo": 6,
    "GET /slots/wait-times": 10,
    "GET /desk/procedures": 1,
    "POST /desk/track": 6,  # + wrong phones for the code from any address
}
