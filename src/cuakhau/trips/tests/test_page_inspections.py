"""The trip's page says its risk channel and each agency's inspection result, as the API does."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cuakhau.core.tests.query_budgets import BUDGETS
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.inspections import services as inspections
from cuakhau.risk.choices import RiskChannel
from cuakhau.risk.services import current_assessment

pytestmark = pytest.mark.django_db

NOTES = "Lái xe không xuất trình được giấy phép liên vận"


def page(user, trip, language="en") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(f"/trips/{trip.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_enterprise_reads_the_channel_and_each_result_without_the_notes(
    enterprise, operator, officers, mlt
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    inspections.record_result(officers["border_guard"], trip, "fail", NOTES, agency="border_guard")
    channel = current_assessment(trip).channel
    mine = page(enterprise, trip)
    section = mine[mine.index('id="inspections"') :]
    assert f'badge channel-{channel}"' in section
    with translation.override("en"):
        assert str(RiskChannel(channel).label) in section
    assert "Border guard" in section and "<strong>fail</strong>" in section
    # An officer's notes and name are the gate's, not the enterprise's.
    assert NOTES not in mine and officers["border_guard"].username not in section
    theirs = page(officers["customs"], trip)
    assert NOTES in theirs and officers["border_guard"].username in theirs
    # In the reader's language.
    assert "Biên phòng" in page(enterprise, trip, "vi")


def test_the_trip_page_reads_its_inspections_within_its_budget(enterprise, operator, officers, mlt):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    for agency in inspections.outstanding(trip)[:1]:
        inspections.record_result(officers[agency], trip, "fail", NOTES, agency=agency)
    client = Client()
    client.force_login(enterprise)
    client.get(f"/trips/{trip.reference}/")  # the session's and the process's first reads
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/trips/{trip.reference}/").status_code == 200
    assert len(queries) <= BUDGETS["trips:detail"], [q["sql"] for q in queries]
