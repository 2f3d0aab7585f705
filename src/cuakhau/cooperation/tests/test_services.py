"""What was promised and what is late; the status machine; delegations and aid as reported."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.cooperation import services
from cuakhau.cooperation.examples import load_examples
from cuakhau.cooperation.models import (
    AidProject,
    Commitment,
    CommitmentTransition,
    Delegation,
    Meeting,
)
from cuakhau.core.errors import FieldErrors
from cuakhau.core.statemachine import IllegalTransition

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def promised():
    meeting = Meeting.objects.create(
        held_on=dt.date(2024, 3, 21), place="Kim Bình", title="Hội đàm Lai Châu – Hồng Hà"
    )

    def commitment(subject, due, status="open"):
        return Commitment.objects.create(
            meeting=meeting, subject=subject, owner="Sở Công Thương", due_date=due, status=status
        )

    return {
        "fruit": commitment("Cửa khẩu quả tươi", dt.date(2024, 12, 31), "in_progress"),
        "bridge": commitment("Cầu biên giới", dt.date(2025, 6, 30)),
        "upgrade": commitment("Nâng cấp cửa khẩu quốc tế", dt.date(2027, 6, 30)),
        "list": commitment("Danh sách doanh nghiệp", dt.date(2025, 9, 30), "fulfilled"),
        "due_today": commitment("Họp nhóm công tác", TODAY),
    }


def test_late_is_pending_past_its_due_date(promised):
    late = {c.subject for c in services.commitments("late", TODAY)}
    assert late == {"Cửa khẩu quả tươi", "Cầu biên giới"}
    assert not services.is_late(promised["due_today"], TODAY)  # due today is not late yet
    assert not services.is_late(promised["list"], TODAY)  # fulfilled, however old
    summary = services.commitment_summary(TODAY)
    assert (summary.total, summary.pending, summary.late, summary.fulfilled) == (5, 4, 2, 1)


def test_fulfilling_needs_evidence_and_is_recorded(promised, board):
    bridge = promised["bridge"]
    with pytest.raises(FieldErrors) as refused:
        services.transition(board, bridge, "fulfil", "")
    assert "note" in refused.value.errors
    done = services.transition(board, bridge, "fulfil", "Lễ khởi công ngày 2/9/2026")
    assert (done.status, done.evidence) == ("fulfilled", "Lễ khởi công ngày 2/9/2026")
    assert done.done_on is not None
    step = CommitmentTransition.objects.get(commitment=bridge)
    assert (step.source, step.target, step.actor) == ("open", "fulfilled", board)
    with pytest.raises(IllegalTransition):
        services.transition(board, done, "start")


def test_only_the_board_keeps_the_commitments(promised, auditor):
    with pytest.raises(PermissionDenied):
        services.transition(auditor, promised["bridge"], "start")
    assert Commitment.objects.get(pk=promised["bridge"].pk).status == "open"


def test_delegations_and_aid_totals_match_a_hand_count():
    for day, country, visitors in (
        (dt.date(2019, 12, 1), "CN", 40),  # before 2020: not counted
        (dt.date(2020, 5, 4), "CN", 12),
        (dt.date(2023, 7, 9), "KR", 9),
        (dt.date(2025, 1, 15), "CN", 30),
    ):
        Delegation.objects.create(
            received_on=day, from_name="Đoàn", country=country, visitors=visitors, purpose="Hội đàm"
        )
    for vnd, sector, ends in (
        ("36397500000", "infrastructure", None),
        ("20400000000", "health", dt.date(2025, 3, 31)),
        ("5000000000", "health", dt.date(2019, 6, 30)),  # ended before 2020
    ):
        AidProject.objects.create(
            title="Dự án",
            donor="KOICA",
            donor_country="KR",
            sector=sector,
            amount=Decimal(1),
            currency="USD",
            amount_vnd=Decimal(vnd),
            starts_on=dt.date(2018, 1, 1),
            ends_on=ends,
        )
    totals = services.external_totals(dt.date(2020, 1, 1))
    assert (totals.delegations, totals.visitors) == (3, 51)
    assert totals.aid_projects == 2
    assert totals.aid_vnd == Decimal("56797500000")
    assert [(r["country"], r["n"], r["visitors"]) for r in totals.delegations_by_country] == [
        ("CN", 2, 42),
        ("KR", 1, 9),
    ]


def test_the_examples_are_marked_and_load_once():
    load_examples()
    load_examples()
    assert Commitment.objects.count() == 4
    assert not Commitment.objects.filter(is_example=False).exists()
    assert Meeting.objects.filter(is_example=True).count() == 2


def test_the_commitments_page_makes_late_stand_out(promised, auditor):
    client = Client()
    client.force_login(auditor)
    page = client.get("/cooperation/commitments/?show=all")
    assert page.status_code == 200
    text = page.content.decode()
    late_row = text.split(f'data-commitment="{promised["bridge"].pk}"')[0].rsplit("<tr", 1)[1]
    assert 'class="overdue"' in late_row
    upgrade = text.split(f'data-commitment="{promised["upgrade"].pk}"')[0].rsplit("<tr", 1)[1]
    assert "overdue" not in upgrade


def test_the_api_lists_late_commitments_and_changes_a_status(promised, board, auditor):
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(auditor, 't')[1]}")
    late = reader.get("/api/v1/cooperation/commitments?show=late").json()
    assert {c["subject"] for c in late} >= {"Cầu biên giới"}
    assert all(c["late"] for c in late)
    keeper = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(board, 't')[1]}")
    url = f"/api/v1/cooperation/commitments/{promised['bridge'].pk}/actions/drop"
    refused = keeper.post(url, {}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "note"]
    ok = keeper.post(
        url, {"note": "Hai bên thống nhất lùi sang 2027"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "dropped"
    missing = keeper.get("/api/v1/cooperation/commitments/999999/actions/drop")
    assert missing.status_code in (404, 405)


def test_a_reopened_commitment_no_longer_shows_the_evidence_withdrawn(promised, board, auditor):
    bridge = services.transition(board, promised["bridge"], "fulfil", "Lễ khởi công 2/9/2026")
    services.transition(board, bridge, "reopen", "Mới khởi công hạng mục phụ, chưa phải cầu chính")
    bridge.refresh_from_db()
    assert (bridge.status, bridge.evidence, bridge.done_on) == ("in_progress", "", None)
    page = Client()
    page.force_login(auditor)
    html = page.get(f"/cooperation/commitments/{bridge.pk}/").content.decode()
    evidence_row = html.split("<th>Evidence</th>", 1)[1].split("</tr>", 1)[0]
    assert "Lễ khởi công" not in evidence_row
    # The history still says what was given, by whom, and why it was withdrawn.
    assert [t.note for t in bridge.transitions.all()] == [
        "Lễ khởi công 2/9/2026",
        "Mới khởi công hạng mục phụ, chưa phải cầu chính",
    ]
    assert "Lễ khởi công 2/9/2026" in html.split("History", 1)[1]
