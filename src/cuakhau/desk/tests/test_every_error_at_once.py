"""The desk's writes name every refused field in one answer: a filing whose schema refused a
field (a name too long, a language not offered) used to stop there, and the procedure, the
phone and the documents came only with the next request; an apology's wrong date hid its
missing reason. The API and the file's page alike."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.desk import services
from cuakhau.desk.models import Application
from cuakhau.inspections.tests.markup import page_of

from .conftest import applicant_data, pdf
from .test_unreadable_uploads import BOUNDARY, _body

pytestmark = pytest.mark.django_db


def locs(response) -> set[tuple]:
    assert response.status_code == 422, response.content
    return {tuple(item["loc"]) for item in response.json()["detail"]}


@pytest.fixture
def filed(catalogue):
    return services.file_application(applicant_data(catalogue), [pdf()])


@pytest.fixture
def officer_api(desk_officer) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 'errors')[1]}")


def test_a_filing_the_schema_refuses_names_the_services_refusals_too(catalogue):
    data = applicant_data(catalogue, applicant_name="x" * 201, phone="abc")
    data.update(procedure="no-such-procedure", language="fr")
    response = Client().post("/api/v1/desk/applications", data)
    assert locs(response) == {
        ("form", "applicant_name"),
        ("form", "language"),
        ("form", "procedure"),
        ("form", "phone"),
        ("file", "documents"),
    }
    # Each field said once: the service's words for a field the schema refused are not added.
    assert len(response.json()["detail"]) == 5
    assert not Application.objects.exists()


def test_a_refused_filing_names_an_unknown_part_and_a_bad_file_with_the_schemas(catalogue):
    data = {**applicant_data(catalogue, email="a@b, c@d"), "language": "fr", "status": "done"}
    bad = pdf("virus.pdf", b"MZ\x90\x00 not a pdf")
    response = Client().post("/api/v1/desk/applications", {**data, "documents": [bad]})
    assert locs(response) == {
        ("form", "language"),
        ("form", "email"),
        ("form", "status"),
        ("file", "documents", 0),
    }


def test_files_the_parser_could_not_read_are_said_with_the_fields_refusals(catalogue):
    typed = applicant_data(catalogue, phone="abc")
    body = _body(typed, [("a" * 1000 + ".pdf", b"%PDF-1.7\n%%EOF\n")])
    response = Client().post(
        "/api/v1/desk/applications",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert locs(response) == {("form", "phone"), ("file", "documents")}
    assert not Application.objects.exists()


def _apologise(client, a, body):
    return client.post(
        f"/api/v1/desk/applications/{a.code}/actions/apologise",
        body,
        content_type="application/json",
    )


def test_an_apology_is_refused_at_its_reason_and_its_date_together(officer_api, filed):
    # The service's own refusals: a date before the due date, and no reason.
    response = _apologise(officer_api, filed, {"reason": " ", "new_date": str(filed.due_date)})
    assert locs(response) == {("body", "reason"), ("body", "new_date")}
    # The schema's refusal of the date, and the service's of the reason.
    response = _apologise(officer_api, filed, {"reason": "", "new_date": "soon"})
    assert locs(response) == {("body", "reason"), ("body", "new_date")}
    filed.refresh_from_db()
    assert filed.new_due_date is None and filed.transitions.count() == 1


def test_the_files_page_says_the_reason_and_the_date_at_once(desk_officer, filed):
    client = Client()
    client.force_login(desk_officer)
    for new_date in ("not a date", filed.due_date.isoformat()):
        response = client.post(
            f"/desk/applications/{filed.code}/apologise/", {"reason": "", "new_date": new_date}
        )
        assert response.status_code == 422
        form = page_of(response).form(**{"data-action": "apologise"})
        assert set(form.errors) == {"reason", "new_date"}, form.errors
    filed.refresh_from_db()
    assert filed.new_due_date is None


def test_an_apology_on_a_good_date_with_its_reason_is_taken(officer_api, filed):
    day = filed.due_date + dt.timedelta(days=7)
    while not services._calendar_around(day).is_working_day(day):
        day += dt.timedelta(days=1)
    response = _apologise(officer_api, filed, {"reason": "Chờ ý kiến Sở", "new_date": str(day)})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", ["²", "١", "৩"])
def test_an_unknown_part_named_by_a_digit_of_another_script_is_refused_at_its_name(catalogue, name):
    # "²".isdigit() is true: the part's name was taken for a list index and int() failed (500).
    data = {**applicant_data(catalogue), "language": "fr", name: "x"}
    response = Client().post("/api/v1/desk/applications", data)
    assert ("form", name) in locs(response)
    assert not Application.objects.exists()


@pytest.mark.parametrize("body", [{"reason": "Trễ hạn"}, {"reason": "", "new_date": "soon"}])
def test_an_action_the_files_state_does_not_allow_is_a_409_before_its_fields(
    officer_api, desk_officer, filed, body
):
    # A withdrawn file takes no apology: it was told "Give the new result date" (422).
    services.act(desk_officer, filed, "withdraw", reason="Doanh nghiệp rút hồ sơ")
    response = _apologise(officer_api, filed, body)
    assert response.status_code == 409, response.content
    filed.refresh_from_db()
    assert filed.new_due_date is None and filed.status == "withdrawn"


def test_the_files_page_says_an_action_its_state_does_not_allow_not_a_500(desk_officer, filed):
    services.act(desk_officer, filed, "withdraw", reason="Doanh nghiệp rút hồ sơ")
    client = Client()
    client.force_login(desk_officer)
    response = client.post(
        f"/desk/applications/{filed.code}/apologise/", {"reason": "", "new_date": "not a date"}
    )
    assert response.status_code in (409, 422), response.status_code
    filed.refresh_from_db()
    assert filed.new_due_date is None and filed.status == "withdrawn"


def test_a_second_supplement_request_is_refused_naming_the_files_state(
    officer_api, desk_officer, filed
):
    # The table has no self-loop of a request: a file already waiting is told so (409), and
    # the page says it, naming the state; the first request stands as it was.
    for action in ("transfer", "start"):
        filed = services.act(desk_officer, filed, action)
    filed = services.act(desk_officer, filed, "request_supplement", reason="Thiếu bản sao")
    response = officer_api.post(
        f"/api/v1/desk/applications/{filed.code}/actions/request_supplement",
        {"reason": "Thiếu thêm giấy phép"},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "“waiting for a supplement”" in response.json()["detail"]
    client = Client()
    client.force_login(desk_officer)
    page = client.post(
        f"/desk/applications/{filed.code}/request_supplement/", {"reason": "Thiếu giấy phép"}
    )
    assert page.status_code == 422
    assert "“waiting for a supplement”" in " ".join(page.context["action_errors"])
    filed.refresh_from_db()
    assert filed.supplement_request == "Thiếu bản sao"
    assert filed.transitions.filter(action="request_supplement").count() == 1
    # No action of the table leaves a file where it was but the apology, given once only.
    loops = {t.action for t in services.APPLICATION_MACHINE.table.values() if t.source == t.target}
    assert loops == {"apologise"}
