"""A bounded schemathesis run over the whole published OpenAPI: no input answers 5xx.

Every operation is called with generated (valid and invalid) inputs, in turn as an enterprise
user, an administrator, a gate operator, a customs officer and a one-stop desk officer of the
gate, and a plate camera registered there, against the WSGI application in the test's own
database, with a few real trips in it (a draft, a paid one, one inside the gate) so that path
parameters sometimes hit something and the gate's handlers get past their first lookup. Only ``not_a_server_error`` is
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
from cuakhau.conftest import (
    PASSWORD,
    cassava_line,
    declaration,
    make_customs,
    make_enterprise,
    make_operator,
)
from cuakhau.core.testing.shared import shared_data
from cuakhau.gate.models import Lane
from cuakhau.gate.services import check_in, register_device
from cuakhau.payments import services as payments
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The coverage phase enumerates every boundary of every field (hundreds of calls for one
# declaration): too slow for every run of the suite. Examples and fuzzing stay, bounded.
schema.config.phases.coverage.enabled = False

# Per operation and run; CUAKHAU_FUZZ_EXAMPLES raises it for a longer hunt.
EXAMPLES_PER_OPERATION = int(os.environ.get("CUAKHAU_FUZZ_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def _shared_tokens(request, django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (core.testing.shared): each operation's run reads them in a
    savepoint of its own.

    The WSGI handler closes the database connection after each request (Django's test client
    switches that off too); the module's transaction must survive the calls."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with shared_data(request, django_db_blocker, tmp_path_factory):
            mlt = Gate.objects.get(code="mlt")
            yield build_tokens(make_enterprise(), make_operator(mlt), make_customs(mlt), mlt)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(_shared_tokens, db):
    return _shared_tokens


def build_tokens(enterprise, operator, customs_mlt, mlt):
    """A token of each kind of caller, and trips for path parameters to find."""
    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    desk = create_user("motcua", PASSWORD, roles.DESK, gates=[mlt])
    for n in (1, 2):
        Lane.objects.get_or_create(gate=mlt, code=f"L{n}")
    draft = trips.create_draft(enterprise, declaration())
    paid = trips.save_and_submit(
        enterprise,
        None,
        declaration(tractor_plate="25C-678.90", cargo_lines=[]) | {"direction": "empty_return"},
    )
    payments.simulate_bank_transfer(paid)
    inside = trips.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-123.45", cargo_lines=[cassava_line()])
    )
    payments.simulate_bank_transfer(inside)
    check_in(operator, mlt, inside.reference, lane="L1")
    KNOWN["reference"] = [draft.reference, paid.reference, inside.reference]
    KNOWN["trip_reference"] = KNOWN["reference"]
    KNOWN["gate"] = ["mlt"]
    KNOWN["number"] = [paid.receipts.first().number, inside.receipts.first().number]
    return [
        issue_token(enterprise, "fuzz")[1],
        issue_token(admin, "fuzz")[1],
        issue_token(operator, "fuzz")[1],
        issue_token(customs_mlt, "fuzz")[1],
        issue_token(desk, "fuzz")[1],
        register_device(None, mlt, "plate_camera", "cam-fuzz", lane="L1")[1],
    ]


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
    # One number drawn from the whole case (a GET has no body to tell its cases apart) picks
    # whether a path parameter names something real, which, and the caller, in turn: a sixth
    # of the calls of trying every caller, and each still meets most operations.
    drawn = zlib.crc32(repr((case.body, case.query, params)).encode())
    for name, values in KNOWN.items():
        if name in params and drawn % 3:
            params[name] = values[(drawn // 3) % len(values)]
    token = tokens[(drawn // 7) % len(tokens)]
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
