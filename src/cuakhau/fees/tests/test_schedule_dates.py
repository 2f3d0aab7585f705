"""Fee schedules' dates: one in force per gate and day, versions in order, no date decades away."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cuakhau.core.errors import FieldErrors
from cuakhau.fees import services
from cuakhau.fees.models import MAX_YEARS_AHEAD, FeeSchedule

pytestmark = pytest.mark.django_db


def _shipped(gate) -> FeeSchedule:
    return FeeSchedule.objects.filter(gate=gate).order_by("-effective_from").first()


def test_a_version_decades_ahead_is_refused(mlt, admin_user):
    schedule = _shipped(mlt)
    far = dt.date(9999, 12, 31)
    with pytest.raises(FieldErrors) as refused:
        services.new_schedule_version(schedule, admin_user, effective_from=far)
    assert f"at most {MAX_YEARS_AHEAD} years ahead" in str(refused.value.errors)
    assert not FeeSchedule.objects.filter(effective_from=far).exists()
    assert services.schedule_for(mlt, far) == schedule


def test_a_copy_of_an_old_version_cannot_be_dated_before_the_newest(mlt, admin_user):
    v1 = _shipped(mlt)
    v2 = services.new_schedule_version(v1, admin_user, effective_from=dt.date(2030, 1, 1))
    services.publish_schedule(v2, admin_user)
    with pytest.raises(FieldErrors) as refused:
        services.new_schedule_version(v1, admin_user, effective_from=dt.date(2029, 6, 1))
    assert "must come after it" in str(refused.value.errors)
    # Still one schedule in force on every day: v1 until 2030, then v2.
    assert services.schedule_for(mlt, dt.date(2029, 7, 1)) == v1
    assert services.schedule_for(mlt, dt.date(2030, 7, 1)) == v2
    v3 = services.new_schedule_version(v1, admin_user, effective_from=dt.date(2031, 1, 1))
    services.publish_schedule(v3, admin_user)
    assert (v3.version, services.schedule_for(mlt, dt.date(2031, 1, 1))) == (3, v3)


def test_two_schedules_of_a_gate_from_the_same_day_are_refused_in_the_admin(mlt, admin_user):
    schedule = _shipped(mlt)
    twin = FeeSchedule(
        gate=mlt,
        key="other-instrument",
        title_vi="Khác",
        title_en="Other",
        legal_basis="—",
        effective_from=schedule.effective_from,
        confidence=schedule.confidence,
    )
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "one per day" in str(refused.value)
    # The day after, it may.
    twin.effective_from = schedule.effective_from + dt.timedelta(days=1)
    twin.full_clean()


def test_the_years_ahead_are_counted_from_the_gates_day(mlt, admin_user, settings, monkeypatch):
    """The limit was counted from the server's day: on a host kept on UTC, at 01:30 on 2 March
    at Ma Lù Thàng (UTC+7) it was still 1 March, and the limit's last day was refused."""
    from django.utils import timezone

    schedule = _shipped(mlt)
    settings.TIME_ZONE = "UTC"
    at_the_gate = dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: at_the_gate)
    last = dt.date(2026, 3, 2) + dt.timedelta(days=366 * MAX_YEARS_AHEAD)
    with pytest.raises(FieldErrors) as refused:
        services.new_schedule_version(
            schedule, admin_user, effective_from=last + dt.timedelta(days=1)
        )
    assert f"at most {MAX_YEARS_AHEAD} years ahead" in str(refused.value.errors)
    new = services.new_schedule_version(schedule, admin_user, effective_from=last)
    assert new.effective_from == last
