"""The desk's queue finds a file by what the citizen at the counter says: its code (as tracking
reads it), the applicant's name (without regard to case or tone marks, the same on SQLite and
PostgreSQL) or phone. Officers typed the code into the address bar; there was no search."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.desk import services
from cuakhau.desk.models import Application

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(catalogue):
    mai = services.file_application(applicant_data(catalogue), [pdf()])
    an = services.file_application(
        applicant_data(
            catalogue,
            applicant_name="Nguyễn Văn A",
            organisation_name="Hợp tác xã Đồng Tâm",
            phone="+84 987 654 321",
        ),
        [pdf()],
    )
    wang = services.file_application(
        applicant_data(
            catalogue, applicant_name="王伟", organisation_name="", phone="+86 138 0013 8000"
        ),
        [pdf()],
    )
    return {"mai": mai, "an": an, "wang": wang}


def _row(a) -> str:
    return f">{a.code}</a>"


def _listed(client, q, **more):
    response = client.get("/desk/queue/", {"q": q, **more})
    html = response.content.decode()
    return response.status_code, html


@pytest.mark.parametrize(
    "q, found",
    [
        ("nguyen van a", "an"),
        ("NGUYỄN văn", "an"),
        ("  van   nguy ", "an"),
        ("dong tam", "an"),  # the organisation
        ("Lò Thị Mai", "mai"),
        ("lo mai", "mai"),
        ("伟", "wang"),
        ("0987 654 321", "an"),
        ("84987654321", "an"),
        ("654321", "an"),
        ("13800138000", "wang"),
    ],
)
def test_the_queue_finds_a_file_by_name_or_phone(files, desk_officer, q, found):
    client = Client()
    client.force_login(desk_officer)
    status, html = _listed(client, q)
    assert status == 200, html
    assert [k for k, a in files.items() if _row(a) in html] == [found]
    assert f'value="{q}"' in html  # the box keeps what was typed


def test_the_queue_finds_a_file_by_its_code_as_tracking_reads_it(files, desk_officer):
    client = Client()
    client.force_login(desk_officer)
    code = files["an"].code  # "MC-XXXXXXXXC"
    for typed in (code, code.lower(), code.replace("-", ""), f" {code.lower()} ", code[:7]):
        status, html = _listed(client, typed)
        assert status == 200
        assert [k for k, a in files.items() if _row(a) in html] == ["an"], typed


def test_the_search_keeps_the_other_filters_and_the_pages(files, desk_officer, monkeypatch):
    from cuakhau.desk import views

    monkeypatch.setattr(views, "QUEUE_PAGE", 1)
    extra = services.file_application(
        applicant_data(files["an"].procedure, applicant_name="Nguyễn Thị Bình"), [pdf()]
    )
    client = Client()
    client.force_login(desk_officer)
    status, html = _listed(client, "nguyen")
    assert status == 200 and "q=nguyen" in html and "page=2" in html
    assert (_row(files["an"]) in html) != (_row(extra) in html)
    assert "0 overdue" in html  # counted over the files found
    status, second = _listed(client, "nguyen", page="2")
    assert status == 200 and (_row(files["an"]) in second) != (_row(extra) in second)
    status, closed = _listed(client, "nguyen", show="closed")
    assert status == 200 and _row(files["an"]) not in closed and "No applications." in closed
    status, mine = _listed(client, "nguyen", show="all", mine="1")
    assert status == 200 and _row(files["an"]) not in mine


@pytest.mark.parametrize("q", ["--", "…", "x\x00y", "a" * 201])
def test_an_unreadable_search_is_refused_beside_it(files, desk_officer, q):
    client = Client()
    client.force_login(desk_officer)
    status, html = _listed(client, q)
    assert status == 400
    assert 'data-field="q"' in html and 'id="list-refused"' in html
    assert not [a for a in files.values() if _row(a) in html]


def test_another_gates_file_is_not_found(files, catalogue, hng):
    from cuakhau.accounts import roles
    from cuakhau.conftest import person

    stranger = person("motcua_hng", roles.DESK, gates=[hng])
    client = Client()
    client.force_login(stranger)
    status, html = _listed(client, files["an"].code)
    assert status == 200 and _row(files["an"]) not in html


def test_the_api_searches_and_refuses_an_unreadable_search_naming_it(files, desk_officer):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(desk_officer, 't')[1]}")
    found = api.get("/api/v1/desk/applications", {"q": "nguyen van"})
    assert found.status_code == 200
    assert [a["code"] for a in found.json()] == [files["an"].code]
    by_code = api.get("/api/v1/desk/applications", {"q": files["mai"].code.replace("-", "")})
    assert [a["code"] for a in by_code.json()] == [files["mai"].code]
    for q in ("--", "a" * 201, "x\x01"):
        refused = api.get("/api/v1/desk/applications", {"q": q})
        assert refused.status_code == 422, q
        assert ["query", "q"] in [item["loc"] for item in refused.json()["detail"]]


def test_the_key_follows_the_name(files):
    an = files["an"]
    assert an.search_key == " nguyen van a hop tac xa dong tam"
    an.applicant_name = "Trần Thị Đào"
    an.save(update_fields=["applicant_name"])
    assert Application.objects.get(pk=an.pk).search_key == " tran thi dao hop tac xa dong tam"


def test_the_administration_searches_files_as_the_queue_does(files, admin_client):
    """Its own search matched the text as typed: "nguyen" did not find "Nguyễn"."""
    for q, who in (("nguyen van", "an"), ("0987 654 321", "an"), ("伟", "wang")):
        html = admin_client.get("/admin/desk/application/", {"q": q}).content.decode()
        assert files[who].code in html and files["mai"].code not in html, q
    refused = admin_client.get("/admin/desk/application/", {"q": "--"})
    assert refused.status_code == 200 and files["an"].code not in refused.content.decode()
