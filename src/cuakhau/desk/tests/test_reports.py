"""The desk's reports: figures computed by hand on a small set of files and compared, the
XLSX holds the same numbers, who may see them, and the queries do not grow with the files."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.desk import reports, services
from cuakhau.desk.models import Application, Procedure
from cuakhau.desk.models import ApplicationStatus as S

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db
D = dt.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = D(2026, 4, 20)
FROM, TO = D(2026, 3, 1), D(2026, 4, 30)


def _at(day: dt.date, hour=9, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def _make(procedure, received, status, due, *, result=None, closed=None, new_due=None):
    """A file received at ``received`` (a local datetime) that has come to ``status``; its
    dates are set here, so the expected figures do not depend on the calendar."""
    a = services.file_application(applicant_data(procedure), [pdf()], now=received)
    Application.objects.filter(pk=a.pk).update(
        status=status,
        due_date=due,
        new_due_date=new_due,
        result_at=_at(result, 15) if result else None,
        closed_at=_at(closed, 16) if closed else None,
    )
    return a


@pytest.fixture
def procedures(catalogue):
    amendment = catalogue  # Ban Quản lý Khu kinh tế, 10 working days
    certificate = Procedure.objects.get(key__startswith="issue-of-an-investment-registration")
    police = Procedure.objects.get(agency__startswith="Công an cấp tỉnh")
    assert amendment.agency == certificate.agency != police.agency
    return amendment, certificate, police


@pytest.fixture
def files(procedures):
    p1, p3, p2 = procedures
    return {
        # Result ready on the 13th, due the 16th, collected the 17th: on time.
        "a1": _make(p1, _at(D(2026, 3, 2)), S.RETURNED, D(2026, 3, 16), result=D(2026, 3, 13), closed=D(2026, 3, 17)),
        # Ready after its due date, with an apology's new date it met: still late.
        "a2": _make(p1, _at(D(2026, 3, 3)), S.RETURNED, D(2026, 3, 17), result=D(2026, 3, 20), closed=D(2026, 3, 20), new_due=D(2026, 3, 24)),
        # Received in March, ready in time, returned in April.
        "a3": _make(p2, _at(D(2026, 3, 10)), S.RETURNED, D(2026, 3, 17), result=D(2026, 3, 16), closed=D(2026, 4, 2)),
        "a4": _make(p2, _at(D(2026, 3, 20)), S.REJECTED, D(2026, 3, 27), closed=D(2026, 3, 23)),
        # Still being processed, past its date on the 20th of April: overdue now.
        "a5": _make(p1, _at(D(2026, 4, 1)), S.PROCESSING, D(2026, 4, 15)),
        # Waiting for the applicant's supplement: the clock stopped, not overdue.
        "a6": _make(p2, _at(D(2026, 4, 10)), S.SUPPLEMENT_REQUESTED, D(2026, 4, 17)),
        # The result waits at the desk: met, not overdue.
        "a7": _make(p1, _at(D(2026, 4, 15)), S.RESULT_READY, D(2026, 4, 29), result=D(2026, 4, 16)),
        # Received before the period, returned late in it.
        "a8": _make(p1, _at(D(2026, 2, 20)), S.RETURNED, D(2026, 3, 4), result=D(2026, 3, 5), closed=D(2026, 3, 5)),
        "a9": _make(p2, _at(D(2026, 4, 28)), S.WITHDRAWN, D(2026, 5, 6), closed=D(2026, 4, 29)),
        # After the period: not counted.
        "a10": _make(p1, _at(D(2026, 5, 2)), S.RECEIVED, D(2026, 5, 18)),
        # 23:30 on 31 March in Vietnam is 16:30 UTC: a March file.
        "a11": _make(p2, _at(D(2026, 3, 31), 23, 30), S.PROCESSING, D(2026, 4, 7)),
        # The other procedure of the same agency, returned on time in April.
        "a12": _make(p3, _at(D(2026, 3, 25)), S.RETURNED, D(2026, 4, 15), result=D(2026, 4, 10), closed=D(2026, 4, 10)),
    }  # fmt: skip


FIELDS = [
    "received",
    "returned",
    "on_time",
    "late",
    "apologised",
    "rejected",
    "withdrawn",
    "pending",
    "overdue_now",
]


def _figures(counts) -> dict:
    return {name: getattr(counts, name) for name in FIELDS}


def _expect(received, returned, on_time, late, apologised, rejected, withdrawn, pending, overdue):
    return dict(
        zip(
            FIELDS,
            [received, returned, on_time, late, apologised, rejected, withdrawn, pending, overdue],
            strict=True,
        )
    )


# Counted by hand from the files above (see each file's comment).
TOTAL = _expect(10, 5, 3, 2, 1, 1, 1, 4, 2)
MARCH = _expect(6, 3, 1, 2, 1, 1, 0, 1, 1)  # a1 a2 a3 a4 a11 a12 in; a1 a2 a8 out; a4 refused
APRIL = _expect(4, 2, 2, 0, 0, 0, 1, 3, 1)  # a5 a6 a7 a9 in; a3 a12 out; a9 withdrawn
AMENDMENT = _expect(4, 3, 1, 2, 1, 0, 0, 2, 1)  # a1 a2 a5 a7 in; a1 a2 a8 out
POLICE = _expect(5, 1, 1, 0, 0, 1, 1, 2, 1)  # a3 a4 a6 a9 a11
CERTIFICATE = _expect(1, 1, 1, 0, 0, 0, 0, 0, 0)  # a12
ECONOMIC_ZONE = _expect(5, 4, 2, 2, 1, 0, 0, 2, 1)  # amendment + certificate


def test_the_figures_match_the_hand_count(files, procedures):
    p1, p3, p2 = procedures
    report = reports.build_report(FROM, TO, today=TODAY)
    assert _figures(report.total) == TOTAL
    assert report.total.on_time_rate == pytest.approx(0.6)
    assert [r.key for r in report.by_month] == ["2026-03", "2026-04"]
    assert _figures(report.by_month[0].counts) == MARCH
    assert _figures(report.by_month[1].counts) == APRIL
    by_procedure = {r.key: _figures(r.counts) for r in report.by_procedure}
    assert by_procedure == {p1.key: AMENDMENT, p2.key: POLICE, p3.key: CERTIFICATE}
    by_agency = {r.key: _figures(r.counts) for r in report.by_agency}
    assert by_agency == {p1.agency: ECONOMIC_ZONE, p2.agency: POLICE}


def test_a_month_without_files_is_a_row_of_zeros_and_no_rate(files):
    report = reports.build_report(D(2026, 1, 1), D(2026, 4, 30), today=TODAY)
    assert [r.key for r in report.by_month] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    january = report.by_month[0].counts
    assert _figures(january) == _expect(0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert january.on_time_rate is None
    # a8 (received 20 February) now counts as received, and still pending nowhere.
    assert report.by_month[1].counts.received == 1


def test_the_workbook_has_the_same_numbers(files, procedures):
    p1, _p3, p2 = procedures
    report = reports.build_report(FROM, TO, today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(reports.to_xlsx(report)))
    assert len(book.sheetnames) == 4
    headings = [c.value for c in book.worksheets[1][1]]
    names = ["received", "returned", "on_time", "late", "on_time_percent", "apologised"]
    names += ["rejected", "withdrawn", "pending", "overdue_now"]
    assert len(headings) == 1 + len(names)

    def rows(sheet):
        found = {}
        for row in sheet.iter_rows(min_row=2, values_only=True):
            found[row[0]] = dict(zip(names, row[1:], strict=True))
        return found

    by_procedure = rows(book.worksheets[1])
    amendment = by_procedure[p1.name]
    assert {k: amendment[k] for k in FIELDS} == AMENDMENT
    assert amendment["on_time_percent"] == pytest.approx(1 / 3)
    assert {k: by_procedure[p2.name][k] for k in FIELDS} == POLICE
    total = list(by_procedure.values())[-1]  # the last row: the totals
    assert {k: total[k] for k in FIELDS} == TOTAL and total["on_time_percent"] == pytest.approx(0.6)
    by_agency = rows(book.worksheets[2])
    assert {k: by_agency[p1.agency_name][k] for k in FIELDS} == ECONOMIC_ZONE
    by_month = rows(book.worksheets[3])
    march, april = list(by_month.values())[:2]
    assert {k: march[k] for k in FIELDS} == MARCH and {k: april[k] for k in FIELDS} == APRIL
    # Counts are numbers a spreadsheet sums; the rate a fraction shown as a percentage.
    sheet = book.worksheets[1]
    assert all(isinstance(c.value, int) for c in sheet["B"][1:])
    assert sheet["F2"].number_format == "0.0%"
    summary = book.worksheets[0]
    assert summary["B2"].value.date() == FROM and summary["B3"].value.date() == TO


def test_the_number_of_queries_does_not_grow_with_the_files(files, procedures):
    with CaptureQueriesContext(connection) as few:
        reports.build_report(FROM, TO, today=TODAY)
    p1, p3, p2 = procedures
    for day in range(2, 12):
        _make(p1 if day % 2 else p2, _at(D(2026, 3, day)), S.PROCESSING, D(2026, 3, 30))
    _make(
        p3,
        _at(D(2026, 4, 2)),
        S.RETURNED,
        D(2026, 4, 20),
        result=D(2026, 4, 8),
        closed=D(2026, 4, 9),
    )
    with CaptureQueriesContext(connection) as many:
        report = reports.build_report(FROM, TO, today=TODAY)
    assert report.total.received == TOTAL["received"] + 11
    assert len(few) == len(many) == 2  # the period's files, then their procedures


# ---------------------------------------------------------------------------------------------
# The page


@pytest.fixture
def board(mlt):
    return create_user("bqlck", PASSWORD, roles.BOARD)


def _get(client, user, query=""):
    client.force_login(user)
    return client.get(f"/desk/reports/{query}")


def test_the_page_shows_the_figures_and_how_they_are_counted(client, files, supervisor):
    response = _get(client, supervisor, "?date_from=2026-03-01&date_to=2026-04-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="total-received"><strong>10<' in html
    assert "60,0 %" in html or "60.0 %" in html
    assert 'data-key="2026-03"' in html and "<svg" in html
    assert "on or before its due date" in html and "format=xlsx" in html
    # In Vietnamese and Chinese, the rule spelled out too.
    vi = client.get(
        "/desk/reports/?date_from=2026-03-01&date_to=2026-04-30", HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert "Báo cáo" in vi and "đúng hạn" in vi and "on or before" not in vi
    zh = client.get(
        "/desk/reports/?date_from=2026-03-01&date_to=2026-04-30", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "按时" in zh and "on or before" not in zh


def test_the_export_answers_a_workbook(client, files, supervisor):
    response = _get(client, supervisor, "?date_from=2026-03-01&date_to=2026-04-30&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "desk-report-2026-03-01-2026-04-30.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 4


def test_a_wrong_period_is_a_400_naming_the_field(client, supervisor):
    response = _get(client, supervisor, "?date_from=2026-04-30&date_to=2026-03-01")
    assert response.status_code == 400
    assert 'data-field="date_to"' in response.content.decode()
    response = _get(client, supervisor, "?date_from=not-a-date&date_to=2026-03-01")
    assert response.status_code == 400
    assert 'data-field="date_from"' in response.content.decode()


def test_who_sees_the_reports(client, supervisor, desk_officer, board):
    assert _get(client, supervisor).status_code == 200
    assert _get(client, board).status_code == 200
    assert _get(client, desk_officer).status_code == 403  # an officer without the permission
    # The menu offers the page to whoever may open it, and only to them.
    client.force_login(supervisor)
    assert 'href="/desk/reports/"' in client.get("/desk/queue/").content.decode()
    client.force_login(desk_officer)
    assert 'href="/desk/reports/"' not in client.get("/desk/queue/").content.decode()
    assert not reports.may_see_reports(desk_officer) and reports.may_see_reports(supervisor)


def test_the_page_queries_do_not_grow_with_the_files(client, files, supervisor, procedures):
    client.force_login(supervisor)
    url = "/desk/reports/?date_from=2026-03-01&date_to=2026-04-30"
    client.get(url)  # sessions, caches warm
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    p1, _p3, _p2 = procedures
    for day in range(2, 12):
        _make(p1, _at(D(2026, 3, day)), S.PROCESSING, D(2026, 3, 30))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_a_supervisor_counts_only_the_desks_of_their_own_gates(files, supervisor, board, mlt, hng):
    from django.contrib.auth.models import Permission

    elsewhere = create_user("truongbophan_hn", PASSWORD, roles.DESK, gates=[hng])
    elsewhere.user_permissions.add(Permission.objects.get(codename="reassign_application"))
    here = reports.report_for(supervisor, FROM, TO).total.received
    assert here > 0 and not Application.objects.exclude(gate=mlt).exists()
    # Every file of the set was received at Ma Lù Thàng's desk: Hữu Nghị's supervisor has none.
    assert reports.report_for(elsewhere, FROM, TO).total.received == 0
    # The board answers for the whole zone.
    assert reports.report_for(board, FROM, TO).total.received == here


def test_the_month_chart_draws_late_files_red_and_those_on_time_green():
    from cuakhau.core.charts import PALETTE
    from cuakhau.desk import reports

    report = reports.Report.__new__(reports.Report)
    report.by_month = []
    svg = str(reports.month_chart(report))
    late, on_time = svg.index("Late"), svg.index("On time")
    assert svg.rfind(PALETTE[1], 0, late) > svg.rfind(PALETTE[2], 0, late)
    assert svg.rfind(PALETTE[2], 0, on_time) > svg.rfind(PALETTE[1], 0, on_time)


def test_a_file_apologised_for_but_ready_by_its_due_date_is_on_time_not_late_with_an_apology(
    procedures,
):
    # Apologised, then a supplement wait moved its due date past the day the result was ready.
    _make(procedures[0], _at(D(2026, 3, 2)), S.RETURNED, D(2026, 3, 31), result=D(2026, 3, 27), closed=D(2026, 3, 30), new_due=D(2026, 4, 2))  # fmt: skip
    report = reports.build_report(FROM, TO, today=TODAY)
    assert (report.total.on_time, report.total.late, report.total.apologised) == (1, 0, 0)


def test_an_export_the_page_does_not_make_or_a_period_not_begun_is_a_400(client, supervisor):
    from unittest import mock

    response = _get(client, supervisor, "?date_from=2026-03-01&date_to=2026-04-30&format=csv")
    assert response.status_code == 400 and "There is no export as csv" in response.content.decode()
    with mock.patch.object(services, "today", return_value=D(2026, 12, 4)):
        response = _get(client, supervisor, "?date_from=2026-12-05&date_to=2026-12-31&format=xlsx")
    assert response.status_code == 400
    assert 'data-field="date_from"' in response.content.decode()


@pytest.mark.parametrize("typed", ["XLSX", "Xlsx", "xlsx"])
def test_the_export_is_asked_for_in_any_case(client, files, supervisor, typed):
    response = _get(client, supervisor, f"?date_from=2026-03-01&date_to=2026-04-30&format={typed}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("wanted", ["", "&format=xlsx"])
def test_a_period_ending_after_today_is_a_400_at_its_end(client, supervisor, wanted):
    from unittest import mock

    with mock.patch.object(services, "today", return_value=D(2026, 12, 4)):
        response = _get(client, supervisor, f"?date_from=2026-11-01&date_to=2027-06-30{wanted}")
        assert response.status_code == 400
        html = response.content.decode()
        assert 'data-field="date_to"' in html and 'data-field="date_from"' not in html
        assert "cannot end after today" in html
        assert (
            _get(client, supervisor, "?date_from=2026-11-01&date_to=2026-12-04").status_code == 200
        )
