"""Check-in, inspections, clearance and exit; the refusals; offline device events."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.gate import services as gate
from cuakhau.gate.models import GateEvent, Visit
from cuakhau.gate.tests.conftest import bananas_suspended_at_hng, clear, paid
from cuakhau.inspections import services as inspections
from cuakhau.receipts.services import valid_receipt_of
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def codes(exc_info):
    return {p.code for p in exc_info.value.problems}


def test_a_truck_from_receipt_scan_to_exit(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    token = valid_receipt_of(trip).token
    check = gate.assess(token, mlt)
    assert check.ok and check.action == "check_in"
    visit = gate.check_in(
        operator, mlt, token, lane="L1", yard_position="B-12", gross_kg="43150", tare_kg="14500"
    )
    trip.refresh_from_db()
    assert (
        trip.status == "arrived" and visit.yard_position == "B-12" and visit.entry_lane.code == "L1"
    )
    assert trip.weighings.get().cargo_kg == 28650
    with pytest.raises(gate.GateRefused) as refused:
        gate.exit_truck(operator, mlt, token)
    assert "inside" in codes(refused)
    assert set(inspections.outstanding(trip)) >= {"customs", "border_guard", "quarantine"}
    clear(trip, officers)
    assert trip.status == "cleared"
    assert gate.assess(trip.tractor_plate, mlt).action == "exit"
    gate.exit_truck(operator, mlt, "25C-123.45", lane="L2")
    trip.refresh_from_db()
    assert trip.status == "exited"
    visit.refresh_from_db()
    assert visit.arrived_at <= visit.cleared_at <= visit.exited_at
    assert valid_receipt_of(trip).used_at is not None
    with pytest.raises(gate.GateRefused) as again:
        gate.exit_truck(operator, mlt, token)
    assert "exited" in codes(again)


def test_refusals_are_loud_and_specific(enterprise, operator, mlt, hng, lanes):
    unpaid = trips.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    with pytest.raises(gate.GateRefused) as exc:
        gate.check_in(operator, mlt, unpaid.reference)
    assert codes(exc) == {"unpaid"}
    # The gate finds only its own, submitted trips: a draft or another gate's trip is not
    # there, and the card says nothing about it.
    draft = trips.create_draft(enterprise, declaration(cargo_lines=[]))
    assert {p.code for p in gate.assess(draft.reference, mlt).problems} == {"not_found"}
    elsewhere = paid(
        enterprise,
        gate="hng",
        cargo_lines=[cassava_line(container_numbers=[], customs_declaration="")],
    )
    token = valid_receipt_of(elsewhere).token
    check = gate.assess(token, mlt)
    assert check.trip is None
    assert {p.code for p in check.problems} == {"not_found", "receipt_wrong_gate"}
    check = gate.assess(elsewhere.reference, mlt)
    assert check.trip is None and {p.code for p in check.problems} == {"not_found"}
    assert elsewhere.tractor_plate not in " ".join(p.message for p in check.problems)
    good = paid(enterprise)
    with pytest.raises(gate.GateRefused) as exc:
        gate.check_in(operator, mlt, good.reference, plate_seen="25C-999.99")
    assert codes(exc) == {"plate_mismatch"}
    gate.check_in(operator, mlt, good.reference, plate_seen="25C12345")
    with pytest.raises(gate.GateRefused) as exc:
        gate.check_in(operator, mlt, good.reference)
    assert "inside" in codes(exc)
    not_found = gate.assess("29A-999.99", mlt)
    assert [p.code for p in not_found.problems] == ["not_found"]


def test_only_operators_of_the_gate_check_in(enterprise, mlt, hng, lanes):
    trip = paid(enterprise)
    other = create_user("vanhanh_hng", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    with pytest.raises(trips.TripPermissionDenied):
        gate.check_in(other, mlt, trip.reference)
    with pytest.raises(trips.TripPermissionDenied):
        gate.check_in(enterprise, mlt, trip.reference)


def test_bad_lane_and_weight_are_field_errors(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    with pytest.raises(gate.FieldErrors) as exc:
        gate.check_in(operator, mlt, trip.reference, lane="L9")
    assert "lane" in exc.value.errors
    with pytest.raises(gate.FieldErrors) as exc:
        gate.check_in(operator, mlt, trip.reference, gross_kg="-3")
    assert "gross_kg" in exc.value.errors
    with pytest.raises(gate.FieldErrors) as exc:
        gate.check_in(operator, mlt, trip.reference, gross_kg="20000", tare_kg="21000")
    assert "tare_kg" in exc.value.errors
    trip.refresh_from_db()
    assert trip.status == "paid"


def test_inspection_rules(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    with pytest.raises(trips.TripPermissionDenied):
        inspections.record_result(officers["customs"], trip, "pass", agency="quarantine")
    with pytest.raises(gate.FieldErrors):
        inspections.record_result(officers["customs"], trip, "hold", notes="")
    inspections.record_result(officers["customs"], trip, "hold", notes="Chờ bổ sung hoá đơn")
    assert "customs" in inspections.outstanding(trip)
    inspection = inspections.start_inspection(officers["customs"], trip)
    assert inspection.ended_at is None
    inspections.record_result(officers["customs"], trip, "pass")
    sample = inspections.take_sample(officers["quarantine"], trip, "KD-2026-0042", "Chuối, 3 nải")
    with pytest.raises(gate.FieldErrors):
        inspections.record_result(officers["quarantine"], trip, "pass")
    inspections.record_sample_result(officers["quarantine"], sample, "negative")
    inspections.record_result(officers["quarantine"], trip, "pass")
    inspections.record_result(officers["border_guard"], trip, "pass")
    trip.refresh_from_db()
    assert trip.status == "cleared"
    assert (
        inspections.failed_inspections(trip.organisation, timezone.now() - dt.timedelta(days=1))
        == 0
    )


def test_offline_events_apply_once_with_the_device_time(enterprise, operator, officers, mlt, lanes):
    trip = paid(enterprise)
    arrived = timezone.now() - dt.timedelta(minutes=42)
    event = {
        "client_id": str(uuid.uuid4()),
        "device_id": "tablet-booth-2",
        "kind": "check_in",
        "occurred_at": arrived.isoformat(),
        "scan": trip.reference,
        "lane": "L2",
        "yard_position": "A-03",
    }
    first, duplicate = gate.apply_event(operator, mlt, event)
    assert first.accepted and not duplicate
    for _ in range(3):
        again, duplicate = gate.apply_event(operator, mlt, event)
        assert duplicate and again.pk == first.pk
    trip.refresh_from_db()
    assert trip.status == "arrived"
    assert abs((trip.visit.arrived_at - arrived).total_seconds()) < 1
    assert GateEvent.objects.count() == 1
    clear(trip, officers)
    exit_event = {
        **event,
        "client_id": str(uuid.uuid4()),
        "kind": "exit",
        "occurred_at": timezone.now().isoformat(),
    }
    assert gate.apply_event(operator, mlt, exit_event)[0].accepted
    refused = {**exit_event, "client_id": str(uuid.uuid4())}
    stored, _dup = gate.apply_event(operator, mlt, refused)
    assert not stored.accepted and stored.problems[0]["code"] == "exited"


def test_a_queued_exit_uses_its_receipt_when_the_truck_left(
    enterprise, operator, officers, mlt, lanes
):
    """An exit queued on a tablet offline at 23:30 and sent after midnight: the truck's visit
    left on the first day, its receipt was used on the second, and the reconciliation put the
    crossing on the day the network came back (a turned-back truck's was timed right)."""
    from cuakhau.receipts.models import ReceiptUse

    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    now = timezone.now()
    Visit.objects.filter(trip=trip).update(
        arrived_at=now - dt.timedelta(hours=5), cleared_at=now - dt.timedelta(hours=4)
    )
    left = now - dt.timedelta(hours=3)
    event = {
        "client_id": str(uuid.uuid4()),
        "kind": "exit",
        "occurred_at": left.isoformat(),
        "scan": trip.reference,
    }
    assert gate.apply_event(operator, mlt, event)[0].accepted
    receipt = trip.receipts.get()
    assert Visit.objects.get(trip=trip).exited_at == left
    assert receipt.used_at == left
    assert ReceiptUse.objects.get(receipt=receipt).at == left


def test_a_step_queued_on_a_tablet_says_on_the_timeline_when_it_happened(
    enterprise, operator, officers, mlt, lanes
):
    """A check-in and an exit queued on a tablet offline are timed on the trip's timeline when
    they reached the server: officers read "checked in at 16:32" of a truck inside since
    13:32. The step says when it happened; one done online says nothing more."""
    import zoneinfo

    from django.test import Client
    from django.utils import translation

    trip = paid(enterprise)
    zone = zoneinfo.ZoneInfo(mlt.time_zone)
    arrived = timezone.now() - dt.timedelta(minutes=42)
    event = {"client_id": str(uuid.uuid4()), "kind": "check_in", "scan": trip.reference}
    assert gate.apply_event(operator, mlt, {**event, "occurred_at": arrived.isoformat()})[
        0
    ].accepted
    clear(trip, officers)
    Visit.objects.filter(trip=trip).update(cleared_at=timezone.now() - dt.timedelta(minutes=30))
    left = timezone.now() - dt.timedelta(minutes=10)
    out = {**event, "client_id": str(uuid.uuid4()), "kind": "exit", "occurred_at": left.isoformat()}
    assert gate.apply_event(operator, mlt, out)[0].accepted
    for action, moment in (("check_in", arrived), ("exit", left)):
        step = trip.transitions.get(action=action)
        for language in ("en", "vi", "zh-hans"):
            with translation.override(language):
                assert timezone.localtime(moment, zone).strftime("%H:%M") in step.reason_shown
    page = Client()
    page.force_login(officers["customs"])
    shown = page.get(f"/trips/{trip.reference}/").content.decode()
    assert "Done at the gate at" in shown
    online = paid(enterprise, tractor_plate="25C-678.90", cargo_lines=[cassava_line()])
    gate.check_in(operator, mlt, online.reference)
    assert online.transitions.get(action="check_in").reason == ""


def test_event_input_is_checked(operator, mlt):
    with pytest.raises(gate.FieldErrors):
        gate.apply_event(operator, mlt, {"client_id": "nope", "kind": "check_in"})
    future = {
        "client_id": str(uuid.uuid4()),
        "kind": "check_in",
        "occurred_at": (timezone.now() + dt.timedelta(hours=2)).isoformat(),
    }
    with pytest.raises(gate.FieldErrors) as exc:
        gate.apply_event(operator, mlt, future)
    assert "occurred_at" in exc.value.errors


def test_plate_reader_matches_a_trip(enterprise, mlt, lanes):
    trip = paid(enterprise)
    read = gate.record_plate_read(mlt, "cam-entry-1", "25C 123.45", lane="L1")
    assert read.trip == trip and read.plate_key == "25C12345"
    assert gate.latest_plate(mlt, lanes[0]) == read


def test_a_suspension_declared_after_payment_stops_the_truck_at_the_gate(enterprise, operator, hng):
    # Bananas and cassava to China through Hữu Nghị, China's bananas then suspended.
    trip = bananas_suspended_at_hng(
        enterprise, operator, hng, "Cảnh báo dịch hại: ruồi đục quả trên chuối (thông báo của GACC)"
    )
    with pytest.raises(gate.GateRefused) as refused:
        gate.check_in(operator, hng, trip.reference)
    problems = refused.value.problems
    assert [p.code for p in problems] == ["market_access"]
    assert "ruồi đục quả" in problems[0].message or "080390" in problems[0].message
    trip.refresh_from_db()
    assert trip.status == "paid"


@pytest.mark.django_db(transaction=True)
def test_two_booths_scanning_one_truck_check_it_in_once(enterprise, operator, mlt, lanes):
    import threading

    from django.db import connection

    trip = paid(enterprise)
    outcomes, barrier = [], threading.Barrier(4)

    def booth():
        try:
            barrier.wait()
            gate.check_in(operator, mlt, trip.reference)
            outcomes.append("in")
        except gate.GateRefused as refused:
            outcomes.append(refused.problems[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=booth) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["in", "inside", "inside", "inside"]
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.transitions.filter(action="check_in").count() == 1


def _meanwhile(monkeypatch, change):
    """Run ``change`` once, between what the check-in read before its transaction and what it
    writes: the moment another booth or officer could act."""
    from cuakhau.risk import services as risk

    plan = risk.plan  # the check-in's last read
    done = []

    def between(trip, lines, **known):
        planned = plan(trip, lines, **known)
        if not done:
            done.append(True)
            change(trip)
        return planned

    monkeypatch.setattr(risk, "plan", between)
    return done


def test_a_truck_checked_in_meanwhile_by_another_booth_is_refused_not_doubled(
    enterprise, operator, mlt, lanes, monkeypatch
):
    trip = paid(enterprise)
    done = _meanwhile(monkeypatch, lambda t: gate.check_in(operator, mlt, t.reference, lane="L2"))
    with pytest.raises(gate.GateRefused) as refused:
        gate.check_in(operator, mlt, trip.reference, lane="L1")
    assert done and codes(refused) == {"inside"}
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.visit.entry_lane.code == "L2"
    assert trip.transitions.filter(action="check_in").count() == 1
    assert trip.risk_assessments.filter(is_current=True).count() == 1


def test_an_assessment_made_meanwhile_is_replaced_once_and_never_lowered(
    enterprise, operator, mlt, lanes, monkeypatch
):
    from cuakhau.risk import services as risk

    trip = paid(enterprise)

    def officer_raises_channel(t):
        # A weighbridge or an officer's reassessment that made the trip red meanwhile.
        made = risk.assess(t)
        type(made).objects.filter(pk=made.pk).update(channel="red")

    done = _meanwhile(monkeypatch, officer_raises_channel)
    visit = gate.check_in(operator, mlt, trip.reference, lane="L1")
    assert done and visit.trip_id == trip.pk
    current = trip.risk_assessments.filter(is_current=True)
    assert current.count() == 1 and current.get().channel == "red"
    assert current.get().previous.channel == "red"
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.transitions.filter(action="check_in").count() == 1
    assert not trip.inspections.filter(agency="customs").exists()  # red: no green release


def _before_exit_writes(monkeypatch, change):
    """Run ``change`` once, between what the exit read and judged and what it writes."""
    from cuakhau.receipts import services as receipts

    judge = receipts.judge_at_exit
    done = []

    def between(token, gate_, actor, **known):
        use = judge(token, gate_, actor, **known)
        if not done:
            done.append(True)
            change()
        return use

    monkeypatch.setattr(receipts, "judge_at_exit", between)
    return done


def test_a_receipt_revoked_while_the_truck_leaves_does_not_let_it_out(
    enterprise, operator, officers, mlt, lanes, monkeypatch
):
    from cuakhau.receipts import services as receipts

    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference, lane="L1")
    clear(trip, officers)
    receipt = valid_receipt_of(trip)
    done = _before_exit_writes(
        monkeypatch,
        lambda: receipts.revoke_receipt(receipt, None, "refunded", "refund approved meanwhile"),
    )
    with pytest.raises(gate.GateRefused) as refused:
        gate.exit_truck(operator, mlt, receipt.token)
    assert done and codes(refused) == {"receipt_revoked"}
    trip.refresh_from_db()
    receipt.refresh_from_db()
    assert trip.status == "cleared" and receipt.used_at is None
    assert not trip.transitions.filter(action="exit").exists()


def test_a_truck_let_out_meanwhile_by_another_booth_leaves_once(
    enterprise, operator, officers, mlt, lanes, monkeypatch
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference, lane="L1")
    clear(trip, officers)
    done = _before_exit_writes(
        monkeypatch, lambda: gate.exit_truck(operator, mlt, trip.reference, lane="L2")
    )
    with pytest.raises(gate.GateRefused) as refused:
        gate.exit_truck(operator, mlt, trip.reference, lane="L1")
    assert done and codes(refused) == {"exited"}
    trip.refresh_from_db()
    assert trip.status == "exited" and trip.visit.exit_lane.code == "L2"
    assert trip.transitions.filter(action="exit").count() == 1
    assert valid_receipt_of(trip).uses.filter(outcome="used").count() == 1


def test_a_truck_that_failed_an_inspection_is_not_shown_as_waiting(
    enterprise, operator, officers, mlt, lanes
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    inspections.record_result(
        officers["customs"], trip, "fail", "Hàng không khớp tờ khai", agency="customs"
    )
    (problem,) = gate.assess(trip.reference, mlt).problems
    assert problem.code == "inspection_failed"
    assert "failed the inspection of: Customs" in problem.message
    assert "waiting for: Customs" not in problem.message


def test_an_unknown_receipt_is_named_by_its_number_never_by_its_code(
    enterprise, operator, mlt, hng, lanes
):
    trip = paid(enterprise)
    token = valid_receipt_of(trip).token
    (problem, *_rest) = gate.assess(token, hng).problems
    assert problem.code == "not_found" and valid_receipt_of(trip).number in problem.message
    assert token[:20] not in problem.message
    (garbage, *_rest) = gate.assess("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", mlt).problems
    assert "no trip reference, plate or receipt of this system" in garbage.message
    (plate, *_rest) = gate.assess("29A-999.99", mlt).problems
    assert "for this plate: 29A-999.99" in plate.message
