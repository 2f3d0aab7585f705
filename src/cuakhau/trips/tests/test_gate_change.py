"""A trip's reference names its gate: a draft moved to another gate gets a reference of that
gate; a submitted trip, whose fees a transfer may already quote by reference, stays at its
gate."""

import pytest
from django.test import Client

from cuakhau.conftest import declaration
from cuakhau.trips import services
from cuakhau.trips.models import Trip
from cuakhau.trips.references import is_valid_reference

pytestmark = pytest.mark.django_db


def test_a_draft_moved_to_another_gate_gets_a_reference_of_that_gate(enterprise, mlt, hng):
    draft = services.create_draft(enterprise, declaration())
    first = draft.reference
    assert first.startswith("MLT-")
    moved = services.update_draft(enterprise, draft, declaration(gate="hng"))
    assert moved.reference.startswith("HNG-") and is_valid_reference(moved.reference)
    assert not Trip.objects.filter(reference=first).exists()
    again = services.update_draft(enterprise, moved, declaration(gate="hng", driver_name="Páo"))
    assert again.reference == moved.reference  # the same gate: the same reference


def test_a_submitted_trip_stays_at_its_gate(enterprise, mlt, hng):
    trip = services.save_and_submit(enterprise, None, declaration())
    with pytest.raises(services.TripValidationError) as refused:
        services.amend_trip(enterprise, trip, declaration(gate="hng"), "wrong gate")
    assert list(refused.value.errors) == ["gate"]
    trip.refresh_from_db()
    assert (trip.gate, trip.version) == (mlt, 1) and trip.reference.startswith("MLT-")
    amended = services.amend_trip(enterprise, trip, declaration(driver_name="Páo"), "driver")
    assert amended.version == 2


def test_the_api_says_so_at_the_gate_field(enterprise, mlt, hng):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = Client()
    client.force_login(enterprise)
    response = client.post(
        f"/api/v1/trips/{trip.reference}/amend",
        {"declaration": declaration(gate="hng"), "reason": "wrong gate"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    [item] = response.json()["detail"]
    assert item["loc"][-1] == "gate" and "cancel it" in item["msg"]
