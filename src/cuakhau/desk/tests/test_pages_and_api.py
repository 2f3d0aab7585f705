"""Pages and API: filing with uploads, the tracking page's second factor, documents served only
to their applicant and the desk, the queue's overdue marks, API 422 / 404 / 429 shapes."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cuakhau.desk import services
from cuakhau.desk.models import Application

from .conftest import PDF, applicant_data, pdf

pytestmark = pytest.mark.django_db


def _apply(client, catalogue, **files):
    data = applicant_data(catalogue)
    data["documents"] = files.get("documents", [pdf()])
    return client.post("/desk/apply/", data)


def test_an_applicant_files_online_and_sees_the_receipt(client, catalogue, desk_officer):
    response = _apply(client, catalogue)
    a = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/track/{a.code}/"
    page = client.get(response["Location"]).content.decode()
    assert a.code in page and "Lò Thị Mai" in page
    document = a.documents.get()
    served = client.get(f"/desk/track/{a.code}/documents/{document.pk}/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in served["Content-Disposition"]
    # An officer taking the file is the desk's own step: the applicant reads "received" once.
    services.take(desk_officer, a)
    history = client.get(response["Location"]).context["history"]
    assert [t.action for t in history] == ["file"]


def test_an_executable_named_pdf_is_refused_on_the_page(client, catalogue):
    program = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    response = _apply(client, catalogue, documents=[program])
    assert response.status_code == 200
    assert "to-khai.pdf" in response.content.decode()
    assert not Application.objects.exists()


def test_the_tracking_page_gives_nothing_away_without_the_phone(catalogue):
    owner = Client()
    _apply(owner, catalogue)
    a = Application.objects.get()
    stranger = Client()
    assert stranger.get(f"/desk/track/{a.code}/").status_code == 404
    document = a.documents.get()
    assert stranger.get(f"/desk/track/{a.code}/documents/{document.pk}/").status_code == 404
    wrong_phone = stranger.post("/desk/track/", {"code": a.code, "phone": "0987654321"})
    unknown = stranger.post("/desk/track/", {"code": "MC-23456789A", "phone": "0912345678"})
    for response in (wrong_phone, unknown):
        text = response.content.decode()
        assert response.status_code == 200
        assert "Lò Thị Mai" not in text and a.procedure.name_vi not in text
    # The same words for an existing code with a wrong phone and for a code that does not exist.
    assert _errors(wrong_phone) == _errors(unknown)
    right = stranger.post("/desk/track/", {"code": a.code.lower(), "phone": "+84912345678"})
    assert right.status_code == 302
    assert stranger.get(f"/desk/track/{a.code}/").status_code == 200


def _errors(response):
    text = response.content.decode()
    start = text.index('<ul class="errors"')
    return text[start : text.index("</ul>", start)]


def test_the_tracking_page_is_throttled(client, catalogue, settings):
    settings.DESK_TRACKING_LIMIT = 2
    settings.DESK_TRACKING_WINDOW_SECONDS = 900
    for _ in range(2):
        client.post("/desk/track/", {"code": "MC-23456789A", "phone": "0912345678"})
    refused = client.post("/desk/track/", {"code": "x", "phone": "y"})
    assert refused.status_code == 429
    assert 800 < int(refused["Retry-After"]) <= 900
    api = client.post(
        "/api/v1/desk/track", {"code": "x", "phone": "y"}, content_type="application/json"
    )
    assert api.status_code == 429
    assert 800 < int(api["Retry-After"]) <= 900


def test_the_desk_sees_overdue_files_first(client, catalogue, desk_officer):
    late = services.file_application(applicant_data(catalogue), [pdf()])
    Application.objects.filter(pk=late.pk).update(due_date=dt.date(2026, 1, 5))
    services.file_application(applicant_data(catalogue, applicant_name="Vàng A Sử"), [pdf()])
    client.force_login(desk_officer)
    page = client.get("/desk/queue/").content.decode()
    assert page.index(late.code) < page.index("Vàng A Sử")
    assert 'class="overdue"' in page


def test_an_officer_moves_a_file_on_its_page(client, catalogue, desk_officer):
    a = services.file_application(applicant_data(catalogue), [pdf()])
    client.force_login(desk_officer)
    # The applicant's phone as a trip's page writes one: with its "+" (kept as digits).
    page = client.get(f"/desk/applications/{a.code}/").content.decode()
    assert f'<span class="phone">+{a.phone}</span>' in page and a.phone.isdigit()
    assert client.post(f"/desk/applications/{a.code}/transfer/").status_code == 302
    refused = client.post(f"/desk/applications/{a.code}/reject/", {"reason": ""})
    assert refused.status_code == 422
    a.refresh_from_db()
    assert a.status == "transferred"
    document = a.documents.get()
    assert client.get(f"/desk/applications/{a.code}/documents/{document.pk}/").status_code == 200


def test_the_counter_files_a_paper_application(client, catalogue, desk_officer):
    client.force_login(desk_officer)
    data = applicant_data(catalogue)
    response = client.post("/desk/counter/", data)
    a = Application.objects.get()
    assert response.status_code == 302 and a.channel == "counter" and a.assignee == desk_officer


def test_api_catalogue_track_and_actions(catalogue, desk_officer):
    from cuakhau.accounts.services import issue_token

    a = services.file_application(applicant_data(catalogue), [pdf()])
    anyone = Client()
    procedures = anyone.get("/api/v1/desk/procedures").json()
    assert {p["confidence"] for p in procedures} == {"uncertain"}
    found = anyone.post(
        "/api/v1/desk/track",
        {"code": a.code, "phone": "0912345678"},
        content_type="application/json",
    )
    assert found.status_code == 200 and found.json()["status"] == "received"
    missing = anyone.post(
        "/api/v1/desk/track",
        {"code": a.code, "phone": "0900000000"},
        content_type="application/json",
    )
    assert missing.status_code == 404 and "Lò" not in missing.content.decode()
    officer = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 't')[1]}")
    moved = officer.post(
        f"/api/v1/desk/applications/{a.code}/actions/transfer", {}, content_type="application/json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "transferred"
    no_reason = officer.post(
        f"/api/v1/desk/applications/{a.code}/actions/reject",
        {"reason": ""},
        content_type="application/json",
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    illegal = officer.post(
        f"/api/v1/desk/applications/{a.code}/actions/return", {}, content_type="application/json"
    )
    assert illegal.status_code == 409
    history = officer.get(f"/api/v1/desk/applications/{a.code}").json()["history"]
    assert [h["action"] for h in history] == ["file", "transfer"]


def test_the_applicants_page_opens_with_the_code_as_typed(client, catalogue, desk_officer):
    assert _apply(client, catalogue).status_code == 302
    a = Application.objects.get()
    for typed in (a.code.lower(), a.code.replace("-", "")):
        assert client.get(f"/desk/track/{typed}/").status_code == 200
    assert Client().get(f"/desk/track/{a.code.lower()}/").status_code == 404
