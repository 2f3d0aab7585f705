"""The trip's timeline names an officer to the enterprise by their service, never by name
(as its inspections' block does); the gate's staff and auditors read the person."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear, paid

pytestmark = pytest.mark.django_db


def test_the_enterprise_reads_the_gates_people_by_their_service(
    enterprise, operator, officers, auditor, mlt
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    names = {operator.username, *(o.username for o in officers.values())}

    def page(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client.get(f"/trips/{trip.reference}/").content.decode()

    def api_actors(user):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 't')[1]}")
        answer = client.get(f"/api/v1/trips/{trip.reference}")
        assert answer.status_code == 200, answer.content
        return {t["actor"] for t in answer.json()["timeline"]}

    theirs = page(enterprise)
    assert not any(f"· {name} ·" in theirs for name in names), theirs
    assert "· Gate operator ·" in theirs and f"· {enterprise.username} ·" in theirs
    seen = api_actors(enterprise)
    assert not seen & names and {"Gate operator", enterprise.username} <= seen
    # The gate's staff and auditors read who.
    assert f"· {operator.username} ·" in page(auditor)
    assert operator.username in api_actors(officers["customs"])
