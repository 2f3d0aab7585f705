"""Ma Lù Thàng with slot capacity, a waiting area and trips ready to book."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, banana_line, cassava_line, steel_line
from cuakhau.gate.tests.conftest import paid
from cuakhau.slots.models import SlotCapacity, WaitingArea
from cuakhau.trips import services as trips

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def next_hour(hours: int = 3) -> dt.datetime:
    """The start of a local hour ``hours`` from now (Ma Lù Thàng's clock)."""
    now = timezone.localtime(timezone.now(), VN)
    return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def capacity(mlt):
    """Every hour of the week, for exports: 2 lanes × 3 trucks, 2 seats kept for fruit."""
    SlotCapacity.objects.bulk_create(
        SlotCapacity(
            gate=mlt,
            direction="export",
            weekday=day,
            hour=hour,
            lanes=2,
            trucks_per_lane_hour=3,
            quotas={"perishable": 2},
        )
        for day in range(7)
        for hour in range(24)
    )


@pytest.fixture
def area(mlt):
    return WaitingArea.objects.create(gate=mlt, name="Bãi chờ Km 3", gate_places=2)


@pytest.fixture
def manager(mlt):
    from django.contrib.auth.models import Permission

    user = create_user("quanly_mlt", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    user.user_permissions.add(Permission.objects.get(codename="manage_capacity"))
    return user


def fruit_trip(user, plate="25C-123.45", **overrides):
    """Fresh bananas for China, fee paid: a perishable truck."""
    return paid(
        user, tractor_plate=plate, cargo_lines=[banana_line(container_numbers=[])], **overrides
    )


def cassava_trip(user, plate="25C-234.56", **overrides):
    return trips.save_and_submit(
        user, None, _declaration(tractor_plate=plate, cargo_lines=[cassava_line()], **overrides)
    )


def steel_import(user):
    return trips.save_and_submit(
        user,
        None,
        _declaration(
            tractor_plate="25C-345.67",
            direction="import",
            cargo_lines=[steel_line()],
            driver_nationality="CN",
        ),
    )


def _declaration(**overrides):
    from cuakhau.conftest import declaration

    return declaration(**overrides)


@pytest.fixture
def early_in_the_hour(monkeypatch):
    """The clock runs as if it were five minutes past the hour it is (never in another hour).

    Whether a truck booked for the current hour is on time or late depends on the minute
    (a grace of 30 minutes): tests that book ``next_hour(0)`` and arrive "now" must not pass
    in the first half of each hour and fail in the second.
    """
    real_now = timezone.now
    start = real_now()
    local = timezone.localtime(start, VN)
    anchor = local.replace(minute=5, second=0, microsecond=0)
    shift = max(local - anchor, dt.timedelta(0))
    monkeypatch.setattr(timezone, "now", lambda: real_now() - shift)


@pytest.fixture
def clock(monkeypatch):
    """The platform's clock, stopped where a test sets it: ``clock(50)`` is ten to the end of
    the current hour (Ma Lù Thàng's), ``clock(40, hours=1)`` twenty to the end of the next."""
    start = next_hour(0)

    def set_to(minute: int, hours: int = 0) -> dt.datetime:
        moment = (start + dt.timedelta(hours=hours, minutes=minute)).astimezone(dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to
