"""A desk per gate: each file belongs to the desk of a gate and only that gate's desk officers
see and move it; and online filing through the API with documents (multipart)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import FieldErrors
from cuakhau.desk import services
from cuakhau.desk.models import Application, FilingChannel

from .conftest import PDF, PNG, applicant_data, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_desk_officer(hng):
    return create_user("motcua_hng", PASSWORD, roles.DESK, gates=[hng])


def _file(catalogue, **data):
    return services.file_application(applicant_data(catalogue, **data), [pdf()])


# ---------------------------------------------------------------------------------------------
# A desk per gate


def test_a_file_goes_to_the_named_gates_desk_else_the_centre_at_ma_lu_thang(
    catalogue, mlt, hng, other_desk_officer
):
    assert _file(catalogue).gate == mlt
    assert _file(catalogue, gate="HNG").gate == hng
    with pytest.raises(FieldErrors) as refused:
        _file(catalogue, gate="xyz")
    assert set(refused.value.errors) == {"gate"}


def test_the_counter_files_at_the_officers_own_desk_only(
    catalogue, desk_officer, other_desk_officer, mlt, hng
):
    data = applicant_data(catalogue)
    a = services.file_application(data, actor=other_desk_officer, channel=FilingChannel.COUNTER)
    assert a.gate == hng and a.assignee == other_desk_officer
    with pytest.raises(FieldErrors) as refused:
        services.file_application(
            {**data, "gate": "hng"}, actor=desk_officer, channel=FilingChannel.COUNTER
        )
    assert set(refused.value.errors) == {"gate"}


def test_each_desk_sees_and_moves_only_its_gates_files(
    catalogue, desk_officer, other_desk_officer, admin_user
):
    here, there = _file(catalogue), _file(catalogue, gate="hng")
    assert list(services.desk_queue(desk_officer)) == [here]
    assert list(services.desk_queue(other_desk_officer)) == [there]
    assert set(services.desk_queue(admin_user)) == {here, there}
    with pytest.raises(Application.DoesNotExist):
        services.find_for_desk(desk_officer, there.code)
    assert services.allowed_actions(desk_officer, there) == []
    # The services check again, whoever handed them the file.
    with pytest.raises(Application.DoesNotExist):
        services.act(desk_officer, there, "transfer")
    with pytest.raises(Application.DoesNotExist):
        services.take(desk_officer, there)
    there.refresh_from_db()
    assert there.status == "received" and there.assignee is None
    assert services.act(other_desk_officer, there, "transfer").status == "transferred"


def test_a_supervisor_reassigns_only_to_an_officer_of_the_files_gate(
    catalogue, supervisor, desk_officer, other_desk_officer
):
    a = _file(catalogue)
    assert set(services.desk_officers(a.gate)) >= {supervisor, desk_officer}
    assert other_desk_officer not in services.desk_officers(a.gate)
    with pytest.raises(FieldErrors) as refused:
        services.reassign(supervisor, a, other_desk_officer)
    assert set(refused.value.errors) == {"assignee"}
    assert services.reassign(supervisor, a, desk_officer).assignee == desk_officer
    # A supervisor of another gate does not find the file at all.
    other_desk_officer.user_permissions.add(Permission.objects.get(codename="reassign_application"))
    with pytest.raises(Application.DoesNotExist):
        services.reassign(other_desk_officer, a, desk_officer)


def test_another_gates_file_is_a_404_on_its_pages_and_not_in_the_queue(
    catalogue, desk_officer, other_desk_officer
):
    there = _file(catalogue, gate="hng")
    client = Client()
    client.force_login(desk_officer)
    assert client.get(f"/desk/applications/{there.code}/").status_code == 404
    assert client.post(f"/desk/applications/{there.code}/transfer/").status_code == 404
    assert there.code not in client.get("/desk/queue/?show=all").content.decode()
    client.force_login(other_desk_officer)
    page = client.get(f"/desk/applications/{there.code}/").content.decode()
    assert there.code in page and str(there.gate) in page


def test_the_counter_form_offers_the_officers_gates_only(client, catalogue, other_desk_officer):
    client.force_login(other_desk_officer)
    form = client.get("/desk/counter/").context["form"]
    assert [code for code, _label in form.fields["gate"].choices] == ["hng"]


# ---------------------------------------------------------------------------------------------
# Filing through the API


def _api_file(client, catalogue, documents, **fields):
    data = {k: v for k, v in applicant_data(catalogue, **fields).items() if v != ""}
    return client.post("/api/v1/desk/applications", {**data, "documents": documents})


def test_an_applicant_files_through_the_api_and_tracks_it(catalogue, hng, other_desk_officer):
    client = Client()
    response = _api_file(
        client,
        catalogue,
        [pdf(), SimpleUploadedFile("ban-do.png", PNG, content_type="image/png")],
        gate="hng",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    a = Application.objects.get(code=body["code"])
    assert a.channel == "online" and a.gate == hng and a.documents.count() == 2
    assert body["gate"] == "hng" and body["documents"] == 2
    assert body["appointment_date"] == a.appointment_date.isoformat()
    assert body["procedure"] == catalogue.key and body["status"] == "received"
    # The code and the phone open the file, as on the page.
    tracked = client.post(
        "/api/v1/desk/track",
        {"code": body["code"], "phone": "0912345678"},
        content_type="application/json",
    )
    assert tracked.status_code == 200 and tracked.json()["code"] == body["code"]


def test_a_signed_in_applicant_is_recorded_as_the_filer(catalogue, enterprise):
    client = Client()
    client.force_login(enterprise)
    response = _api_file(client, catalogue, [pdf()])
    assert response.status_code == 201
    assert Application.objects.get(code=response.json()["code"]).filed_by == enterprise


def test_bad_files_are_a_422_with_their_paths_and_nothing_is_stored(catalogue, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    program = SimpleUploadedFile("to-khai.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    big = SimpleUploadedFile("ho-so.pdf", PDF + b"0" * 2048)
    response = _api_file(Client(), catalogue, [pdf(), program, big], phone="abc")
    assert response.status_code == 422
    errors = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert set(errors) == {("form", "phone"), ("file", "documents", 1), ("file", "documents", 2)}
    assert "to-khai.pdf" in errors[("file", "documents", 1)]
    assert "ho-so.pdf" in errors[("file", "documents", 2)]
    assert not Application.objects.exists()
    assert not list(services.uploads.storage_dir().iterdir())


def test_filing_without_documents_or_fields_is_a_422(catalogue):
    response = _api_file(Client(), catalogue, [])
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["file", "documents"]]
    missing = Client().post("/api/v1/desk/applications", {"documents": [pdf()]})
    assert missing.status_code == 422
    locs = {tuple(item["loc"][-1:]) for item in missing.json()["detail"]}
    assert {("procedure",), ("applicant_name",), ("phone",)} <= locs


def test_a_token_is_not_needed_and_not_refused(catalogue, enterprise):
    token = issue_token(enterprise, "phone")[1]
    response = _api_file(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), catalogue, [pdf()])
    assert response.status_code == 201


def test_an_unknown_form_field_or_file_part_is_refused_at_its_path_and_files_nothing(catalogue):
    client = Client()
    response = _api_file(
        client,
        catalogue,
        [pdf()],
        status="returned",
        attachment=SimpleUploadedFile("x.pdf", PDF, content_type="application/pdf"),
        phone="abc",
    )
    assert response.status_code == 422, response.content
    locs = [item["loc"] for item in response.json()["detail"]]
    assert ["form", "status"] in locs and ["file", "attachment"] in locs
    assert ["form", "phone"] in locs  # the other refusals in the same answer
    assert not Application.objects.exists()
    # A browser's CSRF token is no unknown field.
    response = _api_file(client, catalogue, [pdf()], csrfmiddlewaretoken="x" * 32)
    assert response.status_code == 201, response.content
