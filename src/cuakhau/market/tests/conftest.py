"""Fixtures for the market-access tests: the shipped rules and an officer who may suspend."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.market.services import load_market_rules


@pytest.fixture
def market_rules(reference_data):
    return load_market_rules()


@pytest.fixture
def quarantine_officer(hng, mlt):
    user = create_user("kiemdich", PASSWORD, roles.QUARANTINE, gates=[hng, mlt])
    # Until roles.PERMISSIONS grants it to the quarantine and customs groups.
    user.user_permissions.add(Permission.objects.get(codename="add_marketaccessrule"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: no stale permission cache


def trip(gate, direction="export", day=None):
    """A trip-like object arriving at noon on ``day`` (default: ten days from now)."""
    day = day or dt.date.today() + dt.timedelta(days=10)
    arrival = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    return SimpleNamespace(gate=gate, direction=direction, expected_arrival=arrival)


def line(hs_code, certificate="VN-BVTV-2025-000001", origin="VN"):
    return SimpleNamespace(
        hs_code=hs_code, phytosanitary_certificate=certificate, origin_country=origin
    )
