"""The desk's reports: files received, returned on time and late, refused, withdrawn, still
pending and overdue now — by procedure, by agency and by month, for a period — as a page and
an XLSX workbook with the same figures.

How a file counts (the rules of Decree 61/2018 as amended and Decision 766/QĐ-TTg as the desk
reads them; see the page's note):
- received: on the day it was received, in Vietnam's time;
- returned: on the day the result was handed back; it is *on time* when its result was ready
  at the desk on or before its due date — the date on the receipt, moved only by supplement
  waits (the clock stops then); a file counted in working hours, at or before its due moment.
  An apology's new date does not make a late file on time: it is
  late, and counted among the apologised ones too;
- refused and withdrawn: on the day the file was closed;
- pending and overdue now: files received in the period still open today; overdue when the
  clock runs and today is past the appointment date (the apology's date when one was given), or,
  counted in hours without an apology, now is past its due moment.
The on-time rate is on time ÷ returned.

Two queries whatever the number of files: the files of the period (received or closed in it),
then their procedures.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field, fields

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cuakhau.accounts import roles
from cuakhau.core import charts
from cuakhau.core.spreadsheets import xlsx_text

from .models import Application, ApplicationStatus, Procedure
from .services import day_at, desk_zone
from .services import today as desk_today

S = ApplicationStatus
OPEN = {S.RECEIVED, S.TRANSFERRED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.SUPPLEMENT_RECEIVED}
RUNNING = OPEN - {S.SUPPLEMENT_REQUESTED}
MAX_MONTHS = 36


def may_see_reports(user) -> bool:
    """Desk supervisors (the reassignment permission), the board, auditors, administrators."""
    if roles.roles_of(user) & {roles.BOARD, roles.AUDITOR, roles.ADMINISTRATOR}:
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "desk.reassign_application"
    )


@dataclass
class Counts:
    received: int = 0
    returned: int = 0
    on_time: int = 0
    late: int = 0
    apologised: int = 0
    rejected: int = 0
    withdrawn: int = 0
    pending: int = 0
    overdue_now: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """On time ÷ returned, as a fraction (None when nothing was returned)."""
        return self.on_time / self.returned if self.returned else None

    @property
    def on_time_percent(self) -> float | None:
        rate = self.on_time_rate
        return None if rate is None else round(rate * 100, 1)

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Row:
    key: str
    label: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class Report:
    date_from: dt.date
    date_to: dt.date
    today: dt.date
    total: Counts
    by_procedure: list[Row]
    by_agency: list[Row]
    by_month: list[Row]


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    # Vietnam's days (``services.desk_zone``), not the server's: a file received at 00:30 on
    # 1 April is April's on a host kept on UTC too.
    zone = desk_zone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _local_day(value: dt.datetime | None) -> dt.date | None:
    return day_at(value) if value else None


def months_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The first day of every month the period touches."""
    months, month = [], date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def month_label(month: dt.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def build_report(
    date_from: dt.date,
    date_to: dt.date,
    today: dt.date | None = None,
    gates=None,
    now: dt.datetime | None = None,
) -> Report:
    """``gates``: only these gates' desks (a supervisor's own); None: the whole zone."""
    today = today or desk_today()
    now = now or timezone.now()
    start, end = _bounds(date_from, date_to)
    files = Application.objects.filter(
        Q(received_at__gte=start, received_at__lt=end) | Q(closed_at__gte=start, closed_at__lt=end)
    )
    if gates is not None:
        files = files.filter(gate__in=gates)
    files = files.values_list(
        "procedure_id",
        "status",
        "received_at",
        "closed_at",
        "result_at",
        "due_date",
        "new_due_date",
        "due_at",
    )
    by_procedure: dict[int, Counts] = defaultdict(Counts)
    by_month: dict[dt.date, Counts] = defaultdict(Counts)
    for row in files.iterator():
        procedure_id, status, received_at, closed_at, result_at, due, new_due, due_at = row
        received_day, closed_day = _local_day(received_at), _local_day(closed_at)
        here = Counts()
        if date_from <= received_day <= date_to:
            here.received = 1
            if status in OPEN or status == S.RESULT_READY:
                here.pending = 1
                past_moment = new_due is None and due_at is not None and now > due_at
                if status in RUNNING and (today > max(new_due or due, due) or past_moment):
                    here.overdue_now = 1
            by_month[received_day.replace(day=1)].add(here)
            by_procedure[procedure_id].add(here)
        closed = Counts()
        if closed_day and date_from <= closed_day <= date_to:
            if status == S.RETURNED:
                closed.returned = 1
                ready_day = _local_day(result_at) or closed_day
                if due_at is not None:
                    # Counted in hours: ready by its moment, not merely on its day.
                    in_time = (result_at or closed_at) <= due_at
                else:
                    in_time = ready_day <= due
                if in_time:
                    closed.on_time = 1
                else:
                    closed.late = 1
                    # "Late with an apology": a file apologised for but ready by its due date
                    # (a supplement wait moved it) was on time, and is counted so only.
                    closed.apologised = int(new_due is not None)
            elif status == S.REJECTED:
                closed.rejected = 1
            elif status == S.WITHDRAWN:
                closed.withdrawn = 1
            by_month[closed_day.replace(day=1)].add(closed)
            by_procedure[procedure_id].add(closed)

    procedures = Procedure.objects.filter(pk__in=list(by_procedure)).only(
        "key", "name_vi", "name_en", "name_zh", "agency", "agency_en", "agency_zh"
    )
    procedure_rows, agencies, agency_labels = [], defaultdict(Counts), {}
    for procedure in procedures:
        counts = by_procedure[procedure.pk]
        procedure_rows.append(Row(procedure.key, procedure.name, counts))
        # Grouped by the recorded (Vietnamese) name, labelled in the reader's language.
        agencies[procedure.agency].add(counts)
        agency_labels.setdefault(procedure.agency, str(procedure.agency_name))
    procedure_rows.sort(key=lambda r: (-r.counts.received, r.label))
    agency_rows = sorted(
        (Row(name, agency_labels[name], counts) for name, counts in agencies.items()),
        key=lambda r: (-r.counts.received, r.label),
    )
    month_rows = [
        Row(m.strftime("%Y-%m"), month_label(m), by_month.get(m, Counts()))
        for m in months_between(date_from, date_to)
    ]
    total = Counts()
    for row in procedure_rows:
        total.add(row.counts)
    return Report(date_from, date_to, today, total, procedure_rows, agency_rows, month_rows)


def report_for(user, date_from: dt.date, date_to: dt.date) -> Report:
    if not may_see_reports(user):
        raise PermissionDenied(
            _("The desk's reports are for its supervisors, the board, auditors and administrators.")
        )
    if roles.roles_of(user) & {roles.BOARD, roles.AUDITOR, roles.ADMINISTRATOR}:
        return build_report(date_from, date_to)
    # A desk supervisor answers for the desks of their own gates, not for the other gates'.
    gates = user.profile.gates.all() if hasattr(user, "profile") else []
    return build_report(date_from, date_to, gates=gates)


# ---------------------------------------------------------------------------------------------
# Presentation: the columns (page and workbook alike), the note, the chart


def columns() -> list[tuple[str, str]]:
    """(attribute of ``Counts``, heading) in the order the page and the workbook show them."""
    return [
        ("received", _("Files received")),
        ("returned", _("Returned")),
        ("on_time", _("On time")),
        ("late", _("Late")),
        ("on_time_percent", _("On-time rate (%)")),
        ("apologised", _("Late with an apology")),
        ("rejected", _("Refused")),
        ("withdrawn", _("Withdrawn")),
        ("pending", _("Pending")),
        ("overdue_now", _("Overdue now")),
    ]


HOW_COUNTED = gettext_lazy(
    "A file counts as received on the day it was received and as returned on the day its "
    "result was handed back. A returned file is on time when its result was ready on or "
    "before its due date — the appointment date on the receipt, moved only while the desk "
    "waited for a supplement. A new date given with an apology does not make a late file on "
    "time. The on-time rate is on time divided by returned. Pending and overdue now: files "
    "received in the period and still open today; overdue when today is past their "
    "appointment date and the desk is not waiting for the applicant."
)
HOURS_COUNTED = gettext_lazy(
    "A procedure timed in working hours is due at a moment of the desk's office hours "
    "(07:30–11:30 and 13:30–17:00 on working days): its file is on time when its result was "
    "ready by that moment, and overdue from it."
)


def how_counted() -> str:
    return f"{HOW_COUNTED} {HOURS_COUNTED}"


def month_chart(report: Report):
    labels = [row.label for row in report.by_month]
    return charts.line_chart(
        labels,
        [
            # In this order the palette draws late files red and those on time green.
            charts.Series(_("Files received"), [r.counts.received for r in report.by_month]),
            charts.Series(_("Late"), [r.counts.late for r in report.by_month]),
            charts.Series(_("On time"), [r.counts.on_time for r in report.by_month]),
        ],
        title=_("Files per month"),
        description=_("Files received, returned on time and returned late, per month."),
        y_label=_("Files"),
    )


def _sheet_rows(rows: list[Row]) -> list[list]:
    result = []
    for row in rows:
        values = [row.label]
        for name, _heading in columns():
            value = getattr(row.counts, name)
            # The workbook keeps the rate as a fraction, formatted as a percentage.
            values.append(row.counts.on_time_rate if name == "on_time_percent" else value)
        result.append(values)
    return result


def to_xlsx(report: Report) -> bytes:
    """A summary sheet (period, totals, how files count) and one sheet per grouping; every
    count is an integer, the on-time rate a fraction formatted "0.0%"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append([_("Desk report"), ""])
    summary.append([_("From"), report.date_from])
    summary.append([_("To"), report.date_to])
    summary.append([_("Pending counted on"), report.today])
    for name, heading in columns():
        value = getattr(report.total, name)
        summary.append([heading, report.total.on_time_rate if name == "on_time_percent" else value])
    summary.append([_("How files are counted"), how_counted()])
    summary["A1"].font = bold
    for (cell,) in summary.iter_rows(min_row=2, max_row=4, min_col=2, max_col=2):
        cell.number_format = "yyyy-mm-dd"
    rate_row = 5 + [n for n, _h in columns()].index("on_time_percent")
    summary.cell(rate_row, 2).number_format = "0.0%"
    summary.cell(summary.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 80

    headings = [heading for _name, heading in columns()]
    rate_column = 2 + [n for n, _h in columns()].index("on_time_percent")
    for title, first, rows in (
        (_("By procedure"), _("Procedure"), report.by_procedure),
        (_("By agency"), _("Agency"), report.by_agency),
        (_("By month"), _("Month"), report.by_month),
    ):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([first, *headings])
        for cell in sheet[1]:
            cell.font = bold
        for values in _sheet_rows(rows):
            sheet.append([xlsx_text(sheet, value) for value in values])
        total = [_("Total"), *_sheet_rows([Row("", "", report.total)])[0][1:]]
        sheet.append(total)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for (cell,) in sheet.iter_rows(min_row=2, min_col=rate_column, max_col=rate_column):
            cell.number_format = "0.0%"
        sheet.column_dimensions["A"].width = 60 if rows is not report.by_month else 16
        for index in range(2, len(headings) + 2):
            sheet.column_dimensions[get_column_letter(index)].width = 14
        sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
