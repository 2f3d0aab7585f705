"""No change to a commitment escapes its history: its recording is the first step, whichever
form made it (the register's page, the administration's commitment or meeting page), and its
evidence changes only through a recorded step, never in the administration."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token
from cuakhau.conftest import PASSWORD
from cuakhau.cooperation import services
from cuakhau.cooperation.models import Commitment, CommitmentTransition, Counterpart, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    jinping = Counterpart.objects.create(name_vi="UBND huyện Kim Bình", country="CN")
    meeting = Meeting.objects.create(
        held_on=dt.date(2026, 3, 21), place="Kim Bình", title="Hội đàm Lai Châu – Hồng Hà"
    )
    meeting.counterparts.add(jinping)
    return meeting


def test_a_commitment_recorded_on_the_page_starts_its_history(meeting):
    board = create_user("bql_hist", PASSWORD, roles.BOARD)
    client = Client()
    client.force_login(board)
    response = client.post(
        "/cooperation/new/commitment/",
        {
            "meeting": meeting.pk,
            "subject": "Khởi công cầu Ma Lù Thàng – Kim Thủy Hà",
            "side": "both",
            "owner": "Sở Xây dựng Lai Châu",
            "due_date": "2027-06-30",
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    (first,) = commitment.transitions.all()
    assert (first.action, first.source, first.target) == ("record", "", "open")
    assert (first.actor, first.channel, first.remote_addr) == (board, "web", "127.0.0.1")
    services.transition(board, commitment, "start")
    assert list(commitment.transitions.values_list("action", flat=True)) == ["record", "start"]
    page = client.get(f"/cooperation/commitments/{commitment.pk}/").content.decode()
    assert "Recorded: Not started · bql_hist" in page
    # Recording is no step the API or the page's buttons may take again.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(board, 't')[1]}")
    again = api.post(
        f"/api/v1/cooperation/commitments/{commitment.pk}/actions/record",
        {},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert client.post(f"/cooperation/commitments/{commitment.pk}/record/").status_code == 422
    assert commitment.transitions.count() == 2


def test_a_commitment_added_in_the_administration_is_recorded_as_the_page_records_it(
    admin_client, meeting
):
    admin = get_user_model().objects.get(username="admin")
    added = admin_client.post(
        "/admin/cooperation/commitment/add/",
        {
            "meeting": meeting.pk,
            "subject": "Trao đổi danh sách doanh nghiệp",
            "side": "counterpart",
            "owner": "Cục Hải quan Kim Thủy Hà",
            "due_date": "2027-01-31",
            "transitions-TOTAL_FORMS": "0",
            "transitions-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    (step,) = CommitmentTransition.objects.filter(commitment__subject__startswith="Trao đổi")
    assert (step.action, step.target, step.actor, step.channel) == ("record", "open", admin, "web")

    # Beside its meeting too.
    inline = admin_client.post(
        f"/admin/cooperation/meeting/{meeting.pk}/change/",
        {
            "held_on": "2026-03-21",
            "place": meeting.place,
            "title": meeting.title,
            "counterparts": list(meeting.counterparts.values_list("pk", flat=True)),
            "commitments-TOTAL_FORMS": "2",
            "commitments-INITIAL_FORMS": "1",
            "commitments-0-id": Commitment.objects.get().pk,
            "commitments-0-meeting": meeting.pk,
            "commitments-0-subject": "Trao đổi danh sách doanh nghiệp",
            "commitments-0-side": "counterpart",
            "commitments-0-owner": "Cục Hải quan Kim Thủy Hà",
            "commitments-0-due_date": "2027-01-31",
            "commitments-0-evidence": "Đã nhận danh sách (sửa trong trang quản trị)",
            "commitments-1-meeting": meeting.pk,
            "commitments-1-subject": "Khởi công cầu",
            "commitments-1-side": "both",
            "commitments-1-owner": "Sở Xây dựng",
            "commitments-1-due_date": "2027-06-30",
        },
    )
    assert inline.status_code == 302, inline.content.decode()[:3000]
    bridge = Commitment.objects.get(subject="Khởi công cầu")
    assert list(bridge.transitions.values_list("action", "actor")) == [("record", admin.pk)]
    # The evidence sent beside the meeting was not taken: no step recorded it.
    assert Commitment.objects.get(subject__startswith="Trao đổi").evidence == ""
    assert CommitmentTransition.objects.count() == 2


def test_the_evidence_changes_only_through_a_recorded_step(admin_client, meeting):
    board = create_user("bql_ev", PASSWORD, roles.BOARD)
    commitment = services.record(
        Commitment(meeting=meeting, subject="Cầu", owner="Sở", due_date=dt.date(2027, 6, 30)),
        actor=board,
    )
    services.transition(board, commitment, "fulfil", "Công văn số 315")
    url = f"/admin/cooperation/commitment/{commitment.pk}/change/"
    form = admin_client.get(url).content.decode()
    assert 'name="evidence"' not in form and "Công văn số 315" in form
    changed = admin_client.post(
        url,
        {
            "meeting": meeting.pk,
            "subject": "Cầu",
            "side": "both",
            "owner": "Sở",
            "due_date": "2027-06-30",
            "evidence": "Sửa lặng lẽ",
            "transitions-TOTAL_FORMS": "2",
            "transitions-INITIAL_FORMS": "2",
            "transitions-0-id": commitment.transitions.first().pk,
            "transitions-0-commitment": commitment.pk,
            "transitions-1-id": commitment.transitions.last().pk,
            "transitions-1-commitment": commitment.pk,
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:3000]
    commitment.refresh_from_db()
    assert commitment.evidence == "Công văn số 315"
    assert list(commitment.transitions.values_list("action", "note")) == [
        ("record", ""),
        ("fulfil", "Công văn số 315"),
    ]
