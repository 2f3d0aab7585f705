"""Filing, stages, the supplement pause, apology, reassignment, the look-up, uploads."""

import datetime as dt
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.desk import codes, services
from cuakhau.desk.models import ApplicationStatus as S
from cuakhau.desk.models import ProcedureVersion
from cuakhau.notify.messages import in_language, render
from cuakhau.notify.models import Message

from .conftest import PNG, applicant_data, at, pdf

pytestmark = pytest.mark.django_db
D = dt.date


def _file(catalogue, when, **data):
    return services.file_application(applicant_data(catalogue, **data), [pdf()], now=at(when))


def test_online_filing_gives_a_code_a_deadline_and_tells_the_applicant(catalogue):
    # Amendment of an investment certificate: 10 working days. Filed Thursday 12 Feb 2026,
    # the Tết week (16–20 Feb) is skipped: Fri 13, 23–27 Feb, 2–5 Mar → Thu 5 Mar.
    a = _file(catalogue, D(2026, 2, 12))
    assert codes.normalise_code(a.code) == a.code
    assert a.status == S.RECEIVED and a.receipt_day == D(2026, 2, 12)
    assert a.due_date == D(2026, 3, 5) == a.appointment_date
    assert a.phone == "84912345678"
    assert a.documents.get().content_type == "application/pdf"
    assert a.transitions.get().action == "file"
    message = Message.objects.get(template="desk_received")
    assert (
        a.code in message.context["code"]
        and in_language(message.context["due"], "vi") == "05/03/2026"
    )


def test_filed_on_a_saturday_counts_from_monday(catalogue):
    a = _file(catalogue, D(2026, 3, 7))
    assert a.receipt_day == D(2026, 3, 9)
    assert a.due_date == D(2026, 3, 23)


def test_the_message_speaks_the_applicants_language(catalogue):
    _file(catalogue, D(2026, 3, 2), language="zh-hans")
    message = Message.objects.get(template="desk_received")
    assert message.language == "zh-hans"
    assert render(message.template, message.language, message.context).text.startswith("您的申请")
    assert in_language(message.context["procedure"], "zh-hans").startswith("投资登记证变更")


def test_the_notifications_page_reads_a_chinese_applicants_message_in_its_readers_language(
    catalogue, desk_officer
):
    """Sent in Chinese, read on the notifications page by a Vietnamese officer: the status,
    the procedure and the date in Vietnamese, not in the applicant's language."""
    from django.utils import translation

    a = _file(catalogue, D(2026, 3, 2), language="zh-hans")
    services.act(desk_officer, a, "transfer")
    message = Message.objects.get(template="desk_status")
    with translation.override("vi"):
        summary = message.summary
        procedure = in_language(message.context["procedure"], None)
        received = Message.objects.get(template="desk_received")
        due = in_language(received.context["due"], None)
        assert summary == f"Hồ sơ {a.code}: {S.TRANSFERRED.label}"
    assert procedure == a.procedure.name_vi and due == a.appointment_date.strftime("%d/%m/%Y")
    sent = render(message.template, message.language, message.context).text
    assert a.procedure.name_zh in sent
    with translation.override("zh-hans"):
        assert str(S.TRANSFERRED.label) in sent


def test_refused_input_names_the_fields(catalogue):
    with pytest.raises(FieldErrors) as exc:
        services.file_application(
            {**applicant_data(catalogue, phone="abc", applicant_name=""), "procedure": "nope"}, []
        )
    assert {"phone", "applicant_name", "procedure", "documents"} <= set(exc.value.errors)


def test_a_procedure_without_known_days_cannot_be_filed(catalogue):
    from cuakhau.desk.models import Procedure

    unknown = Procedure.objects.get(key__startswith="permit-for-a-vehicle")
    assert not unknown.can_be_filed and unknown.confidence == "uncertain"
    with pytest.raises(FieldErrors) as exc:
        services.file_application(applicant_data(unknown), [pdf()])
    assert "procedure" in exc.value.errors


@pytest.mark.parametrize(
    "name,content",
    [
        ("hoa-don.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # a Windows program named .pdf
        ("anh.png", b"\x7fELF\x02\x01\x01\x00"),
        ("to-khai.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("ho-so.pdf", b"PK\x03\x04\x14\x00\x00\x00"),
        ("ghi-chu.pdf", b"<html><script>alert(1)</script>"),
    ],
)
def test_uploads_are_judged_by_their_content(catalogue, name, content):
    with pytest.raises(FieldErrors) as exc:
        services.file_application(
            applicant_data(catalogue), [pdf(), SimpleUploadedFile(name, content)]
        )
    assert list(exc.value.errors) == ["documents.1"]
    assert name in exc.value.errors["documents.1"][0]


def test_an_oversize_upload_is_refused(catalogue, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = pdf(content=b"%PDF-1.7\n" + b"0" * 2048)
    with pytest.raises(FieldErrors) as exc:
        services.file_application(applicant_data(catalogue), [big])
    assert "documents.0" in exc.value.errors


def test_a_file_just_over_the_limit_is_said_to_be_over_it(catalogue, settings):
    from django.utils import translation

    from cuakhau.core.documents import sizes_said

    limit = 5 * 1048576
    # One byte over read "5.0 MB; the limit is 5 MB": the bytes show the difference.
    assert sizes_said(limit + 1, limit) == ("5,242,881 B", "5,242,880 B")
    with translation.override("vi"):
        assert sizes_said(int(7.25 * 1048576), limit) == ("7,2 MB", "5 MB")
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(FieldErrors) as exc:
        services.file_application(
            applicant_data(catalogue), [pdf(content=b"%PDF-1.7\n" + b"0" * 2048)]
        )
    assert "0.0 MB" not in exc.value.errors["documents.0"][0]


def test_documents_are_stored_with_random_names_under_the_data_dir(catalogue, settings):
    a = services.file_application(
        applicant_data(catalogue), [pdf("../../etc/passwd.pdf"), SimpleUploadedFile("a.png", PNG)]
    )
    names = [d.stored_name for d in a.documents.all()]
    assert all("passwd" not in n and "/" not in n for n in names)
    assert names[0].endswith(".pdf") and names[1].endswith(".png")
    assert (settings.DESK_DOCUMENT_DIR / names[0]).read_bytes().startswith(b"%PDF")


def _officer_moves(officer, a, *actions):
    for action in actions:
        a = services.act(officer, a, action)
    return a


def test_the_stages_to_the_result(catalogue, desk_officer):
    a = _file(catalogue, D(2026, 3, 2))
    a = _officer_moves(desk_officer, a, "transfer", "start")
    a = services.act(desk_officer, a, "ready", result_note="Giấy chứng nhận điều chỉnh lần 2")
    a = services.act(desk_officer, a, "return")
    assert a.status == S.RETURNED and a.closed_at and a.result_at
    steps = [(t.action, t.to_status, t.actor_id) for t in a.transitions.all()]
    assert steps == [
        ("file", S.RECEIVED, None),
        ("transfer", S.TRANSFERRED, desk_officer.pk),
        ("start", S.PROCESSING, desk_officer.pk),
        ("ready", S.RESULT_READY, desk_officer.pk),
        ("return", S.RETURNED, desk_officer.pk),
    ]
    assert Message.objects.filter(dedupe_key__startswith=f"desk:{a.code}").count() == 5
    assert Message.objects.filter(template="desk_result_ready").exists()


def test_an_illegal_step_is_refused_and_changes_nothing(catalogue, desk_officer):
    a = _file(catalogue, D(2026, 3, 2))
    with pytest.raises(IllegalTransition):
        services.act(desk_officer, a, "return")
    a.refresh_from_db()
    assert a.status == S.RECEIVED and a.transitions.count() == 1


def test_only_desk_officers_move_files(catalogue, enterprise):
    a = _file(catalogue, D(2026, 3, 2))
    with pytest.raises(services.DeskPermissionDenied):
        services.act(enterprise, a, "transfer")
    with pytest.raises(services.DeskPermissionDenied):
        services.file_application(
            applicant_data(catalogue), [], actor=enterprise, channel="counter"
        )


def test_a_supplement_stops_the_clock_and_restarts_it(catalogue, desk_officer):
    # Received Mon 2 Mar 2026 (10 days → Mon 16 Mar). Supplement requested Wed 4 Mar, received
    # Tue 10 Mar: Thu 5 – Tue 10 (4 working days) are not counted → Fri 20 Mar.
    a = _file(catalogue, D(2026, 3, 2))
    assert a.due_date == D(2026, 3, 16)
    a = _officer_moves(desk_officer, a, "transfer", "start")
    with mock.patch.object(services, "today", return_value=D(2026, 3, 4)):
        with pytest.raises(FieldErrors):
            services.act(desk_officer, a, "request_supplement")  # a reason is required
        a = services.act(desk_officer, a, "request_supplement", reason="Thiếu báo cáo tình hình")
        assert services.standing(a).clock_stopped
    with mock.patch.object(services, "today", return_value=D(2026, 3, 10)):
        a = services.act(desk_officer, a, "receive_supplement", documents=[pdf("bao-cao.pdf")])
    assert a.due_date == D(2026, 3, 20)
    assert a.pauses == [["2026-03-04", "2026-03-10"]]
    assert a.documents.filter(purpose="supplement").count() == 1
    assert Message.objects.filter(template="desk_supplement").exists()
    a = services.act(desk_officer, a, "resume")
    assert a.status == S.PROCESSING


def test_late_file_apology_gives_one_new_date(catalogue, desk_officer):
    a = _file(catalogue, D(2026, 3, 2))
    with pytest.raises(FieldErrors):
        services.act(desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=D(2026, 3, 1))
    with mock.patch.object(services, "today", return_value=D(2026, 3, 17)):
        a = services.act(
            desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=D(2026, 3, 25)
        )
    assert a.appointment_date == D(2026, 3, 25) and a.due_date == D(2026, 3, 16)
    assert a.status == S.RECEIVED
    record = a.transitions.get(action="apologise")
    assert record.data == {"old_due": "2026-03-16", "new_due": "2026-03-25"}
    assert "apologise" not in services.allowed_actions(desk_officer, a)
    with pytest.raises(FieldErrors):
        services.act(desk_officer, a, "apologise", reason="Lần nữa", new_date=D(2026, 3, 30))
    message = Message.objects.get(template="desk_apology")
    assert in_language(message.context["due"], "vi") == "25/03/2026"


@pytest.mark.parametrize("new_date", [D(2026, 11, 4), D(2026, 12, 4), D(2026, 12, 7)])
def test_an_apology_gives_a_day_still_to_come(catalogue, desk_officer, new_date):
    # Due Tue 3 Nov 2026, apologised for on Mon 7 Dec: a day already gone would leave the file
    # overdue under a date the applicant is told and that cannot be given twice.
    a = _file(catalogue, D(2026, 10, 20))
    assert a.due_date == D(2026, 11, 3)
    with mock.patch.object(services, "today", return_value=D(2026, 12, 7)):
        with pytest.raises(FieldErrors) as refused:
            services.act(desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=new_date)
        assert refused.value.errors == {
            "new_date": ["The new date must be after today, 7 Dec 2026."]
        }
        a.refresh_from_db()
        assert a.new_due_date is None and not Message.objects.filter(template="desk_apology")
        a = services.act(
            desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=D(2026, 12, 8)
        )
    assert a.appointment_date == D(2026, 12, 8)


def test_overdue_and_soon_due(catalogue):
    a = _file(catalogue, D(2026, 3, 2))  # due Mon 16 Mar
    assert services.standing(a, on=D(2026, 3, 5)).soon_due is False
    soon = services.standing(a, on=D(2026, 3, 12))
    assert soon.soon_due and soon.days_left == 2
    late = services.standing(a, on=D(2026, 3, 18))
    assert late.overdue and late.late_by == 2


def test_a_supervisor_reassigns_an_officer_does_not(catalogue, desk_officer, supervisor):
    a = _file(catalogue, D(2026, 3, 2))
    a = services.take(desk_officer, a)
    assert a.assignee == desk_officer
    with pytest.raises(StateRefused, match="already assigned"):
        services.take(supervisor, a)
    with pytest.raises(services.DeskPermissionDenied):
        services.reassign(desk_officer, a, supervisor)
    a = services.reassign(supervisor, a, supervisor)
    assert a.assignee == supervisor
    record = a.transitions.get(action="reassign")
    assert record.actor == supervisor and record.data == {"from": "motcua", "to": "truongbophan"}


def test_track_needs_the_phone_and_says_the_same_for_every_miss(catalogue):
    a = _file(catalogue, D(2026, 3, 2))
    assert services.track(a.code, "+84 912 345 678") == a
    assert services.track(a.code.lower().replace("-", " "), "0912345678") == a
    assert services.track(a.code, "0987654321") is None
    assert services.track(codes.new_code(), "0912345678") is None
    assert services.track("MC-XXXXXXXXX", "0912345678") is None


def test_track_is_throttled_per_address(catalogue, settings):
    from cuakhau.core.context import RequestContext

    settings.DESK_TRACKING_LIMIT = 3
    a = _file(catalogue, D(2026, 3, 2))
    here = RequestContext(channel="web", remote_addr="203.0.113.7")
    for _ in range(3):
        services.track(codes.new_code(), "0912345678", here)
    with pytest.raises(services.TooManyAttempts):
        services.track(a.code, "0912345678", here)
    there = RequestContext(channel="web", remote_addr="203.0.113.8")
    assert services.track(a.code, "0912345678", there) == a


def test_codes_catch_typos():
    code = codes.new_code()
    body = code[3:]
    wrong = body[0] + ("A" if body[1] != "A" else "B") + body[2:]
    assert codes.normalise_code(code) == code
    assert codes.normalise_code("MC-" + wrong) is None
    swapped = body[1] + body[0] + body[2:]
    if swapped != body:
        assert codes.normalise_code("MC-" + swapped) is None


def test_procedure_changes_keep_history(catalogue, desk_officer):
    catalogue.processing_days = 12
    services.record_procedure_change(catalogue, desk_officer, "Sửa theo Quyết định công bố")
    catalogue.save()
    catalogue.refresh_from_db()
    assert catalogue.version == 2
    old = ProcedureVersion.objects.get(procedure=catalogue)
    assert old.version == 1 and old.snapshot["processing_days"] == 10
    assert old.replaced_by == desk_officer
    # Nothing changed: no new version.
    services.record_procedure_change(catalogue, desk_officer)
    assert catalogue.version == 2


def test_the_starter_catalogue_keeps_its_markers(catalogue):
    from cuakhau.desk.models import Procedure

    assert Procedure.objects.count() == 9
    assert set(Procedure.objects.values_list("confidence", flat=True)) == {"uncertain"}
    work_permit = Procedure.objects.get(national_code="1.014199")
    assert "Nghị định 219/2025" in work_permit.legal_basis
    assert all(p.name_zh for p in Procedure.objects.all())
    # Loading again changes nothing.
    from cuakhau.desk.loading import load_all

    assert load_all()["updated"] == 0


def test_a_reload_keeps_what_an_administrator_corrected(catalogue, admin_user):
    from cuakhau.desk.loading import load_all

    catalogue.processing_days = 7
    catalogue.confidence = "published"
    catalogue.source = "Quyết định công bố TTHC của UBND tỉnh Lai Châu (checked)"
    services.record_procedure_change(catalogue, admin_user, "admin")
    catalogue.save()
    result = load_all()  # as ``setup`` does on every run
    catalogue.refresh_from_db()
    assert (catalogue.processing_days, catalogue.confidence) == (7, "published")
    assert result["kept"] == 1 and result["updated"] == 0


@pytest.mark.parametrize("typed", ["０１００１０９１０６", "٠١٠٠١٠٩١٠٦", " 0100109106 "])
def test_the_applicants_id_or_tax_code_is_stored_in_ascii_digits(catalogue, typed):
    # Typed on a Chinese keyboard or in another script's digits, it is the same number the
    # officer looks the applicant up by.
    assert _file(catalogue, D(2026, 2, 12), id_number=typed).id_number == "0100109106"


def test_a_supplement_wait_after_an_apology_moves_the_new_date_with_the_due_date(
    catalogue, desk_officer
):
    # Received Mon 2 Mar 2026, due Mon 16 Mar. On Thu 5 Mar the desk apologises with Wed 18
    # Mar (two working days more), then asks for a supplement; it arrives Fri 20 Mar: Fri 6 –
    # Fri 20 Mar (11 working days) are not counted → due Tue 31 Mar, and the apology's two
    # days after it: Thu 2 Apr. Left at 18 Mar, the file on time would read late from 19 Mar.
    a = _officer_moves(desk_officer, _file(catalogue, D(2026, 3, 2)), "transfer", "start")
    with mock.patch.object(services, "today", return_value=D(2026, 3, 5)):
        a = services.act(
            desk_officer, a, "apologise", reason="Chờ ý kiến Sở", new_date=D(2026, 3, 18)
        )
        a = services.act(desk_officer, a, "request_supplement", reason="Thiếu ảnh")
    with mock.patch.object(services, "today", return_value=D(2026, 3, 20)):
        a = services.act(desk_officer, a, "receive_supplement", documents=[pdf("anh.pdf")])
    assert a.due_date == D(2026, 3, 31)
    assert a.new_due_date == a.appointment_date == D(2026, 4, 2)
    assert a.transitions.get(action="receive_supplement").data["new_due"] == "2026-04-02"
    assert not services.standing(a, on=D(2026, 3, 30)).overdue
    assert Message.objects.get(template="desk_supplement_received").context["due"] == {
        "$localized": {"vi": "02/04/2026", "en": "2 Apr 2026", "zh-hans": "2026年4月2日"}
    }


def test_an_apology_date_stored_before_the_due_date_never_makes_the_appointment_earlier(
    catalogue,
):
    # A file moved before the new date followed the supplement waits kept an earlier one.
    a = _file(catalogue, D(2026, 3, 2))
    a.new_due_date = D(2026, 3, 10)
    assert a.appointment_date == a.due_date == D(2026, 3, 16)
    assert not services.standing(a, on=D(2026, 3, 12)).overdue


def test_a_foreign_applicants_phone_is_written_to_and_so_is_the_email(catalogue):
    a = _file(catalogue, D(2026, 3, 2), phone="+86 138 0013 8001", email="li.wei@example.cn")
    assert a.phone == "8613800138001"
    message = Message.objects.get(template="desk_received")
    assert (message.recipient_phone, message.recipient_email) == (
        "8613800138001",
        "li.wei@example.cn",
    )
    assert services.track(a.code, "+86 138 0013 8001") == a


def test_a_stored_phone_that_cannot_be_written_to_does_not_stop_the_email(catalogue, desk_officer):
    a = _file(catalogue, D(2026, 3, 2), email="an@example.vn")
    a.phone = "0000"  # a row stored before the phone was checked
    a.save(update_fields=["phone"])
    services.act(desk_officer, a, "transfer")
    message = Message.objects.get(template="desk_status")
    assert (message.recipient_phone, message.recipient_email) == ("", "an@example.vn")
    # Not dropped unseen: the notifications page shows the phone was not usable.
    (skipped,) = message.attempts.filter(outcome="skipped")
    assert skipped.reason == "bad_phone"


@pytest.mark.parametrize(
    "on, badge",
    [
        (D(2026, 3, 20), "due today"),
        (D(2026, 3, 21), "overdue: it was due on "),  # a Saturday: no working day late
        (D(2026, 3, 23), "overdue by 1 working day"),
    ],
)
def test_the_deadline_badge_says_today_and_a_weekend_late_in_words_not_zero_days(
    catalogue, desk_officer, client, on, badge
):
    a = _file(catalogue, D(2026, 3, 6))  # due Fri 20 Mar
    assert a.due_date == D(2026, 3, 20)
    client.force_login(desk_officer)
    with mock.patch.object(services, "today", return_value=on):
        page = client.get(f"/desk/applications/{a.code}/", HTTP_ACCEPT_LANGUAGE="en")
        row = client.get("/desk/queue/", HTTP_ACCEPT_LANGUAGE="en")
    for html in (page.content.decode(), row.content.decode()):
        assert badge in html and " 0 working days" not in html
