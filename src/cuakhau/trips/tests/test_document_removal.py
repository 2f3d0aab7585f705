"""A document attached to a trip by mistake: its enterprise removes it while the trip is a draft,
on the page and over the API; once the trip was submitted the gate may have relied on it."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.accounts import roles
from cuakhau.conftest import cassava_line, declaration, person
from cuakhau.trips import services
from cuakhau.trips.models import TripDocument
from cuakhau.trips.tests.clients import api, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(user, trip, name="hoa-don-nham.pdf", kind="invoice"):
    return services.attach_document(user, trip, kind, SimpleUploadedFile(name, PDF))


@pytest.fixture
def draft(enterprise, mlt):
    return services.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))


def test_the_enterprise_removes_a_drafts_document_from_the_page(
    enterprise, draft, django_capture_on_commit_callbacks
):
    wrong, right = attach(enterprise, draft), attach(enterprise, draft, "kiem-dich.pdf", "phyto")
    client = signed_in(enterprise)
    page = client.get(f"/trips/{draft.reference}/").content.decode()
    remove = f"/trips/{draft.reference}/documents/{wrong.pk}/remove/"
    # A button beside each document, asking first.
    assert f'action="{remove}"' in page and "data-confirm=" in page
    # A link followed, or a page's prefetch, removes nothing.
    assert client.get(remove).status_code == 405
    kept = wrong.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove)
    assert response.status_code == 302
    assert list(draft.documents.all()) == [right]
    # The file goes with it: nobody but the enterprise ever saw it.
    assert not default_storage.exists(kept) and default_storage.exists(right.file.name)
    # Recorded as a step of the trip: who, when, which document.
    step = draft.transitions.get(action="remove_document")
    assert step.actor == enterprise and step.at is not None
    assert step.reason == "Commercial invoice: hoa-don-nham.pdf"
    assert (step.from_status, step.to_status) == ("draft", "draft")
    page = client.get(f"/trips/{draft.reference}/").content.decode()
    assert "Document removed" in page and "hoa-don-nham.pdf" in page  # in the timeline
    assert f'action="{remove}"' not in page


def test_only_the_trips_own_enterprise_removes(
    enterprise, other_enterprise, draft, customs_mlt, org_phong_tho
):
    document = attach(enterprise, draft)
    url = f"/trips/{draft.reference}/documents/{document.pk}/remove/"
    # Another enterprise finds no trip (nor does the gate: a draft is its enterprise's alone).
    assert signed_in(other_enterprise).post(url).status_code == 404
    assert signed_in(customs_mlt).post(url).status_code in (403, 404)
    # The enterprise's own driver reads the draft, and may not remove from it.
    driver = person("taixe", roles.DRIVER, organisation=org_phong_tho)
    assert signed_in(driver).post(url).status_code == 403
    assert (
        api(driver).delete(f"/api/v1/trips/{draft.reference}/documents/{document.pk}").status_code
        == 403
    )
    # A document of another of its trips, named under this one, is not found.
    other = services.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))
    elsewhere = f"/trips/{other.reference}/documents/{document.pk}/remove/"
    assert signed_in(enterprise).post(elsewhere).status_code == 404
    assert draft.documents.get() == document
    assert not draft.transitions.filter(action="remove_document").exists()


def test_an_officer_may_not_remove_a_submitted_trips_document(enterprise, mlt, customs_mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    document = attach(enterprise, trip)
    with pytest.raises(services.TripPermissionDenied):
        services.remove_document(customs_mlt, trip, document.pk)
    url = f"/trips/{trip.reference}/documents/{document.pk}/remove/"
    assert signed_in(customs_mlt).post(url).status_code == 403
    response = api(customs_mlt).delete(f"/api/v1/trips/{trip.reference}/documents/{document.pk}")
    assert response.status_code == 403
    assert trip.documents.get() == document


def test_once_submitted_a_document_stays(enterprise, draft):
    document = attach(enterprise, draft)
    trip = services.submit_trip(enterprise, draft)
    page = signed_in(enterprise).post(
        f"/trips/{trip.reference}/documents/{document.pk}/remove/", follow=True
    )
    assert "the gate&#x27;s officers may have relied on its documents" in page.content.decode()
    assert "/remove/" not in page.content.decode()  # no button offered either
    response = api(enterprise).delete(f"/api/v1/trips/{trip.reference}/documents/{document.pk}")
    assert response.status_code == 409
    body = response.json()
    assert "Only a draft's documents can be removed" in body["detail"]
    assert body["state"] == "submitted" and body["action"] == "remove_document"
    assert body["action_label"] == "Remove the document"
    assert trip.documents.get() == document and default_storage.exists(document.file.name)
    assert not trip.transitions.filter(action="remove_document").exists()


def test_the_api_lists_and_removes_a_drafts_documents(enterprise, other_enterprise, draft):
    document = attach(enterprise, draft)
    listed = api(enterprise).get(f"/api/v1/trips/{draft.reference}/documents")
    assert listed.status_code == 200
    assert listed.json() == [
        {
            "id": document.pk,
            "kind": "invoice",
            "kind_label": "Commercial invoice",
            "original_name": "hoa-don-nham.pdf",
            "size": len(PDF),
            "content_type": "application/pdf",
            "uploaded_at": listed.json()[0]["uploaded_at"],
        }
    ]
    url = f"/api/v1/trips/{draft.reference}/documents/{document.pk}"
    assert api(other_enterprise).delete(url).status_code == 404
    response = api(enterprise).delete(url)
    assert response.status_code == 200, response.content
    step = response.json()["timeline"][-1]
    assert step["action"] == "remove_document" and step["action_label"] == "Document removed"
    assert step["actor"] == enterprise.username and step["channel"] == "api"
    assert not TripDocument.objects.filter(pk=document.pk).exists()
    again = api(enterprise).delete(url)
    assert again.status_code == 404 and "has no document" in again.json()["detail"]


def test_a_withdrawn_drafts_documents_stay_with_its_record(enterprise, draft):
    document = attach(enterprise, draft)
    services.cancel_trip(enterprise, draft)
    with pytest.raises(services.DocumentRelied) as refused:
        services.remove_document(enterprise, draft, document.pk)
    assert str(refused.value) == (
        f"Trip {draft.reference} was cancelled: its documents stay with its record."
    )
    assert draft.documents.get() == document
