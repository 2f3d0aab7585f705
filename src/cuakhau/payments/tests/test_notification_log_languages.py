"""A payment notification's log line is read by people (the cashier, the board, an auditor, the
provider's integrator) in vi, en or zh-hans: it is kept in each language, like a payment's flag
detail, and said in the reader's."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from cuakhau.payments import services
from cuakhau.payments.models import NotificationLog
from cuakhau.payments.tests import test_same_transfer_two_watchers as watchers
from cuakhau.payments.tests.test_payments import FEE, notification, signed_headers, submitted

pytestmark = pytest.mark.django_db


def test_a_duplicate_reports_log_line_is_kept_in_each_language(enterprise, mlt):
    trip = watchers.submitted(enterprise)
    reports = watchers._reports(trip, services.amount_due(trip))
    assert watchers.post("payos", reports["payos"]).json()["outcome"] == "accepted"
    reports["sepay"]["transferAmount"] += 1
    answer = watchers.post("sepay", reports["sepay"]).json()
    log = NotificationLog.objects.get(provider="sepay")
    assert set(log.detail_texts) == {"vi", "en", "zh"}
    assert log.detail_texts["vi"].startswith("Cùng một giao dịch chuyển khoản")
    assert log.detail_texts["en"].startswith("Same bank transfer (reference FT25335201144221)")
    assert "amount " in log.detail_texts["en"] and "," in log.detail_texts["en"]
    assert "付款" in log.detail_texts["zh"]
    assert answer["detail"] == log.detail_texts["en"]  # the test client's language
    with translation.override("en"):
        assert str(log.detail_shown) == log.detail_texts["en"]
    with translation.override("zh-hans"):
        assert str(log.detail_shown) == log.detail_texts["zh"]
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    again = vietnamese.post(
        "/api/v1/payments/notifications/sepay",
        data=watchers.json.dumps(reports["sepay"]).encode(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Apikey {watchers.providers.get_provider('sepay').api_key}",
    )
    assert again.json()["detail"] == log.detail_texts["vi"]


@pytest.mark.parametrize(
    "tamper, outcome",
    [
        ({"X-Cuakhau-Signature": "0" * 64}, "bad_signature"),
        ({"X-Cuakhau-Timestamp": None}, "bad_signature"),
        ({"timestamp": 1_000_000_000}, "stale"),
    ],
)
def test_a_refused_notifications_log_line_is_kept_in_each_language(
    enterprise, mlt, tamper, outcome
):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26334000909")
    if "timestamp" in tamper:
        headers = signed_headers(body, timestamp=tamper["timestamp"])
    else:
        headers = {k: v for k, v in {**signed_headers(body), **tamper}.items() if v}
    log, _ = services.receive_notification("vietqr_bank", headers, body, "203.0.113.7")
    assert log.outcome == outcome
    assert set(log.detail_texts) == {"vi", "en", "zh"}
    assert len(set(log.detail_texts.values())) == 3  # each its language's sentence


def test_a_malformed_notifications_log_line_names_each_field_in_each_language(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, 0, "FT26334000910", currency="")
    log, _ = services.receive_notification("vietqr_bank", signed_headers(body), body, None)
    assert log.outcome == "malformed"
    assert "amount" in log.detail_texts["en"] and "above zero" in log.detail_texts["en"]
    assert "Số tiền phải lớn hơn không." in log.detail_texts["vi"]
    assert "amount" in log.detail_texts["zh"]


def test_an_old_log_line_is_read_back_in_each_language(enterprise, mlt):
    trip = submitted(enterprise)
    body = notification(trip.reference, FEE, "FT26334000911")
    log, payment = services.receive_notification("vietqr_bank", signed_headers(body), body, None)
    migration = importlib.import_module(
        "cuakhau.payments.migrations.0009_notification_details_in_each_language"
    )
    old = {
        # As the webhook wrote them before: its English for a refusal...
        "signature does not match the body": "The signature does not match the body.",
        "timestamp 1000000000 is outside ±300s": "The notification's timestamp 1000000000 is "
        "more than 300 seconds from the server's clock.",
        "outgoing transfer 92704": "An outgoing transfer (92704): nothing to record.",
        # ...the language of the request for a repeat (Vietnamese: no Accept-Language).
        f"Trùng giao dịch với khoản thanh toán {payment.pk}, giữ nguyên như lần ghi nhận đầu, "
        f"nhưng: số tiền 800.001 thay vì 800.000.": f"Same transaction as payment {payment.pk}, "
        "kept as first recorded, but: amount 800,001 instead of 800,000.",
    }
    for stored, english in old.items():
        NotificationLog.objects.filter(pk=log.pk).update(detail=stored, detail_texts={})
        migration.forwards(apps, None)
        log.refresh_from_db()
        with translation.override("en"):
            assert str(log.detail_shown) == english, stored
        assert set(log.detail_texts) == {"vi", "en", "zh"}
    NotificationLog.objects.filter(pk=log.pk).update(detail="gọi lại sau", detail_texts={})
    migration.forwards(apps, None)
    log.refresh_from_db()
    with translation.override("en"):
        assert log.detail_shown.is_fallback and log.detail_texts == {}
