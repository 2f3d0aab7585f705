"""A declaration no fee rate fits, or at a gate with no schedule in force, is refused on the
pages as in the API: beside its field, in words, nothing written (it was a server error)."""

import pytest
from django.test import RequestFactory

from cuakhau.conftest import declaration
from cuakhau.core.errors import FieldErrors
from cuakhau.core.middleware import RefusedInputMiddleware
from cuakhau.fees.models import FeeRate, FeeSchedule
from cuakhau.trips import services
from cuakhau.trips.models import Trip
from cuakhau.trips.tests.test_views import form_post, login

pytestmark = pytest.mark.django_db

A_CAR = {"vehicle_type": "passenger", "capacity_tonnes": "", "direction": "empty_return"}


@pytest.fixture
def no_rate_for_cars(mlt):
    FeeRate.objects.filter(schedule__gate=mlt, vehicle__in=["passenger", "any"]).delete()


def test_the_form_refuses_a_trip_no_rate_fits_beside_the_vehicle_in_words(
    enterprise, no_rate_for_cars
):
    client = login(enterprise)
    answer = client.post("/trips/new/", form_post(declaration(cargo_lines=[], **A_CAR), "submit"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-field="vehicle_type"' in page
    assert "fits this vehicle and cargo" in page
    # The regime and the goods by their labels, never their codes (export_import, empty).
    assert "(Passenger vehicle, export / import, empty vehicle)" in page
    assert not Trip.objects.exists()


def test_a_draft_submitted_from_its_page_stays_a_draft_and_says_why(enterprise, no_rate_for_cars):
    trip = services.create_draft(enterprise, declaration(cargo_lines=[], **A_CAR))
    client = login(enterprise)
    answer = client.post(f"/trips/{trip.reference}/submit/")
    assert answer.status_code == 422  # the trip's page again, why on it
    assert "fits this vehicle and cargo" in answer.content.decode()
    trip.refresh_from_db()
    assert trip.status == "draft"


def test_an_amendment_no_rate_fits_is_refused_and_the_trip_keeps_its_version(
    enterprise, no_rate_for_cars
):
    trip = services.save_and_submit(enterprise, None, declaration())
    post = form_post(declaration(cargo_lines=[], **A_CAR), "amend")
    post["reason"] = "Đổi sang xe con"
    answer = login(enterprise).post(f"/trips/{trip.reference}/amend/", post)
    assert answer.status_code == 200
    assert 'data-field="vehicle_type"' in answer.content.decode()
    trip.refresh_from_db()
    assert trip.version == 1 and trip.vehicle_type != "passenger"


def test_a_gate_with_no_schedule_in_force_is_refused_beside_the_gate(enterprise, mlt):
    FeeSchedule.objects.filter(gate=mlt).delete()
    answer = login(enterprise).post("/trips/new/", form_post(declaration(), "submit"))
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'data-field="gate"' in page and "No fee schedule is in force" in page
    assert not Trip.objects.exists()


def test_a_refusal_no_view_showed_is_its_own_page_not_a_server_error(enterprise):
    request = RequestFactory().post("/somewhere/")
    request.user, request.csp_nonce, request.LANGUAGE_CODE = enterprise, "n", "vi"
    refused = FieldErrors({"vehicle_type": ["Không có mức thu nào phù hợp."]})
    answer = RefusedInputMiddleware(lambda r: None).process_exception(request, refused)
    assert answer.status_code == 422
    assert "Không có mức thu nào phù hợp." in answer.content.decode()
    api = RequestFactory().post("/api/v1/trips")
    assert RefusedInputMiddleware(lambda r: None).process_exception(api, refused) is None
