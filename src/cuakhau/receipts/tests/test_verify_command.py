"""The command-line verifier speaks the officer's language (Vietnamese unless told), with the
verification page's sentences, and keeps its exit status: 0 valid, 1 anything else."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from cuakhau.receipts import offline, services
from cuakhau.receipts.tests.test_receipts import paid_trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt(enterprise):
    return paid_trip(enterprise)[1]


@pytest.fixture
def bundle(receipt, tmp_path):
    # Made after the receipt: its gate's signing key is published by then.
    store = services.key_store()
    path = tmp_path / "bundle.json"
    offline.write_bundle(
        path,
        store.jwks(),
        store.revoked_kids(),
        [],
        timezone.now() - dt.timedelta(hours=3),
        used_receipts=[],
    )
    return path


def run(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_receipt", *map(str, args), stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize(
    ("language", "valid", "wrong_gate", "age", "gate"),
    [
        ("vi", ["Kết quả: Hợp lệ"], "Cấp cho cửa khẩu khác", "3 giờ", "Ma Lù Thàng"),
        ("en", ["Result: Valid"], "Issued for another gate", "3 h", "Ma Lu Thang"),
        ("zh-hans", ["结果", "有效"], "签发给其他口岸", "3 小时", "马鹿塘"),
    ],
)
def test_the_verifier_speaks_the_language_asked(
    receipt, bundle, language, valid, wrong_gate, age, gate
):
    status, out = run(bundle, receipt.token, "--gate", "mlt", "--language", language)
    assert status == 0, out
    assert all(word in out for word in valid) and receipt.number in out and age in out
    # When the bundle was made, with its offset: the device's clock says no zone by itself.
    assert "(UTC+07:00)" in out
    assert gate in out and "MLT\n" not in out  # the gate by its name, not its code
    assert "status:" not in out and "valid" not in out.replace("Valid", "")
    status, out = run(bundle, receipt.token, "--gate", "hng", "--language", language)
    assert status == 1 and wrong_gate in out
    assert "wrong_gate" not in out


def test_vietnamese_unless_told_and_bad_input_is_status_1(receipt, bundle, settings, tmp_path):
    settings.LANGUAGE_CODE = "vi"  # the project's default (the tests read English otherwise)
    status, out = run(bundle, receipt.token)
    assert status == 0 and "Kết quả: Hợp lệ" in out
    status, out = run(bundle, receipt.token[:-4] + "AAAA")
    assert status == 1 and "Kết quả" in out and "forged" not in out
    status, out = run(bundle, "not a receipt")
    assert status == 1
    missing = tmp_path / "missing.json"
    status, out = run(missing, receipt.token)
    assert status == 1 and str(missing) in out and "Errno" not in out
