"""A weighing of a truck the gate does not hold (not paid yet, cancelled, gone) was a 422 at
``body.trip``, a field no request has: the scan found the truck, its state is what is wrong.
It is a 409 with its problem (``not_inside``) as the gate's other state refusals are (not
checked in, already cleared), and a queued reading names that problem."""

import json
import uuid

import pytest
from django.utils import timezone

from cuakhau.conftest import cassava_line, declaration
from cuakhau.gate.models import WeighbridgeReading
from cuakhau.gate.tests.conftest import device_client
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def unpaid(enterprise, mlt):
    return trips.submit_trip(
        enterprise, trips.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    )


def test_a_truck_not_inside_is_a_409_with_its_problem_never_a_field(mlt, lanes, unpaid):
    scale = device_client(mlt, "weighbridge", "can-1")
    response = _post(
        scale, "/api/v1/gate/mlt/weighbridge", {"scan": unpaid.reference, "gross_kg": "28500"}
    )
    assert response.status_code == 409, response.content
    (problem,) = response.json()["problems"]
    assert problem["code"] == "not_inside"
    assert problem["message"] == (
        f"This truck is not inside the gate: trip {unpaid.reference} is submitted."
    )
    assert not WeighbridgeReading.objects.exists()


def test_a_wrong_weight_is_said_at_its_field_and_no_trip_path_is_invented(mlt, lanes, unpaid):
    scale = device_client(mlt, "weighbridge", "can-1")
    for gross in ("twenty tonnes", "20000"):
        response = _post(
            scale,
            "/api/v1/gate/mlt/weighbridge",
            {"scan": unpaid.reference, "gross_kg": gross, "tare_kg": "30000"},
        )
        assert response.status_code == 422, response.content
        paths = [item["loc"] for item in response.json()["detail"]]
        assert ["body", "trip"] not in paths
        assert all(path[-1] in {"gross_kg", "tare_kg"} for path in paths)


def test_a_queued_reading_of_a_truck_not_inside_names_the_problem(mlt, lanes, unpaid):
    scale = device_client(mlt, "weighbridge", "can-1")
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "weighbridge",
        "occurred_at": timezone.now().isoformat(),
        "scan": unpaid.reference,
        "gross_kg": "20000",
    }
    (answer,) = _post(scale, "/api/v1/gate/mlt/events", [event]).json()
    assert answer["accepted"] is False
    assert [p["code"] for p in answer["problems"]] == ["not_inside"]
