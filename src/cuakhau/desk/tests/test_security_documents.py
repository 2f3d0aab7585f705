"""A desk file's documents and words as an adversary sends them: a document is a download for
its applicant and its own gate's desk only, and what an applicant typed is shown as text."""

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.desk.models import Application

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db

POLYGLOT = b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def filed(catalogue):
    applicant = Client()
    data = applicant_data(
        catalogue, applicant_name=f"Lò Thị Mai {SCRIPT}", note=f"Ghi chú {SCRIPT}"
    )
    data["documents"] = [pdf("don.html", POLYGLOT)]
    response = applicant.post("/desk/apply/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    return applicant, application, application.documents.get()


def test_a_document_is_a_download_for_its_applicant(filed):
    applicant, a, document = filed
    served = applicant.get(f"/desk/track/{a.code}/documents/{document.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_another_gates_desk_and_strangers_get_no_document(filed, hng, desk_officer):
    _applicant, a, document = filed
    own_desk = _login(desk_officer)
    assert own_desk.get(f"/desk/applications/{a.code}/documents/{document.pk}/").status_code == 200
    elsewhere = _login(create_user("motcua-hn", PASSWORD, roles.DESK, gates=[hng]))
    assert elsewhere.get(f"/desk/applications/{a.code}/documents/{document.pk}/").status_code == 404
    assert elsewhere.get(f"/desk/applications/{a.code}/").status_code == 404
    stranger = Client()
    assert stranger.get(f"/desk/track/{a.code}/documents/{document.pk}/").status_code == 404
    assert stranger.get(f"/desk/applications/{a.code}/documents/{document.pk}/").status_code == 302


def test_what_the_applicant_typed_is_shown_as_text(filed, desk_officer):
    applicant, a, _document = filed
    pages = [
        applicant.get(f"/desk/track/{a.code}/").content.decode(),
        _login(desk_officer).get(f"/desk/applications/{a.code}/").content.decode(),
        _login(desk_officer).get("/desk/queue/").content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in pages[1]
