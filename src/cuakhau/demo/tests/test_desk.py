"""The demo's one-stop desk files: made through the desk's services over the demo's days, in
every stage of a file's life, at the desks of the demo gates, and read by the desk's pages."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.conftest import person
from cuakhau.demo import desk, generator
from cuakhau.desk import services
from cuakhau.desk.loading import load_all
from cuakhau.desk.models import Application, ApplicationStatus
from cuakhau.notify.models import Message

pytestmark = pytest.mark.django_db
S = ApplicationStatus
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def desk_data_dir(settings, tmp_path):
    settings.DESK_DOCUMENT_DIR = tmp_path / "desk-documents"


def last_weekday_afternoon() -> dt.datetime:
    """The last working afternoon before now (15:00 at the desks): every step is in the past."""
    day = timezone.localdate(timezone=ZONE) - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(15), tzinfo=ZONE)


@pytest.fixture
def world(reference_data, mlt, hng):
    load_all()
    motcua = person("motcua", roles.DESK, gates=[mlt, hng])
    other = person("motcua_hn", roles.DESK, gates=[hng])
    # The demo's enterprises, Vietnamese and Chinese (their tax codes are the demo's).
    for n, tax_code in enumerate(list(generator.organisation_tax_codes().values())):
        country = "CN" if len(tax_code) == 18 else "VN"
        Organisation.objects.create(name=f"Demo {country} {n}", country=country, tax_code=tax_code)
    return motcua, other


def snapshot():
    return sorted(
        Application.objects.values_list(
            "code", "status", "procedure__key", "received_at", "applicant_name", "due_date"
        )
    )


def test_the_desk_stage_files_every_stage_through_the_services(world, client, mlt, hng):
    motcua, other = world
    now = last_weekday_afternoon()
    counts = desk.stage_desk(seed=7, days=30, now=now)
    assert counts["refused"] == 0
    files = list(Application.objects.select_related("gate", "assignee", "procedure"))
    assert len(files) >= 40 and {f.gate for f in files} == {mlt, hng}
    states = Counter(f.status for f in files)
    for state in (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.RETURNED, S.REJECTED):
        assert states[state], state
    # Every procedure that can be filed, the one timed in working hours too.
    assert {f.procedure for f in files} == set(services.fileable_procedures())
    assert any(f.processing_hours for f in files)
    # Applicants: Vietnamese and Chinese enterprises, private persons.
    names = {f.organisation_name for f in files}
    assert "" in names and {n[:7] for n in names} >= {"Demo VN", "Demo CN"}
    # Weekdays, office hours; a few received today.
    local = [timezone.localtime(f.received_at, ZONE) for f in files]
    assert all(m.weekday() < 5 and dt.time(7, 30) <= m.time() <= dt.time(17) for m in local)
    assert sum(m.date() == now.date() for m in local) >= 1
    # Assigned to the gate's desk officers, motcua among them.
    assignees = {f.assignee for f in files if f.assignee}
    assert motcua in assignees and other in assignees
    assert all(services.works_at(f.assignee, f.gate) for f in files if f.assignee)
    today = now.date()
    calendar = services.calendar_for(range(today.year - 1, today.year + 3))
    overdue = late_apologised = resumed = 0
    for f in files:
        # Due dates are the service's, waits for a supplement counted.
        assert f.due_date == services.compute_due(f, calendar)
        steps = list(f.transitions.order_by("at", "id"))
        assert steps[0].action == "file" and steps[0].at == f.received_at
        assert [s.at for s in steps] == sorted(s.at for s in steps) and steps[-1].at < now
        assert steps[-1].to_status == f.status
        assert all(s.actor is not None for s in steps[1:])
        actions = [s.action for s in steps]
        resumed += "resume" in actions
        if f.status == S.RETURNED and f.new_due_date and "apologise" in actions:
            late_apologised += services.day_at(f.result_at, f.gate) > f.due_date
        if f.status == S.REJECTED:
            assert steps[-1].reason
        overdue += services.standing(f, calendar, on=today, now=now).overdue
    assert resumed and late_apologised and overdue
    # The desk officer's queue lists them.
    client.force_login(motcua)
    page = client.get(reverse("desk:queue"))
    assert page.status_code == 200
    waiting = next(f for f in files if f.status == S.SUPPLEMENT_REQUESTED)
    assert waiting.code in page.content.decode()
    assert "files" in desk.summary(now) and "on time" in desk.summary(now)


def test_the_same_seed_makes_the_same_files_and_a_second_run_replaces_them(world):
    now = last_weekday_afternoon()
    desk.stage_desk(seed=3, days=8, now=now)
    first, messages = snapshot(), set(Message.objects.values_list("pk", flat=True))
    assert first and messages
    desk.stage_desk(seed=3, days=8, now=now)
    assert snapshot() == first
    # The applicants' messages are the second run's, not the first's kept beside them.
    again = set(Message.objects.values_list("pk", flat=True))
    assert len(again) == len(messages) and not again & messages
