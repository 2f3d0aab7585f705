"""An hour's capacity is refused at every wrong field in one 422: a body whose schema refused
the hour or the lanes stopped there, and its weekday and date, and its seats beyond the hour's
total, came only with the next request."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.slots.models import SlotCapacity

pytestmark = pytest.mark.django_db


def refused(manager, body) -> set[tuple]:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(manager, 't')[1]}")
    answer = client.put("/api/v1/slots/mlt/capacity", body, "application/json")
    assert answer.status_code == 422, answer.content
    items = answer.json()["detail"]
    locs = [tuple(item["loc"]) for item in items]
    assert len(locs) == len(set(locs)), items  # each field said once
    assert not SlotCapacity.objects.exists()
    return set(locs)


def test_every_wrong_field_of_a_capacity_is_named_at_once(manager):
    far = (dt.date.today() + dt.timedelta(days=800)).isoformat()
    body = {
        "direction": "import",
        "hour": 30,
        "lanes": -1,
        "trucks_per_lane_hour": 500,
        "quotas": {"perishable": 99999},
        "weekday": 1,
        "date": far,
    }
    assert refused(manager, body) == {
        ("body", "hour"),
        ("body", "lanes"),
        ("body", "trucks_per_lane_hour"),
        ("body", "quotas", "perishable"),
        ("body", "weekday"),
        ("body", "date"),
    }


def test_a_schema_refusal_does_not_hide_the_seats_beyond_the_hour_nor_a_missing_day(manager):
    body = {
        "direction": "import",
        "hour": 24,
        "lanes": 2,
        "trucks_per_lane_hour": 5,
        "quotas": {"perishable": 50},
    }
    assert refused(manager, body) == {("body", "hour"), ("body", "quotas"), ("body", "weekday")}


def test_a_refused_weekday_still_counts_as_given_beside_a_date(manager):
    body = {
        "direction": "export",
        "hour": 8,
        "lanes": 2,
        "trucks_per_lane_hour": 5,
        "weekday": 9,
        "date": dt.date.today().isoformat(),
    }
    assert refused(manager, body) == {("body", "weekday"), ("body", "date")}
