"""The registers' part of the access-policy matrix's world (``core/tests/test_policy.py``, also
rendered in every language by ``core/tests/test_languages.py``): the example file imported,
a project with a milestone and an amendment, and the cooperation register's example rows."""

import datetime as dt

from cuakhau.investment import imports
from cuakhau.investment.models import InvestmentProject, LicenceAmendment, Milestone

READ_ALL = {"board", "auditor", "admin"}
KEEPERS = {"board", "admin"}


def registers_world(w) -> None:
    if "register_project" in w:
        return
    sheet = imports.read_spreadsheet(imports.EXAMPLE_FILE.name, imports.EXAMPLE_FILE.read_bytes())
    imports.import_projects(None, sheet, is_example=True)
    project = InvestmentProject.objects.filter(status="registered").order_by("code").first()
    Milestone.objects.create(
        project=project, title="Khởi công", due_date=dt.date(2025, 3, 1), status="missed"
    )
    Milestone.objects.create(
        project=project,
        title="Giải phóng mặt bằng",
        due_date=dt.date(2024, 9, 1),
        achieved_on=dt.date(2024, 8, 20),
        status="achieved",
    )
    LicenceAmendment.objects.create(
        project=project, number=1, date=dt.date(2024, 6, 10), summary="Điều chỉnh tiến độ"
    )
    w["register_project"] = project
    from cuakhau.cooperation.examples import load_examples
    from cuakhau.cooperation.models import Commitment, Meeting

    load_examples()
    w["register_commitment"] = Commitment.objects.filter(status="open").order_by("pk").first()
    w["register_meeting"] = Meeting.objects.order_by("pk").first()


def register_api_cases(w) -> dict:
    registers_world(w)
    code = w["register_project"].code
    commitment = w["register_commitment"].pk
    return {
        "GET /investment/projects": ("get", "/investment/projects?sector=energy", None, READ_ALL),
        "GET /investment/totals": ("get", "/investment/totals", None, READ_ALL),
        "GET /investment/projects/{code}": ("get", f"/investment/projects/{code}", None, READ_ALL),
        "POST /investment/projects/{code}/actions/{action}": (
            "post",
            f"/investment/projects/{code}/actions/start_construction",
            {},
            KEEPERS,
        ),
        "GET /cooperation/commitments": ("get", "/cooperation/commitments", None, READ_ALL),
        "GET /cooperation/totals": ("get", "/cooperation/totals", None, READ_ALL),
        "POST /cooperation/commitments/{commitment_id}/actions/{action}": (
            "post",
            f"/cooperation/commitments/{commitment}/actions/start",
            {},
            KEEPERS,
        ),
    }


def register_view_cases(w) -> dict:
    registers_world(w)
    code = w["register_project"].code
    commitment = w["register_commitment"].pk
    return {
        "investment:projects": ("get", "/investment/?sector=energy", None, READ_ALL),
        "investment:project": ("get", f"/investment/{code}/", None, READ_ALL),
        "investment:example_file": ("get", "/investment/import/example.csv", None, READ_ALL),
        "investment:import": ("get", "/investment/import/", None, KEEPERS),
        # No preview in the session: the keeper is sent back to the upload, nothing saved.
        "investment:import_confirm": ("post", "/investment/import/confirm/", {}, KEEPERS),
        "investment:act": ("post", f"/investment/{code}/start_construction/", {}, KEEPERS),
        "cooperation:overview": ("get", "/cooperation/", None, READ_ALL),
        "cooperation:commitments": ("get", "/cooperation/commitments/?show=all", None, READ_ALL),
        "cooperation:commitment": (
            "get",
            f"/cooperation/commitments/{commitment}/",
            None,
            READ_ALL,
        ),
        "cooperation:meeting": (
            "get",
            f"/cooperation/meetings/{w['register_meeting'].pk}/",
            None,
            READ_ALL,
        ),
        "cooperation:external": ("get", "/cooperation/delegations-and-aid/", None, READ_ALL),
        "cooperation:act": (
            "post",
            f"/cooperation/commitments/{commitment}/start/",
            {},
            KEEPERS,
        ),
        "cooperation:record": ("get", "/cooperation/new/commitment/", None, KEEPERS),
    }
