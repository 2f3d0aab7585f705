"""An accepted bank notification is logged in the transaction that records its payment.

The bank hears "accepted" only once both are committed; if either cannot be written, neither
is, the bank gets an error and sends the notification again, and then it is recorded once.
"""

import pytest
from django.db import DatabaseError

from cuakhau.payments import services
from cuakhau.payments.models import NotificationLog, NotificationOutcome, Payment
from cuakhau.payments.tests.test_payments import FEE, notification, signed_headers, submitted

pytestmark = pytest.mark.django_db


def deliver(body: bytes):
    return services.receive_notification("vietqr_bank", signed_headers(body), body, "203.0.113.7")


def test_an_accepted_notification_and_its_payment_are_written_together(enterprise, mlt):
    trip = submitted(enterprise)
    log, payment = deliver(notification(trip.reference, FEE, "FT26334000101"))
    assert log.outcome == NotificationOutcome.ACCEPTED
    assert NotificationLog.objects.get(payment=payment) == log
    assert payment.receipt is not None


def test_a_log_that_cannot_be_written_takes_the_payment_with_it(enterprise, mlt, monkeypatch):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26334000102")
    manager = NotificationLog.objects
    real_create = manager.create

    def create(**fields):
        if fields.get("outcome") == NotificationOutcome.ACCEPTED:
            raise DatabaseError("could not extend file: No space left on device")
        return real_create(**fields)

    monkeypatch.setattr(manager, "create", create)
    with pytest.raises(DatabaseError):
        deliver(body)
    # Nothing of it stayed: no payment, no receipt, the trip still waits for its fee.
    assert Payment.objects.count() == 0
    trip.refresh_from_db()
    assert trip.status == "submitted" and trip.receipts.count() == 0

    # The bank, having had no "accepted", sends it again: now it is recorded, once.
    monkeypatch.setattr(manager, "create", real_create)
    log, payment = deliver(body)
    assert log.outcome == NotificationOutcome.ACCEPTED and log.payment == payment
    assert Payment.objects.count() == 1
    trip.refresh_from_db()
    assert trip.status == "paid"
