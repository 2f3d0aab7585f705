"""An expected arrival given without its UTC offset — typed in the page's date-time field, or
sent to the API as "2026-12-08T10:00:00" — is the gate's local time, as the form's help says.
It was read on the server's clock: on a host kept on UTC, a truck declared for 10:00 at the
gate was stored for 17:00 there, the form said "UTC (UTC+00:00)" and the edit form moved it
again. An offset given is kept (a Chinese enterprise may write Beijing's +08:00)."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cuakhau.conftest import cassava_line, declaration
from cuakhau.trips import services as trips
from cuakhau.trips.forms import initial_from_trip
from cuakhau.trips.models import Trip

from .clients import api, signed_in

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def tomorrow_at_ten():
    """10:00 tomorrow on Ma Lù Thàng's clock (UTC+7): 03:00 UTC."""
    day = timezone.localdate(timezone=VN) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), tzinfo=VN)


@pytest.fixture(params=["Asia/Ho_Chi_Minh", "UTC"])
def server_zone(request, settings):
    settings.TIME_ZONE = request.param
    return request.param


def created(response) -> Trip:
    assert response.status_code == 201, response.content
    return Trip.objects.get(reference=response.json()["reference"])


def test_the_api_reads_an_arrival_without_offset_on_the_gates_clock(
    enterprise, mlt, server_zone, tomorrow_at_ten
):
    naive = tomorrow_at_ten.replace(tzinfo=None).isoformat()
    body = declaration(gate="mlt", expected_arrival=naive)
    response = api(enterprise).post("/api/v1/trips", json.dumps(body), "application/json")
    trip = created(response)
    assert trip.expected_arrival == tomorrow_at_ten
    assert response.json()["expected_arrival"] == (
        tomorrow_at_ten.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    )
    # An offset given is the caller's: 11:00 in Beijing is 10:00 at the gate.
    beijing = tomorrow_at_ten.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    body = declaration(gate="mlt", expected_arrival=beijing, cargo_lines=[cassava_line()])
    trip = created(api(enterprise).post("/api/v1/trips", json.dumps(body), "application/json"))
    assert trip.expected_arrival == tomorrow_at_ten


def test_the_page_reads_shows_and_edits_an_arrival_on_the_gates_clock(
    enterprise, mlt, server_zone, tomorrow_at_ten
):
    typed = tomorrow_at_ten.strftime("%Y-%m-%dT%H:%M")  # as a datetime-local field sends it
    trip = trips.create_draft(enterprise, declaration(gate="mlt", expected_arrival=typed))
    assert trip.expected_arrival == tomorrow_at_ten
    # The edit form gives it back as typed, so saving it unchanged does not move it.
    initial, _lines = initial_from_trip(trip)
    assert initial["expected_arrival"] == typed
    page = signed_in(enterprise).get(f"/trips/{trip.reference}/").content.decode()
    shown = page[page.index("Expected arrival") :]
    assert "10:00 (UTC+07:00)" in shown[: shown.index("</dd>")]
    form = signed_in(enterprise).get(f"/trips/{trip.reference}/edit/").content.decode()
    assert f'value="{typed}"' in form
    assert "In the gate&#x27;s local time: Vietnam (UTC+07:00)." in form
