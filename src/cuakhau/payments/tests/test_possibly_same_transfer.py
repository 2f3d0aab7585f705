"""A SePay report without the bank's reference for a trip a payOS report of the same amount to
the same account paid minutes before (or after) may be that transfer again: nothing to match
the two on, so it is kept (it may be a real second transfer) and flagged "already paid", but
the flag's detail and the day's discrepancy say which payment it may repeat and to check the
bank statement before refunding, in each reader's language."""

import pytest
from django.utils import timezone, translation

from cuakhau.payments import services
from cuakhau.payments.models import Payment
from cuakhau.payments.reconciliation import daily_report

from .test_same_transfer_two_watchers import _reports, post, submitted

pytestmark = pytest.mark.django_db


def _day(trip):
    return daily_report(trip.gate, timezone.localdate(timezone.now()))


@pytest.mark.parametrize("order", [("payos", "sepay"), ("sepay", "payos")])
def test_a_report_without_the_banks_reference_warns_before_a_refund(enterprise, mlt, order):
    trip = submitted(enterprise)
    fee = services.amount_due(trip)
    reports = _reports(trip, fee)
    reports["sepay"]["referenceCode"] = None
    answers = [post(provider, reports[provider]) for provider in order]
    assert [a.json()["outcome"] for a in answers] == ["accepted", "accepted"]
    first = Payment.objects.get(provider=order[0])
    second = Payment.objects.get(provider=order[1])
    assert (first.flag, second.flag) == ("", "already_paid")
    assert second.possibly_same_as == first
    label = {"payos": "payOS", "sepay": "SePay"}[order[0]]
    assert second.flag_detail_texts["en"] == (
        f"Trip {trip.reference} was already paid: refund due. Possibly the same transfer as "
        f"payment {first.pk} reported by {label}: check the bank statement before refunding."
    )
    assert f"khoản thanh toán {first.pk} do {label} báo" in second.flag_detail_texts["vi"]
    assert f"{label} 报告的付款 {first.pk}" in second.flag_detail_texts["zh"]
    for language, words in (
        ("en", "check the bank statement"),
        ("vi", "sao kê"),
        ("zh-hans", "银行对账单"),
    ):
        with translation.override(language):
            (discrepancy,) = _day(trip).open_discrepancies
        assert words in discrepancy.reason and str(first.pk) in discrepancy.reason


def test_an_hour_apart_or_another_amount_is_no_warning(enterprise, mlt):
    trip = submitted(enterprise)
    fee = services.amount_due(trip)
    assert post("payos", _reports(trip, fee, minutes_ago=90)["payos"]).json()["outcome"] == (
        "accepted"
    )
    late = _reports(trip, fee, sepay_id=92800, minutes_ago=3)["sepay"]
    late["referenceCode"] = None
    post("sepay", late)
    second = Payment.objects.get(provider="sepay")
    assert second.flag == "already_paid" and second.possibly_same_as is None
    assert "bank statement" not in second.flag_detail_texts["en"]
    (discrepancy,) = _day(trip).open_discrepancies
    assert "bank statement" not in discrepancy.reason
