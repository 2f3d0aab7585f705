"""The desk's part of the access-policy matrix's world (``core/tests/test_policy.py``): the
starter catalogue, one application filed online with one document at the desk of Ma Lù Thàng
(where the world's desk officer works), and one at Hà Khẩu's desk with its own desk officer
(only a gate with a desk officer receives files)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.world import DEVICES, PEOPLE
from cuakhau.desk import services
from cuakhau.desk.loading import load_all
from cuakhau.desk.models import Procedure
from cuakhau.reference.models import Gate

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVERY_CALLER = {*PEOPLE, *DEVICES, "anonymous", "revoked"}


class Multipart:
    """A multipart body for the matrix: fresh file parts for every caller (a file is read
    once)."""

    multipart = True

    def __init__(self, fields: dict, files: dict):
        self.fields, self.files = fields, files

    def data(self) -> dict:
        return {
            **self.fields,
            **{
                name: [SimpleUploadedFile(n, c) for n, c in parts]
                for name, parts in self.files.items()
            },
        }


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
    # Another gate's desk: its officer (not in PEOPLE: the gate matrix only; a gate receives
    # files once it has one) and its file.
    hng = Gate.objects.get(code="hng")
    w["desk_other_officer"] = create_user("motcua_hng", PASSWORD, roles.DESK, gates=[hng])
    w["desk_other_application"] = services.file_application(
        {
            "procedure": procedure.key,
            "gate": "hng",
            "applicant_name": "Vàng A Sử",
            "phone": "0987654321",
            "language": "vi",
        },
        [SimpleUploadedFile("don.pdf", PDF)],
    )
    # A file of each desk waiting for a supplement (the supplement operation's own state).
    mlt_officer = services.desk_officers(w["desk_application"].gate).first()
    for key, gate, officer in (
        ("desk_waiting_application", "mlt", mlt_officer),
        ("desk_other_waiting_application", "hng", w["desk_other_officer"]),
    ):
        waiting = services.file_application(
            {
                "procedure": procedure.key,
                "gate": gate,
                "applicant_name": "Lý Thị Sa",
                "phone": "0977123456",
                "language": "vi",
            },
            [SimpleUploadedFile("don.pdf", PDF)],
        )
        for action in ("transfer", "start"):
            waiting = services.act(officer, waiting, action)
        w[key] = services.act(officer, waiting, "request_supplement", reason="Thiếu bản sao")


def _supplement() -> Multipart:
    return Multipart({"reason": "Bản sao hợp đồng"}, {"documents": [("hop-dong.pdf", PDF)]})


def desk_api_cases(w) -> dict:
    desk_world(w)
    code = w["desk_application"].code
    desk = {"desk", "admin"}
    filing = Multipart(
        {
            "procedure": w["desk_procedure"].key,
            "applicant_name": "Giàng Thị Mỷ",
            "phone": "0911222333",
        },
        {"documents": [("giay-de-nghi.pdf", PDF)]},
    )
    return {
        # Online filing: anyone, with or without a credential (a bearer is not asked for).
        "POST /desk/applications": ("post", "/desk/applications", filing, EVERY_CALLER),
        "GET /desk/applications": ("get", "/desk/applications", None, desk),
        "GET /desk/applications/{code}": ("get", f"/desk/applications/{code}", None, desk),
        "POST /desk/applications/{code}/actions/{action}": (
            "post",
            f"/desk/applications/{code}/actions/transfer",
            {},
            desk,
        ),
        "POST /desk/applications/{code}/supplement": (
            "post",
            f"/desk/applications/{w['desk_waiting_application'].code}/supplement",
            _supplement(),
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


def desk_gate_cases(w) -> list[tuple[str, str, str, dict | None, str, bool]]:
    """Every rule naming a desk file, called by a desk officer of the file's gate (succeeds)
    and of another gate (404: the file is not in their desk's files), both ways round:
    ``(rule, method, path, body, caller, succeeds)``; callers "desk" (Ma Lù Thàng) and
    "desk_other" (Hà Khẩu)."""
    desk_world(w)
    rows = []
    for waiting, owner, stranger in (
        (w["desk_waiting_application"], "desk", "desk_other"),
        (w["desk_other_waiting_application"], "desk_other", "desk"),
    ):
        path = f"/api/v1/desk/applications/{waiting.code}/supplement"
        for caller, succeeds in ((owner, True), (stranger, False)):
            rule = "POST /desk/applications/{code}/supplement"
            rows.append((rule, "post", path, _supplement(), caller, succeeds))
    for application, owner, stranger in (
        (w["desk_application"], "desk", "desk_other"),
        (w["desk_other_application"], "desk_other", "desk"),
    ):
        code = application.code
        document = application.documents.get().pk
        calls = [
            ("GET /desk/applications/{code}", "get", f"/api/v1/desk/applications/{code}", None),
            (
                "POST /desk/applications/{code}/actions/{action}",
                "post",
                f"/api/v1/desk/applications/{code}/actions/transfer",
                {},
            ),
            ("desk:application", "get", f"/desk/applications/{code}/", None),
            ("desk:act", "post", f"/desk/applications/{code}/transfer/", {}),
            ("desk:take", "post", f"/desk/applications/{code}/take/", {}),
            ("desk:document", "get", f"/desk/applications/{code}/documents/{document}/", None),
        ]
        for rule, method, path, body in calls:
            rows.append((rule, method, path, body, owner, True))
            rows.append((rule, method, path, body, stranger, False))
    return rows
