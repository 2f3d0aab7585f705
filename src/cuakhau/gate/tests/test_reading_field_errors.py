"""A weighbridge's reading and a camera's plate read refused at every wrong field at once.

A reading whose gross weight was no number was answered with that field alone: the scan that
found no truck, the tare below 500 kg, came only with the next try (and a queued reading's
problems named the scan alone). A plate read refused for its plate hid the lane its camera may
not report for; a queued read's plate longer than its column was kept cut to 20
characters."""

import json
import uuid

import pytest
from django.utils import timezone

from cuakhau.gate.models import PlateRead, WeighbridgeReading
from cuakhau.gate.services import check_in
from cuakhau.gate.tests.conftest import device_client, paid

pytestmark = pytest.mark.django_db


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _refused_at(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}


def test_a_reading_is_refused_at_its_scan_and_both_weights_at_once(mlt, lanes):
    scale = device_client(mlt, "weighbridge", "can-1")
    refused = _refused_at(
        _post(
            scale,
            "/api/v1/gate/mlt/weighbridge",
            {"scan": "MLT-NOTRUCK", "gross_kg": "twenty tonnes", "tare_kg": "-5"},
        )
    )
    assert set(refused) == {"scan", "gross_kg", "tare_kg"}
    assert "No trip found for MLT-NOTRUCK" in refused["scan"]
    assert "Between 500" in refused["tare_kg"]
    # The schema accepting both weights: the service says every field too.
    refused = _refused_at(
        _post(
            scale,
            "/api/v1/gate/mlt/weighbridge",
            {"scan": "MLT-NOTRUCK", "gross_kg": "20000", "tare_kg": "30000"},
        )
    )
    assert set(refused) == {"scan", "tare_kg"}
    assert not WeighbridgeReading.objects.exists()


def test_a_queued_reading_names_each_of_its_problems(mlt, lanes):
    scale = device_client(mlt, "weighbridge", "can-1")
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "weighbridge",
        "occurred_at": timezone.now().isoformat(),
        "scan": "MLT-NOTRUCK",
        "gross_kg": "20000",
        "tare_kg": "99999",
    }
    (answer,) = _post(scale, "/api/v1/gate/mlt/events", [event]).json()
    assert answer["accepted"] is False
    assert {p["code"] for p in answer["problems"]} == {"not_found", "tare_kg"}


def test_a_good_reading_is_still_kept(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    check_in(operator, mlt, trip.reference)
    scale = device_client(mlt, "weighbridge", "can-1")
    response = _post(
        scale,
        "/api/v1/gate/mlt/weighbridge",
        {"scan": trip.reference, "gross_kg": "28500", "tare_kg": "9800"},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"trip": trip.reference, "gross_kg": "28500.0"}


def test_a_plate_read_is_refused_at_its_plate_and_lane_at_once(mlt, lanes):
    camera = device_client(mlt, "plate_camera", "cam-L1", lane="L1")
    refused = _refused_at(
        _post(camera, "/api/v1/gate/mlt/plates", {"plate": "!!!", "lane": "L2", "confidence": 2})
    )
    assert set(refused) == {"plate", "lane", "confidence"}
    assert "registered for lane L1" in refused["lane"]
    # The schema accepting every field: the service says both.
    refused = _refused_at(_post(camera, "/api/v1/gate/mlt/plates", {"plate": "!!!", "lane": "L2"}))
    assert set(refused) == {"plate", "lane"}
    assert not PlateRead.objects.exists()


def test_a_queued_plate_read_is_never_cut_short(mlt, lanes):
    camera = device_client(mlt, "plate_camera", "cam-L1", lane="L1")
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "plate_read",
        "occurred_at": timezone.now().isoformat(),
        "scan": "25C12345" + "A" * 30,
    }
    (answer,) = _post(camera, "/api/v1/gate/mlt/events", [event]).json()
    assert answer["accepted"] is False
    assert [p["code"] for p in answer["problems"]] == ["plate"]
    assert not PlateRead.objects.exists()
    (answer,) = _post(
        camera,
        "/api/v1/gate/mlt/events",
        [{**event, "client_id": str(uuid.uuid4()), "scan": "25C-123.45"}],
    ).json()
    assert answer["accepted"] is True
    assert PlateRead.objects.get().plate_text == "25C-123.45"


def test_a_device_of_the_longest_name_is_named_whole_on_what_it_sends(
    enterprise, operator, mlt, lanes
):
    """A device may be named in 80 characters: its readings, reads and events kept the first
    64 of them, so two cameras whose names differ at the end were one in the records."""
    from cuakhau.gate.models import GateEvent

    name = "Cân điện tử trạm 1 – cửa khẩu Ma Lù Thàng, làn nhập khẩu hàng nông sản số 01 AB9"[:80]
    assert len(name) == 80
    trip = paid(enterprise)
    check_in(operator, mlt, trip.reference)
    scale = device_client(mlt, "weighbridge", name)
    response = _post(
        scale,
        "/api/v1/gate/mlt/weighbridge",
        {"scan": trip.reference, "gross_kg": "28500", "tare_kg": "9800"},
    )
    assert response.status_code == 200, response.content
    assert WeighbridgeReading.objects.get().device_id == name
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "weighbridge",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
        "gross_kg": "28400",
        "tare_kg": "9800",
    }
    (answer,) = _post(scale, "/api/v1/gate/mlt/events", [event]).json()
    assert answer["accepted"] is True, answer
    assert GateEvent.objects.get().device_id == name
    camera = device_client(mlt, "plate_camera", name.replace("Cân", "Cam"), lane="L1")
    response = _post(camera, "/api/v1/gate/mlt/plates", {"plate": "25C-123.45", "lane": "L1"})
    assert response.status_code in (200, 201), response.content
    assert PlateRead.objects.get().camera_id == name.replace("Cân", "Cam")


def test_a_reading_from_before_the_truck_arrived_is_refused(enterprise, operator, mlt, lanes):
    """Another truck's load, or a device's clock days wrong: kept, it raised this truck's
    channel."""
    import datetime as dt

    trip = paid(enterprise)
    check_in(operator, mlt, trip.reference)
    assessed = trip.risk_assessments.count()
    scale = device_client(mlt, "weighbridge", "can-1")
    body = {"scan": trip.reference, "gross_kg": "48500", "tare_kg": "9800"}
    earlier = timezone.now() - dt.timedelta(hours=3)
    response = _post(
        scale, "/api/v1/gate/mlt/weighbridge", {**body, "measured_at": earlier.isoformat()}
    )
    assert response.status_code == 409, response.content
    (problem,) = response.json()["problems"]
    assert problem["code"] == "before_arrival"
    assert "before the truck arrived" in problem["message"]
    assert not WeighbridgeReading.objects.exists()
    assert trip.risk_assessments.count() == assessed  # the channel not drawn again
    # Weighed a few minutes before its check-in was pressed: a reading of this truck.
    moments = timezone.now() - dt.timedelta(minutes=5)
    response = _post(
        scale, "/api/v1/gate/mlt/weighbridge", {**body, "measured_at": moments.isoformat()}
    )
    assert response.status_code == 200, response.content
