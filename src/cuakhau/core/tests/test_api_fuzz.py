"""A bounded schemathesis run over the whole published OpenAPI: no input answers 5xx.

Every operation is called with generated (valid and invalid) inputs as an enterprise user and
as an administrator, against the WSGI application in the test's own database, with a few real
trips in it so that path parameters sometimes hit something. Only ``not_a_server_error`` is
checked: the other checks judge the schema's precision, this one the server's robustness.
"""

import os
import zlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD, declaration
from cuakhau.gate.models import Lane
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The coverage phase enumerates every boundary of every field (hundreds of calls for one
# declaration): too slow for every run of the suite. Examples and fuzzing stay, bounded.
schema.config.phases.coverage.enabled = False

# Per operation and run; CUAKHAU_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES_PER_OPERATION = int(os.environ.get("CUAKHAU_FUZZ_EXAMPLES", "20"))


@pytest.fixture
def keep_connection_open():
    """The WSGI handler closes the database connection after each request (Django's test
    client switches that off too); the test's transaction must survive the calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(keep_connection_open, enterprise, mlt):
    """An enterprise and an administrator token, and trips for path parameters to find."""
    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    for n in (1, 2):
        Lane.objects.get_or_create(gate=mlt, code=f"L{n}")
    draft = trips.create_draft(enterprise, declaration())
    paid = trips.save_and_submit(
        enterprise,
        None,
        declaration(tractor_plate="25C-678.90", cargo_lines=[]) | {"direction": "empty_return"},
    )
    payments.simulate_bank_transfer(paid)
    KNOWN["reference"] = [draft.reference, paid.reference]
    KNOWN["trip_reference"] = KNOWN["reference"]
    KNOWN["gate"] = ["mlt"]
    KNOWN["number"] = [paid.receipts.first().number]
    return {
        "enterprise": issue_token(enterprise, "fuzz")[1],
        "administrator": issue_token(admin, "fuzz")[1],
    }


# Path parameters that name something real: generated strings almost never do, and the
# handlers' deeper paths (a declaration replaced, a trip weighed) are where inputs matter.
KNOWN: dict[str, list[str]] = {}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_input_makes_the_api_fail(case, tokens):
    params = case.path_parameters or {}
    for name, values in KNOWN.items():
        if name in params and zlib.crc32(repr(case.body).encode()) % 3:
            params[name] = values[zlib.crc32(repr(case.query).encode()) % len(values)]
    # Each case as one of the two callers, in turn: half the calls of trying both, and both
    # callers still meet every operation.
    token = tokens[["enterprise", "administrator"][zlib.crc32(repr(case.body).encode()) % 2]]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
