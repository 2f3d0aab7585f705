"""A discrepancy of the daily reconciliation is resolved by a cashier of its gate, from its row
of the report: the refund made (or the match done by hand) is recorded on its payments, which
leave the open discrepancies and stay in the day's identity. Refusals say why, beside the field
or above the list, and change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.payments import services
from cuakhau.payments.models import Payment
from cuakhau.payments.reconciliation import REFUND_DUE, daily_report
from cuakhau.receipts import services as receipts

from .test_balance_and_integrity import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund_due(enterprise, operator):
    """A receipt revoked for a refund: the payment behind it is owed back."""
    trip = submitted(enterprise, "30")
    services.simulate_bank_transfer(trip)
    receipt = receipts.valid_receipt_of(trip)
    receipts.revoke_receipt(receipt, operator, "refunded", "paid from a stolen account")
    return Payment.objects.get(receipt=receipt)


def today():
    return timezone.localdate()


def open_refunds(mlt):
    report = daily_report(mlt, timezone.localdate())
    return [d for d in report.open_discrepancies if d.kind == REFUND_DUE]


def orphan() -> Payment:
    payment, _created = services.record_payment(
        provider_code="vietqr_bank",
        method="bank_transfer",
        external_id="FT-NOBODY-1",
        amount_vnd=800_000,
        description="chuyen tien phi cua khau",
    )
    assert payment.trip_id is None
    return payment


def test_a_cashier_records_the_refund_and_the_discrepancy_closes(operator, mlt, refund_due):
    [due] = open_refunds(mlt)
    assert due.payment_ids == (refund_due.pk,)
    services.resolve_discrepancy(
        operator, [str(refund_due.pk)], "  Hoàn trả UNC 0042 ngày 2/12 ", gate=mlt, day=today()
    )
    refund_due.refresh_from_db()
    assert refund_due.resolved_by == operator and refund_due.resolved_at is not None
    assert refund_due.resolution == "Hoàn trả UNC 0042 ngày 2/12"
    assert open_refunds(mlt) == []
    report = daily_report(mlt, timezone.localdate())
    [done] = [d for d in report.resolved_discrepancies if d.kind == REFUND_DUE]
    assert done.resolution == "Hoàn trả UNC 0042 ngày 2/12"
    # Its state, not a field of the resolution (a 409 where it reaches the API's handlers).
    with pytest.raises(StateRefused) as again:
        services.resolve_discrepancy(operator, [refund_due.pk], "twice", gate=mlt, day=today())
    assert str(again.value) == "This discrepancy is already resolved."


@pytest.mark.parametrize(
    "ids, resolution, field",
    [
        (None, "", "resolution"),
        (None, "   ", "resolution"),
        (None, "refund\x00made", "resolution"),
        (None, "x" * 301, "resolution"),
        ([], "refund made", "payments"),
        (["12x"], "refund made", "payments"),
        (["٣"], "refund made", "payments"),
        (["9" * 40], "refund made", "payments"),
        (list(range(1, 60)), "refund made", "payments"),
    ],
)
def test_a_refused_resolution_says_why_and_changes_nothing(
    operator, mlt, refund_due, ids, resolution, field
):
    with pytest.raises(FieldErrors) as refused:
        services.resolve_discrepancy(
            operator, [refund_due.pk] if ids is None else ids, resolution, gate=mlt, day=today()
        )
    assert field in refused.value.errors
    refund_due.refresh_from_db()
    assert refund_due.resolved_at is None and refund_due.resolution == ""


def test_only_the_gates_cashiers_resolve_and_only_an_administrator_a_payment_of_no_gate(
    operator, customs_mlt, mlt, hng, refund_due
):
    elsewhere = create_user("vanhanh_hn", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    admin = create_user("quantri", PASSWORD, roles.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):  # no cashier anywhere
        services.resolve_discrepancy(
            customs_mlt, [refund_due.pk], "refund made", gate=mlt, day=today()
        )
    # A cashier of another gate is refused another gate's payment as one that does not exist,
    # word for word: the answer tells nothing of what other gates received.
    answers = []
    for user, payment_id in (
        (elsewhere, refund_due.pk),
        (elsewhere, 987654321),
        (operator, 987654321),
    ):
        with pytest.raises(PermissionDenied) as refused:
            services.resolve_discrepancy(user, [payment_id], "refund made", gate=hng, day=today())
        answers.append(str(refused.value))
    assert len(set(answers)) == 1
    lost = orphan()
    with pytest.raises(PermissionDenied):  # a payment of no gate, with one of the gate's
        services.resolve_discrepancy(
            operator, [refund_due.pk, lost.pk], "matched by hand", gate=None, day=today()
        )
    refund_due.refresh_from_db()
    assert refund_due.resolved_at is None
    services.resolve_discrepancy(
        admin, [lost.pk], "Returned to the sender's bank", gate=None, day=today()
    )
    lost.refresh_from_db()
    assert lost.resolved_by == admin


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_report_resolves_a_row_and_refuses_beside_it(operator, auditor, mlt, refund_due):
    day = timezone.localdate().isoformat()
    client = signed_in(operator)
    page = client.get(f"/payments/reconciliation/?gate=mlt&day={day}").content.decode()
    assert f'data-payments="{refund_due.pk}"' in page
    # Nothing typed: the report again, the refusal beside the row's field.
    data = {"gate": "mlt", "day": day, "payment": [refund_due.pk], "resolution": " "}
    refused = client.post("/payments/reconciliation/resolve/", data)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert 'data-field="resolution"' in body and "Say how the discrepancy was resolved." in body
    assert 'id="discrepancies"' in body
    data["resolution"] = "Hoàn trả UNC 0042"
    done = client.post("/payments/reconciliation/resolve/", data)
    assert done.status_code == 302
    assert done.url == f"/payments/reconciliation/?gate=mlt&day={day}#discrepancies"
    after = client.get(done.url).content.decode()
    assert "Discrepancy resolved." in after and "Hoàn trả UNC 0042" in after
    assert f'data-payments="{refund_due.pk}"' not in after  # nothing left to resolve
    # Posted again (a second tab): already resolved, said above the list.
    again = client.post("/payments/reconciliation/resolve/", data)
    assert again.status_code == 422
    assert 'id="resolve-errors"' in again.content.decode()
    # An auditor reads the report, without the forms, and may not post them.
    reader = signed_in(auditor)
    shown = reader.get(f"/payments/reconciliation/?gate=mlt&day={day}").content.decode()
    assert "Hoàn trả UNC 0042" in shown and 'class="resolve"' not in shown
    assert reader.post("/payments/reconciliation/resolve/", data).status_code == 403


def test_a_payment_that_is_no_open_discrepancy_is_not_resolved(enterprise, operator, mlt):
    """A transfer matched to its receipt (or the payments of another day's report) is not
    marked resolved: a resolution belongs to a discrepancy of the report it was made from."""
    trip = submitted(enterprise, "31")
    _log, matched = services.simulate_bank_transfer(trip)
    assert matched.receipt_id is not None and not matched.flag
    with pytest.raises(FieldErrors) as refused:
        services.resolve_discrepancy(operator, [matched.pk], "QA", gate=mlt, day=today())
    assert "not an open discrepancy" in str(refused.value.errors["payments"])
    client = signed_in(operator)
    data = {"gate": "mlt", "day": today().isoformat(), "payment": [matched.pk], "resolution": "x"}
    assert client.post("/payments/reconciliation/resolve/", data).status_code == 422
    no_day = client.post("/payments/reconciliation/resolve/", dict(data, day="31/02/2026"))
    assert no_day.status_code == 422
    matched.refresh_from_db()
    assert matched.resolved_at is None and matched.resolution == ""


def test_a_discrepancy_is_resolved_from_its_own_days_report(operator, mlt, refund_due):
    yesterday = today() - dt.timedelta(days=1)
    with pytest.raises(FieldErrors):
        services.resolve_discrepancy(operator, [refund_due.pk], "x", gate=mlt, day=yesterday)
    refund_due.refresh_from_db()
    assert refund_due.resolved_at is None


def test_a_cashier_resolves_only_from_the_report_of_their_own_gate(operator, mlt, hng, refund_due):
    """The all-gates report is no cashier's page: it offered no form, yet a post that left the
    gate out (or named another gate's report) resolved a payment of the cashier's gate."""
    for gate in (None, hng):
        with pytest.raises(PermissionDenied):
            services.resolve_discrepancy(
                operator, [refund_due.pk], "refund made", gate=gate, day=today()
            )
    client = signed_in(operator)
    data = {"day": today().isoformat(), "payment": [refund_due.pk], "resolution": "refund made"}
    assert client.post("/payments/reconciliation/resolve/", data).status_code == 403
    refund_due.refresh_from_db()
    assert refund_due.resolved_at is None
    # Nor is the form offered on the all-gates report (an administrator's, who may resolve).
    page = client.get(f"/payments/reconciliation/?day={today().isoformat()}").content.decode()
    assert 'class="resolve"' not in page
    services.resolve_discrepancy(operator, [refund_due.pk], "refund made", gate=mlt, day=today())
