"""A receipt is numbered in its gate's year, and every text that dates it says the gate's time.

Ma Lù Thàng is on Vietnam's clock (UTC+7): 23:30 on 31 December there is 16:30 UTC, 00:30 on
1 January is 17:30 UTC on 31 December. A server may keep another zone (a host left on UTC):
the receipt's number, its printed time, the day's reconciliation and the statistics' month must
all say the gate's date whatever the server's is.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.testing.clock import set_clock
from cuakhau.gate import services as gate
from cuakhau.inspections import services as inspections
from cuakhau.payments import services as payments
from cuakhau.payments.reconciliation import daily_report, to_csv
from cuakhau.receipts import services
from cuakhau.receipts.models import ReceiptSequence, RevokeKind
from cuakhau.stats.models import StaleMonth
from cuakhau.trips import services as trips

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NEW_YEARS_EVE_2330 = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
NEW_YEARS_DAY_0030 = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)
NEW_YEAR = dt.date(2027, 1, 1)
OLD_YEAR_LAST_DAY = dt.date(2026, 12, 31)

# Where the server's own clock is: the gate's, and a host left on UTC.
SERVER_ZONES = ["Asia/Ho_Chi_Minh", "UTC"]


@pytest.fixture
def clock(monkeypatch):
    return set_clock(monkeypatch, NEW_YEARS_EVE_2330)


def pay(enterprise, plate: str):
    trip = trips.save_and_submit(
        enterprise,
        None,
        declaration(tractor_plate=plate, cargo_lines=[cassava_line()]),
    )
    payments.simulate_bank_transfer(trip)
    trip.refresh_from_db()
    return trip, services.valid_receipt_of(trip)


@pytest.mark.parametrize("server_zone", SERVER_ZONES)
def test_a_receipt_paid_at_half_past_midnight_on_new_years_day_opens_the_new_years_series(
    enterprise, mlt, clock, settings, server_zone
):
    settings.TIME_ZONE = server_zone
    clock.moment = NEW_YEARS_EVE_2330
    _eve, last_of_2026 = pay(enterprise, "25C-231.01")
    clock.moment = NEW_YEARS_DAY_0030
    _day, first_of_2027 = pay(enterprise, "25C-231.02")

    assert (last_of_2026.number, last_of_2026.year) == ("MLT-2026-000001", 2026)
    assert (first_of_2027.number, first_of_2027.year, first_of_2027.sequence) == (
        "MLT-2027-000001",
        2027,
        1,
    )
    assert set(ReceiptSequence.objects.filter(gate=mlt).values_list("year", "last")) == {
        (2026, 1),
        (2027, 1),
    }
    # The year of the number is the year of the time the receipt shows (the gate's).
    shown = services.gate_clock(first_of_2027.issued_at, mlt)
    assert (shown.year, shown.month, shown.day, shown.hour) == (2027, 1, 1, 0)

    # The gate's reconciliation of each day has that day's receipt, and its export agrees.
    eve = daily_report(mlt, OLD_YEAR_LAST_DAY)
    new_year = daily_report(mlt, NEW_YEAR)
    assert [r.number for r in eve.receipts] == ["MLT-2026-000001"]
    assert [r.number for r in new_year.receipts] == ["MLT-2027-000001"]
    csv = to_csv(new_year)
    assert "MLT-2027-000001" in csv and "2027-01-01 00:30:00" in csv
    assert "MLT-2026-000001" not in csv

    # The statistics count each receipt's fee in the month of its number's year.
    marked = set(StaleMonth.objects.filter(gate=mlt).values_list("month", flat=True))
    assert {dt.date(2026, 12, 1), dt.date(2027, 1, 1)} <= marked


def test_the_texts_of_a_verification_say_the_gates_time_not_the_servers(
    enterprise, operator, officers, mlt, clock, settings
):
    settings.TIME_ZONE = "UTC"  # the server's clock is not the gate's
    clock.moment = NEW_YEARS_EVE_2330
    trip, receipt = pay(enterprise, "25C-231.03")
    gate.check_in(operator, mlt, trip.reference)
    for agency in inspections.outstanding(trip):
        inspections.record_result(officers[agency], trip, "pass", agency=agency)
    clock.moment = NEW_YEARS_DAY_0030
    gate.exit_truck(operator, mlt, trip.reference)
    receipt.refresh_from_db()

    result, _found = services.verify_receipt(receipt.token, mlt)
    used = [r for r in result.reasons if "used at exit" in r]
    assert used and "1 Jan 2027, 00:30" in used[0], result.reasons
    state, text = services.receipt_state(services.receipt_numbered(receipt.number))
    assert state == "used" and "1 Jan 2027, 00:30" in text


def test_a_revocation_is_dated_on_the_gates_clock(enterprise, operator, mlt, clock, settings):
    settings.TIME_ZONE = "UTC"
    clock.moment = NEW_YEARS_EVE_2330
    _trip, receipt = pay(enterprise, "25C-231.04")
    clock.moment = NEW_YEARS_DAY_0030
    services.revoke_receipt(receipt, operator, RevokeKind.CANCELLED, "Khách hủy chuyến")
    result, _found = services.verify_receipt(receipt.token, mlt)
    revoked = [r for r in result.reasons if r.startswith("revoked on")]
    assert revoked and re.search(r"revoked on 1 Jan 2027, 00:30\b", revoked[0]), result.reasons


@pytest.mark.parametrize("server_zone", SERVER_ZONES)
def test_the_receipts_page_says_its_issue_time_on_the_gates_clock_and_whose(
    enterprise, mlt, clock, settings, server_zone
):
    """A receipt is printed from its page (A6) and kept by a Chinese payer: its time says the
    offset it is on, as the PDF does, not a bare time a reader in Beijing takes for theirs."""
    from django.test import Client

    settings.TIME_ZONE = server_zone
    clock.moment = NEW_YEARS_DAY_0030
    _trip, receipt = pay(enterprise, "25C-231.05")
    client = Client()
    client.force_login(enterprise)
    page = client.get(f"/receipts/{receipt.number}/").content.decode()
    issued = page[page.index("<dt>Issued</dt>") :]
    issued = issued[: issued.index("</dd>")]
    assert "2027" in issued and "00:30" in issued and "(UTC+07:00)" in issued, issued


@pytest.mark.parametrize("server_zone", SERVER_ZONES)
def test_the_pdf_says_the_issue_time_on_the_gates_clock_as_the_page_writes_its_offset(
    enterprise, mlt, clock, settings, server_zone
):
    """The PDF and the page of one receipt write its offset one way (UTC+07:00, never GMT+7)."""
    from cuakhau.receipts import pdf

    settings.TIME_ZONE = server_zone
    clock.moment = NEW_YEARS_DAY_0030
    _trip, receipt = pay(enterprise, "25C-231.06")
    document = pdf.receipt_pdf(receipt, compress=False)
    text = " ".join(
        s.decode("latin-1") for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", document)
    )
    assert "01/01/2027 00:30:00 \\(UTC+07:00\\)" in text, text
    assert "GMT" not in text
