"""The portal outbox: an event per status change in the change's transaction, published in
order, idempotently, through the file backend; a failing backend keeps them pending."""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from cuakhau.core.errors import FieldErrors
from cuakhau.desk import outbox, services
from cuakhau.desk.models import Application, OutboxEvent
from cuakhau.desk.models import ApplicationStatus as S
from cuakhau.desk.outbox_backends import FileBackend

from .conftest import applicant_data, at, pdf

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 3, 2)


@pytest.fixture(autouse=True)
def outbox_dir(settings, tmp_path):
    settings.DESK_OUTBOX_DIR = tmp_path / "outbox"
    return settings.DESK_OUTBOX_DIR


def _file(catalogue, when=MONDAY, **data):
    return services.file_application(applicant_data(catalogue, **data), [pdf()], now=at(when))


def _through_to_return(application, officer):
    for action in ("transfer", "start", "ready", "return"):
        application = services.act(officer, application, action, result_note="Đã cấp")
    return application


def test_filing_and_every_change_write_one_event_each_in_order(catalogue, desk_officer):
    a = _file(catalogue)
    a = services.act(desk_officer, a, "transfer")
    a = services.act(desk_officer, a, "start")
    a = services.act(desk_officer, a, "request_supplement", reason="Thiếu bản sao hợp đồng")
    events = list(OutboxEvent.objects.filter(application=a))
    assert [e.action for e in events] == ["file", "transfer", "start", "request_supplement"]
    assert [e.status for e in events] == [
        S.RECEIVED,
        S.TRANSFERRED,
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
    ]
    assert [e.portal_status for e in events] == ["2", "4", "4", "5"]
    sequences = [e.sequence for e in events]
    assert sequences == list(range(sequences[0], sequences[0] + 4)), "gap-free and ascending"
    last = events[-1].payload
    assert last["tracking_code"] == a.code and last["previous_status"] == S.PROCESSING
    assert last["reason"] == "Thiếu bản sao hợp đồng"
    assert last["supplement_request"] == "Thiếu bản sao hợp đồng"
    assert last["officer"] == {"username": "motcua", "name": "motcua"}
    assert last["agency"] == catalogue.agency == "Ban Quản lý Khu kinh tế"
    assert last["procedure"]["key"] == catalogue.key
    assert last["due_date"] == "2026-03-16" and last["appointment_date"] == "2026-03-16"
    assert last["received_at"] == "2026-03-02T09:00:00+07:00"
    assert last["clock_stopped_since"] is not None


class _FailAfterTheEvent:
    """A receiver connected after the outbox's, which fails: the change fails once its event
    is written (it records how many events the file had at that moment)."""

    def __init__(self):
        self.seen = []

    def __call__(self, sender, **kwargs):
        self.seen.append(OutboxEvent.objects.filter(application=kwargs["application"]).count())
        raise RuntimeError("a later step of the change failed")


@pytest.fixture
def fail_after_the_event():
    hook = _FailAfterTheEvent()

    def arm():
        services.application_transitioned.connect(hook, dispatch_uid="test-fail")
        return hook

    yield arm
    services.application_transitioned.disconnect(dispatch_uid="test-fail")


def test_a_rolled_back_change_writes_no_event(catalogue, desk_officer, fail_after_the_event):
    a = _file(catalogue)
    before = OutboxEvent.objects.count()
    hook = fail_after_the_event()
    with pytest.raises(RuntimeError):
        services.act(desk_officer, a, "transfer")
    assert hook.seen == [2], "the transfer's event was written, then undone with the change"
    assert OutboxEvent.objects.count() == before
    assert Application.objects.get(pk=a.pk).status == S.RECEIVED
    # A refused change (no reason given) writes none either.
    services.application_transitioned.disconnect(dispatch_uid="test-fail")
    with pytest.raises(FieldErrors):
        services.act(desk_officer, a, "reject")
    assert OutboxEvent.objects.count() == before


def test_a_failed_filing_writes_no_event(catalogue, fail_after_the_event):
    hook = fail_after_the_event()
    with pytest.raises(RuntimeError):
        _file(catalogue)
    assert hook.seen == [1]
    assert not OutboxEvent.objects.exists() and not Application.objects.exists()


def test_the_event_commits_with_the_change_and_not_before(catalogue, desk_officer):
    a = _file(catalogue)
    with transaction.atomic():
        services.act(desk_officer, a, "transfer")
        assert OutboxEvent.objects.filter(application=a, action="transfer").exists()
        transaction.set_rollback(True)
    assert not OutboxEvent.objects.filter(application=a, action="transfer").exists()
    # The counter rolled back too: the next event takes the number the lost one had.
    numbers = list(OutboxEvent.objects.values_list("sequence", flat=True))
    services.act(desk_officer, a, "transfer")
    assert OutboxEvent.objects.get(action="transfer").sequence == max(numbers) + 1


def test_refused_at_reception_and_refused_in_processing_map_differently(catalogue, desk_officer):
    early = services.act(desk_officer, _file(catalogue), "reject", reason="Không thuộc thẩm quyền")
    late = _file(catalogue)
    for action in ("transfer", "start"):
        late = services.act(desk_officer, late, action)
    late = services.act(desk_officer, late, "reject", reason="Không đủ điều kiện")
    assert OutboxEvent.objects.get(application=early, action="reject").portal_status == "3"
    assert OutboxEvent.objects.get(application=late, action="reject").portal_status == "8"


def test_publishing_appends_json_lines_in_order_and_marks_them(catalogue, desk_officer, outbox_dir):
    a = _through_to_return(_file(catalogue), desk_officer)
    result = outbox.publish_pending()
    assert (result.published, result.pending, result.error) == (5, 0, "")
    raw = (outbox_dir / "events.jsonl").read_bytes()
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) == 5 and raw.endswith(b"\n")
    records = [json.loads(line) for line in lines]
    assert [r["action"] for r in records] == ["file", "transfer", "start", "ready", "return"]
    assert [r["portal_status"] for r in records] == ["2", "4", "4", "9", "10"]
    assert [r["sequence"] for r in records] == sorted(r["sequence"] for r in records)
    # UTF-8 as is (a connector reads Vietnamese without \u escapes), one compact object a line.
    assert "Lò Thị Mai" in lines[0] and ": " not in lines[0]
    assert records[-1]["tracking_code"] == a.code and records[-1]["closed_at"]
    assert records[-1]["format"] == "cuakhau.desk.status/1"
    assert not outbox.pending().exists()
    assert all(e.published_at for e in OutboxEvent.objects.all())


def test_publishing_again_never_duplicates(catalogue, desk_officer, outbox_dir):
    a = _file(catalogue)
    outbox.publish_pending()
    # The publisher crashed after the file was written but before marking: the same events
    # go again, and the file keeps one line each.
    OutboxEvent.objects.update(published_at=None)
    services.act(desk_officer, a, "transfer")
    result = outbox.publish_pending()
    assert result.published == 2
    records = FileBackend(outbox_dir).read()
    assert [r["action"] for r in records] == ["file", "transfer"]
    assert FileBackend(outbox_dir).publish([records[0]]) == [records[0]["sequence"]]
    assert len(FileBackend(outbox_dir).read()) == 2


def test_a_torn_last_line_is_cut_before_appending(catalogue, desk_officer, outbox_dir):
    a = _file(catalogue)
    outbox.publish_pending()
    path = outbox_dir / "events.jsonl"
    with open(path, "ab") as handle:
        handle.write(b'{"sequence": 99, "trunc')  # a crash in the middle of a write
    services.act(desk_officer, a, "transfer")
    outbox.publish_pending()
    records = FileBackend(outbox_dir).read()
    assert [r["action"] for r in records] == ["file", "transfer"]


class _Broken:
    def publish(self, events):
        raise OSError("portal unreachable")


class _Partial:
    """Keeps only the first event it is given (a connector that stopped halfway)."""

    def __init__(self):
        self.seen = []

    def publish(self, events):
        self.seen.extend(e["sequence"] for e in events)
        return [events[0]["sequence"], events[-1]["sequence"]]


def test_a_failed_backend_keeps_the_events_pending(catalogue, desk_officer, settings):
    a = _file(catalogue)
    services.act(desk_officer, a, "transfer")
    result = outbox.publish_pending(_Broken())
    assert result.published == 0 and result.pending == 2 and "portal unreachable" in result.error
    event = outbox.pending().first()
    assert event.attempts == 1 and "portal unreachable" in event.last_error
    # The command fails loudly (cron, monitoring) and keeps them too.
    settings.DESK_OUTBOX_BACKEND = f"{__name__}._Broken"
    with pytest.raises(CommandError):
        call_command("desk_outbox", "publish")
    assert outbox.pending().count() == 2


def test_only_an_unbroken_prefix_is_marked(catalogue, desk_officer):
    a = _file(catalogue)
    for action in ("transfer", "start"):
        a = services.act(desk_officer, a, action)
    # Acknowledging the first and the last but not the middle one: the last stays pending too,
    # so publication resumes at the gap and nothing is skipped.
    result = outbox.publish_pending(_Partial())
    assert result.published == 1 and result.pending == 2
    assert [e.action for e in outbox.pending()] == ["transfer", "start"]


def test_the_command_publishes_and_the_task_too(catalogue, desk_officer, outbox_dir, capsys):
    a = _file(catalogue)
    call_command("desk_outbox", "publish")
    assert "published: 1; pending: 0" in capsys.readouterr().out
    services.act(desk_officer, a, "transfer")
    call_command("desk_outbox", "status")
    assert "pending: 1" in capsys.readouterr().out
    assert outbox.publish_outbox_task.func() == 1
    assert len(FileBackend(outbox_dir).read()) == 2


def test_a_committed_change_queues_a_publication(
    catalogue, desk_officer, django_capture_on_commit_callbacks
):
    a = _file(catalogue)
    with (
        mock.patch.object(outbox, "enqueue_publication") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.act(desk_officer, a, "transfer")
    assert enqueue.called


def test_the_workers_sweep_publishes_what_a_lost_task_left_pending(
    catalogue, desk_officer, outbox_dir
):
    from cuakhau.core.management.commands.worker import sweep

    _file(catalogue)  # its publication task is never run: as if the worker died with it
    assert outbox.pending().count() == 1
    sweep()
    assert not outbox.pending().exists()
    assert len((outbox_dir / "events.jsonl").read_bytes().splitlines()) == 1
    sweep()  # nothing pending: nothing written again
    assert len((outbox_dir / "events.jsonl").read_bytes().splitlines()) == 1
