"""An empty document is said to be empty, beside its field, on the filing's page and in its API
(as a trip's document is: ``trips/tests/test_empty_upload.py``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from .conftest import applicant_data

pytestmark = pytest.mark.django_db


def empty(name="kiem-dich.pdf"):
    return SimpleUploadedFile(name, b"", content_type="application/pdf")


def test_an_empty_desk_document_is_said_empty_on_the_page_and_in_the_api(catalogue):
    data = {k: v for k, v in applicant_data(catalogue).items() if v != ""}
    response = Client().post("/api/v1/desk/applications", {**data, "documents": [empty()]})
    assert response.status_code == 422
    assert [i["msg"] for i in response.json()["detail"]] == ["kiem-dich.pdf is empty."]
    response = Client().post("/desk/apply/", {**data, "documents": [empty()]})
    assert "empty" in response.context["form"].errors["documents"][0]
