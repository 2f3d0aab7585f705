"""An enterprise's failed inspections (the risk rule's count) are found from the failures, never
by going through all of the enterprise's trips, whatever SQLite's statistics say."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from cuakhau.core.testing.sqlite_statistics import query_plan, write_statistics
from cuakhau.inspections import services
from cuakhau.risk.tests.helpers import inspected, submit

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
    trip, passed, others = submit(enterprise), submit(enterprise), submit(other_enterprise)
    now = timezone.now()
    for on, days_ago, result in [
        (trip, 1, "fail"),
        (trip, 5, "fail"),
        (trip, 9, "fail"),  # before the window
        (passed, 2, "pass"),
        (others, 2, "fail"),  # another company's
    ]:
        inspected(on, result, days_ago)
    since = now - dt.timedelta(days=7)
    assert services.failed_inspections(trip.organisation, since) == 2
    assert services.failed_inspections(others.organisation, since) == 1
    assert services.failed_inspections(others.organisation, now) == 0


def test_only_failed_physical_inspections_count(enterprise):
    """The rule reads "failed physical inspections": a driver's expired passport (border
    guard) and a failed document check counted as well."""

    trip = submit(enterprise)
    inspected(trip, "fail", 3, "border_guard", "")
    inspected(trip, "fail", 3, "customs", "document check")
    inspected(trip, "fail", 3, "quarantine", "sampling")
    since = timezone.now() - dt.timedelta(days=7)
    assert services.failed_inspections(trip.organisation, since) == 0
    inspected(submit(enterprise), "fail", 2, "customs", "physical inspection")
    assert services.failed_inspections(trip.organisation, since) == 1


def test_a_fail_the_agency_later_reversed_does_not_count(enterprise):

    reversed_, upheld = submit(enterprise), submit(enterprise)
    inspected(reversed_, "fail", 4, "customs", "physical inspection")
    inspected(reversed_, "pass", 3, "customs", "physical inspection")
    inspected(upheld, "fail", 4, "customs", "physical inspection")
    # A pass before the fail, or another agency's pass after it, reverses nothing.
    inspected(upheld, "pass", 5, "customs", "document check")
    inspected(upheld, "pass", 3, "border_guard", "")
    since = timezone.now() - dt.timedelta(days=7)
    assert services.failed_inspections(upheld.organisation, since) == 1


def test_a_pass_over_a_fail_says_why(inside, officers):
    """A fail is overturned only with its reason, refused beside the notes (page and API)."""
    from django.test import Client
    from django.urls import reverse

    from cuakhau.accounts.services import issue_token
    from cuakhau.inspections.tests.conftest import signed_in

    guard = officers["border_guard"]
    services.record_result(guard, inside, "fail", "Hộ chiếu lái xe hết hạn", "border_guard")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(guard, 'test')[1]}")
    url = f"/api/v1/trips/{inside.reference}/inspections"
    refused = api.post(url, {"result": "pass"}, content_type="application/json")
    assert refused.status_code == 422, refused.content
    [item] = refused.json()["detail"]
    assert item["loc"][-1] == "notes", item
    assert "say why it passes now" in item["msg"]
    page = signed_in(guard).post(
        reverse("inspections:act", args=[inside.reference, "result"]),
        {"result": "pass", "notes": "  "},
    )
    assert page.status_code == 422
    assert "say why it passes now" in page.content.decode()
    assert services.latest(inside)["border_guard"].result == "fail"
    services.record_result(
        guard, inside, "pass", "Lái xe đã xuất trình hộ chiếu mới", "border_guard"
    )
    assert services.latest(inside)["border_guard"].result == "pass"
    # A hold is no fail: the pass that follows it needs no reason.
    services.record_result(officers["customs"], inside, "hold", "Chờ hoá đơn", "customs")
    services.record_result(officers["customs"], inside, "pass", "", "customs")


def test_a_hold_between_a_fail_and_its_pass_does_not_spare_the_reason(inside, officers):
    """Fail, then hold, then pass: the pass still overturns the fail, and says why."""
    from cuakhau.core.errors import FieldErrors

    customs = officers["customs"]
    services.record_result(customs, inside, "fail", "Hàng không khớp khai báo", "customs")
    services.record_result(customs, inside, "hold", "Chờ giám định", "customs")
    with pytest.raises(FieldErrors) as refused:
        services.record_result(customs, inside, "pass", "", "customs")
    assert "notes" in refused.value.errors
    assert services.latest(inside)["customs"].result == "hold"
    services.record_result(customs, inside, "pass", "Giám định khớp khai báo", "customs")
    assert services.latest(inside)["customs"].result == "pass"


def test_a_result_sent_twice_is_recorded_once(inside, officers):
    """A customs officer's fail, submitted twice (a page sent again, a request resent over a
    poor network), was kept twice: one truck's failure counted as two against its enterprise
    in the risk rules' record. The same decision again is answered, recorded once."""
    from django.test import Client
    from django.urls import reverse

    from cuakhau.accounts.services import issue_token
    from cuakhau.inspections.models import Inspection
    from cuakhau.inspections.tests.conftest import signed_in

    customs = officers["customs"]
    page = signed_in(customs)
    url = reverse("inspections:act", args=[inside.reference, "result"])
    fail = {"result": "fail", "notes": "Hàng không khớp khai báo"}
    assert page.post(url, fail).status_code == 302
    again = page.post(url, fail, follow=True)
    assert "This result was already recorded at" in again.content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(customs, 'test')[1]}")
    resent = api.post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {**fail, "agency": "customs"},
        content_type="application/json",
    )
    assert resent.status_code == 200, resent.content
    assert list(
        Inspection.objects.filter(trip=inside, agency="customs").values_list("result", flat=True)
    ) == ["fail"]
    Inspection.objects.filter(trip=inside).update(kind="physical inspection")
    since = timezone.now() - dt.timedelta(days=1)
    assert services.failed_inspections(inside.organisation, since) == 1
    # Another decision is recorded.
    services.record_result(customs, inside, "hold", "Chờ giám định", "customs")
    assert services.latest(inside)["customs"].result == "hold"
    assert Inspection.objects.filter(trip=inside, agency="customs").count() == 2
