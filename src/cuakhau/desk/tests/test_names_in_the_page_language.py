"""Agency names and stages in the reader's language (``agencies``, ``data/agencies.csv``)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation

from cuakhau.accounts.services import set_language
from cuakhau.desk import services
from cuakhau.desk.agencies import agency_table, default_stages
from cuakhau.desk.models import Procedure
from cuakhau.desk.reports import build_report

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db

ZONE_VI = "Ban Quản lý Khu kinh tế"
ZONE_EN = "Economic Zone Management Board"
ZONE_ZH = "经济区管理委员会"
POLICE_VI = "Công an cấp tỉnh biên giới"
POLICE_ZH = "边境省公安厅（出入境管理处）"
DESK_VI = "Bộ phận Một cửa"


def test_every_starter_agency_has_its_translations(catalogue):
    for procedure in Procedure.objects.all():
        assert procedure.agency in agency_table()
        assert procedure.agency_en and procedure.agency_zh
        assert procedure.stages_en and procedure.stages_zh


@pytest.mark.parametrize(
    ("language", "present", "absent"),
    [
        ("zh-hans", [ZONE_ZH, POLICE_ZH], [ZONE_VI, POLICE_VI, ZONE_EN]),
        ("en", [ZONE_EN, "Police of the border province"], [ZONE_VI, POLICE_VI, ZONE_ZH]),
        ("vi", [ZONE_VI, POLICE_VI], [ZONE_EN, ZONE_ZH]),
    ],
)
def test_the_catalogue_names_agencies_in_the_page_language(catalogue, language, present, absent):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/desk/")
    assert page.status_code == 200
    for expected in present:
        assert expected in page.text
    for unexpected in absent:
        assert unexpected not in page.text


def test_the_procedure_page_in_chinese_by_the_language_cookie(catalogue):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(f"/desk/procedures/{catalogue.key}/")
    assert page.status_code == 200
    assert ZONE_ZH in page.text and "审查、办理：经济区管理委员会" in page.text
    assert ZONE_VI not in page.text and DESK_VI not in page.text
    # The legal basis and the documents exist in Vietnamese only: marked as such.
    assert '<span lang="vi">Luật Đầu tư 61/2020/QH14' in page.text


def test_the_procedure_page_in_english(catalogue):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/desk/procedures/{catalogue.key}/")
    assert ZONE_EN in page.text and "The result is returned at the one-stop desk" in page.text
    assert ZONE_VI not in page.text and DESK_VI not in page.text


def test_the_officers_file_page_names_the_agency_in_their_language(catalogue, desk_officer):
    a = services.file_application(applicant_data(catalogue), [pdf()])
    set_language(desk_officer, "zh-hans")
    client = Client()
    client.force_login(desk_officer)
    page = client.get(f"/desk/applications/{a.code}/")
    assert page.status_code == 200
    assert ZONE_ZH in page.text and ZONE_VI not in page.text


@pytest.mark.parametrize(("language", "agency"), [("zh-hans", ZONE_ZH), ("en", ZONE_EN)])
def test_the_api_names_the_agency_in_the_request_language(catalogue, language, agency):
    procedures = Client(HTTP_ACCEPT_LANGUAGE=language).get("/api/v1/desk/procedures").json()
    amendment = next(p for p in procedures if p["key"] == catalogue.key)
    assert amendment["agency_name"] == agency
    assert amendment["agency"] == ZONE_VI  # as recorded
    assert agency in amendment["stages"][1]
    assert not [s for s in amendment["stages"] if ZONE_VI in s or DESK_VI in s]


def test_the_report_labels_agencies_in_the_reader_language(catalogue, desk_officer):
    services.file_application(applicant_data(catalogue), [pdf()])
    today = dt.date.today()
    with translation.override("zh-hans"):
        report = build_report(today.replace(day=1), today)
    assert [(r.key, r.label) for r in report.by_agency] == [(ZONE_VI, ZONE_ZH)]


def test_an_agency_the_table_does_not_know_is_shown_marked(catalogue):
    Procedure.objects.filter(pk=catalogue.pk).update(
        agency="Ủy ban nhân dân xã biên giới", agency_en="", agency_zh=""
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/desk/")
    assert '<span lang="vi">Ủy ban nhân dân xã biên giới</span>' in page.text


def test_the_migration_fills_stored_procedures(catalogue):
    stored = Procedure.objects.filter(pk=catalogue.pk)
    stored.update(agency_en="", agency_zh="", stages_en="", stages_zh="")
    version = catalogue.version
    migration = importlib.import_module(
        "cuakhau.desk.migrations.0005_fill_agency_and_stage_translations"
    )
    migration.fill(apps, None)
    procedure = stored.get()
    assert (procedure.agency_en, procedure.agency_zh) == (ZONE_EN, ZONE_ZH)
    assert procedure.stages_zh == default_stages(ZONE_ZH, "zh")
    assert procedure.version == version


def test_the_catalogues_working_notes_are_for_the_desks_officers(catalogue, desk_officer):
    """Where an entry was checked and what is left to check are the keepers' notes, in
    English: an applicant reads the outcome (and "to be verified"), not the notes."""
    Procedure.objects.filter(pk=catalogue.pk).update(
        source="Decree 31/2021/ND-CP Art. 47", notes="to check against the provincial list"
    )
    public = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/desk/procedures/{catalogue.key}/")
    assert public.status_code == 200 and "Decree 31/2021" not in public.text
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(desk_officer)
    page = officer.get(f"/desk/procedures/{catalogue.key}/")
    assert "Decree 31/2021/ND-CP Art. 47" in page.text and "provincial list" in page.text
