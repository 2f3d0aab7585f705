"""A receipt's number typed from the paper when its QR will not scan: the gate finds the trip
by it, and verifies the trip's valid receipt as for a trip found by reference."""

import pytest

from cuakhau.core.wording import as_sentences
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import paid
from cuakhau.receipts import services as receipts

pytestmark = pytest.mark.django_db


def test_a_typed_receipt_number_finds_its_trip_and_checks_it_in(enterprise, operator, mlt):
    trip = paid(enterprise)
    number = receipts.valid_receipt_of(trip).number
    for typed in (number, f"  {number.lower()} "):
        check = gate.assess(typed, mlt)
        assert check.trip == trip and check.action == "check_in" and not check.blocking
    visit = gate.check_in(operator, mlt, number.lower())
    assert visit.trip == trip


def test_a_typed_number_of_no_receipt_of_this_gate_says_so(enterprise, hng, mlt):
    trip = paid(enterprise)
    number = receipts.valid_receipt_of(trip).number
    [problem] = gate.assess(number, hng).problems
    assert problem.message == f"No trip of this gate found for receipt {number}."
    [problem] = gate.assess("MLT-2026-999999", mlt).problems
    assert problem.message == "No trip of this gate found for receipt MLT-2026-999999."


def test_problems_are_said_as_sentences():
    assert as_sentences(["No trip found.", "Receipt X is not accepted: revoked", " "]) == (
        "No trip found. Receipt X is not accepted: revoked."
    )
    assert as_sentences(["未找到。", "收据无效"]) == "未找到。收据无效。"
