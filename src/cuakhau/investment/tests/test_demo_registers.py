"""The demo's registers: the province's scale, marked as examples, and a rerun replaces them."""

from decimal import Decimal

import pytest

from cuakhau.cooperation.models import Commitment, Counterpart
from cuakhau.demo.registers import stage_registers, summary
from cuakhau.investment import services
from cuakhau.investment.models import InvestmentProject, Milestone

pytestmark = pytest.mark.django_db


def test_the_demo_registers_load_twice_to_the_same_rows():
    stage_registers()
    stage_registers()
    assert InvestmentProject.objects.filter(is_example=True).count() == 49
    assert services.zone_totals().registered_vnd + sum(
        InvestmentProject.objects.filter(status="terminated").values_list(
            "registered_capital_vnd", flat=True
        )
    ) == Decimal("6835400000000")
    assert Milestone.objects.exists()
    assert Commitment.objects.filter(is_example=True).count() == 4
    assert Counterpart.objects.count() == 5
    assert "49 projects" in summary()
