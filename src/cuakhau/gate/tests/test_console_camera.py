"""The console's buttons check the plate the lane's camera read, as the card they are pressed
on does: a truck read with another plate is not let in or out by a press of the button."""

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import PASSWORD
from cuakhau.gate.models import PlateRead
from cuakhau.gate.tests.conftest import paid
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db


def read_at_lane(gate, lane, plate: str) -> PlateRead:
    return PlateRead.objects.create(
        gate=gate,
        lane=lane,
        camera_id="cam-l1",
        plate_text=plate,
        plate_key=plate.replace("-", "").replace(".", ""),
        read_at=timezone.now(),
    )


def test_a_button_pressed_on_a_lane_whose_camera_read_another_plate_is_refused(
    enterprise, operator, mlt, lanes
):
    trip = paid(enterprise)
    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    read_at_lane(mlt, lanes[0], "12C-999.99")
    post = {"scan": trip.reference, "lane": "L1"}
    card = client.post("/gate/mlt/console/check_in/", post).content.decode()
    assert "12C-999.99" in card and "verdict ok" not in card
    assert Trip.objects.get(pk=trip.pk).status == "paid"
    # Another lane's read is not this one's: at lane 2, the truck goes in.
    done = client.post("/gate/mlt/console/check_in/", {"scan": trip.reference, "lane": "L2"})
    assert "verdict ok" in done.content.decode()
    assert Trip.objects.get(pk=trip.pk).status != "paid"


def test_an_unknown_console_action_is_not_found(operator, mlt):
    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    assert client.post("/gate/mlt/console/foo/", {"scan": "x"}).status_code == 404
