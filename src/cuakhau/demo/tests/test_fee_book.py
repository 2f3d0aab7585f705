"""The demo's fee book chooses the schedule as the real assessment does."""

import datetime as dt

import pytest

from cuakhau.conftest import declaration
from cuakhau.demo.lifecycle import FeeBook
from cuakhau.fees import services as fees
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def test_the_fee_book_takes_the_arrival_day_on_the_gates_clock(
    enterprise, mlt, admin_user, settings
):
    """It took the arrival's day on the server's clock: on a host kept on UTC, a truck arriving
    at 06:30 at Ma Lù Thàng (UTC+7) on the day a new schedule took effect, 23:30 the day before
    in UTC, was charged the old one, which the gate's own assessment does not."""
    trip = trips.save_and_submit(enterprise, None, declaration())
    old = fees.current_assessment(trip).schedule
    new = fees.new_schedule_version(old, admin_user, effective_from=dt.date(2030, 1, 1))
    fees.publish_schedule(new, admin_user)
    settings.TIME_ZONE = "UTC"
    trip.expected_arrival = dt.datetime(2029, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert mlt.time_zone == "Asia/Ho_Chi_Minh"
    assert fees.assess(trip).schedule == new
    lines = list(trip.cargo_lines.all())
    assert FeeBook({"mlt": mlt}).assess(mlt, trip, lines, []).schedule_id == new.pk
    # A minute before midnight at the gate: still 31 December there, the old one in both.
    trip.expected_arrival = dt.datetime(2029, 12, 31, 16, 59, tzinfo=dt.UTC)
    assert fees.assess(trip).schedule == old
    assert FeeBook({"mlt": mlt}).assess(mlt, trip, lines, []).schedule_id == old.pk
