"""A post whose files Django's multipart parser refuses (a part's headers over 1,024 bytes: a
file name of ~900 bytes or more; more than DATA_UPLOAD_MAX_NUMBER_FILES files; a body that is
not multipart) is answered on the desk's page, its refusal beside Documents and the typed
fields kept, not with a bare 400 from the CSRF middleware. Bodies are built by hand: the test
client's own files are cut to 255 characters (``UploadedFile``) and it skips the CSRF check,
so neither would show it."""

import re

import pytest
from django.test import Client

from cuakhau.desk import uploads
from cuakhau.desk.models import Application
from cuakhau.inspections.tests.markup import page_of

from .conftest import PDF, applicant_data

pytestmark = pytest.mark.django_db

BOUNDARY = "deskboundary7MA4YWxkTrZu0gW"


def _body(fields: dict, files: list[tuple[str, bytes]]) -> bytes:
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    for filename, content in files:
        out += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="documents"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return out + f"--{BOUNDARY}--\r\n".encode()


def _browser(path="/desk/apply/"):
    """A client that is checked for CSRF as a browser is, and the page's token."""
    client = Client(enforce_csrf_checks=True)
    html = client.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client, token


def _post(client, body, path="/desk/apply/"):
    return client.post(path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


@pytest.mark.parametrize(
    "filename",
    ["a" * 1000 + ".pdf", "Đơn đề nghị " * 70 + ".pdf", "申请书" * 130 + ".pdf"],
    ids=["ascii", "vietnamese", "chinese"],
)
def test_a_file_name_too_long_to_read_is_said_beside_documents(catalogue, filename):
    client, token = _browser()
    typed = applicant_data(catalogue)
    response = _post(client, _body({"csrfmiddlewaretoken": token, **typed}, [(filename, PDF)]))
    assert response.status_code == 200
    form = page_of(response).form(**{"class": "card"})
    assert form.errors["documents"] == [
        "A file name is too long to be read: give the file a shorter name and send it again."
    ]
    assert form.values["applicant_name"] == typed["applicant_name"]
    assert form.values["phone"] == typed["phone"]
    assert not Application.objects.exists()


def test_a_name_just_under_the_parser_limit_is_filed_and_kept_shortened(catalogue):
    client, token = _browser()
    name = "b" * 900 + ".pdf"
    response = _post(
        client,
        _body({"csrfmiddlewaretoken": token, **applicant_data(catalogue)}, [(name, PDF)]),
    )
    assert response.status_code == 302
    kept = Application.objects.get().documents.get().original_name
    assert len(kept) == uploads.NAME_LENGTH and kept.endswith(".pdf")


def test_more_files_than_django_reads_are_said_beside_documents(catalogue, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 20
    client, token = _browser()
    body = _body(
        {"csrfmiddlewaretoken": token, **applicant_data(catalogue)},
        [(f"{i}.pdf", PDF) for i in range(25)],
    )
    form = page_of(_post(client, body)).form(**{"class": "card"})
    assert form.errors["documents"] == ["Too many files in one post: send at most 10."]
    assert not Application.objects.exists()


def test_an_unreadable_post_without_its_csrf_token_is_still_refused(catalogue):
    client, _token = _browser()
    body = _body(applicant_data(catalogue), [("a" * 1000 + ".pdf", PDF)])
    assert _post(client, body).status_code == 403
    assert _post(client, _body(applicant_data(catalogue), [("ok.pdf", PDF)])).status_code == 403
    assert not Application.objects.exists()


def test_a_readable_post_is_filed_as_before(catalogue):
    client, token = _browser()
    body = _body({"csrfmiddlewaretoken": token, **applicant_data(catalogue)}, [("x.pdf", PDF)])
    assert _post(client, body).status_code == 302
    assert Application.objects.get().documents.get().original_name == "x.pdf"


def test_the_counter_and_a_supplement_say_it_too(catalogue, desk_officer):
    from cuakhau.desk import services

    from .conftest import pdf

    client, token = _browser("/desk/apply/")
    client.force_login(desk_officer)
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        client.get("/desk/counter/").content.decode(),
    ).group(1)
    long_name = "c" * 1000 + ".pdf"
    body = _body({"csrfmiddlewaretoken": token, **applicant_data(catalogue)}, [(long_name, PDF)])
    form = page_of(_post(client, body, "/desk/counter/")).form(**{"class": "card"})
    assert "documents" in form.errors
    assert not Application.objects.exists()

    a = services.file_application(applicant_data(catalogue), [pdf()])
    before = a.status
    body = _body({"csrfmiddlewaretoken": token}, [(long_name, PDF)])
    response = _post(client, body, f"/desk/applications/{a.code}/receive_supplement/")
    assert response.status_code == 422
    a.refresh_from_db()
    assert a.status == before and a.documents.count() == 1


@pytest.mark.parametrize(
    ("sent", "extension", "kept"),
    [
        ("don.pdf", "pdf", "don.pdf"),
        ("scan.exe", "pdf", "scan.exe.pdf"),
        ("anh.JPEG", "jpg", "anh.JPEG"),
        ("", "png", "document.png"),
        (None, "pdf", "document.pdf"),
        ("..\\..\\evil.pdf", "pdf", "evil.pdf"),
        ("a\x00b\x1bc.pdf", "pdf", "abc.pdf"),
        (".bashrc", "pdf", "bashrc.pdf"),
    ],
)
def test_the_kept_name(sent, extension, kept):
    assert uploads.kept_name(sent, extension) == kept


def test_a_long_kept_name_keeps_its_extension():
    kept = uploads.kept_name("Đơn" * 200 + ".pdf", "pdf")
    assert len(kept) == uploads.NAME_LENGTH and kept.endswith(".pdf")


def test_the_api_answers_an_unreadable_upload_with_its_422(catalogue):
    body = _body(applicant_data(catalogue), [("d" * 1000 + ".pdf", PDF)])
    response = _post(Client(), body, "/api/v1/desk/applications")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["file", "documents"],
            "msg": "A file name is too long to be read: give the file a shorter name and send "
            "it again.",
            "type": "value_error",
        }
    ]
    assert not Application.objects.exists()
