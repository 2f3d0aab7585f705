"""The targets list refuses a year it cannot read: the message beside the field, HTTP 400, and
no target rather than this year's as if asked for (``core.listing``)."""

from decimal import Decimal

import pytest
from django.test import Client

from cuakhau.stats import services
from cuakhau.stats.choices import Measure, TargetKind
from cuakhau.stats.services import local_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_years_target(board, mlt):
    return services.set_target(
        board,
        gate=mlt,
        year=local_today().year,
        measure=Measure.EXPORT_USD,
        kind=TargetKind.GROWTH,
        value=Decimal("5"),
        note="Nghị quyết: +5 %/năm",
    )


@pytest.mark.parametrize("year", ["abc", "1800", "9" * 40, "2025\x00", "2025.5"])
def test_an_unreadable_year_is_refused_beside_its_field_and_lists_no_target(
    this_years_target, board, year
):
    client = Client()
    client.force_login(board)
    assert "Nghị quyết" in client.get("/stats/targets/").content.decode()
    response = client.get("/stats/targets/", {"year": year})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field="year"' in html and 'id="list-refused"' in html
    assert "Nghị quyết" not in html


def test_a_readable_year_lists_its_targets(this_years_target, board):
    client = Client()
    client.force_login(board)
    shown = client.get("/stats/targets/", {"year": str(local_today().year)})
    assert shown.status_code == 200 and "Nghị quyết" in shown.content.decode()
    other = client.get("/stats/targets/", {"year": "2020"})
    assert other.status_code == 200 and "Nghị quyết" not in other.content.decode()
