"""Attaching a document to a trip: a step of its timeline, one rule for when (the page's form
and the service alike), a limit a trip, and the API's upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from cuakhau.accounts import roles
from cuakhau.conftest import cassava_line, declaration, person
from cuakhau.gate.tests.conftest import paid
from cuakhau.trips import services
from cuakhau.trips.choices import TripStatus
from cuakhau.trips.models import Trip, TripDocument
from cuakhau.trips.tests.clients import api, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="kiem-dich.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def upload(client, trip, kind="phyto", file=None, **extra):
    return client.post(
        f"/api/v1/trips/{trip.reference}/documents",
        {"kind": kind, "file": file or pdf(), **extra},
    )


@pytest.fixture
def draft(enterprise, mlt):
    return services.create_draft(enterprise, declaration(cargo_lines=[cassava_line()]))


def in_status(trip, status):
    # The rule reads the trip's status alone: the gate's own steps are not what is tested here.
    Trip.objects.filter(pk=trip.pk).update(status=status)
    trip.refresh_from_db()
    return trip


# --- 1. Attaching is a step of the timeline ----------------------------------------------------


def test_attaching_is_a_step_of_the_timeline(enterprise, draft):
    client = signed_in(enterprise)
    response = client.post(f"/trips/{draft.reference}/documents/", {"kind": "phyto", "file": pdf()})
    assert response.status_code == 302
    step = draft.transitions.get(action="attach_document")
    assert step.actor == enterprise and step.at is not None
    assert step.channel == "web"  # the page's channel, not the system's
    assert step.reason == "Phytosanitary certificate: kiem-dich.pdf"
    assert (step.from_status, step.to_status) == ("draft", "draft")
    page = client.get(f"/trips/{draft.reference}/").content.decode()
    assert "Document attached" in page


def test_the_attaching_step_reads_in_the_readers_language(enterprise, draft):
    services.attach_document(enterprise, draft, "phyto", pdf())
    for language, label, kind in [
        ("vi", "Đã đính kèm chứng từ", "Giấy chứng nhận kiểm dịch thực vật"),
        ("zh-hans", "已上传单证", "植物检疫证书"),
    ]:
        with translation.override(language):
            step = services.timeline_for(draft, enterprise)[-1]
            assert str(services.TRIP_MACHINE.say("action", step.action)) == label
            # The kind was written in the uploader's language; it is read in the reader's.
            assert step.reason == f"{kind}: kiem-dich.pdf"


def test_a_removal_written_in_vietnamese_reads_in_chinese(enterprise, draft):
    with translation.override("vi"):
        document = services.attach_document(enterprise, draft, "invoice", pdf("hoa-don.pdf"))
        services.remove_document(enterprise, draft, document.pk)
    assert draft.transitions.get(action="remove_document").reason == (
        "Hóa đơn thương mại: hoa-don.pdf"
    )
    with translation.override("zh-hans"):
        steps = services.timeline_for(draft, enterprise)[-2:]
    assert [s.reason for s in steps] == ["商业发票: hoa-don.pdf"] * 2


def test_the_api_timeline_shows_an_upload_over_the_api(enterprise, draft):
    response = upload(api(enterprise), draft)
    assert response.status_code == 201, response.content
    detail = api(enterprise).get(f"/api/v1/trips/{draft.reference}").json()
    step = detail["timeline"][-1]
    assert step["action"] == "attach_document" and step["action_label"] == "Document attached"
    assert step["channel"] == "api" and step["actor"] == enterprise.username
    assert step["reason"] == "Phytosanitary certificate: kiem-dich.pdf"


# --- 2. One rule for when ----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "submitted", "paid", "arrived"])
def test_documents_are_attached_until_the_truck_is_cleared(enterprise, mlt, status):
    trip = in_status(paid(enterprise), status)
    assert services.may_attach(enterprise, trip)
    page = signed_in(enterprise).get(f"/trips/{trip.reference}/").content.decode()
    assert f'action="/trips/{trip.reference}/documents/"' in page
    services.attach_document(enterprise, trip, "phyto", pdf())
    assert trip.documents.count() == 1


@pytest.mark.parametrize("status", ["cleared", "exited", "cancelled", "rejected"])
def test_after_clearance_no_document_is_attached(enterprise, mlt, status):
    trip = in_status(paid(enterprise), status)
    assert not services.may_attach(enterprise, trip)
    client = signed_in(enterprise)
    page = client.get(f"/trips/{trip.reference}/").content.decode()
    assert f'action="/trips/{trip.reference}/documents/"' not in page  # no form offered
    with pytest.raises(services.DocumentsClosed):
        services.attach_document(enterprise, trip, "phyto", pdf())
    # A page read before the change still posts: refused beside the file, why said.
    response = client.post(f"/trips/{trip.reference}/documents/", {"kind": "phyto", "file": pdf()})
    assert response.status_code == 409
    field = response.context["document_form"].errors["file"]
    assert "documents can be attached only until the truck is cleared" in field[0]
    response = upload(api(enterprise), trip)
    assert response.status_code == 409
    assert response.json()["action"] == "attach_document"
    assert "only until the truck is cleared" in response.json()["detail"]
    assert not trip.documents.exists()
    assert not trip.transitions.filter(action="attach_document").exists()


# --- 3. A limit a trip -------------------------------------------------------------------------


def test_a_trip_holds_a_limited_number_of_documents(enterprise, draft, settings):
    settings.MAX_TRIP_DOCUMENTS = 3
    for n in range(3):
        services.attach_document(enterprise, draft, "invoice", pdf(f"hoa-don-{n}.pdf"))
    with pytest.raises(services.TripValidationError) as refused:
        services.attach_document(enterprise, draft, "invoice", pdf("thua.pdf"))
    assert refused.value.errors == {
        "file": ["This trip already has 3 documents, the most a trip holds."]
    }
    page = signed_in(enterprise).post(
        f"/trips/{draft.reference}/documents/", {"kind": "phyto", "file": pdf()}
    )
    assert page.status_code == 422
    assert "the most a trip holds" in page.context["document_form"].errors["file"][0]
    response = upload(api(enterprise), draft)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["file", "file"]
    assert draft.documents.count() == 3


def test_a_trips_documents_have_a_total_size(enterprise, draft, settings):
    settings.MAX_TRIP_DOCUMENT_BYTES = 2 * 1024 * 1024
    big = PDF + b"0" * (1536 * 1024)
    services.attach_document(enterprise, draft, "invoice", pdf("a.pdf", big))
    with pytest.raises(services.TripValidationError) as refused:
        services.attach_document(enterprise, draft, "invoice", pdf("b.pdf", big))
    message = refused.value.errors["file"][0]
    assert message == (
        "With this file the trip's documents would come to 3.0 MB; a trip holds at most 2 MB."
    )
    assert draft.documents.count() == 1


def test_the_default_limits_are_named_settings(settings):
    assert settings.MAX_TRIP_DOCUMENTS == 20
    assert settings.MAX_TRIP_DOCUMENT_BYTES >= settings.MAX_UPLOAD_BYTES


# --- 4. The API's upload -----------------------------------------------------------------------


def test_the_enterprise_uploads_a_document_over_the_api(enterprise, draft):
    response = upload(api(enterprise), draft, kind="invoice", file=pdf("hoa-don.exe"))
    assert response.status_code == 201, response.content
    body = response.json()
    document = TripDocument.objects.get(pk=body["id"])
    assert document.trip == draft and document.uploaded_by == enterprise
    assert body["kind"] == "invoice" and body["kind_label"] == "Commercial invoice"
    assert body["original_name"] == "hoa-don.exe.pdf"  # named for what it is
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    listed = api(enterprise).get(f"/api/v1/trips/{draft.reference}/documents").json()
    assert [d["id"] for d in listed] == [document.pk]


def test_the_api_upload_checks_what_the_page_checks(enterprise, draft, settings):
    client = api(enterprise)
    script = SimpleUploadedFile("hoa-don.pdf", b"#!/bin/sh\nrm -rf /\n")
    response = upload(client, draft, file=script)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["file", "file"]
    assert "Only PDF, JPEG and PNG" in response.json()["detail"][0]["msg"]
    settings.MAX_UPLOAD_BYTES = 1024
    response = upload(client, draft, file=pdf(content=PDF + b"0" * 2048))
    assert response.status_code == 422 and "the limit is" in response.json()["detail"][0]["msg"]
    settings.MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    response = upload(client, draft, kind="passport")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "kind"
    response = client.post(f"/api/v1/trips/{draft.reference}/documents", {"kind": "phyto"})
    assert response.status_code == 422  # no file at all
    assert not draft.documents.exists()
    assert upload(client, draft, file=SimpleUploadedFile("anh.png", PNG)).status_code == 201


def test_a_wrong_kind_does_not_hide_a_file_that_is_no_document(enterprise, draft, settings):
    # The kind was refused alone: the script beside it was said only on the next try.
    settings.MAX_TRIP_DOCUMENTS = 1
    script = b"#!/bin/sh\nrm -rf /\n"
    response = upload(api(enterprise), draft, kind="passport", file=pdf("a.pdf", script))
    assert response.status_code == 422
    assert {tuple(item["loc"]) for item in response.json()["detail"]} == {
        ("form", "kind"),
        ("file", "file"),
    }
    page = signed_in(enterprise).post(
        f"/trips/{draft.reference}/documents/", {"kind": "passport", "file": pdf("a.pdf", script)}
    )
    assert page.status_code == 422
    assert set(page.context["document_form"].errors) == {"kind", "file"}
    # A trip with no room left is said beside the file, with the kind, from the service too.
    services.attach_document(enterprise, draft, "invoice", pdf())
    with pytest.raises(services.TripValidationError) as refused:
        services.attach_document(enterprise, draft, "passport", pdf("b.pdf"))
    assert set(refused.value.errors) == {"kind", "file"}
    assert draft.documents.count() == 1


def test_only_the_trips_own_enterprise_uploads(
    enterprise, other_enterprise, mlt, customs_mlt, org_phong_tho
):
    trip = paid(enterprise)
    assert upload(api(other_enterprise), trip).status_code == 404
    assert upload(api(customs_mlt), trip).status_code == 403
    driver = person("taixe", roles.DRIVER, organisation=org_phong_tho)
    assert upload(api(driver), trip).status_code == 403
    assert not trip.documents.exists()


def test_the_upload_is_documented(db):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/trips/{reference}/documents"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"201", "409", "422"} <= set(operation["responses"])
    assert "until the truck is cleared" in operation["description"]


def test_the_attachable_statuses(db):
    assert set(services.ATTACHABLE) == {
        TripStatus.DRAFT,
        TripStatus.SUBMITTED,
        TripStatus.PAID,
        TripStatus.ARRIVED,
    }
