"""The demo's one-stop desk files: applications received at each demo gate's desk over the
demo's working days, at the counter and online, from the demo's enterprises (Vietnamese and
Chinese) and private persons, every procedure that can be filed used, and every stage of a
file's life: received, assigned, in progress, waiting for a supplement then resumed, returned
on time, returned late with an apology, overdue now, rejected with a reason, received today.

Every step goes through ``desk.services`` (so each is recorded with who and when, and every
due date is the service's), on a clock set back to the moment it happened: the services stamp
"now". Fewer files in the far past than in the last weeks keep the stage quick (each step is
a few queries and a message to the applicant).

Called by the ``demo`` command after the trips; deterministic for a seed (tracking codes too);
a second run replaces the files it made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
from collections import Counter
from types import SimpleNamespace
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.desk import calendar as wd
from cuakhau.desk import codes, services
from cuakhau.desk.models import Application, ApplicationStatus, FilingChannel, OutboxEvent
from cuakhau.desk.reports import build_report
from cuakhau.notify.models import Message

logger = logging.getLogger("cuakhau.demo")
S = ApplicationStatus
GATES = ["hng", "tth", "kth", "mlt"]
# Files a working day at each desk, in the last weeks: the centre at Ma Lù Thàng receives most.
DAILY = {"mlt": (4, 10), "hng": (2, 6), "tth": (2, 4), "kth": (1, 3)}
# Working days before today at the full volume; before them a file in ``THIN`` is kept (the
# older files only feed the reports, and each costs its steps' time).
RECENT_DAYS = 5
THIN = 16
ONLINE_SHARE = 0.3
DEMO_NOTE = "Hồ sơ mẫu của bản demo (example file)."
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PERSONS = [
    ("Lò Thị Mai", "vi", "Xã Ma Ly Pho, Phong Thổ, Lai Châu"),
    ("Nguyễn Văn Hùng", "vi", "Phường Đông Kinh, Lạng Sơn"),
    ("Hoàng Thị Lan", "vi", "Thị trấn Đồng Đăng, Cao Lộc, Lạng Sơn"),
    ("Vi Văn Dũng", "vi", "Xã Tân Thanh, Văn Lãng, Lạng Sơn"),
    ("Đặng Văn Thắng", "vi", "Thị trấn Sa Pa, Lào Cai"),
    ("Tẩn Thị Sử", "vi", "Xã Huổi Luông, Phong Thổ, Lai Châu"),
    ("王建国", "zh-hans", "广西凭祥市友谊镇"),
    ("李秀英", "zh-hans", "云南金平县金水河镇"),
    ("Chu Thị Hà", "vi", "Xã Thụy Hùng, Văn Lãng, Lạng Sơn"),
    ("Phan Minh Tuấn", "vi", "Phường Kim Tân, Lào Cai"),
]
SUPPLEMENTS = [
    "Bổ sung bản sao có chứng thực giấy chứng nhận đăng ký doanh nghiệp.",
    "Bổ sung bản vẽ mặt bằng có chữ ký, đóng dấu của đơn vị thiết kế.",
    "Bổ sung hợp đồng lao động đã dịch sang tiếng Việt.",
    "Ảnh chân dung không đúng quy cách: nộp lại ảnh 4x6 nền trắng.",
]
REJECTIONS = [
    "Dự án không thuộc thẩm quyền của Ban Quản lý Khu kinh tế.",
    "Người nộp không phải cư dân biên giới của xã giáp biên.",
    "Hồ sơ nộp lần thứ hai vẫn thiếu giấy tờ theo quy định.",
    "Ngành nghề đăng ký không được phép đầu tư tại khu kinh tế cửa khẩu.",
]
RESULTS = ["Đã cấp, trả tại bộ phận một cửa.", "Kết quả đã ký, mời nhận tại quầy."]

# A file's fate, with its weight: what the desk did with it (a step after "now" not yet).
FATES = [
    ("on_time", 62),
    ("supplement", 14),
    ("late_apology", 9),
    ("forgotten", 5),  # still in progress past its due date: overdue now
    ("rejected", 7),
    ("waiting", 3),  # waiting for a supplement still
]


@contextlib.contextmanager
def _calendars_kept():
    """The working calendars built once for the stage (every step asks for its years' days off,
    and building them is a tenth of the stage's time; the official schedule does not change
    while it runs)."""
    built = {}
    original = services.calendar_for

    def calendar_for(years):
        key = tuple(sorted(set(years)))
        if key not in built:
            built[key] = original(key)
        return built[key]

    with mock.patch.object(services, "calendar_for", calendar_for):
        yield


@contextlib.contextmanager
def _clock(moment: dt.datetime):
    """The services' "now" at ``moment``: every step stamped when it happened."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def demo_files():
    """The files this stage makes (marked as example files in their note, as the registers'
    example rows are: a second run replaces these and no one else's)."""
    return Application.objects.filter(gate__code__in=GATES, note=DEMO_NOTE)


def _officers(gate) -> list:
    # The gate's own desk officers (motcua among them), not the administrators.
    return [u for u in services.desk_officers(gate) if roles.DESK in roles.roles_of(u)]


def _applicants(rng: random.Random) -> list[dict]:
    from cuakhau.demo.generator import demo_organisations

    people = []
    for org in demo_organisations().order_by("tax_code"):
        chinese = org.country == "CN"
        people.append(
            {
                "applicant_name": rng.choice(
                    ["张伟", "刘洋", "陈静"] if chinese else [p[0] for p in PERSONS[:6]]
                ),
                "organisation_name": org.name,
                "id_number": org.tax_code or "",
                "address": org.address or "",
                "language": "zh-hans" if chinese else "vi",
            }
        )
    for name, language, address in PERSONS:
        people.append(
            {"applicant_name": name, "organisation_name": "", "id_number": "",
             "address": address, "language": language}
        )  # fmt: skip
    return people


class _Desk:
    def __init__(self, rng, now, calendar, procedures, applicants):
        self.rng = rng
        self.now = now
        self.calendar = calendar
        self.procedures = procedures
        self.applicants = applicants
        self.n = 0

    def moment(self, gate, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A moment of ``day``'s office hours at ``gate``'s desk, after ``after``."""
        periods = self.calendar.open_periods(day) or [
            (dt.datetime.combine(day, dt.time(8)), dt.datetime.combine(day, dt.time(16)))
        ]
        start, end = self.rng.choice(periods)
        wall = start + (end - start) * self.rng.random()
        moment = wall.replace(tzinfo=services.desk_zone(gate))
        if after is not None and moment <= after:
            moment = after + dt.timedelta(minutes=self.rng.randint(5, 90))
        return moment

    def after(self, day: dt.date, n: int) -> dt.date:
        return wd.add_working_days(day, n, self.calendar)

    def file(self, gate, officers, day: dt.date, moment: dt.datetime, counts: Counter):
        rng = self.rng
        procedure = self.procedures[self.n % len(self.procedures)]
        self.n += 1
        who = rng.choice(self.applicants)
        data = {
            **who,
            "procedure": procedure.key,
            "gate": gate.code,
            "phone": f"09{rng.randrange(10**7, 10**8)}",
            "email": "",
            "note": DEMO_NOTE,
        }
        officer = rng.choice(officers)
        # On a day off only online filings come in (received at the next opening).
        online = rng.random() < ONLINE_SHARE or not self.calendar.is_working_day(day)
        with _clock(moment):
            if online:
                document = SimpleUploadedFile("don-de-nghi.pdf", PDF, "application/pdf")
                application = services.file_application(data, [document], now=moment)
            else:
                application = services.file_application(
                    data, actor=officer, channel=FilingChannel.COUNTER, now=moment
                )
        counts["filed"] += 1
        return application, officer, online

    def live(self, gate, officers, day: dt.date, counts: Counter) -> None:
        """One file received on ``day``, and what happened to it up to now."""
        rng = self.rng
        moment = self.moment(gate, day)
        if moment >= self.now:
            return
        application, officer, online = self.file(gate, officers, day, moment, counts)
        fate = rng.choices([f for f, _w in FATES], [w for _f, w in FATES])[0]
        steps: list[tuple[str, dt.datetime, dict]] = []
        at = moment
        if online:
            at = self.moment(gate, day, at)
            steps.append(("take", at, {}))
        if fate == "rejected" and rng.random() < 0.5:
            steps.append(
                (
                    "reject",
                    self.moment(gate, self.after(day, 1), at),
                    {"reason": rng.choice(REJECTIONS)},
                )
            )
        else:
            at = self.moment(gate, day, at)
            steps.append(("transfer", at, {}))
            at = self.moment(gate, self.after(day, 1), at)
            steps.append(("start", at, {}))
            due = application.due_date
            work_day = self.after(day, 1)
            if fate == "rejected":
                steps.append(
                    (
                        "reject",
                        self.moment(gate, self.after(work_day, 1), at),
                        {"reason": rng.choice(REJECTIONS)},
                    )
                )
            elif fate in ("supplement", "waiting"):
                at = self.moment(gate, self.after(work_day, 1), at)
                steps.append(("request_supplement", at, {"reason": rng.choice(SUPPLEMENTS)}))
                if fate == "supplement":
                    back = self.after(at.date(), rng.randint(2, 5))
                    at = self.moment(gate, back, at)
                    steps.append(("receive_supplement", at, {}))
                    at = at + dt.timedelta(minutes=rng.randint(10, 60))
                    steps.append(("resume", at, {}))
                    # Ready before the due date the wait moved (counted when the steps run).
                    steps.append(("ready_by_due", at, {}))
            elif fate == "on_time":
                steps.append(("ready_by_due", at, {}))
            elif fate == "late_apology":
                steps.append(("late", at, {}))
            # "forgotten": started, then nothing by its due date.
            del due
        self.run(application, officer, gate, steps, counts)

    def run(self, application, officer, gate, steps, counts: Counter) -> None:
        rng = self.rng
        queue = list(steps)
        while queue:
            action, at, extra = queue.pop(0)
            if action == "ready_by_due":
                # Ready on a working day up to the due date (counted by the service), the result
                # collected within a few days.
                due = application.due_date
                start = max(at.date(), wd.next_working_day(at.date(), self.calendar))
                if start > due:
                    start = due
                span = max(0, wd.working_days_between(start, due, self.calendar))
                ready_day = self.after(start, rng.randint(0, span)) if span else start
                if application.due_at is not None:
                    ready = min(
                        application.due_at - dt.timedelta(minutes=rng.randint(10, 120)),
                        self.moment(gate, ready_day, at),
                    )
                    ready = max(ready, at + dt.timedelta(minutes=5))
                else:
                    ready = self.moment(gate, ready_day, at)
                back = self.moment(gate, self.after(ready.date(), rng.randint(0, 3)), ready)
                queue[:0] = [
                    ("ready", ready, {"result_note": rng.choice(RESULTS)}),
                    ("return", back, {}),
                ]
                continue
            if action == "late":
                # On the due date the desk sees it will be late: an apology with a new date two
                # or three working days on, the result ready after the due date, before that.
                due = application.due_date
                apology = self.moment(gate, due, at)
                new_date = self.after(due, rng.randint(2, 3))
                ready = self.moment(gate, self.after(due, 1), apology)
                back = self.moment(gate, new_date, ready)
                queue[:0] = [
                    (
                        "apologise",
                        apology,
                        {"reason": "Cần thêm thời gian thẩm định hồ sơ.", "new_date": new_date},
                    ),
                    ("ready", ready, {"result_note": rng.choice(RESULTS)}),
                    ("return", back, {}),
                ]
                continue
            if at >= self.now:
                return
            try:
                with _clock(at):
                    if action == "take":
                        application = services.take(officer, application)
                    else:
                        application = services.act(officer, application, action, **extra)
            except (FieldErrors, StateRefused, IllegalTransition) as exc:
                # A plan the service refuses stops the file there (the tests expect none).
                counts["refused"] += 1
                logger.warning("demo desk: %s refused on %s: %s", action, application.code, exc)
                return
            counts[action] += 1


def stage_desk(seed: int = 2025, days: int = 90, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    rng = random.Random(seed)
    code_rng = random.Random(f"{seed}:desk-codes")
    counts: Counter = Counter()
    procedures = sorted(services.fileable_procedures(), key=lambda p: p.key)
    gates = [g for g in services.desk_gates() if g.code in GATES]
    if not procedures or not gates:
        return counts
    with transaction.atomic():
        # The portal's events of the example files go with them (kept from deletion otherwise),
        # and the messages to their applicants: a second run with the seed's same codes would
        # find them by their keys and leave the earlier run's words in place of its own.
        OutboxEvent.objects.filter(application__in=demo_files()).delete()
        for code in demo_files().values_list("code", flat=True):
            Message.objects.filter(dedupe_key__startswith=f"desk:{code}:").delete()
        demo_files().delete()
        applicants = _applicants(rng)
        seeded_codes = SimpleNamespace(choice=code_rng.choice)
        with mock.patch.object(codes, "secrets", seeded_codes), _calendars_kept():
            for gate in gates:
                officers = _officers(gate)
                if not officers:
                    continue
                today = services.day_at(now, gate)
                calendar = services.calendar_for(range(today.year - 1, today.year + 2))
                desk = _Desk(rng, now, calendar, procedures, applicants)
                day = today - dt.timedelta(days=days)
                working = []
                while day <= today:
                    if calendar.is_working_day(day) and day.weekday() < 5 or day == today:
                        working.append(day)
                    day += dt.timedelta(days=1)
                low, high = DAILY.get(gate.code, (2, 5))
                for n, day in enumerate(reversed(working)):
                    files = rng.randint(low, high)
                    if n > RECENT_DAYS:
                        files = sum(rng.random() < 1 / THIN for _ in range(files))
                    for _ in range(files):
                        desk.live(gate, officers, day, counts)
    return counts


def summary(now: dt.datetime | None = None) -> str:
    files = demo_files()
    by_state = Counter(files.values_list("status", flat=True))
    states = ", ".join(
        f"{S(code).label} {n}" for code, n in sorted(by_state.items(), key=lambda kv: -kv[1])
    )
    first = files.order_by("received_at").values_list("received_at", flat=True).first()
    rate = None
    if first is not None:
        today = services.today()
        report = build_report(services.day_at(first), today, today=today, now=now)
        rate = report.total.on_time_percent
    share = "-" if rate is None else f"{rate:.0f}%"
    return f"{sum(by_state.values())} files ({states}); returned on time {share}"
