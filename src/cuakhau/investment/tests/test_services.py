"""The register's rules: totals computed by hand, the status machine, US dollars at the rate."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cuakhau.core.errors import FieldErrors
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.investment import imports, services
from cuakhau.investment.models import InvestmentProject, ProjectTransition

pytestmark = pytest.mark.django_db


def project(code, sector, country, registered, disbursed, rate=None, status="registered"):
    return InvestmentProject.objects.create(
        code=code,
        name=f"Dự án {code}",
        investor="Công ty CP Chè Tam Đường" if country == "VN" else "金平县金水河边贸有限公司",
        investor_country=country,
        sector=sector,
        registered_capital_vnd=Decimal(registered),
        disbursed_capital_vnd=Decimal(disbursed),
        usd_rate=Decimal(rate) if rate else None,
        usd_rate_date=dt.date(2024, 1, 2) if rate else None,
        area_ha=Decimal("2.50"),
        location="xã Ma Ly Pho, huyện Phong Thổ",
        status=status,
    )


@pytest.fixture
def register():
    project("A1", "logistics", "CN", "120000000000", "60000000000", rate="24000")
    project("A2", "logistics", "VN", "80000000000", "80000000000")
    project("A3", "energy", "VN", "500000000000", "125000000000", status="operating")
    project("A4", "processing", "CN", "36500000000", "0", rate="24265")
    # Its certificate was withdrawn: in no figure but the count of terminated projects.
    project("A5", "energy", "KR", "900000000000", "900000000000", status="terminated")


def test_the_zone_totals_match_a_hand_count(register):
    totals = services.zone_totals()
    assert totals.count == 4
    # 120 + 80 + 500 + 36.5 billion đồng
    assert totals.registered_vnd == Decimal("736500000000")
    # 60 + 80 + 125 + 0 billion
    assert totals.disbursed_vnd == Decimal("265000000000")
    assert totals.disbursed_share == Decimal("36.0")  # 265 / 736.5 = 35.98 %
    # 120e9 / 24000 = 5,000,000.00; 36.5e9 / 24265 = 1,504,224.19 (the VND-only ones: none)
    assert totals.registered_usd == Decimal("6504224.19")
    assert totals.area_ha == Decimal("10.00")
    assert totals.terminated == 1
    assert [(r["sector"], r["count"], r["registered_vnd"]) for r in totals.by_sector] == [
        ("energy", 1, Decimal("500000000000")),
        ("logistics", 2, Decimal("200000000000")),
        ("processing", 1, Decimal("36500000000")),
    ]
    assert [(r["country"], r["count"], r["registered_vnd"]) for r in totals.by_country] == [
        ("VN", 2, Decimal("580000000000")),
        ("CN", 2, Decimal("156500000000")),
    ]


def test_totals_follow_the_filters(register):
    found = services.filter_projects(services.Filters(country="cn"))
    totals = services.zone_totals(found)
    assert totals.count == 2
    assert totals.registered_vnd == Decimal("156500000000")


def test_usd_is_rounded_to_the_cent_and_absent_without_a_rate():
    assert services.to_usd(Decimal("36500000000"), Decimal("24265")) == Decimal("1504224.19")
    assert services.to_usd(Decimal("1000"), None) is None
    assert isinstance(services.to_usd(Decimal("1"), Decimal("3")), Decimal)


def test_the_status_machine_records_who_and_why(register, board):
    item = InvestmentProject.objects.get(code="A1")
    services.transition(board, item, "start_construction")
    item = services.transition(board, item, "suspend", "Chậm giải phóng mặt bằng")
    assert item.status == "suspended"
    last = ProjectTransition.objects.filter(project=item).last()
    assert (last.source, last.target, last.actor, last.reason) == (
        "under_construction",
        "suspended",
        board,
        "Chậm giải phóng mặt bằng",
    )


def test_a_step_the_table_does_not_have_is_refused(register, board):
    item = InvestmentProject.objects.get(code="A5")  # terminated: no way back
    with pytest.raises(IllegalTransition):
        services.transition(board, item, "resume_operation")
    item = InvestmentProject.objects.get(code="A1")
    with pytest.raises(FieldErrors) as refused:
        services.transition(board, item, "terminate", "  ")
    assert "reason" in refused.value.errors
    assert InvestmentProject.objects.get(code="A1").status == "registered"


def test_only_the_board_changes_a_status(register, auditor, enterprise):
    item = InvestmentProject.objects.get(code="A1")
    for person in (auditor, enterprise):
        with pytest.raises(PermissionDenied):
            services.transition(person, item, "start_construction")
    assert not ProjectTransition.objects.exists()


def test_the_example_file_is_the_provinces_scale():
    sheet = imports.read_spreadsheet(imports.EXAMPLE_FILE.name, imports.EXAMPLE_FILE.read_bytes())
    imports.import_projects(None, sheet, is_example=True)
    assert InvestmentProject.objects.filter(is_example=True).count() == 49
    assert services.zone_totals().registered_vnd == Decimal("6835400000000")


def test_a_row_the_import_would_refuse_is_refused_by_every_form_and_never_breaks_the_register(
    register, board
):
    """The administration wrote a rate of 0 (every page of the register then failed), a code
    in small letters no address could open, more disbursed than registered."""
    from django.core.exceptions import ValidationError
    from django.test import Client

    row = InvestmentProject.objects.get(code="A1")
    for field, value, wrong in (
        ("usd_rate", Decimal(0), "usd_rate"),
        ("usd_rate", Decimal(-1), "usd_rate"),
        ("registered_capital_vnd", Decimal(-5), "registered_capital_vnd"),
        ("area_ha", Decimal(-3), "area_ha"),
        ("disbursed_capital_vnd", Decimal("200000000000"), "disbursed_capital_vnd"),
        ("usd_rate_date", None, "usd_rate_date"),
    ):
        candidate = InvestmentProject.objects.get(pk=row.pk)
        setattr(candidate, field, value)
        with pytest.raises(ValidationError) as refused:
            candidate.full_clean()
        assert wrong in refused.value.message_dict, (field, value)
    lower = InvestmentProject.objects.get(pk=row.pk)
    lower.code = "mlt-test"
    lower.full_clean()
    assert lower.code == "MLT-TEST"
    # A row written before the checks: the register and its totals still answer, the row's
    # dollars left out as a row without a rate.
    before = services.zone_totals().registered_usd
    InvestmentProject.objects.filter(code="A1").update(usd_rate=Decimal(0))
    client = Client()
    client.force_login(board)
    assert client.get("/investment/").status_code == 200
    assert services.zone_totals().registered_usd == before - services.to_usd(
        row.registered_capital_vnd, row.usd_rate
    )


def test_a_milestone_is_achieved_on_a_day_and_only_then():
    from django.core.exceptions import ValidationError

    from cuakhau.investment.models import Milestone

    p = project("M1", "logistics", "VN", "1000000000", "0")
    for status, day in (("achieved", None), ("planned", dt.date(2027, 5, 5))):
        milestone = Milestone(project=p, title="Khởi công", due_date=dt.date(2026, 1, 1))
        milestone.status, milestone.achieved_on = status, day
        with pytest.raises(ValidationError):
            milestone.full_clean()


def test_the_dollar_total_says_which_projects_it_leaves_out(register):
    """A project with no noted rate cannot be in the US-dollar figure: the totals say how many
    and how much, as the board's statistics count apart what has no rate (the demo register's
    dollars covered 8 projects of 49 and read as the zone's)."""
    totals = services.zone_totals()
    assert totals.without_rate == 2  # A2 and A3; A5 is terminated and in no figure
    assert totals.without_rate_vnd == Decimal("580000000000")


def _admin_post(p, milestone: dict, amendment: dict) -> dict:
    """The project's administration page sent with one new milestone and one new amendment."""
    post = {
        "code": p.code,
        "name": p.name,
        "investor": p.investor,
        "investor_country": p.investor_country,
        "sector": p.sector,
        "registered_capital_vnd": str(p.registered_capital_vnd),
        "disbursed_capital_vnd": str(p.disbursed_capital_vnd),
        "usd_rate": "",
        "usd_rate_date": "",
        "area_ha": str(p.area_ha),
        "location": p.location,
        "certificate_number": "GCN-5211",
        "certificate_date": "2024-07-22",
        "note": "",
    }
    for prefix in ("amendments", "milestones", "transitions"):
        post[f"{prefix}-TOTAL_FORMS"] = "0"
        post[f"{prefix}-INITIAL_FORMS"] = "0"
    post["milestones-TOTAL_FORMS"] = post["amendments-TOTAL_FORMS"] = "1"
    post.update({f"milestones-0-{k}": v for k, v in milestone.items()})
    post.update({f"amendments-0-{k}": v for k, v in amendment.items()})
    return post


@pytest.mark.parametrize(
    ("milestone", "amendment", "wrong"),
    [
        # The schedule of a certificate, before it was issued.
        ({"due_date": "2024-03-01"}, {}, "due_date"),
        ({"status": "achieved", "achieved_on": "2099-01-01"}, {}, "achieved_on"),
        ({}, {"date": "2023-12-31"}, "date"),
        ({}, {"date": "2099-01-01"}, "date"),
    ],
)
def test_a_milestone_or_amendment_is_not_before_the_certificate_nor_done_in_the_future(
    admin_client, milestone, amendment, wrong
):
    from cuakhau.investment.models import LicenceAmendment, Milestone

    p = project("LS-52", "logistics", "CN", "36500000000", "0")
    good_milestone = {"title": "Khởi công", "due_date": "2025-03-01", "status": "planned"}
    good_amendment = {"number": "1", "date": "2025-01-15", "summary": "Tăng vốn"}
    url = f"/admin/investment/investmentproject/{p.pk}/change/"
    page = admin_client.post(
        url, _admin_post(p, {**good_milestone, **milestone}, {**good_amendment, **amendment})
    )
    assert page.status_code == 200
    inline = "milestones" if milestone else "amendments"
    errors = page.context["inline_admin_formsets"]
    [formset] = [f.formset for f in errors if f.formset.prefix == inline]
    assert wrong in formset.forms[0].errors, formset.errors
    assert not Milestone.objects.exists() and not LicenceAmendment.objects.exists()
    saved = admin_client.post(url, _admin_post(p, good_milestone, good_amendment))
    assert saved.status_code == 302
    assert Milestone.objects.get().due_date == dt.date(2025, 3, 1)
