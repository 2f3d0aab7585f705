"""The gate API and console through the test client."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.core.errors import FieldErrors
from cuakhau.gate.models import GateEvent, PlateRead, Visit, WeighbridgeReading
from cuakhau.gate.services import check_in, register_device, revoke_device
from cuakhau.gate.tests.conftest import clear, device_client, paid
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips
from cuakhau.trips.services import TripPermissionDenied

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'booth')[1]}")


def test_lookup_check_in_and_exit_over_the_api(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    client = api(operator)
    token = valid_receipt_of(trip).token
    found = client.post(
        "/api/v1/gate/mlt/lookup", {"scan": token}, content_type="application/json"
    ).json()
    assert (found["trip"], found["action"], found["ok"]) == (trip.reference, "check_in", True)
    done = client.post(
        "/api/v1/gate/mlt/check-in",
        {"scan": token, "lane": "L1", "gross_kg": "28500"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "arrived"
    again = client.post(
        "/api/v1/gate/mlt/check-in", {"scan": token}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["problems"][0]["code"] == "inside"
    clear(trip, officers)
    out = client.post(
        "/api/v1/gate/mlt/exit", {"scan": trip.reference}, content_type="application/json"
    )
    assert out.status_code == 200 and out.json()["exited_at"]


def test_unpaid_is_a_409_with_the_reason(enterprise, operator, mlt, lanes):
    from cuakhau.conftest import declaration
    from cuakhau.trips import services as trips

    trip = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    response = api(operator).post(
        "/api/v1/gate/mlt/check-in", {"scan": trip.reference}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["problems"][0]["code"] == "unpaid"


def test_queued_events_sync_once(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
        "device_id": "tablet-1",
    }
    client = api(operator)
    first = client.post(
        "/api/v1/gate/mlt/events", [event, event], content_type="application/json"
    ).json()
    assert [(r["accepted"], r["duplicate"]) for r in first] == [(True, False), (True, True)]
    later = client.post("/api/v1/gate/mlt/events", [event], content_type="application/json").json()
    assert later[0]["duplicate"] is True


def test_another_event_under_a_taken_id_is_refused_not_dropped(enterprise, operator, mlt, lanes):
    """A weighbridge's reading sent under an id a camera had used, or a camera's second read
    under its first read's id, was answered 'accepted, duplicate' with the first event's trip:
    the device dropped it from its queue and it was never applied."""
    first_trip = paid(enterprise, tractor_plate="25C-123.45")
    second_trip = paid(enterprise, tractor_plate="25C-678.90", cargo_lines=[cassava_line()])
    check_in(operator, mlt, second_trip.reference)
    camera = device_client(mlt, "plate_camera", "cam-1", lane="L1")
    scale = device_client(mlt, "weighbridge", "can-1")
    now = timezone.now()
    read = {
        "client_id": str(uuid.uuid4()),
        "kind": "plate_read",
        "occurred_at": now.isoformat(),
        "scan": "25C-123.45",
    }

    def send(client, events):
        return client.post("/api/v1/gate/mlt/events", events, content_type="application/json")

    assert send(camera, [read]).json()[0]["trip"] == first_trip.reference
    # The same event again, its moment written in the gate's zone: the same event.
    again = {
        **read,
        "occurred_at": timezone.localtime(now, zoneinfo.ZoneInfo(mlt.time_zone)).isoformat(),
    }
    assert send(camera, [again]).json()[0]["duplicate"] is True
    for other in (
        {**read, "scan": "25C-678.90"},  # another read
        {**read, "occurred_at": (now - dt.timedelta(minutes=3)).isoformat()},  # another moment
    ):
        refused = send(camera, [other])
        assert refused.status_code == 422, refused.content
        assert refused.json()["detail"][0]["loc"] == ["body", 0, "client_id"]
    weighed = {**read, "kind": "weighbridge", "scan": second_trip.reference, "gross_kg": 28600}
    refused = send(scale, [weighed])
    assert refused.status_code == 422 and first_trip.reference not in refused.content.decode()
    assert PlateRead.objects.count() == 1 and not WeighbridgeReading.objects.exists()
    # Under an id of its own, the reading is applied.
    sent = send(scale, [{**weighed, "client_id": str(uuid.uuid4())}])
    assert sent.json()[0]["accepted"] and WeighbridgeReading.objects.get().gross_kg == 28600


def test_an_event_id_of_another_gate_tells_nothing_of_its_trip(enterprise, operator, mlt, hng):
    """An event id replayed at Ma Lu Thang answered with the Huu Nghi trip it first named and
    that trip's unpaid fee."""
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user

    trip = trips.save_and_submit(
        enterprise, None, declaration(gate="hng", cargo_lines=[cassava_line()])
    )
    at_hng = create_user("vanhanh_hng", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
    }
    first = api(at_hng).post("/api/v1/gate/hng/events", [event], content_type="application/json")
    assert first.json()[0]["trip"] == trip.reference
    again = api(operator).post("/api/v1/gate/mlt/events", [event], content_type="application/json")
    assert again.status_code == 422
    assert "client_id" in again.json()["detail"][0]["loc"]
    assert trip.reference not in again.content.decode() and "VND" not in again.content.decode()
    assert GateEvent.objects.count() == 1


def test_camera_posts_plates(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    camera = device_client(mlt, "plate_camera", "cam-1", lane="L1")
    response = camera.post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert response.json()["trip"] == trip.reference
    read = PlateRead.objects.get()
    assert (read.gate_device, read.lane.code, read.camera_id) == (camera.device, "L1", "cam-1")
    # A camera fixed to lane L1 does not report for L2; a person does not report plates.
    other_lane = camera.post(
        "/api/v1/gate/mlt/plates",
        {"plate": "25C12345", "lane": "L2"},
        content_type="application/json",
    )
    assert other_lane.status_code == 422
    person = api(operator).post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert person.status_code == 403
    # A misread is no plate: kept, it raised a mismatch at the lane's console.
    for junk in ("!!!", "*-*", "25C?123"):
        misread = camera.post(
            "/api/v1/gate/mlt/plates", {"plate": junk}, content_type="application/json"
        )
        assert misread.status_code == 422 and "letters and digits" in misread.content.decode()
    # A Chinese plate is letters and digits too.
    assert camera.post(
        "/api/v1/gate/mlt/plates", {"plate": "云A·12345"}, content_type="application/json"
    ).status_code in (200, 201)
    assert PlateRead.objects.count() == 2


def test_devices_are_callers_of_their_own_gate_and_kind(enterprise, operator, mlt, hng, lanes):
    trip = paid(enterprise)
    check_in(operator, mlt, trip.reference)
    scale = device_client(mlt, "weighbridge", "can-1")
    weighed = scale.post(
        "/api/v1/gate/mlt/weighbridge",
        {"scan": trip.reference, "gross_kg": "28500", "tare_kg": "9800"},
        content_type="application/json",
    )
    assert weighed.status_code == 200, weighed.content
    reading = WeighbridgeReading.objects.get()
    assert (reading.gate_device, reading.source, reading.recorded_by) == (
        scale.device,
        "device",
        None,
    )
    # Another gate's path, another kind's operation, another kind's event: refused, no row.
    assert (
        scale.post(
            "/api/v1/gate/hng/weighbridge",
            {"scan": trip.reference, "gross_kg": "28500"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        scale.post(
            "/api/v1/gate/mlt/check-in", {"scan": trip.reference}, content_type="application/json"
        ).status_code
        == 403
    )
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
    }
    refused = scale.post("/api/v1/gate/mlt/events", [event], content_type="application/json")
    assert refused.status_code == 422
    assert WeighbridgeReading.objects.count() == 1 and not GateEvent.objects.exists()
    # Every event a device sends names it.
    event.update(kind="weighbridge", gross_kg="28600", client_id=str(uuid.uuid4()))
    sent = scale.post("/api/v1/gate/mlt/events", [event], content_type="application/json")
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
    assert GateEvent.objects.get().gate_device == scale.device


def test_a_refused_batch_of_events_applies_none_of_them(enterprise, operator, mlt, hng, lanes):
    """A batch whose second event the caller may not send (a person reporting a plate read)
    was refused after its first, a weighbridge reading, had been kept."""
    trip = paid(enterprise)
    check_in(operator, mlt, trip.reference)
    now = timezone.now().isoformat()
    weighed = {"client_id": str(uuid.uuid4()), "kind": "weighbridge", "occurred_at": now}
    weighed.update(scan=trip.reference, gross_kg="31234")
    plate = {"client_id": str(uuid.uuid4()), "kind": "plate_read", "occurred_at": now}
    client = api(operator)
    refused = client.post(
        "/api/v1/gate/mlt/events", [weighed, plate], content_type="application/json"
    )
    assert refused.status_code == 422
    assert [item["loc"] for item in refused.json()["detail"]] == [["body", 1, "kind"]]
    assert not GateEvent.objects.exists() and not WeighbridgeReading.objects.exists()
    # An id first used at another gate is refused before anything is applied, too.
    at_hng = {"client_id": str(uuid.uuid4()), "kind": "check_in", "occurred_at": now}
    GateEvent.objects.create(
        client_id=at_hng["client_id"],
        gate=hng,
        kind="check_in",
        occurred_at=timezone.now(),
        accepted=True,
    )
    again = client.post(
        "/api/v1/gate/mlt/events", [weighed, at_hng], content_type="application/json"
    )
    assert again.status_code == 422
    assert [item["loc"] for item in again.json()["detail"]] == [["body", 1, "client_id"]]
    assert GateEvent.objects.count() == 1 and not WeighbridgeReading.objects.exists()
    # The batch as the caller may send it is applied whole.
    sent = client.post("/api/v1/gate/mlt/events", [weighed], content_type="application/json")
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
    assert WeighbridgeReading.objects.get().gross_kg == 31234


def test_an_id_twice_in_one_batch_under_another_event_refuses_the_batch_whole(
    enterprise, operator, mlt, lanes
):
    """A batch holding one id twice, the second time for another event (another lane typed,
    a tablet's bug), checked in the truck and only then answered 422: the tablet, told its
    batch was refused, kept both; the gate had changed all the same."""
    trip = paid(enterprise)
    check = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
        "scan": trip.reference,
        "device_id": "tablet-1",
    }
    client = api(operator)
    refused = client.post(
        "/api/v1/gate/mlt/events", [check, {**check, "lane": "L2"}], content_type="application/json"
    )
    assert refused.status_code == 422
    assert [item["loc"] for item in refused.json()["detail"]] == [["body", 1, "client_id"]]
    assert not GateEvent.objects.exists() and not Visit.objects.exists()
    trip.refresh_from_db()
    assert trip.status == "paid"
    # The same event twice is still one event sent twice.
    sent = client.post("/api/v1/gate/mlt/events", [check, check], content_type="application/json")
    assert [(r["accepted"], r["duplicate"]) for r in sent.json()] == [(True, False), (True, True)]


def test_a_revoked_device_is_turned_away(enterprise, mlt, lanes):
    paid(enterprise)
    camera = device_client(mlt, "plate_camera", "cam-2")
    revoke_device(camera.device)
    response = camera.post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not PlateRead.objects.exists()


def test_only_an_administrator_registers_devices(operator, mlt):
    with pytest.raises(TripPermissionDenied):
        register_device(operator, mlt, "plate_camera", "cam-x")
    with pytest.raises(FieldErrors) as refused:
        register_device(None, mlt, "drone", "")
    assert set(refused.value.errors) == {"kind", "name"}
    # A gate no truck crosses has no use for a device: every call of it would be refused.
    from cuakhau.reference.models import Gate

    passengers_only = Gate.objects.filter(handles_freight=False).first()
    with pytest.raises(FieldErrors) as refused:
        register_device(None, passengers_only, "plate_camera", "cam-ddr")
    assert set(refused.value.errors) == {"gate"}


def test_console_scan_then_one_button(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    client = Client()
    client.login(username=operator.username, password=PASSWORD)
    assert client.get("/gate/mlt/console/").status_code == 200
    card = client.post("/gate/mlt/console/scan/", {"scan": trip.reference}).content.decode()
    assert 'id="do-check_in"' in card
    done = client.post(
        "/gate/mlt/console/check_in/", {"scan": trip.reference, "lane": "L1"}
    ).content.decode()
    assert "verdict ok" in done
    card = client.post("/gate/mlt/console/scan/", {"scan": trip.reference}).content.decode()
    assert "verdict bad" in card and "problem inside" in card
    other = Client()
    other.login(username=enterprise.username, password=PASSWORD)
    assert other.get("/gate/mlt/console/").status_code == 403


def test_a_console_action_whose_answer_was_lost_is_not_done_again_from_the_queue(
    enterprise, operator, officers, mlt, lanes
):
    """The booth pressed "let out" online; the request reached the server, its answer was lost
    on the gate's network, and the console queued the exit to send later. Under a new id it
    was refused as a truck already out, and the refusal kept the receipt "presented again
    after it was used" for the reconciliation to flag. Now each press carries an id, its
    queued copy the same one: answered as done."""
    from cuakhau.receipts.models import ReceiptUse

    trip = paid(enterprise)
    booth = Client()
    booth.force_login(operator)
    queue = api(operator)

    def queued_copy(kind, action_id):
        # As the console queues it: the tablet's time when the answer was lost, its fields.
        event = {
            "client_id": action_id,
            "kind": kind,
            "occurred_at": (timezone.now() + dt.timedelta(seconds=30)).isoformat(),
            "device_id": "console-booth",
            "scan": trip.reference,
            "lane": "L1",
            "yard_position": "",
            "plate_seen": "",
            "operator_id": operator.pk,
        }
        return queue.post("/api/v1/gate/mlt/events", [event], content_type="application/json")

    pressed = str(uuid.uuid4())
    done = booth.post(
        "/gate/mlt/console/check_in/",
        {"scan": trip.reference, "lane": "L1", "action_id": pressed},
    )
    assert "verdict ok" in done.content.decode()
    [answer] = queued_copy("check_in", pressed).json()
    assert (answer["accepted"], answer["duplicate"], answer["problems"]) == (True, True, [])
    # The same press sent twice is answered with what it did.
    again = booth.post(
        "/gate/mlt/console/check_in/",
        {"scan": trip.reference, "lane": "L1", "action_id": pressed},
    )
    assert "verdict ok" in again.content.decode()
    assert Visit.objects.filter(trip=trip).count() == 1
    clear(trip, officers)
    pressed = str(uuid.uuid4())
    out = booth.post("/gate/mlt/console/exit/", {"scan": trip.reference, "action_id": pressed})
    assert "verdict ok" in out.content.decode()
    [answer] = queued_copy("exit", pressed).json()
    assert (answer["accepted"], answer["duplicate"]) == (True, True), answer
    assert list(ReceiptUse.objects.values_list("outcome", flat=True)) == ["used"]
    # Another event under that id is refused, never answered as done.
    refused = queue.post(
        "/api/v1/gate/mlt/events",
        [{"client_id": pressed, "kind": "check_in", "occurred_at": timezone.now().isoformat(),
          "scan": trip.reference}],
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 422


@pytest.mark.parametrize("field", ["scan", "lane"])
@pytest.mark.parametrize("action", ["scan", "check_in", "exit"])
def test_the_console_answers_a_control_character_without_a_server_error(
    enterprise, operator, mlt, lanes, field, action
):
    # PostgreSQL refused the NUL in the lane's lookup and in the refused exit's record (a 500
    # there, while SQLite found nothing): no lane has such a code, no trip such a plate.
    trip = paid(enterprise)
    client = Client()
    client.force_login(operator)
    post = {"scan": trip.reference, "lane": "L1"} | {field: "L\x001"}
    response = client.post(f"/gate/mlt/console/{action}/", post)
    assert response.status_code == 200
    trip.refresh_from_db()
    assert trip.status == "paid"


@pytest.mark.parametrize("plate, why", [("Z" * 5_000, "At most 20"), ("25C\x01123", "U+0001")])
@pytest.mark.parametrize("action", ["scan", "check_in", "exit"])
def test_the_plate_seen_is_checked_as_its_field_on_the_console(
    enterprise, operator, mlt, lanes, plate, why, action
):
    # 5,000 characters came back whole in the card's warning, running out of the card.
    trip = paid(enterprise)
    client = Client()
    client.force_login(operator)
    post = {"scan": trip.reference, "lane": "L1", "plate_seen": plate}
    card = client.post(f"/gate/mlt/console/{action}/", post)
    assert card.status_code == 200
    assert 'data-field="plate_seen"' in card.text and why in card.text
    assert plate[:30] not in card.text
    trip.refresh_from_db()
    assert trip.status == "paid" and not Visit.objects.filter(trip=trip).exists()


@pytest.mark.parametrize(
    "position, why", [("A\x001", "U+0000"), ("\u202eA1", "U+202E"), ("B" * 10_000, "At most 20")]
)
def test_a_yard_position_is_checked_as_typed_never_cut_or_stored_raw(
    enterprise, operator, mlt, lanes, position, why
):
    trip = paid(enterprise)
    client = Client()
    client.force_login(operator)
    post = {"scan": trip.reference, "lane": "L1", "yard_position": position}
    card = client.post("/gate/mlt/console/check_in/", post)
    assert card.status_code == 200
    assert 'data-field="yard_position"' in card.text and why in card.text
    # Beside its field, which the card names.
    assert 'id="id_yard_position_error"' in card.text
    assert "Correct the marked fields: Yard position." in card.text
    assert position[:30] not in card.text and "\x00" not in card.text
    trip.refresh_from_db()
    assert trip.status == "paid" and not Visit.objects.filter(trip=trip).exists()
    refused = api(operator).post("/api/v1/gate/mlt/check-in", post, content_type="application/json")
    assert refused.status_code == 422
    with pytest.raises(FieldErrors):
        check_in(operator, mlt, trip.reference, yard_position=position)
    assert check_in(operator, mlt, trip.reference, yard_position=" B-12 ").yard_position == "B-12"


def test_the_devices_command_registers_lists_and_revokes(mlt, lanes):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "devices", "register", "mlt", "plate_camera", "cam-cmd", "--lane", "L2", stdout=out
    )
    raw = out.getvalue().strip()
    assert raw.startswith("ckd_")
    camera = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    sent = camera.post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert sent.status_code == 200 and PlateRead.objects.get().lane.code == "L2"
    listing = StringIO()
    call_command("devices", "list", "mlt", stdout=listing)
    assert "cam-cmd" in listing.getvalue() and "active" in listing.getvalue()
    assert raw not in listing.getvalue()
    call_command("devices", "revoke", "mlt", "cam-cmd", stdout=StringIO())
    refused = camera.post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert refused.status_code == 401 and PlateRead.objects.count() == 1
    # The revoked camera's replacement takes its name; a second one in service does not.
    call_command("devices", "register", "mlt", "plate_camera", "cam-cmd", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("devices", "register", "mlt", "plate_camera", "cam-cmd", stdout=StringIO())


def test_the_tare_typed_at_check_in_is_kept_and_checked(enterprise, operator, mlt, lanes):
    first = paid(enterprise)
    second = paid(enterprise, tractor_plate="25C-111.22", cargo_lines=[cassava_line()])
    client = api(operator)
    post = {"scan": first.reference, "gross_kg": 30000, "tare_kg": 40000}
    refused = client.post("/api/v1/gate/mlt/check-in", post, content_type="application/json")
    assert refused.status_code == 422 and "tare_kg" in str(refused.json())
    post["tare_kg"] = 14500
    assert (
        client.post("/api/v1/gate/mlt/check-in", post, content_type="application/json").status_code
        == 200
    )
    assert WeighbridgeReading.objects.get(trip=first).tare_kg == 14500
    # The console reads the weights as its page writes numbers (Vietnamese: 30.000 kg).
    web = Client()
    assert web.login(username=operator.username, password=PASSWORD)
    web.post(
        "/gate/mlt/console/check_in/",
        {"scan": second.reference, "gross_kg": "30.000", "tare_kg": "14.500"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    reading = WeighbridgeReading.objects.get(trip=second)
    assert (reading.gross_kg, reading.tare_kg) == (30000, 14500)


def test_a_truck_does_not_leave_under_another_plate(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    client = api(operator)
    scan = {"scan": trip.reference}
    client.post("/api/v1/gate/mlt/check-in", scan, content_type="application/json")
    clear(trip, officers)
    other = client.post(
        "/api/v1/gate/mlt/exit",
        {**scan, "plate_seen": "29A-999.99"},
        content_type="application/json",
    )
    assert other.status_code == 409
    trip.refresh_from_db()
    assert trip.status == "cleared"
    same = client.post(
        "/api/v1/gate/mlt/exit", {**scan, "plate_seen": "25C12345"}, content_type="application/json"
    )
    assert same.status_code == 200


def test_queued_events_with_an_impossible_clock_are_refused(
    enterprise, operator, officers, mlt, lanes
):
    trip = paid(enterprise)
    client = api(operator)

    def event(kind, when):
        return {
            "client_id": str(uuid.uuid4()),
            "kind": kind,
            "occurred_at": when.isoformat(),
            "scan": trip.reference,
        }

    weeks_ago = timezone.now() - dt.timedelta(days=20)
    early = client.post(
        "/api/v1/gate/mlt/events", [event("check_in", weeks_ago)], content_type="application/json"
    ).json()
    assert not early[0]["accepted"] and early[0]["problems"][0]["code"] == "before_payment"
    client.post(
        "/api/v1/gate/mlt/events",
        [event("check_in", timezone.now())],
        content_type="application/json",
    )
    clear(trip, officers)
    out = client.post(
        "/api/v1/gate/mlt/events", [event("exit", weeks_ago)], content_type="application/json"
    ).json()
    assert not out[0]["accepted"] and out[0]["problems"][0]["code"] == "before_arrival"
    trip.refresh_from_db()
    assert trip.status == "cleared"
    # Nor before its officers cleared it: refused beyond the clock's skew, taken at the
    # clearance within it (never a negative stay after clearance).
    now = timezone.now()
    Visit.objects.filter(trip=trip).update(
        arrived_at=now - dt.timedelta(hours=5), cleared_at=now - dt.timedelta(hours=1)
    )
    out = client.post(
        "/api/v1/gate/mlt/events",
        [event("exit", now - dt.timedelta(hours=3))],
        content_type="application/json",
    ).json()
    assert not out[0]["accepted"] and out[0]["problems"][0]["code"] == "before_clearance"
    out = client.post(
        "/api/v1/gate/mlt/events",
        [event("exit", now - dt.timedelta(minutes=90))],
        content_type="application/json",
    ).json()
    assert out[0]["accepted"]
    visit = Visit.objects.get(trip=trip)
    assert visit.exited_at == visit.cleared_at


def test_a_device_clock_minutes_ahead_never_times_anything_in_the_future(
    enterprise, operator, officers, mlt, lanes
):
    """A tablet, a scale and a camera whose clocks run four minutes ahead are let through (a
    device time may be five minutes ahead), but what they report happened by the time it
    reached the server: a check-in stood in the future, and its truck, cleared and let out
    online a minute later, had left before it arrived (a negative stay on the KPI page)."""
    trip = paid(enterprise)
    ahead = timezone.now() + dt.timedelta(minutes=4)
    check = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": ahead.isoformat(),
        "scan": trip.reference,
    }
    answer = api(operator).post("/api/v1/gate/mlt/events", [check], content_type="application/json")
    assert answer.json()[0]["accepted"], answer.content
    visit = Visit.objects.get(trip=trip)
    assert visit.arrived_at <= timezone.now()
    # The event itself keeps what the tablet said: its id and time are what a resend repeats.
    assert GateEvent.objects.get().occurred_at == ahead
    scale = device_client(mlt, "weighbridge", "can-1")
    weighed = scale.post(
        "/api/v1/gate/mlt/weighbridge",
        {"scan": trip.reference, "gross_kg": "28500", "measured_at": ahead.isoformat()},
        content_type="application/json",
    )
    assert weighed.status_code == 200, weighed.content
    assert WeighbridgeReading.objects.get().measured_at <= timezone.now()
    camera = device_client(mlt, "plate_camera", "cam-1", lane="L1")
    camera.post(
        "/api/v1/gate/mlt/plates",
        {"plate": "25C-123.45", "read_at": ahead.isoformat()},
        content_type="application/json",
    )
    assert PlateRead.objects.get().read_at <= timezone.now()
    clear(trip, officers)
    out = api(operator).post(
        "/api/v1/gate/mlt/exit", {"scan": trip.reference}, content_type="application/json"
    )
    assert out.status_code == 200, out.content
    visit.refresh_from_db()
    assert visit.arrived_at <= visit.cleared_at <= visit.exited_at


def test_a_receipt_used_at_the_exit_is_not_revoked_and_only_cashiers_revoke(
    enterprise, operator, officers, mlt, lanes
):
    trip = paid(enterprise)
    number = valid_receipt_of(trip).number
    revoke = {"kind": "refunded", "reason": "Hoàn phí"}
    guard = api(officers["border_guard"])
    refused = guard.post(
        f"/api/v1/receipts/{number}/revoke", revoke, content_type="application/json"
    )
    assert refused.status_code == 403
    client = api(operator)
    scan = {"scan": trip.reference}
    client.post("/api/v1/gate/mlt/check-in", scan, content_type="application/json")
    clear(trip, officers)
    client.post("/api/v1/gate/mlt/exit", scan, content_type="application/json")
    used = client.post(f"/api/v1/receipts/{number}/revoke", revoke, content_type="application/json")
    assert used.status_code == 422 and "receipt" in str(used.json())
    assert valid_receipt_of(trip).number == number


def test_a_person_posting_a_camera_read_is_told_it_is_for_devices(operator, mlt, lanes):
    response = api(operator).post(
        "/api/v1/gate/mlt/plates", {"plate": "25C12345"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "Only a gate device may call this." in str(response.json())


def test_a_weighing_counts_only_for_a_truck_inside_and_not_cleared(
    enterprise, operator, officers, mlt, lanes
):
    """Before the check-in (which takes the weights) or after the clearance, a reading would be
    kept and raise no channel: refused, saying when to weigh."""
    trip = paid(enterprise)
    client = api(operator)

    def weigh(gross):
        return client.post(
            "/api/v1/gate/mlt/weighbridge",
            {"scan": trip.reference, "gross_kg": gross, "tare_kg": "15000"},
            content_type="application/json",
        )

    early = weigh("69380")
    assert early.status_code == 409, early.content
    assert [p["code"] for p in early.json()["problems"]] == ["not_checked_in"]
    assert "weigh it at its check-in" in early.json()["problems"][0]["message"]
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "weighbridge",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
        "gross_kg": "69380",
    }
    queued = client.post("/api/v1/gate/mlt/events", [event], content_type="application/json")
    assert queued.json()[0]["problems"][0]["code"] == "not_checked_in", queued.content
    assert not WeighbridgeReading.objects.exists()
    check_in(operator, mlt, trip.reference)
    # Inside: kept, answered in the stored form whatever was typed.
    assert weigh("41972").json()["gross_kg"] == weigh("41972.000").json()["gross_kg"] == "41972.0"
    clear(trip, officers)
    late = weigh("79000")
    assert late.status_code == 409, late.content
    assert [p["code"] for p in late.json()["problems"]] == ["already_cleared"]
    assert WeighbridgeReading.objects.count() == 2


def test_a_queued_event_is_sent_only_by_the_operator_who_queued_it(
    enterprise, operator, mlt, lanes
):
    """A shared booth tablet sent the queue one shift made offline under the next shift's
    session: the trucks' check-ins were recorded as the next operator's. An event naming who
    queued it (the console's ``operator``) is refused from anyone else, before anything is
    applied; one naming nobody (queued before the console named anyone) is the sender's."""
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.gate import services

    next_shift = create_user("vanhanh_ca2", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    trip = paid(enterprise)
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": timezone.now().isoformat(),
        "scan": trip.reference,
        "lane": "L1",
        "operator": operator.username,
    }

    def send(client, events):
        return client.post("/api/v1/gate/mlt/events", events, content_type="application/json")

    # The next shift's session (the console's own way in) and token alike, and a device.
    console = Client()
    console.force_login(next_shift)
    camera = device_client(mlt, "plate_camera", "cam-ca2", lane="L1")
    for client in (console, api(next_shift)):
        refused = send(client, [event])
        assert refused.status_code == 422, refused.content
        [item] = refused.json()["detail"]
        assert item["loc"] == ["body", 0, "operator"] and operator.username in item["msg"]
    refused = send(camera, [{**event, "kind": "plate_read"}])
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", 0, "operator"]
    # In a batch: nothing of it applied, the refusal named by its place.
    own = {**event, "client_id": str(uuid.uuid4()), "operator": next_shift.username}
    refused = send(console, [own, event])
    assert [i["loc"] for i in refused.json()["detail"]] == [["body", 1, "operator"]]
    assert not GateEvent.objects.exists()
    trip.refresh_from_db()
    assert trip.status == "paid"
    # The service refuses it too, whoever calls it.
    with pytest.raises(FieldErrors) as caught:
        services.apply_event(next_shift, mlt, event)
    assert "operator" in caught.value.errors

    # Its operator sends it: recorded as theirs, with who queued it in the event's payload.
    sent = send(api(operator), [event])
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
    stored = GateEvent.objects.get()
    assert stored.actor == operator and stored.payload["operator"] == operator.username
    trip.refresh_from_db()
    assert trip.status == "arrived"
    assert trip.transitions.get(to_status="arrived").actor == operator
    # Sent again by the next shift: still refused, never answered "duplicate" in their name.
    assert send(console, [event]).status_code == 422

    # An event naming nobody is the sender's, as before.
    other = paid(enterprise, tractor_plate="25C-678.90", cargo_lines=[cassava_line()])
    old = {key: value for key, value in event.items() if key != "operator"}
    old.update(client_id=str(uuid.uuid4()), scan=other.reference)
    sent = send(console, [old])
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
    other.refresh_from_db()
    assert other.transitions.get(to_status="arrived").actor == next_shift


def test_a_queued_event_names_its_operator_by_id_and_survives_a_rename(
    enterprise, operator, mlt, lanes
):
    """The console's queued actions named their operator by username: renamed before the
    network was back, the operator was refused their own check-ins, which then waited on the
    tablet for ever. The console now names them by their id (``operator_id``), which a rename
    leaves; the username form of actions queued before the upgrade is still taken from them."""
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user

    next_shift = create_user("vanhanh_ca2", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    first, second = (
        paid(enterprise),
        paid(enterprise, tractor_plate="25C-678.90", cargo_lines=[cassava_line()]),
    )

    def event(trip, **who):
        return {
            "client_id": str(uuid.uuid4()),
            "kind": "check_in",
            "occurred_at": timezone.now().isoformat(),
            "scan": trip.reference,
            "lane": "L1",
            **who,
        }

    def send(client, events):
        return client.post("/api/v1/gate/mlt/events", events, content_type="application/json")

    by_id = event(first, operator_id=operator.pk)
    by_name = event(second, operator=operator.username)  # queued before the upgrade
    operator.username = "vanhanh_moi"
    operator.save(update_fields=["username"])

    # Another person's session or token: refused, field by field, nothing applied.
    console = Client()
    console.force_login(next_shift)
    for client in (console, api(next_shift)):
        refused = send(client, [by_id])
        assert refused.status_code == 422, refused.content
        [item] = refused.json()["detail"]
        assert item["loc"] == ["body", 0, "operator_id"]
    assert not GateEvent.objects.exists()
    # Not a number, or JSON's true: a field's refusal, never a 500 nor user 1.
    for wrong in ("abc", True, 0, -3, 10**30):
        refused = send(api(operator), [{**by_id, "operator_id": wrong}])
        assert refused.status_code == 422, (wrong, refused.content)
        assert refused.json()["detail"][0]["loc"][:3] == ["body", 0, "operator_id"]

    # The renamed operator sends their own, by id: accepted, recorded as theirs.
    sent = send(api(operator), [by_id])
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
    stored = GateEvent.objects.get(client_id=by_id["client_id"])
    assert stored.actor == operator and stored.payload["operator_id"] == str(operator.pk)
    first.refresh_from_db()
    assert first.transitions.get(to_status="arrived").actor == operator
    # Resent, it is the same event.
    again = send(api(operator), [by_id])
    assert again.status_code == 200 and again.json()[0]["duplicate"], again.content

    # The username form is taken from whoever holds that username, as before.
    assert send(api(operator), [by_name]).status_code == 422
    by_new_name = {**by_name, "operator": operator.username}
    sent = send(console, [by_new_name])
    assert sent.status_code == 422 and sent.json()["detail"][0]["loc"] == ["body", 0, "operator"]
    sent = send(api(operator), [by_new_name])
    assert sent.status_code == 200 and sent.json()[0]["accepted"], sent.content
