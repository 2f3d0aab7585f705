"""What every bank adapter shares: reading the trip reference, refusing what cannot be money."""

import json
import time

import pytest
from django.test import Client

from cuakhau.conftest import declaration
from cuakhau.payments import providers
from cuakhau.payments.models import Payment
from cuakhau.trips import references
from cuakhau.trips import services as trips

pytestmark = pytest.mark.django_db


def generic_call(**fields):
    body = {
        "transaction_id": "FT26327000099",
        "amount": 800_000,
        "currency": "VND",
        "description": "MLT-4KX7P2Q",
        "booked_at": "2026-11-23T09:15:00+07:00",
    }
    body.update(fields)
    raw = json.dumps(body).encode()
    provider = providers.get_provider("vietqr_bank")
    ts = str(int(time.time()))
    return Client().post(
        "/api/v1/payments/notifications/vietqr_bank",
        data=raw,
        content_type="application/json",
        HTTP_X_CUAKHAU_TIMESTAMP=ts,
        HTTP_X_CUAKHAU_SIGNATURE=providers.sign_body(provider.secret, ts, raw),
    )


@pytest.mark.parametrize("amount", [0, -1, -800_000, True, "800000"])
def test_the_generic_provider_refuses_amounts_that_are_not_positive_dong(db, amount):
    response = generic_call(amount=amount)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount"]
    assert Payment.objects.count() == 0


def test_a_long_transaction_id_is_refused_not_cut(db):
    # Cut to 64 characters, these two transfers would collapse into one payment.
    common = "FT" + "7" * 62
    first = generic_call(transaction_id=common + "A")
    second = generic_call(transaction_id=common + "B")
    assert (first.status_code, second.status_code) == (422, 422)
    assert first.json()["detail"][0]["loc"] == ["body", "transaction_id"]
    assert Payment.objects.count() == 0


def test_a_transaction_id_of_exactly_the_column_length_is_kept_whole(db):
    tid = "FT" + "7" * (providers.MAX_TRANSACTION_ID - 2)
    assert generic_call(transaction_id=tid).status_code == 200
    assert Payment.objects.get().external_id == tid


def test_reference_candidates_need_a_valid_check_character():
    body = "4KX7P2"
    good = f"MLT-{body}{references.mod_37_2.calc_check_digit('MLT' + body)}"
    bad = good[:-1] + ("2" if good[-1] != "2" else "3")
    assert providers.reference_candidates(f"IBFT {bad} {good.lower()}") == [good]
    assert providers.find_reference(f"CT {bad}") is None


def test_full_width_and_accented_text_still_yields_the_reference():
    body = "4KX7P2"
    ref = f"MLT-{body}{references.mod_37_2.calc_check_digit('MLT' + body)}"
    wide = ref.replace("-", "－").translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    assert providers.find_reference(f"Thanh toán phí {wide}") == ref


def test_of_two_well_formed_references_the_one_naming_a_trip_wins(enterprise, mlt):
    trip = trips.save_and_submit(enterprise, None, declaration())
    other = references.new_reference("HNG")  # well formed, names no trip
    text = f"{other.replace('-', '')} {trip.reference.replace('-', '')}"
    found = providers.reference_candidates(text)
    # (Random references may add a look-alike across the gap: only the order matters here.)
    assert other in found and found.index(other) < found.index(trip.reference)
    assert providers.find_reference(text) == trip.reference


def test_no_transfer_carries_more_than_a_vietqr_amount_holds(enterprise, mlt):
    """Two transfers of 2**63 - 1 đồng for a draft were accepted, and its submission then failed
    (the sum of what it was paid overflowed, SQLite refuses it). A transfer carries at most 13
    digits of đồng (NAPAS, VietQR's amount): more is refused, by every provider."""
    draft = trips.create_draft(enterprise, declaration())
    for n, amount in enumerate((10**13, 2**63 - 1)):
        response = generic_call(transaction_id=f"FT{n}", amount=amount, description=draft.reference)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "amount"]
    biggest = providers.MAX_AMOUNT_VND
    assert biggest == 9_999_999_999_999
    for n in range(2):
        response = generic_call(
            transaction_id=f"FT9{n}", amount=biggest, description=draft.reference
        )
        assert response.status_code == 200, response.content
    submitted = trips.submit_trip(enterprise, draft)
    submitted.refresh_from_db()
    assert submitted.status == "paid"
    assert sum(p.amount_vnd for p in Payment.objects.all()) == 2 * biggest
