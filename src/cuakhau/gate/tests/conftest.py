"""People and helpers the gate tests share: an operator and officers at Ma Lù Thàng."""

import pytest

from cuakhau.conftest import declaration
from cuakhau.gate.models import Lane
from cuakhau.inspections import services as inspections
from cuakhau.payments import services as payments
from cuakhau.trips import services as trips


@pytest.fixture(autouse=True)
def _no_kept_figures():
    """Each test computes its KPI figures afresh: the per-process cache outlives a test's data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lanes(mlt):
    return [Lane.objects.create(gate=mlt, code=f"L{n}") for n in (1, 2, 3)]


def paid(user, **overrides):
    """A submitted trip whose fee the bank has confirmed: it has its receipt."""
    trip = trips.save_and_submit(user, None, declaration(**overrides))
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    return trip


def device_client(gate, kind, name, *, lane=None):
    """A test client holding a device credential registered for this gate (and lane)."""
    from django.test import Client

    from cuakhau.gate.services import register_device

    device, raw = register_device(None, gate, kind, name, lane=lane)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.device = device
    return client


def clear(trip, officers):
    """Pass every inspection the trip still needs."""
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    trip.refresh_from_db()


def bananas_suspended_at_hng(enterprise, operator, hng, legal_basis: str):
    """A trip paid for bananas and cassava to China through Hữu Nghị, then China's bananas
    suspended by the gate's quarantine officer: the truck is stopped at the gate."""
    from django.utils import timezone

    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import PASSWORD
    from cuakhau.market.services import load_market_rules, suspend

    load_market_rules()
    Lane.objects.create(gate=hng, code="L1")
    trip = paid(enterprise, gate="hng")
    operator.profile.gates.add(hng)
    quarantine = create_user("kiemdich_hng", PASSWORD, roles.QUARANTINE, gates=[hng])
    suspend(
        "080390",
        direction="export",
        destination="CN",
        starts_on=timezone.localdate(),
        legal_basis=legal_basis,
        declared_by="Chi cục Kiểm dịch thực vật vùng VII",
        actor=quarantine,
    )
    return trip
