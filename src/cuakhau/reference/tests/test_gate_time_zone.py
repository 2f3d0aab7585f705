"""A gate's time zone is one the zone database knows: every page of the gate converts to it."""

import pytest
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("zone", ["25:61", "1e30", "Asia/Hanoi_City", "UTC+7\x00"])
def test_a_gate_refuses_a_time_zone_the_zone_database_lacks(mlt, zone):
    mlt.time_zone = zone
    with pytest.raises(ValidationError) as refused:
        mlt.full_clean()
    assert list(refused.value.message_dict) == ["time_zone"]


def test_a_known_time_zone_is_kept(mlt):
    mlt.time_zone = "Asia/Bangkok"
    mlt.full_clean()
