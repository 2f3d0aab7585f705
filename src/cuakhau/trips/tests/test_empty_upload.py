"""An empty file (a phone's attachment that failed, a zero-byte export) is said to be empty,
beside its field, wherever a file is uploaded: not "only PDF, JPEG and PNG are accepted", which
sends the sender looking for a converter."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.conftest import cassava_line, declaration
from cuakhau.trips import services
from cuakhau.trips.models import TripDocument
from cuakhau.trips.tests.clients import api, signed_in

pytestmark = pytest.mark.django_db


def empty(name="kiem-dich.pdf"):
    return SimpleUploadedFile(name, b"", content_type="application/pdf")


@pytest.fixture
def draft(enterprise, mlt):
    return services.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "The file is empty."), ("vi", "Tệp không có dữ liệu."), ("zh-hans", "文件为空。")],
)
def test_an_empty_trip_document_is_said_empty_in_the_api(enterprise, draft, language, said):
    response = api(enterprise).post(
        f"/api/v1/trips/{draft.reference}/documents",
        {"kind": "phyto", "file": empty()},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 422
    (item,) = response.json()["detail"]
    assert item["loc"] == ["file", "file"]
    assert item["msg"] in (said, "The file is empty.")
    assert "PDF" not in item["msg"]
    assert not TripDocument.objects.exists()


def test_an_empty_trip_document_is_said_empty_on_the_page(enterprise, draft):
    response = signed_in(enterprise).post(
        f"/trips/{draft.reference}/documents/", {"kind": "phyto", "file": empty()}
    )
    assert response.status_code == 422
    errors = response.context["document_form"].errors
    assert list(errors) == ["file"] and "empty" in errors["file"][0]


def test_the_service_says_an_empty_file_empty(draft):
    assert services.document_errors(draft, "phyto", empty()) == {"file": ["The file is empty."]}
