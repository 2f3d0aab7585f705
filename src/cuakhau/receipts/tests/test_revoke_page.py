"""A cashier of the gate revokes a receipt from its page: refusals beside their fields, nothing
changed by a refused post, and only the gate's cashiers see the form or may post it."""

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD, declaration
from cuakhau.gate import services as gate
from cuakhau.notify.models import Message
from cuakhau.payments import services as payments
from cuakhau.receipts import services
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(enterprise):
    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    return services.valid_receipt_of(trip)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, receipt):
    return client.get(f"/receipts/{receipt.number}/")


def revoke(client, receipt, **data):
    return client.post(f"/receipts/{receipt.number}/revoke/", data)


def test_a_cashier_revokes_a_receipt_from_its_page(operator, receipt):
    client = signed_in(operator)
    shown = page(client, receipt).content.decode()
    assert 'id="revoke-form"' in shown and 'value="refunded"' in shown

    answer = revoke(client, receipt, kind="refunded", reason="Paid twice: the bank sent it back.")
    assert answer.status_code == 302 and answer.url == f"/receipts/{receipt.number}/"
    receipt.refresh_from_db()
    assert (receipt.status, receipt.revoke_kind, receipt.revoked_by) == (
        "revoked",
        "refunded",
        operator,
    )
    assert receipt.revoke_reason == "Paid twice: the bank sent it back."
    trip = receipt.trip
    trip.refresh_from_db()
    assert trip.status == "submitted"
    step = trip.transitions.order_by("-at", "-id").first()
    assert (step.action, step.actor, step.channel) == ("receipt_revoked", operator, "web")
    assert Message.objects.filter(dedupe_key=f"receipts.revoked:{receipt.pk}").exists()

    after = client.get(answer.url).content.decode()
    assert f"Receipt {receipt.number} revoked." in after
    assert 'id="revoke-form"' not in after  # nothing left to revoke


@pytest.mark.parametrize(
    "data, field, says",
    [
        ({"kind": "refunded", "reason": "   "}, "reason", "Give a reason."),
        ({"kind": "refunded", "reason": "bank\x00error"}, "reason", "U+0000"),
        ({"reason": "printed twice"}, "kind", "This field is required."),
        ({"kind": "replaced", "reason": "printed twice"}, "kind", "Select a valid choice."),
        ({"kind": "refunded", "reason": "x" * 2001}, "reason", "2000"),
    ],
)
def test_a_refused_revocation_says_why_beside_the_field_and_changes_nothing(
    operator, receipt, data, field, says
):
    answer = revoke(signed_in(operator), receipt, **data)
    assert answer.status_code == 422
    body = answer.content.decode()
    assert f'data-field="{field}"' in body and says in body
    assert 'id="revoke" open' in body  # the form stays open, as the cashier left it
    receipt.refresh_from_db()
    receipt.trip.refresh_from_db()
    assert receipt.status == "valid" and receipt.trip.status == "paid"


def test_a_receipt_used_at_the_exit_cannot_be_revoked(operator, officers, mlt, receipt):
    from cuakhau.gate.tests.conftest import clear

    trip = receipt.trip
    gate.check_in(operator, mlt, receipt.token)
    clear(trip, officers)
    gate.exit_truck(operator, mlt, receipt.token)
    client = signed_in(operator)
    assert 'id="revoke-form"' not in page(client, receipt).content.decode()
    answer = revoke(client, receipt, kind="refunded", reason="asked for it back")
    assert answer.status_code == 422
    assert "used at the exit" in answer.content.decode()
    receipt.refresh_from_db()
    assert receipt.status == "valid" and receipt.used_at is not None


def test_only_the_gates_cashiers_see_the_form_or_may_post_it(enterprise, customs_mlt, hng, receipt):
    desk_here = create_user("motcua", PASSWORD, roles.DESK, gates=[receipt.gate])
    operator_elsewhere = create_user("vanhanh_hn", PASSWORD, roles.GATE_OPERATOR, gates=[hng])
    assert 'id="revoke-form"' in page(signed_in(desk_here), receipt).content.decode()
    # The payer and an officer of the gate read the receipt, but do not revoke it.
    for user in (enterprise, customs_mlt):
        client = signed_in(user)
        shown = page(client, receipt)
        assert shown.status_code == 200 and 'id="revoke-form"' not in shown.content.decode()
        assert revoke(client, receipt, kind="cancelled", reason="x").status_code == 403
    # A cashier of another gate does not even find it.
    client = signed_in(operator_elsewhere)
    assert revoke(client, receipt, kind="cancelled", reason="x").status_code in (403, 404)
    assert Client().post(f"/receipts/{receipt.number}/revoke/").status_code == 302  # sign in
    receipt.refresh_from_db()
    assert receipt.status == "valid"


def test_a_wrong_kind_does_not_hide_a_missing_reason(operator, receipt):
    # The kind was refused alone (page and API): the empty reason came only with the next try.
    from cuakhau.accounts.services import issue_token

    answer = revoke(signed_in(operator), receipt, kind="replaced", reason="  ")
    assert answer.status_code == 422
    assert set(answer.context["revoke_form"].errors) == {"kind", "reason"}
    _token, raw = issue_token(operator, "cashier")
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/receipts/{receipt.number}/revoke",
        data={"kind": "replaced", "reason": " "},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert {tuple(item["loc"]) for item in answer.json()["detail"]} == {
        ("body", "kind"),
        ("body", "reason"),
    }
    receipt.refresh_from_db()
    assert receipt.status == "valid"
