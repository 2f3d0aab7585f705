"""An enterprise's failed inspections (the risk rule's count) are found from the failures, never
by going through all of the enterprise's trips, whatever SQLite's statistics say."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from cuakhau.core.testing.sqlite_statistics import query_plan, write_statistics
from cuakhau.inspections import services

pytestmark = pytest.mark.django_db

# As ``ANALYZE`` left them on the 90-day demo: 205,263 inspections with two results (SQLite
# keeps one average per column, so a rare "fail" looks like half the table) and 84,000 trips
# of a few dozen companies.
DEMO = {
    ("inspections_inspection", ("result", "ended_at")): "205263 102632 1",
    ("inspections_inspection", ("trip_id", "agency")): "205263 3 1",
    ("trips_trip", ("organisation_id", "status")): "84000 2500 1",
}


def _statistics_as_on_the_demo():
    write_statistics({"inspections_inspection": 205_263, "trips_trip": 84_000}, DEMO, per_value=10)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and statistics")
def test_the_count_starts_from_the_failures_not_the_companys_trips():
    _statistics_as_on_the_demo()
    query = services._FAILED_SINCE.build(organisation=1, since=timezone.now())
    steps = query_plan(*query.query.sql_with_params())
    # Through every trip of the company first, this took 20 ms a check-in on the demo.
    assert steps[0].startswith("SEARCH inspections_inspection USING INDEX"), steps
    assert "(result=? AND ended_at>?)" in steps[0], steps
    assert any("trips_trip USING INTEGER PRIMARY KEY" in step for step in steps), steps


def test_the_count_is_the_companys_failures_in_the_window(enterprise, other_enterprise):
    from cuakhau.inspections.models import Inspection
    from cuakhau.risk.tests.helpers import submit

    trip, others = submit(enterprise), submit(other_enterprise)
    now = timezone.now()
    for on, days_ago, result in [
        (trip, 1, "fail"),
        (trip, 5, "fail"),
        (trip, 9, "fail"),  # before the window
        (trip, 2, "pass"),
        (others, 2, "fail"),  # another company's
    ]:
        at = now - dt.timedelta(days=days_ago)
        Inspection.objects.create(
            trip=on, agency="customs", kind="physical", started_at=at, ended_at=at, result=result
        )
    since = now - dt.timedelta(days=7)
    assert services.failed_inspections(trip.organisation, since) == 2
    assert services.failed_inspections(others.organisation, since) == 1
    assert services.failed_inspections(others.organisation, now) == 0
