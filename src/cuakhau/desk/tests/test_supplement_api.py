"""The API records a supplement received with its documents, as the file's page does: the
action ``receive_supplement`` took a JSON body only, so a supplement recorded over the API
came without the papers it brought. Multipart, as the filing: every refusal in one answer."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.desk import services
from cuakhau.desk.models import ApplicationStatus as S

from .conftest import PNG, applicant_data, at, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(catalogue, desk_officer):
    """Received Mon 2 Mar 2026 (10 working days: due Mon 16 Mar), a supplement asked Wed 4."""
    a = services.file_application(applicant_data(catalogue), [pdf()], now=at(dt.date(2026, 3, 2)))
    for action in ("transfer", "start"):
        a = services.act(desk_officer, a, action)
    with mock.patch.object(services, "today", return_value=dt.date(2026, 3, 4)):
        return services.act(desk_officer, a, "request_supplement", reason="Thiếu báo cáo")


@pytest.fixture
def officer_api(desk_officer) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 'supplement')[1]}")


def _send(client, a, data):
    return client.post(f"/api/v1/desk/applications/{a.code}/supplement", data)


def test_a_supplement_is_recorded_with_its_documents(officer_api, waiting):
    with mock.patch.object(services, "today", return_value=dt.date(2026, 3, 10)):
        response = _send(
            officer_api,
            waiting,
            {
                "reason": "Báo cáo tình hình thực hiện dự án",
                "documents": [pdf("bao-cao.pdf"), pdf("anh.png", PNG)],
            },
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == S.SUPPLEMENT_RECEIVED
    # The wait (Thu 5 – Tue 10 Mar, 4 working days) moved the due date to Fri 20 Mar.
    assert body["due_date"] == "2026-03-20"
    waiting.refresh_from_db()
    kept = waiting.documents.filter(purpose="supplement")
    assert sorted(kept.values_list("original_name", flat=True)) == ["anh.png", "bao-cao.pdf"]
    step = waiting.transitions.get(action="receive_supplement")
    assert step.reason == "Báo cáo tình hình thực hiện dự án"


def test_every_wrong_part_of_a_supplement_is_said_at_once(officer_api, waiting):
    program = pdf("bao-cao.pdf", b"MZ\x90\x00 not a pdf")
    response = _send(
        officer_api,
        waiting,
        {"reason": "x" * 2001, "status": "returned", "documents": [pdf(), program]},
    )
    assert response.status_code == 422, response.content
    locs = {tuple(item["loc"]) for item in response.json()["detail"]}
    assert locs == {("form", "reason"), ("form", "status"), ("file", "documents", 1)}
    waiting.refresh_from_db()
    assert waiting.status == S.SUPPLEMENT_REQUESTED and not waiting.documents.filter(
        purpose="supplement"
    )


def test_a_bad_document_alone_is_refused_at_its_place(officer_api, waiting):
    response = _send(officer_api, waiting, {"documents": [pdf("virus.pdf", b"MZ\x90\x00")]})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["file", "documents", 0]]


def test_a_file_not_waiting_for_a_supplement_is_a_409(officer_api, catalogue):
    a = services.file_application(applicant_data(catalogue), [pdf()])
    response = _send(officer_api, a, {"documents": [pdf()], "reason": "x" * 2001})
    assert response.status_code == 409, response.content
    assert "received" in response.json()["detail"]
    assert a.documents.count() == 1
