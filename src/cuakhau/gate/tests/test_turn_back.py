"""A truck rejected inside the gate is turned back: let out, recorded, its fees not refunded."""

import zoneinfo

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.inspections import services as inspections
from cuakhau.payments.services import balance_of
from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import ReceiptUse
from cuakhau.slots import services as slots
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

REASON = "Hàng không khớp khai báo, buộc quay đầu"


def rejected_inside(enterprise, operator, officers, mlt):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    inspections.record_result(
        officers["customs"], trip, "fail", "Hàng không khớp khai báo", agency="customs"
    )
    trips.reject_trip(officers["customs"], trip, REASON)
    trip.refresh_from_db()
    return trip


def test_a_truck_rejected_inside_is_turned_back_through_the_exit(
    enterprise, operator, officers, mlt, lanes
):
    trip = rejected_inside(enterprise, operator, officers, mlt)
    assert slots.inside_count(mlt) == 1
    receipt = receipts.valid_receipt_of(trip)
    check = gate.assess(trip.reference, mlt)
    assert check.ok and check.action == "turn_back"
    assert [p.code for p in check.problems] == ["rejected_inside"]
    assert REASON in check.problems[0].message
    # Not through a normal exit: the trip is rejected, not cleared.
    assert "turn_back" in trips.allowed_actions(operator, trip)
    visit = gate.exit_truck(operator, mlt, trip.reference, lane="L2")
    trip.refresh_from_db()
    visit.refresh_from_db()
    assert trip.status == "rejected"
    assert visit.exited_at is not None and visit.exited_by == operator
    assert visit.exit_lane.code == "L2"
    assert slots.inside_count(mlt) == 0
    step = trip.transitions.order_by("-at", "-id").first()
    assert (step.action, step.from_status, step.to_status, step.actor) == (
        "turn_back",
        "rejected",
        "rejected",
        operator,
    )
    # It used the gate: the fees stand (no refund due), its receipt is used by this exit.
    receipt.refresh_from_db()
    assert receipt.status == "valid" and receipt.used_at == visit.exited_at
    assert ReceiptUse.objects.get(receipt=receipt).outcome == "used"
    balance = balance_of(trip)
    assert (balance.due_vnd, balance.refund_vnd) == (0, 0)
    assert balance.paid_vnd == receipt.amount_vnd
    # Out once: a second exit is refused, and nothing is left to do.
    assert not gate.assess(trip.reference, mlt).ok
    assert "turn_back" not in trips.allowed_actions(operator, trip)
    with pytest.raises(gate.GateRefused):
        gate.turn_back(operator, mlt, trip.reference)


def test_turn_back_over_the_api_and_the_console(enterprise, operator, officers, mlt, lanes):
    first = rejected_inside(enterprise, operator, officers, mlt)
    _token, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    answer = api.post(
        "/api/v1/gate/mlt/lookup", {"scan": first.reference}, content_type="application/json"
    ).json()
    assert (answer["action"], answer["action_label"], answer["ok"]) == (
        "turn_back",
        "Turn back",
        True,
    )
    response = api.post(
        "/api/v1/gate/mlt/exit", {"scan": first.reference}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected" and response.json()["exited_at"]
    second = paid(enterprise, tractor_plate="25C-111.11")
    gate.check_in(operator, mlt, second.reference)
    trips.reject_trip(officers["border_guard"], second, REASON)
    console = Client(HTTP_ACCEPT_LANGUAGE="en")
    console.force_login(operator)
    card = console.post("/gate/mlt/console/scan/", {"scan": second.reference}).content.decode()
    assert 'id="do-turn_back"' in card and "Turn back" in card
    done = console.post("/gate/mlt/console/turn_back/", {"scan": second.reference})
    assert "Turned back" in done.content.decode()
    second.refresh_from_db()
    assert second.visit.exited_at is not None and second.status == "rejected"
    # The console's dedicated action lets out only a truck to turn back.
    cleared_one = paid(enterprise, tractor_plate="25C-222.22")
    gate.check_in(operator, mlt, cleared_one.reference)
    with pytest.raises(gate.GateRefused):
        gate.turn_back(operator, mlt, cleared_one.reference)


def test_a_trip_rejected_before_arriving_is_still_refunded(enterprise, operator, officers, mlt):
    trip = paid(enterprise)
    trips.reject_trip(officers["customs"], trip, REASON)
    trip.refresh_from_db()
    assert receipts.valid_receipt_of(trip) is None
    balance = balance_of(trip)
    assert balance.refund_vnd == balance.received_vnd > 0
    assert "turn_back" not in trips.allowed_actions(operator, trip)
    assert not gate.assess(trip.reference, mlt).ok


def test_a_turned_back_truck_is_no_discrepancy_in_the_reconciliation(
    enterprise, operator, officers, mlt, lanes
):
    from django.utils import timezone

    from cuakhau.payments.reconciliation import daily_report, time_zone_of

    trip = rejected_inside(enterprise, operator, officers, mlt)
    day = timezone.localtime(timezone=zoneinfo.ZoneInfo(time_zone_of(mlt))).date()

    def mismatches():
        report = daily_report(mlt, day)
        return [d for d in report.discrepancies if d.kind == "receipt_state_mismatch"]

    # Inside, rejected: its receipt stands (the fees are owed), as it does once turned back.
    assert mismatches() == []
    gate.turn_back(operator, mlt, trip.reference)
    assert mismatches() == []
    # A receipt still valid on a trip rejected before it came stays a disagreement.
    other = paid(enterprise, tractor_plate="25C-333.33")
    trips.reject_trip(officers["customs"], other, REASON)
    receipts.Receipt.objects.filter(trip=other).update(status="valid", revoke_kind="")
    assert [d.trip_reference for d in mismatches()] == [other.reference]


def test_a_turn_back_is_never_dated_before_the_rejection(
    enterprise, operator, officers, mlt, lanes
):
    import datetime as dt

    from django.utils import timezone

    from cuakhau.gate.models import Visit
    from cuakhau.trips.models import TripTransition

    trip = rejected_inside(enterprise, operator, officers, mlt)
    now = timezone.now()
    Visit.objects.filter(trip=trip).update(arrived_at=now - dt.timedelta(hours=4))
    TripTransition.objects.filter(trip=trip, action="reject").update(at=now - dt.timedelta(hours=1))
    # The console says since when it is rejected, not since when it is inside.
    message = gate.assess(trip.reference, mlt).problems[0].message
    assert gate._local(now - dt.timedelta(hours=1), mlt) in message
    assert gate._local(now - dt.timedelta(hours=4), mlt) not in message
    # A queued exit from before the rejection (while it waited for its officers) is refused.
    with pytest.raises(gate.GateRefused) as refused:
        gate.exit_truck(operator, mlt, trip.reference, at=now - dt.timedelta(hours=3))
    assert [p.code for p in refused.value.problems] == ["before_rejection"]
    trip.refresh_from_db()
    assert trip.visit.exited_at is None
    # Within the clock's skew it is taken at the rejection, the receipt's use too.
    visit = gate.exit_truck(operator, mlt, trip.reference, at=now - dt.timedelta(minutes=61))
    visit.refresh_from_db()
    assert visit.exited_at == now - dt.timedelta(hours=1)
    assert receipts.Receipt.objects.get(trip=trip).used_at == visit.exited_at
