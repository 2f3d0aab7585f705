"""The daily reconciliation of Ma Lu Thang, on a day built with the real services."""

import csv
import datetime as dt
import io
import itertools
import json
import time
from collections import Counter

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import (
    PASSWORD,
    banana_line,
    cassava_line,
    declaration,
    people_at_mlt,
)
from cuakhau.core.errors import FieldErrors
from cuakhau.core.testing.shared import fresh, shared_data
from cuakhau.fees.services import current_assessment
from cuakhau.gate import services as gate
from cuakhau.gate.tests.conftest import clear
from cuakhau.payments import providers, services
from cuakhau.payments.forms import ReconciliationForm
from cuakhau.payments.models import Payment
from cuakhau.payments.reconciliation import (
    AMOUNT_MISMATCH,
    CROSSING_WITHOUT_VALID_RECEIPT,
    DUPLICATE_USE,
    PAID_NO_RECEIPT,
    RECEIPT_STATE_MISMATCH,
    RECEIPT_WITHOUT_PAYMENT,
    REFUND_DUE,
    UNKNOWN_TRIP,
    daily_report,
    to_csv,
    to_xlsx,
)
from cuakhau.payments.views import _report_pages
from cuakhau.receipts import services as receipts
from cuakhau.receipts.models import ReceiptUse
from cuakhau.trips import services as trips

# Every test runs beside the module's shared day (built once, below), whether it reads it or
# not: a test sees the same database run alone or with the module.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_day")]

FEE = 800_000  # Lai Chau example schedule: truck of 18 t and more, export/import

# The module's shared day takes plates 10–29, for as long as the module runs; the tests' own
# trips go round 30–98 (each test's are rolled back): fewer than 69 trips a test.
_day_plates = iter(range(10, 30))
_plates = itertools.cycle(range(30, 99))


def trip_data(number: int | None = None, **overrides) -> dict:
    # Distinct plates, and no container numbers, so several trips can be active at once.
    n = next(_plates) if number is None else number
    return declaration(
        tractor_plate=f"25C-1{n}.45",
        trailer_plate=f"25R-0{n}.34",
        cargo_lines=[banana_line(container_numbers=[]), cassava_line()],
        **overrides,
    )


def matchable(make):
    # services.reference_in cannot read a reference whose check character is "*" (about 1 in
    # 37) out of a transfer's text; such a trip would be paid as "unknown". Draw another one.
    while True:
        trip = make()
        if not trip.reference.endswith("*"):
            return trip
        trip.delete()


def submitted(user, **overrides):
    return matchable(lambda: trips.save_and_submit(user, None, trip_data(**overrides)))


def day_trip(user, **overrides):
    """A trip of the shared day: plates of its own, never one a test's trip takes."""
    return matchable(
        lambda: trips.save_and_submit(user, None, trip_data(next(_day_plates), **overrides))
    )


def bank(trip_or_text, amount: int, transaction_id: str) -> Payment:
    text = getattr(trip_or_text, "reference", trip_or_text)
    payment, _created = services.record_payment(
        provider_code="vietqr_bank",
        method="bank_transfer",
        external_id=transaction_id,
        amount_vnd=amount,
        description=f"{text} thanh toan phi ha tang cua khau",
        payer_name="CONG TY TNHH NONG SAN PHONG THO",
        payer_account="0451000123456",
    )
    return payment


def signed_notification(trip, amount: int, transaction_id: str):
    body = json.dumps(
        {
            "transaction_id": transaction_id,
            "amount": amount,
            "currency": "VND",
            "description": f"CT DEN:{transaction_id} {trip.reference.replace('-', '')} phi",
            "payer_name": "CONG TY TNHH NONG SAN PHONG THO",
            "payer_account": "0451000123456",
            "booked_at": timezone.now().isoformat(),
        }
    ).encode()
    timestamp = str(int(time.time()))
    provider = providers.bank_provider()
    headers = {
        "X-Cuakhau-Timestamp": timestamp,
        "X-Cuakhau-Signature": providers.sign_body(provider.secret, timestamp, body),
    }
    return services.receive_notification(provider.code, headers, body, "203.0.113.7")


def let_out(trip, operator, officers) -> None:
    """The truck arrives, passes its inspections and leaves: its receipt is used at exit."""
    gate.check_in(operator, trip.gate, trip.reference)
    clear(trip, officers)
    gate.exit_truck(operator, trip.gate, trip.reference)


def present_at_exit(text: str, at_gate, operator) -> str:
    """A refused exit: what the gate recorded about it (kept although the exit was undone)."""
    with pytest.raises(gate.GateRefused):
        gate.exit_truck(operator, at_gate, text)
    return ReceiptUse.objects.order_by("-id").first().outcome


def build_day(enterprise, operator, officers, mlt) -> dict:
    """One realistic day at Ma Lu Thang, and one Huu Nghi truck that came to the wrong gate."""
    t = {}
    # Exact transfer; the bank delivers its notification twice.
    t["bank"] = day_trip(enterprise)
    _log, first = signed_notification(t["bank"], FEE, "FT26328000101")
    log, again = signed_notification(t["bank"], FEE, "FT26328000101")
    assert (log.outcome, again.pk) == ("duplicate", first.pk)
    r_bank = receipts.valid_receipt_of(t["bank"])
    let_out(t["bank"], operator, officers)
    assert present_at_exit(r_bank.token, mlt, operator) == "already_used"

    # Cash at the counter; later the same enterprise also transfers the fee (refunded).
    t["cash"] = day_trip(enterprise)
    services.record_cash_payment(operator, t["cash"], FEE, "PT-000123")
    let_out(t["cash"], operator, officers)
    twice = bank(t["cash"], FEE, "FT26328000102")
    assert twice.flag == "already_paid"
    services.resolve_discrepancy(
        operator, [twice.pk], "Hoàn trả chuyển khoản ngày 24/11", gate=mlt, day=timezone.localdate()
    )

    # Short, then short and completed later the same day, then over.
    t["under"] = day_trip(enterprise)
    assert bank(t["under"], 500_000, "FT26328000103").flag == "underpaid"
    t["partial"] = day_trip(enterprise)
    bank(t["partial"], 300_000, "FT26328000104")
    bank(t["partial"], 500_000, "FT26328000105")
    t["over"] = day_trip(enterprise)
    assert bank(t["over"], 1_000_000, "FT26328000106").flag == "overpaid"

    # No usable reference: the money belongs to no gate.
    assert bank("LO HANG CHUOI 25C", FEE, "FT26328000107").flag == "unknown_trip"

    # Paid, then cancelled (receipt revoked for a refund), then the driver tries to exit anyway.
    t["cancel"] = day_trip(enterprise)
    services.simulate_bank_transfer(t["cancel"])
    r_cancel = receipts.valid_receipt_of(t["cancel"])
    trips.cancel_trip(enterprise, t["cancel"], reason="Đối tác Trung Quốc hủy đơn hàng")
    assert present_at_exit(r_cancel.token, mlt, operator) == "revoked"

    # Cancelled first, the transfer arrives afterwards; and one for a trip never submitted.
    t["late"] = day_trip(enterprise)
    trips.cancel_trip(enterprise, t["late"], reason="Xe hỏng")
    assert bank(t["late"], FEE, "FT26328000108").flag == "trip_cancelled"
    t["draft"] = matchable(lambda: trips.create_draft(enterprise, trip_data(next(_day_plates))))
    assert bank(t["draft"], FEE, "FT26328000109").flag == "not_submitted"

    # A receipt with no money behind it (as if issued by hand, outside the payment service).
    t["manual"] = day_trip(enterprise)
    receipts.issue_receipt(t["manual"], current_assessment(t["manual"]))

    # A garbled QR code, and a Huu Nghi receipt presented at Ma Lu Thang.
    assert present_at_exit("khong-phai-bien-lai", mlt, operator) == "invalid"
    t["hng"] = day_trip(enterprise, gate="hng")
    services.simulate_bank_transfer(t["hng"])
    r_hng = receipts.valid_receipt_of(t["hng"])
    assert present_at_exit(r_hng.token, mlt, operator) == "wrong_gate"
    return t


@pytest.fixture(scope="module")
def _shared_day(request, django_db_setup, django_db_blocker, tmp_path_factory):
    # Built once for the module (core.testing.shared): most of its tests only read the day.
    with shared_data(request, django_db_blocker, tmp_path_factory):
        yield build_day(*people_at_mlt())


@pytest.fixture
def day_at_mlt(_shared_day, db):
    """The module's day, each trip read afresh for the test."""
    return {key: fresh(trip) for key, trip in _shared_day.items()}


def kinds(report, *, open_only=True):
    return Counter(
        (d.kind, d.trip_reference or d.receipt_number or "-")
        for d in report.discrepancies
        if d.is_open or not open_only
    )


def test_every_discrepancy_of_the_day_is_found_once(day_at_mlt, mlt):
    t = day_at_mlt
    report = daily_report(mlt, timezone.localdate())
    ref = {key: trip.reference for key, trip in t.items()}
    assert kinds(report) == Counter(
        {
            (PAID_NO_RECEIPT, ref["under"]): 1,
            (PAID_NO_RECEIPT, ref["draft"]): 1,
            (RECEIPT_WITHOUT_PAYMENT, ref["manual"]): 1,
            # ... and the trip of that receipt was never paid: its state disagrees.
            (RECEIPT_STATE_MISMATCH, ref["manual"]): 1,
            (CROSSING_WITHOUT_VALID_RECEIPT, ref["cancel"]): 1,
            (CROSSING_WITHOUT_VALID_RECEIPT, "-"): 1,  # the garbled code
            (CROSSING_WITHOUT_VALID_RECEIPT, ref["hng"]): 1,
            (DUPLICATE_USE, ref["bank"]): 1,
            (AMOUNT_MISMATCH, ref["over"]): 1,
            (REFUND_DUE, ref["cancel"]): 1,
            (REFUND_DUE, ref["late"]): 1,
        }
    )
    resolved = {(d.kind, d.trip_reference) for d in report.resolved_discrepancies}
    assert resolved == {(AMOUNT_MISMATCH, ref["cash"]), (PAID_NO_RECEIPT, ref["partial"])}
    # Open first, each with a reason a person can act on.
    states = [d.is_open for d in report.discrepancies]
    assert states == sorted(states, reverse=True)
    assert all(d.reason for d in report.discrepancies)

    by_key = {(d.kind, d.trip_reference): d for d in report.open_discrepancies}
    over = by_key[(AMOUNT_MISMATCH, ref["over"])]
    assert over.amount_vnd == 200_000 and over.external_id == "FT26328000106"
    assert "to refund" in over.reason
    assert by_key[(PAID_NO_RECEIPT, ref["under"])].reason.startswith("Received VND 500,000 of")
    assert by_key[(RECEIPT_WITHOUT_PAYMENT, ref["manual"])].amount_vnd == FEE
    refund = by_key[(REFUND_DUE, ref["cancel"])]
    assert refund.amount_vnd == FEE and refund.receipt_number.startswith("MLT-")
    assert "Đối tác Trung Quốc hủy đơn hàng" in refund.reason
    assert by_key[(DUPLICATE_USE, ref["bank"])].amount_vnd == FEE
    wrong_gate = by_key[(CROSSING_WITHOUT_VALID_RECEIPT, ref["hng"])]
    assert wrong_gate.receipt_number.startswith("HNG-")

    # The duplicate delivery is one payment, counted once.
    assert Payment.objects.filter(external_id="FT26328000101").count() == 1
    assert report.counts.notifications_duplicate == 1
    assert (report.counts.crossings, report.counts.crossings_refused) == (2, 4)
    assert report.counts.receipts_issued == 6 and report.counts.receipts_revoked == 1


def test_unknown_money_appears_only_in_the_all_gates_report(day_at_mlt, mlt):
    at_mlt = daily_report(mlt, timezone.localdate())
    everywhere = daily_report(None, timezone.localdate())
    assert not [d for d in at_mlt.discrepancies if d.kind == UNKNOWN_TRIP]
    unknown = [d for d in everywhere.discrepancies if d.kind == UNKNOWN_TRIP]
    assert len(unknown) == 1 and unknown[0].amount_vnd == FEE and unknown[0].is_open
    assert "LO HANG CHUOI 25C" in unknown[0].reason
    assert everywhere.balance.received_vnd == at_mlt.balance.received_vnd + FEE + (
        day_at_mlt["hng"].receipts.get().amount_vnd
    )
    assert everywhere.balance.is_balanced


def test_totals_reconcile_to_the_dong(day_at_mlt, mlt):
    report = daily_report(mlt, timezone.localdate())
    balance = report.balance
    by_method = {total.method: (total.count, total.amount_vnd) for total in report.by_method}
    # Bank: exact, paid-twice, short, 300k + 500k, over, cancelled-after-paying, late, draft.
    assert by_method == {"bank_transfer": (9, 6_300_000), "cash": (1, FEE)}
    assert balance.received_vnd == 7_100_000

    # Six receipts of 800,000: exact, cash, partial, over, cancelled (revoked), by hand.
    assert balance.receipts_vnd == 6 * FEE
    assert sum(item.amount_vnd for item in report.by_item) == balance.receipts_vnd
    assert [(i.code, i.label_vi, i.lines) for i in report.by_item] == [
        ("d", "Xe tải từ 18 tấn hoặc container 40 feet, hàng xuất nhập khẩu", 6)
    ]

    # received = receipts + overpaid - receipts not paid + money still without a receipt.
    assert balance.overpaid_vnd == 200_000
    assert balance.receipts_unpaid_vnd == FEE
    assert balance.unreceipted_by_flag == {
        "already_paid": FEE,
        "underpaid": 500_000,
        "trip_cancelled": FEE,
        "not_submitted": FEE,
    }
    assert (balance.for_other_days_vnd, balance.from_other_days_vnd) == (0, 0)
    assert balance.received_vnd == (
        balance.receipts_vnd
        + balance.overpaid_vnd
        - balance.receipts_unpaid_vnd
        + balance.unreceipted_vnd
    )
    assert balance.is_balanced and balance.difference_vnd == 0


def test_a_payment_of_yesterday_completing_todays_receipt_keeps_both_days_balanced(enterprise, mlt):
    trip = submitted(enterprise)
    today = timezone.localdate()
    before = daily_report(mlt, today).balance  # the shared day's
    yesterday_noon = timezone.now() - dt.timedelta(days=1)
    first = bank(trip, 300_000, "FT26327000201")
    Payment.objects.filter(pk=first.pk).update(paid_at=yesterday_noon)
    bank(trip, 500_000, "FT26328000202")

    balance = daily_report(mlt, today).balance
    assert balance.received_vnd - before.received_vnd == 500_000
    assert balance.receipts_vnd - before.receipts_vnd == FEE
    assert balance.from_other_days_vnd - before.from_other_days_vnd == 300_000
    assert balance.is_balanced

    yesterday = daily_report(mlt, today - dt.timedelta(days=1))
    assert yesterday.balance.for_other_days_vnd == 300_000
    assert yesterday.balance.receipts_vnd == 0
    assert yesterday.balance.is_balanced
    assert [(d.kind, d.is_open) for d in yesterday.discrepancies] == [(PAID_NO_RECEIPT, False)]


def test_a_day_is_the_gates_calendar_day(enterprise, mlt):
    trip = submitted(enterprise)
    payment = bank(trip, FEE, "FT26328000301")
    # 23:30 local time on the 1st is 16:30 UTC: it belongs to the 1st, not the 2nd.
    late = dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC)
    Payment.objects.filter(pk=payment.pk).update(paid_at=late)
    assert daily_report(mlt, dt.date(2026, 3, 1)).counts.payments == 1
    assert daily_report(mlt, dt.date(2026, 3, 2)).counts.payments == 0


def test_csv_has_every_section_and_reads_back(day_at_mlt, mlt):
    report = daily_report(mlt, timezone.localdate())
    text = to_csv(report)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    titles = [
        "Summary",
        "Totals by method",
        "Totals by fee item",
        "Payments",
        "Receipts",
        "Crossings",
        "Discrepancies",
    ]
    starts = [i for i, row in enumerate(rows) if len(row) == 1 and row[0] in titles]
    assert [rows[i][0] for i in starts] == titles

    def section(title):
        i = starts[titles.index(title)]
        header, body = rows[i + 1], []
        for row in rows[i + 2 :]:
            if not row:
                break
            body.append(dict(zip(header, row, strict=True)))
        return body

    summary = {row["Item"]: row["Value"] for row in section("Summary")}
    assert summary["Money received (VND)"] == "7100000"
    assert summary["Difference (should be 0)"] == "0"
    items = section("Totals by fee item")
    assert sum(int(row["Amount (VND)"]) for row in items) == 6 * FEE
    assert items[0]["Label (Vietnamese)"].startswith("Xe tải từ 18 tấn")
    assert len(section("Payments")) == 10
    assert len(section("Receipts")) == 6
    assert len(section("Crossings")) == 6
    discrepancies = section("Discrepancies")
    assert len(discrepancies) == len(report.discrepancies)
    assert Counter(row["State"] for row in discrepancies) == {"open": 11, "resolved": 2}
    # Local wall time, as the people at the gate read it.
    paid_at = section("Payments")[0]["Paid at"]
    assert paid_at.startswith(timezone.localdate().isoformat())


def test_xlsx_has_a_sheet_per_section_with_integer_amounts(day_at_mlt, mlt):
    report = daily_report(mlt, timezone.localdate())
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    assert workbook.sheetnames == [
        "Summary",
        "Totals by method",
        "Totals by fee item",
        "Payments",
        "Receipts",
        "Crossings",
        "Discrepancies",
    ]
    payments = workbook["Payments"]
    header = [cell.value for cell in payments[1]]
    assert all(cell.font.bold for cell in payments[1])
    amount_col = header.index("Amount") + 1
    amounts = [
        row[0] for row in payments.iter_rows(min_row=2, min_col=amount_col, values_only=True)
    ]
    assert all(type(value) is int for value in amounts) and sum(amounts) == 7_100_000
    assert payments.cell(row=2, column=amount_col).number_format == "#,##0"
    paid_at = payments.cell(row=2, column=header.index("Paid at") + 1).value
    assert isinstance(paid_at, dt.datetime) and paid_at.tzinfo is None
    local = report.local(report.payments[0].paid_at)
    assert paid_at == local.replace(tzinfo=None, microsecond=0)
    assert local.utcoffset() == dt.timedelta(hours=7)
    items = workbook["Totals by fee item"]
    assert sum(row[-1] for row in items.iter_rows(min_row=2, values_only=True)) == 6 * FEE


def test_the_page_shows_totals_discrepancies_and_export_links(day_at_mlt, mlt, operator):
    request = RequestFactory().get("/payments/reconciliation/", {"gate": "mlt"})
    request.user = operator
    form = ReconciliationForm(request.GET)
    assert form.is_valid(), form.errors
    report = daily_report(form.cleaned_data["gate"], form.cleaned_data["day"])
    html = render_to_string(
        "payments/reconciliation.html",
        {"form": form, "report": report, "pages": _report_pages(request.GET, report)},
        request=request,
    )
    # Wide tables scroll in their box, with a shadow for a cue, each a region named by its heading.
    assert html.count('<div class="table-scroll" tabindex="0" role="region" aria-labelledby=') >= 6
    assert 'href="?gate=mlt&amp;format=csv"' in html
    assert 'href="?gate=mlt&amp;format=xlsx"' in html
    assert 'id="received-total">VND 7,100,000<' in html
    assert 'id="receipts-total">VND 4,800,000<' in html
    assert html.count('class="discrepancy ') == 13
    assert day_at_mlt["over"].reference in html


def test_the_form_defaults_to_today_at_the_gate_and_refuses_the_future(mlt):
    today = timezone.localdate()
    form = ReconciliationForm({"gate": "mlt"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"gate": mlt, "day": today}
    everywhere = ReconciliationForm({"day": today.isoformat()})
    assert everywhere.is_valid() and everywhere.cleaned_data["gate"] is None
    future = ReconciliationForm({"gate": "mlt", "day": str(today + dt.timedelta(days=1))})
    assert not future.is_valid()
    assert future.errors["day"] == ["The day cannot be in the future."]
    assert ReconciliationForm().initial["day"] == today
    assert not ReconciliationForm({"gate": "xyz"}).is_valid()
    # PostgreSQL refused the NUL in the gate's lookup (a 500 there; SQLite found no gate).
    assert ReconciliationForm({"gate": "ml\x00t"}).errors["gate"]


def test_reconciliation_page_scoping_and_exports(enterprise, mlt, hng):
    from django.test import Client

    board = create_user("bql", PASSWORD, roles.BOARD)
    officer = create_user("vanhanh_rc", PASSWORD, roles.GATE_OPERATOR, gates=[mlt])
    client = Client()
    client.login(username=board.username, password=PASSWORD)
    assert client.get("/payments/reconciliation/").status_code == 200
    csv_response = client.get("/payments/reconciliation/?gate=mlt&format=csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    xlsx = client.get("/payments/reconciliation/?gate=mlt&format=xlsx")
    assert xlsx.content[:2] == b"PK"
    client.login(username=officer.username, password=PASSWORD)
    page = client.get("/payments/reconciliation/").content.decode()
    assert "Choose one of your gates" in page
    refused = client.get("/payments/reconciliation/?gate=hng")
    assert refused.status_code == 400  # refused by the form, beside its field (core.listing)
    assert 'data-field="gate"' in refused.content.decode() and refused.context["report"] is None
    client.login(username=enterprise.username, password=PASSWORD)
    assert client.get("/payments/reconciliation/").status_code == 403


def test_the_page_shows_the_lists_a_page_at_a_time_and_the_totals_for_the_whole_day(
    day_at_mlt, mlt, auditor, client, monkeypatch
):
    from cuakhau.payments import views

    monkeypatch.setattr(views, "RECONCILIATION_PAGE_SIZE", 5)
    client.force_login(auditor)
    first = client.get("/payments/reconciliation/", {"gate": "mlt"}).content.decode()
    # 13 discrepancies: 5 shown, the pager says where one is, the totals are the day's.
    assert first.count('class="discrepancy ') == 5
    assert "1–5 of 13" in first
    assert 'href="?gate=mlt&amp;dpage=2#discrepancies" rel="next"' in first
    assert 'id="received-total">VND 7,100,000<' in first
    assert 'id="receipts-total">VND 4,800,000<' in first
    assert '<details class="card" id="payments">' in first  # folded until one pages through it
    last = client.get("/payments/reconciliation/", {"gate": "mlt", "dpage": 3}).content.decode()
    assert last.count('class="discrepancy ') == 3 and "11–13 of 13" in last
    assert 'rel="next"' not in last.split('id="payments"')[0]
    # Paging the payments keeps the discrepancies' page and opens the payments list.
    both = client.get(
        "/payments/reconciliation/", {"gate": "mlt", "dpage": 3, "ppage": 2}
    ).content.decode()
    assert both.count('class="discrepancy ') == 3
    assert '<details class="card" id="payments" open>' in both
    assert "6–" in both.split('id="payments"')[1].split("</details>")[0]
    # A page number past the end is refused beside that list's pages, none of its rows shown
    # (not the last page, which the reader would take for the one asked for: core.listing).
    past = client.get("/payments/reconciliation/", {"gate": "mlt", "dpage": 99})
    assert past.status_code == 400 and past.content.decode().count('class="discrepancy ') == 0
    assert "There is no page 99" in past.content.decode()
    # Exports are the whole day whatever page the person was reading.
    whole = client.get("/payments/reconciliation/", {"gate": "mlt", "format": "csv"})
    paged = client.get("/payments/reconciliation/", {"gate": "mlt", "format": "csv", "dpage": 2})
    drop_time = [line for line in whole.content.decode().splitlines() if "Generated at" not in line]
    assert drop_time == [
        line for line in paged.content.decode().splitlines() if "Generated at" not in line
    ]


def test_the_page_reads_its_lists_a_page_at_a_time_with_the_whole_day_s_figures(
    day_at_mlt, mlt, auditor, client, monkeypatch
):
    from cuakhau.payments import views

    whole = daily_report(mlt, timezone.localdate())
    paged = daily_report(mlt, timezone.localdate(), lists=False)
    assert len(whole.payments) >= 5 and len(whole.receipts) >= 5 and len(whole.crossings) >= 3
    # The page's figures are the exports' to the đồng; its lists hold the same rows in order.
    assert paged.balance == whole.balance and paged.counts == whole.counts
    assert paged.by_method == whole.by_method and paged.by_item == whole.by_item
    assert paged.discrepancies == whole.discrepancies
    assert list(paged.payments) == whole.payments and len(paged.payments) == len(whole.payments)
    assert list(paged.receipts) == whole.receipts and list(paged.crossings) == whole.crossings
    assert paged.payments[2:4] == whole.payments[2:4] and paged.receipts[1] == whole.receipts[1]

    monkeypatch.setattr(views, "RECONCILIATION_PAGE_SIZE", 2)
    client.force_login(auditor)
    url = "/payments/reconciliation/"

    def section(html, name):
        return html.split(f'id="{name}"')[1].split("</details>")[0]

    page_2 = client.get(url, {"gate": "mlt", "ppage": 2, "rpage": 2, "cpage": 2}).content.decode()
    # Page 2 of each list shows its third and fourth rows, and only those.
    payments = section(page_2, "payments")
    assert all(p.external_id in payments for p in whole.payments[2:4])
    assert not any(p.external_id in payments for p in whole.payments[:2] + whole.payments[4:])
    receipts = section(page_2, "receipts")
    assert [r.number for r in whole.receipts if r.number in receipts] == [
        r.number for r in whole.receipts[2:4]
    ]
    crossings = section(page_2, "crossings")
    assert f"3–{min(4, len(whole.crossings))} of {len(whole.crossings)}" in crossings
    # The totals are the whole day's, whichever page is shown.
    assert f'id="received-total">VND {whole.balance.received_vnd:,}<' in page_2
    assert f'id="receipts-total">VND {whole.balance.receipts_vnd:,}<' in page_2
    # A page number that is no number, or out of range, is refused beside the list's pages with
    # none of its rows (core.listing); the list's count stays the whole day's. None is page 1.
    for bad in ("abc", "-1", "0", "99", "٢"):
        response = client.get(url, {"gate": "mlt", "ppage": bad, "rpage": bad, "cpage": bad})
        assert response.status_code == 400
        payments = section(response.content.decode(), "payments")
        assert 'class="error list-refused"' in payments
        assert f"({len(whole.payments)})" in payments
        assert not any(p.external_id in payments for p in whole.payments)
    response = client.get(url, {"gate": "mlt", "ppage": "", "rpage": "", "cpage": ""})
    assert response.status_code == 200
    assert f"of {len(whole.payments)}" in section(response.content.decode(), "payments")


# The page's whole request: the session and the user's roles and gates (middleware, the policy,
# the form's gates), then the report: the trips touched on the day with their states and valid
# receipts (every trip the day's records name), the day's payments (narrow), receipts issued
# (narrow) and revoked for a refund, the crossings' outcomes, the refused crossings, the other
# days' money, the flagged payments read whole and their context (an overpaid receipt's total,
# an underpaid trip's fee and payments), the refunds' payments, the refused crossings' amounts,
# the trips in disagreement (with their receipts, payments and the day's records of them), the
# notifications, the fee rates; then one page of payments, of receipts and of crossings, each
# read by key. This day has every kind of discrepancy.
RECONCILIATION_PAGE_QUERIES = 37


def test_the_page_costs_the_same_queries_however_busy_the_day(
    day_at_mlt, mlt, auditor, operator, officers, enterprise, client, django_assert_num_queries
):
    client.force_login(auditor)
    url = "/payments/reconciliation/"
    client.get(url, {"gate": "mlt"})  # the first request of a session reads what it caches
    with django_assert_num_queries(RECONCILIATION_PAGE_QUERIES):
        before = client.get(url, {"gate": "mlt"})
    assert before.status_code == 200
    earlier = daily_report(mlt, timezone.localdate()).counts
    # Four more trucks paid and gone, one more overpaid and one more short: longer lists, more
    # flags of the same kinds, not one query more.
    for _n in range(4):
        trip = submitted(enterprise)
        services.simulate_bank_transfer(trip)
        let_out(trip, operator, officers)
    assert bank(submitted(enterprise), 1_200_000, "FT26328000201").flag == "overpaid"
    assert bank(submitted(enterprise), 100_000, "FT26328000202").flag == "underpaid"
    with django_assert_num_queries(RECONCILIATION_PAGE_QUERIES):
        after = client.get(url, {"gate": "mlt"})
    report = daily_report(mlt, timezone.localdate())
    assert report.counts.payments == earlier.payments + 6
    assert report.counts.crossings == earlier.crossings + 4
    assert report.counts.discrepancies_open == earlier.discrepancies_open + 2
    assert report.balance.is_balanced
    assert (
        after.content.decode().count('class="discrepancy ')
        == report.counts.discrepancies_open + report.counts.discrepancies_resolved
    )


def _notification(trip, transaction_id: str, **fields):
    body = {
        "transaction_id": transaction_id,
        "amount": 150_000,
        "currency": "VND",
        "description": f"{trip.reference.replace('-', '')} phi",
        "payer_name": "CONG TY TNHH NONG SAN PHONG THO",
        "booked_at": timezone.now().isoformat(),
        **fields,
    }
    raw = json.dumps(body).encode()  # ensure_ascii: a lone surrogate travels as "\ud83d"
    timestamp = str(int(time.time()))
    provider = providers.bank_provider()
    headers = {
        "X-Cuakhau-Timestamp": timestamp,
        "X-Cuakhau-Signature": providers.sign_body(provider.secret, timestamp, raw),
    }
    return services.receive_notification(provider.code, headers, raw, "203.0.113.7")


def test_what_a_payer_typed_is_kept_and_exported_as_text_never_as_a_formula(enterprise, mlt):
    """A payer's name and a transfer's text are typed by whoever sends the money: a lone UTF-16
    surrogate made the notification fail (500, the bank retrying), U+FFFE went into the
    workbook and damaged it, "=HYPERLINK(…)" and "+1+cmd|…" became live formulas."""
    trip = submitted(enterprise)
    _notification(trip, "FT26336A", payer_name="Nguyễn \ud83d")
    _notification(
        trip,
        "=1+2",
        payer_name='=HYPERLINK("http://evil.example","Bấm vào đây")',
        description=f"{trip.reference.replace('-', '')} x\ufffey\uffff",
    )
    _notification(trip, "FT26336C", payer_name="+1+cmd|' /C calc'!A0")
    names = dict(Payment.objects.values_list("external_id", "payer_name"))
    assert names["FT26336A"] == "Nguyễn \ufffd"
    assert names["FT26336C"] == "+1+cmd|' /C calc'!A0"
    assert "\ufffe" not in "".join(Payment.objects.values_list("description", flat=True))
    report = daily_report(mlt, timezone.localdate())
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))  # a damaged one raises
    cells = [c for row in workbook["Payments"].iter_rows() for c in row if c.value is not None]
    typed = {c.value: c.data_type for c in cells if isinstance(c.value, str)}
    assert typed['=HYPERLINK("http://evil.example","Bấm vào đây")'] == "s"
    assert typed["=1+2"] == "s"
    assert not [c for c in cells if c.data_type == "f"]
    text = to_csv(report)
    assert "'=HYPERLINK(" in text and "'=1+2" in text
    assert all(
        not cell.startswith(("=", "+", "@"))
        for row in csv.reader(io.StringIO(text[1:]))
        for cell in row
    )


def test_a_text_with_a_semicolon_stays_one_cell_and_never_a_formula(enterprise, mlt):
    """Excel set to Vietnamese splits a CSV on ";": "x;=cmd|…", written bare, became a cell
    starting with "=" (only a field's first character was neutralised)."""
    trip = submitted(enterprise)
    _notification(
        trip,
        "FT26336D",
        payer_name="x;=cmd|' /C calc'!A0;",
        description=f"{trip.reference.replace('-', '')};+1+2;@SUM(1)",
    )
    text = to_csv(daily_report(mlt, timezone.localdate()))[1:]
    line = next(line for line in text.splitlines() if "FT26336D" in line)
    # Read with commas, the payer's name and the transfer's text are each one cell.
    (row,) = csv.reader([line])
    assert "x;'=cmd|' /C calc'!A0;" in row
    assert f"{trip.reference.replace('-', '')};'+1+2;'@SUM(1)" in row
    assert '"x;' in line  # quoted: a field with a separator stays one cell
    # Read with semicolons, as Vietnamese Excel does, quotes honoured or not: no formula.
    for cells in (next(csv.reader([line], delimiter=";")), line.split(";")):
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], cells


def test_a_cash_slip_number_is_text_as_stored_and_old_odd_text_never_breaks_the_export(
    enterprise, operator, mlt
):
    """A slip number with a NUL or a bidi override was stored, and the XLSX export of its day
    failed for every reader: refused now, beside the field; text stored before the rule (or a
    bank's) is written as U+FFFD, never an error."""
    trip = submitted(enterprise)
    for slip in ("a\x00b", "\u202e1", "PT\x1f2", "PT 1\n2"):
        with pytest.raises(FieldErrors) as refused:
            services.record_cash_payment(operator, trip, FEE, slip)
        assert "control character" in refused.value.errors["slip_number"][0]
    assert not trip.payments.exists()
    payment = services.record_cash_payment(operator, trip, FEE, " PT-0001\u0301 ")
    assert payment.external_id == "mlt-PT-0001\u0301"
    # As a row stored before the rule: characters no workbook holds (PostgreSQL stores no NUL).
    Payment.objects.filter(pk=payment.pk).update(
        external_id="mlt-a\x01b\x1fc", raw={"slip_number": "a\x01b\x1fc"}
    )
    report = daily_report(mlt, timezone.localdate())
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))
    values = {c.value for row in workbook["Payments"].iter_rows() for c in row}
    assert "Cash slip no. a\ufffdb\ufffdc" in values


def test_the_export_names_schedules_and_providers_in_the_readers_language(day_at_mlt, mlt):
    from django.utils import translation

    from cuakhau.fees.models import FeeSchedule

    schedule = FeeSchedule.objects.filter(gate=mlt).order_by("-pk").first()
    for language, cash in (("zh-hans", "现金收费窗口"), ("en", "Cash counter"), ("vi", "Quầy thu")):
        with translation.override(language):
            text = to_csv(daily_report(mlt, timezone.localdate()))
        assert cash in text and "cash_counter" not in text and "vietqr_bank" not in text
        title = {"zh-hans": schedule.title_zh, "en": schedule.title_en, "vi": schedule.title_vi}
        assert (title[language] or schedule.title_vi) in text
