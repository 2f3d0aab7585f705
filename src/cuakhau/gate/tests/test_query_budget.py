"""Query budgets of the gate's hot path: check-in, exit, the console's look-up, and what a
token costs (issue 13).

Each count is exact: a change that adds a query to a check-in fails here and says which
queries the request made, so it is seen in review rather than at the barrier. The counts are
those of a request inside the test's transaction (its own transaction shows as a savepoint)
and are the same on SQLite and PostgreSQL: the row locks are clauses of the statements that
read the rows (``FOR NO KEY UPDATE OF``), not statements of their own.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cuakhau.accounts.models import ApiToken
from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD
from cuakhau.gate.models import Visit
from cuakhau.gate.tests.conftest import clear, paid
from cuakhau.gate.tests.test_console_offline import load
from cuakhau.receipts.services import valid_receipt_of

pytestmark = pytest.mark.django_db

# A whole check-in of a truck the risk rules send to the green channel: the token and its
# owner (1), the gate (1), the lane (1), then, before the transaction: the trip and its
# receipt with what verification needs (one statement for a scanned receipt; two for a
# reference or a plate), its cargo (1; each line with its subheading's price-history stamp,
# so the history itself is read only when it changed since this process last read it: not
# here), the active rule set with the market rules' edition (1), the previous assessment with the
# enterprise's failed inspections in the rule's window (1; whether it declared before is the
# previous assessment's answer under the same rules); in the transaction (savepoint and release: 2): the trip's
# status, written only if unchanged, and its transition (2), the waiting area and the slot
# following it (whether it waited, whether another truck waits, its booking: 1), the visit (1),
# the weighing (1), the assessment replacing the previous one (2), the green channel's
# release (1). Nobody waits at the gate, so no task is queued after the commit.
CHECK_IN = 18
# A whole exit by the receipt's QR: token (1), gate (1), then, before the transaction: the
# receipt with its trip and the trip's visit (1); in the transaction (2): the trip's status, written
# only if unchanged, its containers and transition (3), the receipt's use and the receipt,
# marked used only if still unused (2), the visit (1), the statistics' month (1); once
# committed, whether a truck waits to be called forward into the room it leaves (1).
EXIT = 13
# The console's look-up (a session, not a token): session, user, profile, roles, gate, the
# operator's gates (policy and view) and permissions, then the trip, its receipt, cargo,
# market rules and current channel (a fragment: no page menu, so no gate list for it).
CONSOLE_LOOK_UP = 14


def shown(context) -> str:
    return "\n".join(f"{n}. {q['sql'][:160]}" for n, q in enumerate(context.captured_queries, 1))


def count(client_call):
    with CaptureQueriesContext(connection) as context:
        response = client_call()
    return response, len(context.captured_queries), context


def booth(user) -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'booth')[1]}")
    client.get("/api/v1/me")  # the token's first use is written (at most once a minute)
    return client


@pytest.fixture
def warm(enterprise, operator, mlt, lanes):
    """A first check-in of another truck, so process-wide caches (keys, rules) are filled as
    they are on a running server. Nothing is drawn at random: every truck of these tests goes
    to the green channel (the enterprise declared before), so the counts are the same."""
    from decimal import Decimal

    from cuakhau.risk import services as risk

    def no_draw(ruleset, rules):
        ruleset.random_red_rate = ruleset.random_yellow_rate = Decimal(0)

    risk.new_ruleset_version(None, no_draw, "query budgets: no random draw")
    other = paid(enterprise, tractor_plate="25C-111.22", trailer_plate="25R-111.22", **load(1))
    booth(operator).post(
        "/api/v1/gate/mlt/check-in",
        {"scan": valid_receipt_of(other).token},
        content_type="application/json",
    )


def check_in(client, scan, **more):
    return client.post(
        "/api/v1/gate/mlt/check-in", {"scan": scan, **more}, content_type="application/json"
    )


@pytest.mark.parametrize("by", ["receipt", "reference", "plate"])
def test_a_check_in_costs_its_budget_whatever_is_scanned(enterprise, operator, warm, by):
    trip = paid(enterprise)
    scan = {
        "receipt": valid_receipt_of(trip).token,
        "reference": trip.reference,
        "plate": trip.tractor_plate,
    }[by]
    client = booth(operator)
    response, n, context = count(lambda: check_in(client, scan, lane="L1", gross_kg="28500"))
    assert response.status_code == 200, response.content
    assert Visit.objects.filter(trip=trip).exists()
    # A scanned receipt brings its trip; a reference or a plate finds the trip, then its
    # receipt. A plate may match several trips: they are listed and one chosen.
    assert n == CHECK_IN - (by == "receipt"), shown(context)


@pytest.mark.parametrize("by", ["receipt", "reference"])
def test_an_exit_costs_its_budget(
    by, enterprise, operator, officers, warm, django_capture_on_commit_callbacks
):
    trip = paid(enterprise)
    client = booth(operator)
    assert check_in(client, trip.reference, lane="L1").status_code == 200
    clear(trip, officers)
    scan = valid_receipt_of(trip).token if by == "receipt" else trip.reference

    def exit_and_commit():
        # What runs once the exit commits counts too.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/gate/mlt/exit", {"scan": scan}, content_type="application/json"
            )

    response, n, context = count(exit_and_commit)
    assert response.status_code == 200, response.content
    # The visit (with its entry lane) comes with a scanned receipt's trip; a reference finds
    # the trip, then its receipt and its visit.
    assert (response.json()["lane"], response.json()["exited_at"] is not None) == ("L1", True)
    assert n == EXIT + 2 * (by == "reference"), shown(context)
    # The waiting area is asked after the transaction, not while it holds its locks.
    statements = [q["sql"] for q in context.captured_queries]
    released = max(i for i, sql in enumerate(statements) if sql.startswith("RELEASE SAVEPOINT"))
    asked = [i for i, sql in enumerate(statements) if '"slots_waitingentry"' in sql]
    assert asked and min(asked) > released, shown(context)


def test_a_refused_check_in_costs_no_more(enterprise, operator, warm):
    trip = paid(enterprise)
    client = booth(operator)
    assert check_in(client, trip.reference).status_code == 200
    response, n, context = count(lambda: check_in(client, trip.reference))
    assert response.status_code == 409
    # Token, gate, transaction, trip, receipt, the inspections still to come (with the
    # cargo and market rules deciding on quarantine).
    assert n <= 12, shown(context)


def test_a_token_costs_one_lookup_over_an_anonymous_request(operator):
    anonymous, client = Client(), booth(operator)
    _response, plain, _context = count(lambda: anonymous.get("/healthz"))
    response, with_token, context = count(lambda: client.get("/api/v1/me"))
    assert response.status_code == 200
    me = response.json()
    assert (me["roles"], me["gates"]) == (["gate_operator"], ["mlt"])
    assert with_token - plain == 1, shown(context)


def token_writes(context) -> int:
    return sum(
        1
        for q in context.captured_queries
        if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
    )


def test_the_last_use_of_a_token_is_written_at_most_once_a_minute(operator):
    token, raw = issue_token(operator, "booth")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with CaptureQueriesContext(connection) as context:
        client.get("/api/v1/me")
        client.get("/api/v1/me")
    assert token_writes(context) == 1
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    # A minute later the next request writes it again, once.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(seconds=61))
    with CaptureQueriesContext(connection) as context:
        client.get("/api/v1/me")
        client.get("/api/v1/me")
    assert token_writes(context) == 1
    assert ApiToken.objects.get(pk=token.pk).last_used_at >= timezone.now() - dt.timedelta(
        seconds=5
    )


def test_the_console_look_up_costs_its_budget(enterprise, operator, warm):
    trip = paid(enterprise)
    client = Client()
    assert client.login(username=operator.username, password=PASSWORD)
    client.get("/gate/mlt/console/")
    response, n, context = count(
        lambda: client.post("/gate/mlt/console/scan/", {"scan": trip.reference})
    )
    assert response.status_code == 200 and trip.reference in response.content.decode()
    assert n == CONSOLE_LOOK_UP, shown(context)
