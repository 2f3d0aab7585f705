"""A new fee-schedule version is a draft until published: never used to assess, edited freely;
publishing (who, when) makes it count from its day, refused if that day is past at the gate or
if it would leave days without a schedule."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import override

from cuakhau.conftest import declaration
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.fees import services
from cuakhau.fees.choices import ScheduleStatus
from cuakhau.fees.models import FeeRate, FeeSchedule
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def test_a_trip_submitted_before_the_next_version_is_edited_does_not_freeze_it(
    enterprise, mlt, admin_user
):
    """The admin's "next version, effective tomorrow (then edit it)": a trip submitted before
    the edit, arriving after tomorrow, was assessed on the copy, which froze at the old rates."""
    today = services.gate_today(mlt)
    current = services.schedule_for(mlt, today)
    draft = services.new_schedule_version(
        current, admin_user, effective_from=today + dt.timedelta(days=1)
    )
    assert draft.is_draft and draft.published_at is None
    data = declaration(expected_arrival=timezone.now() + dt.timedelta(days=2))
    trip = trips.save_and_submit(enterprise, None, data)
    assert services.current_assessment(trip).schedule == current
    assert not draft.is_frozen
    rate = draft.rates.first()
    rate.amount_vnd = 900_000
    rate.save()  # still editable
    published = services.publish_schedule(draft, admin_user)
    assert (published.status, published.published_by) == ("published", admin_user)
    assert published.published_at is not None
    assert services.schedule_for(mlt, today + dt.timedelta(days=1)) == draft
    with pytest.raises(StateRefused):
        services.publish_schedule(draft, admin_user)


def test_publishing_is_refused_for_a_past_day_no_rates_or_days_left_without_fees(mlt, admin_user):
    today = services.gate_today(mlt)
    current = services.schedule_for(mlt, today)
    draft = services.new_schedule_version(
        current, admin_user, effective_from=today + dt.timedelta(days=1)
    )
    FeeSchedule.objects.filter(pk=draft.pk).update(effective_from=today - dt.timedelta(days=1))
    with pytest.raises(FieldErrors) as past:
        services.publish_schedule(draft, admin_user)
    assert "already past" in str(past.value.errors["effective_from"])
    FeeSchedule.objects.filter(pk=draft.pk).update(effective_from=today + dt.timedelta(days=5))
    draft.rates.all().delete()
    with pytest.raises(FieldErrors) as empty:
        services.publish_schedule(draft, admin_user)
    assert "has no rates" in str(empty.value.errors["effective_from"])
    draft.refresh_from_db()
    assert draft.is_draft and draft.published_by is None
    # A gate with nothing in force today: a schedule from next week leaves the days between.
    rate = FeeRate.objects.filter(schedule=current).first()
    FeeSchedule.objects.filter(pk=draft.pk).delete()
    first = FeeSchedule.objects.create(
        gate=mlt,
        key="next-instrument",
        title_vi="Biểu phí mới",
        title_en="New schedule",
        legal_basis="Nghị quyết mới",
        effective_from=today + dt.timedelta(days=7),
        confidence=current.confidence,
    )
    FeeRate.objects.filter(pk=rate.pk).update(schedule=first)
    FeeSchedule.objects.filter(pk=current.pk).delete()
    with pytest.raises(FieldErrors) as gap:
        services.publish_schedule(first, admin_user)
    assert "without fees" in str(gap.value.errors["effective_from"])
    FeeSchedule.objects.filter(pk=first.pk).update(effective_from=today)
    services.publish_schedule(first, admin_user)
    assert services.schedule_for(mlt, today) == first


def test_the_shipped_schedules_are_published(mlt):
    assert FeeSchedule.objects.exists()
    assert not FeeSchedule.objects.filter(status="draft").exists()
    services.load_schedules()
    assert not FeeSchedule.objects.filter(status="draft").exists()


def test_the_admin_makes_a_draft_shows_its_state_and_publishes_it(mlt, admin_client):
    today = services.gate_today(mlt)
    current = services.schedule_for(mlt, today)
    made = admin_client.post(
        "/admin/fees/feeschedule/",
        {"action": "new_version", "_selected_action": [current.pk]},
        follow=True,
    )
    draft = FeeSchedule.objects.get(gate=mlt, key=current.key, version=current.version + 1)
    assert "created as a draft" in made.content.decode()
    listing = admin_client.get(f"/admin/fees/feeschedule/?gate__id__exact={mlt.pk}")
    assert "draft (not in force)" in listing.content.decode()
    for language, label in (("vi", "bản nháp (chưa áp dụng)"), ("zh-hans", "草稿（未生效）")):
        with override(language):
            assert str(ScheduleStatus.DRAFT.label) == label
    form = admin_client.get(f"/admin/fees/feeschedule/{draft.pk}/change/").content.decode()
    assert 'name="status"' not in form and 'name="_save"' in form
    assert 'name="effective_from"' in form
    published = admin_client.post(
        "/admin/fees/feeschedule/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert not draft.is_draft and draft.published_by is not None
    assert "published: its rates count from" in published.content.decode()
    # Its day is no longer the admin's to move: publishing checked it.
    form = admin_client.get(f"/admin/fees/feeschedule/{draft.pk}/change/").content.decode()
    assert 'name="_save"' in form and 'name="effective_from"' not in form
    again = admin_client.post(
        "/admin/fees/feeschedule/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "already published" in again.content.decode()
