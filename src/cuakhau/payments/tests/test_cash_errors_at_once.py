"""A cash payment refused for several fields says every one of them at once: the API in one
422 with each field's path, the trip page beside each field."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import declaration
from cuakhau.payments import services
from cuakhau.payments.models import Payment
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db

FEE = 800_000


@pytest.fixture
def trip(enterprise, mlt):
    return trips.save_and_submit(enterprise, None, declaration())


def _paths(response) -> set[tuple]:
    assert response.status_code == 422, response.content
    items = response.json()["detail"]
    paths = [tuple(item["loc"]) for item in items]
    assert len(paths) == len(set(paths)), items  # each field said once
    return set(paths)


@pytest.mark.parametrize(
    "body, named",
    [
        # The schema refuses the amount; the service alone refuses the slip (none given).
        ({"amount_vnd": "tám trăm", "slip_number": "  "}, {"amount_vnd", "slip_number"}),
        # The service refuses the amount (a typing slip far above the fee); the schema the
        # slip (a control character).
        ({"amount_vnd": 80_000_000_000, "slip_number": "PT\x1b1"}, {"amount_vnd", "slip_number"}),
        # Three at once: an amount that is not whole, a field the operation does not have
        # (a receipt time: the server's clock is the payment's), no slip.
        (
            {"amount_vnd": 1.5, "slip_number": "", "received_at": "2099-01-01T08:00:00+07:00"},
            {"amount_vnd", "slip_number", "received_at"},
        ),
    ],
)
def test_the_api_names_every_wrong_field_of_a_cash_payment_at_once(operator, trip, body, named):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'x')[1]}")
    response = client.post(
        f"/api/v1/trips/{trip.reference}/cash-payments", body, content_type="application/json"
    )
    assert _paths(response) == {("body", name) for name in named}
    assert not Payment.objects.exists()


def test_a_slip_recorded_already_is_named_beside_an_amount_that_is_no_number(operator, trip):
    services.record_cash_payment(operator, trip, 300_000, "PT-0001")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'x')[1]}")
    response = client.post(
        f"/api/v1/trips/{trip.reference}/cash-payments",
        {"amount_vnd": "năm trăm", "slip_number": "PT-0001"},
        content_type="application/json",
    )
    assert _paths(response) == {("body", "amount_vnd"), ("body", "slip_number")}
    slip = next(i for i in response.json()["detail"] if i["loc"] == ["body", "slip_number"])
    assert "already recorded" in slip["msg"]
    assert Payment.objects.count() == 1


def test_the_page_says_each_wrong_cash_field_beside_it_at_once(operator, trip):
    # An amount the page could not read hid the missing slip until the next try.
    client = Client()
    client.force_login(operator)
    page = client.post(
        f"/payments/trips/{trip.reference}/cash/", {"amount_vnd": "tám trăm", "slip_number": ""}
    )
    assert page.status_code == 422
    for field, why in (
        ("amount_vnd", ""),
        ("slip_number", "Enter the number of the cash slip."),
    ):
        beside = page.text.split(f'data-field="{field}"', 1)
        assert len(beside) == 2 and why in beside[1].split("</p>", 1)[0], field
    assert not Payment.objects.exists()


def test_cash_for_a_trip_that_owes_nothing_is_a_conflict_naming_no_field(operator, trip):
    """A paid trip's state refused the cash, said as a 422 on a "trip" field the body never
    had; the trip's state is a 409, whatever the body's fields (they are moot)."""
    services.record_cash_payment(operator, trip, FEE, "PT-0001")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'x')[1]}")
    for amount in (FEE, "tám trăm"):
        response = client.post(
            f"/api/v1/trips/{trip.reference}/cash-payments",
            {"amount_vnd": amount, "slip_number": "PT-0002"},
            content_type="application/json",
        )
        if amount != FEE:  # the schema's refusal stands alone, as a 403 would
            assert _paths(response) == {("body", "amount_vnd")}
            continue
        assert response.status_code == 409, response.content
        assert "already paid" in response.json()["detail"]
    assert Payment.objects.count() == 1
    # Whoever may see a draft asks its fees: not yet assessed, a 409 too (a GET has no field).
    draft = trips.create_draft(trip.created_by, declaration(cargo_lines=[]))
    owner = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(trip.created_by, 'y')[1]}")
    response = owner.get(f"/api/v1/trips/{draft.reference}/fees")
    assert response.status_code == 409, response.content
    assert response.json()["detail"] == "The fee is assessed when the trip is submitted."


@pytest.mark.parametrize("typed", ["+800000", "800000.0", "800,000.00", "8_00000"])
def test_the_cash_box_refuses_what_the_api_refuses_as_no_whole_number(operator, trip, typed):
    # The page's box took "+800000" and "800000.0" as 800,000 VND; the API refuses them.
    client = Client()
    client.force_login(operator)
    page = client.post(
        f"/payments/trips/{trip.reference}/cash/", {"amount_vnd": typed, "slip_number": "PT-1"}
    )
    assert page.status_code == 422
    beside = page.text.split('data-field="amount_vnd"', 1)[1].split("</p>", 1)[0]
    assert "Enter a whole number." in beside
    assert not Payment.objects.exists()


def test_the_cash_box_reads_the_wide_digits_of_an_input_method(operator, trip):
    client = Client()
    client.force_login(operator)
    client.post(
        f"/payments/trips/{trip.reference}/cash/",
        {"amount_vnd": "８００，０００", "slip_number": "PT-1"},
    )
    assert Payment.objects.get().amount_vnd == FEE
