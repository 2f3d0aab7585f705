import pytest
from django.test import Client

from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid


@pytest.fixture
def inside(enterprise, operator, mlt):
    """A paid trip, checked in at Ma Lù Thàng: what the inspection pages act on."""
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    return trip


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
