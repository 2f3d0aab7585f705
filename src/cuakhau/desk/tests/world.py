"""The desk's part of the access-policy matrix's world (``core/tests/test_policy.py``): the
starter catalogue and one application filed online with one document."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.desk import services
from cuakhau.desk.loading import load_all
from cuakhau.desk.models import Procedure

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def desk_world(w) -> None:
    if "desk_application" in w:
        return
    load_all()
    procedure = Procedure.objects.filter(processing_days__isnull=False).order_by("key").first()
    w["desk_procedure"] = procedure
    w["desk_application"] = services.file_application(
        {
            "procedure": procedure.key,
            "applicant_name": "Lò Thị Mai",
            "phone": "0912345678",
            "language": "vi",
        },
        [SimpleUploadedFile("don.pdf", PDF)],
    )
    w["desk_document"] = w["desk_application"].documents.get()


def desk_api_cases(w) -> dict:
    desk_world(w)
    code = w["desk_application"].code
    desk = {"desk", "admin"}
    return {
        "GET /desk/applications": ("get", "/desk/applications", None, desk),
        "GET /desk/applications/{code}": ("get", f"/desk/applications/{code}", None, desk),
        "POST /desk/applications/{code}/actions/{action}": (
            "post",
            f"/desk/applications/{code}/actions/transfer",
            {},
            desk,
        ),
        # Only a supervisor (the permission; the administrator has every one).
        "POST /desk/applications/{code}/reassign": (
            "post",
            f"/desk/applications/{code}/reassign",
            {"assignee": "desk"},
            {"admin"},
        ),
    }


def desk_view_cases(w, everyone) -> dict:
    desk_world(w)
    code = w["desk_application"].code
    document = w["desk_document"].pk
    desk = {"desk", "admin"}
    return {
        "desk:procedures": ("get", "/desk/", None, everyone),
        "desk:procedure": ("get", f"/desk/procedures/{w['desk_procedure'].key}/", None, everyone),
        "desk:apply": ("get", "/desk/apply/", None, everyone),
        "desk:track": ("get", "/desk/track/", None, everyone),
        # Open pages, but only to the session that gave the code and the phone.
        "desk:status": ("get", f"/desk/track/{code}/", None, set()),
        "desk:applicant_document": (
            "get",
            f"/desk/track/{code}/documents/{document}/",
            None,
            set(),
        ),
        "desk:queue": ("get", "/desk/queue/", None, desk),
        "desk:counter": ("get", "/desk/counter/", None, desk),
        "desk:application": ("get", f"/desk/applications/{code}/", None, desk),
        "desk:act": ("post", f"/desk/applications/{code}/transfer/", {}, desk),
        "desk:take": ("post", f"/desk/applications/{code}/take/", {}, desk),
        "desk:reassign": (
            "post",
            f"/desk/applications/{code}/reassign/",
            {"assignee": "desk"},
            {"admin"},
        ),
        "desk:document": (
            "get",
            f"/desk/applications/{code}/documents/{document}/",
            None,
            desk,
        ),
    }
