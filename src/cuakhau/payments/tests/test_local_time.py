"""The daily reconciliation's day is the gate's calendar day, whatever the server's clock says.

Ma Lù Thàng is on Vietnam's clock (UTC+7): 00:30 on 1 March there is 17:30 UTC on 28 February.
A payment, its receipt and the truck's exit at that moment belong to 1 March: on the page, in
its CSV and in its XLSX alike, with the same wall time.
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear
from cuakhau.payments import services
from cuakhau.payments.forms import ReconciliationForm
from cuakhau.payments.reconciliation import daily_report, to_csv, to_xlsx
from cuakhau.trips import services as trips

HALF_PAST_MIDNIGHT_1_MARCH = dt.datetime(2026, 2, 28, 17, 30, tzinfo=dt.UTC)
FIRST_OF_MARCH = dt.date(2026, 3, 1)
LAST_OF_FEBRUARY = dt.date(2026, 2, 28)


@pytest.fixture
def half_past_midnight(monkeypatch, settings):
    """00:30 at the gate on 1 March, on a server whose own zone is UTC (still 28 February)."""
    settings.TIME_ZONE = "UTC"
    monkeypatch.setattr(timezone, "now", lambda: HALF_PAST_MIDNIGHT_1_MARCH)


@pytest.fixture
def crossed_after_midnight(half_past_midnight, enterprise, operator, officers, mlt):
    trip = trips.save_and_submit(
        enterprise, None, declaration(tractor_plate="25C-301.11", cargo_lines=[cassava_line()])
    )
    services.simulate_bank_transfer(trip)
    gate.check_in(operator, mlt, trip.reference)
    clear(trip, officers)
    gate.exit_truck(operator, mlt, trip.reference)
    return trip


def csv_section(text: str, title: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    start = rows.index([title])
    header, body = rows[start + 1], []
    for row in rows[start + 2 :]:
        if not row:
            break
        body.append(dict(zip(header, row, strict=True)))
    return body


def test_a_payment_at_half_past_midnight_belongs_to_the_gates_new_day(crossed_after_midnight, mlt):
    first = daily_report(mlt, FIRST_OF_MARCH)
    assert (first.counts.payments, first.counts.receipts_issued, first.counts.crossings) == (
        1,
        1,
        1,
    )
    assert first.balance.is_balanced
    before = daily_report(mlt, LAST_OF_FEBRUARY)
    assert (before.counts.payments, before.counts.receipts_issued, before.counts.crossings) == (
        0,
        0,
        0,
    )


def test_the_days_page_csv_and_xlsx_say_the_same_wall_time(crossed_after_midnight, mlt, auditor):
    client = Client()
    client.login(username=auditor.username, password=PASSWORD)
    query = f"/payments/reconciliation/?gate=mlt&day={FIRST_OF_MARCH.isoformat()}"
    page = client.get(query)
    assert page.status_code == 200
    html = page.content.decode()
    payment = page.context["report"].payments[0]
    assert f"<tr><td>00:30</td><td>{payment.method_label}</td>" in html

    csv_text = client.get(query + "&format=csv").content.decode("utf-8")
    paid = csv_section(csv_text, "Payments")
    assert [row["Paid at"] for row in paid] == ["2026-03-01 00:30:00"]
    assert [row["Issued at"] for row in csv_section(csv_text, "Receipts")] == [
        "2026-03-01 00:30:00"
    ]
    summary = {row["Item"]: row["Value"] for row in csv_section(csv_text, "Summary")}
    # The zone in words, as the page says it (it wrote "Asia/Ho_Chi_Minh").
    assert (summary["Day"], summary["Time zone"]) == ("2026-03-01", "Vietnam (UTC+07:00)")

    workbook = openpyxl.load_workbook(io.BytesIO(client.get(query + "&format=xlsx").content))
    sheet = workbook["Payments"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Paid at") + 1).value == dt.datetime(
        2026, 3, 1, 0, 30
    )
    # The day is a date cell like every time of the workbook, not the text "2026-03-01".
    day = next(row[1] for row in workbook["Summary"].iter_rows(min_row=2) if row[0].value == "Day")
    assert (day.value, day.is_date) == (dt.datetime(2026, 3, 1), True)
    assert day.number_format == "yyyy-mm-dd"
    # The same report, built directly, exports the same.
    report = daily_report(mlt, FIRST_OF_MARCH)
    assert csv_section(to_csv(report), "Payments") == paid
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))["Payments"].max_row == 2


def test_the_report_opens_on_the_gates_today_not_the_servers(half_past_midnight, mlt):
    form = ReconciliationForm({"gate": "mlt"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == FIRST_OF_MARCH
    # The gate's today is no future day, though the server's date is still 28 February.
    assert ReconciliationForm({"gate": "mlt", "day": "2026-03-01"}).is_valid()
    tomorrow = ReconciliationForm({"gate": "mlt", "day": "2026-03-02"})
    assert tomorrow.errors["day"] == ["The day cannot be in the future."]


@pytest.mark.parametrize(
    "day", ["0001-01-01", "9999-12-31", "10000-01-01", "٢٠٢٦-٠٢-٢٨", "2026-02-29", "28/02/2026"]
)
def test_a_day_no_report_can_have_is_refused_beside_its_field(half_past_midnight, auditor, day):
    client = Client()
    client.login(username=auditor.username, password=PASSWORD)
    for export in ("", "&format=csv", "&format=xlsx"):
        response = client.get(f"/payments/reconciliation/?gate=mlt&day={day}{export}")
        assert response.status_code == 400, (day, export)
        assert response["Content-Type"].startswith("text/html")
        assert "day" in response.context["form"].errors and response.context["report"] is None
