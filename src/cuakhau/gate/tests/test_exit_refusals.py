"""A refused exit changes nothing, but the refusal is kept: it reaches reconciliation."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import cassava_line
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear, paid
from cuakhau.payments.reconciliation import EXIT_REFUSED, daily_report
from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import ReceiptUse

pytestmark = pytest.mark.django_db


def test_an_exit_refused_by_the_service_is_recorded(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    with pytest.raises(gate.GateRefused):
        gate.exit_truck(operator, mlt, trip.reference)  # inspections still outstanding
    trip.refresh_from_db()
    assert trip.status == "arrived" and trip.visit.exited_at is None
    use = ReceiptUse.objects.get()
    assert (use.outcome, use.gate, use.actor) == ("refused", mlt, operator)
    assert use.receipt == receipts.valid_receipt_of(trip) and use.receipt.used_at is None
    # In words, as the reader's language writes them: no problem's code ("inside: …").
    detail = str(use.detail_shown)
    assert detail.startswith(f"{trip.reference}: Inside since ") and "inside:" not in detail
    report = daily_report(mlt, timezone.localdate())
    refused = [d for d in report.open_discrepancies if d.kind == EXIT_REFUSED]
    assert [d.trip_reference for d in refused] == [trip.reference]
    assert report.counts.crossings_refused == 1


def test_an_exit_refused_over_the_api_is_recorded(enterprise, operator, mlt, lanes):
    trip = paid(enterprise)
    _token, raw = issue_token(operator, "booth")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    # Never checked in: the truck is not inside, so it cannot leave (nor use up its receipt).
    response = api.post(
        "/api/v1/gate/mlt/exit", {"scan": trip.reference}, content_type="application/json"
    )
    assert response.status_code == 409, response.content
    use = ReceiptUse.objects.get()
    assert use.outcome == "refused" and use.receipt.used_at is None


def test_a_refused_exit_from_a_device_queue_is_recorded_once(
    enterprise, operator, officers, mlt, lanes
):
    trip = paid(enterprise)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    receipt = receipts.valid_receipt_of(trip)
    receipts.revoke_receipt(receipt, operator, "cancelled", "wrong payer on the receipt")
    event = {
        "client_id": str(uuid.uuid4()),
        "device_id": "tablet-booth-2",
        "kind": "exit",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=3)).isoformat(),
        "scan": trip.reference,
    }
    stored, _duplicate = gate.apply_event(operator, mlt, event)
    assert not stored.accepted
    # The event's own savepoint was rolled back; the refusal was written again after it.
    use = ReceiptUse.objects.get()
    assert use.outcome == "invalid" and use.receipt == receipt
    assert abs((timezone.now() - use.at).total_seconds() - 180) < 5  # the device time
    trip.refresh_from_db()
    assert trip.status == "cleared"


def test_another_gates_receipt_refused_at_exit_is_named_by_its_number(
    enterprise, operator, mlt, hng, lanes
):
    elsewhere = paid(
        enterprise,
        gate="hng",
        cargo_lines=[cassava_line(container_numbers=[], customs_declaration="")],
    )
    receipt = receipts.valid_receipt_of(elsewhere)
    with pytest.raises(gate.GateRefused):
        gate.exit_truck(operator, mlt, receipt.token)
    use = ReceiptUse.objects.get()
    assert use.outcome == "wrong_gate" and use.number == receipt.number
    # The reconciliation reads the receipt's number, not 40 characters of its signed code.
    assert use.detail.startswith(f"{receipt.number}: ")
    assert receipt.token[:20] not in use.detail
    # Anything else scanned is quoted as typed, cut short.
    with pytest.raises(gate.GateRefused):
        gate.exit_truck(operator, mlt, "NOT-A-TRIP-" + "X" * 60)
    refused = ReceiptUse.objects.order_by("-id").first()
    assert refused.detail.startswith("NOT-A-TRIP-XXXXXXXXXXXXX: ")
