"""The board's target and rate forms say every wrong field at once: the service's checks (a
growth beyond 1,000 %, a fixed number of half a truck, a rate far from the nearest month's)
beside the form's own refusals (a note or a source with a control character), not only once
those are put right; and a rate is held to its column's bounds."""

import datetime as dt
from decimal import Decimal

import pytest

from cuakhau.stats.models import ExchangeRate, Target
from cuakhau.stats.tests.test_dashboard import signed_in

pytestmark = pytest.mark.django_db


def _target(**fields):
    return {"gate": "", "year": "2026", "measure": "trucks", "kind": "growth", "note": "", **fields}


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"value": "5000"}, "A growth is a percentage above -100 and at most 1,000."),
        ({"kind": "absolute", "value": "1.5"}, "Trucks and đồng are counted in whole numbers."),
        ({"kind": "absolute", "value": "-3"}, "A fixed target is an amount above zero."),
    ],
)
def test_a_target_s_value_is_said_with_a_wrong_note(board, fields, said):
    response = signed_in(board).post("/stats/targets/set/", _target(note="a\x00b", **fields))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["value"] == [said]
    assert "U+0000" in errors["note"][0]
    assert not Target.objects.filter(year=2026, measure="trucks").exists()


def test_a_target_s_value_is_not_weighed_against_a_kind_that_was_refused(board):
    response = signed_in(board).post("/stats/targets/set/", _target(kind="yy", value="5000"))
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"kind"}


def test_a_rate_far_from_the_nearest_month_is_said_with_a_wrong_source(board):
    ExchangeRate.objects.filter(currency="VND").delete()
    ExchangeRate.objects.create(
        currency="VND", month=dt.date(2026, 9, 1), units_per_usd=Decimal(26250), source="NHNN"
    )
    slip = {"currency": "VND", "month": "2026-10", "units_per_usd": "0.0001", "source": "N\x01"}
    response = signed_in(board).post("/stats/rates/set/", slip)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "U+0001" in errors["source"][0]
    (message,) = errors["units_per_usd"]
    assert "26,250" in message and "tick the box" in message
    # Ticked, the figure is taken and only the source is said.
    confirmed = signed_in(board).post("/stats/rates/set/", {**slip, "unusual_confirmed": "on"})
    assert set(confirmed.context["form"].errors) == {"source"}
    assert not ExchangeRate.objects.filter(month=dt.date(2026, 10, 1)).exists()


def test_a_rate_beyond_its_column_s_bound_is_refused_not_stored(board):
    huge = {"currency": "EUR", "month": "2025-03", "units_per_usd": "5000000000", "source": "x"}
    response = signed_in(board).post("/stats/rates/set/", huge)
    assert response.status_code == 422
    assert response.context["form"].errors["units_per_usd"] == ["At most 1,000,000,000."]
    assert not ExchangeRate.objects.filter(currency="EUR", month=dt.date(2025, 3, 1)).exists()
