"""The board records the register's rows on the pages, with errors beside their fields."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.cooperation.models import Commitment, Counterpart, Delegation, Meeting

pytestmark = pytest.mark.django_db


def signed_in(role):
    client = Client()
    client.force_login(create_user(f"user_{role}", PASSWORD, role))
    return client


def test_the_board_records_a_meeting_and_the_commitment_made_in_it():
    board = signed_in(roles.BOARD)
    assert "/cooperation/new/meeting/" in board.get("/cooperation/").content.decode()
    jinping = Counterpart.objects.create(
        name_vi="Ủy ban nhân dân huyện Kim Bình", name_zh="金平县人民政府", country="CN"
    )
    response = board.post(
        "/cooperation/new/meeting/",
        {
            "held_on": "2026-11-20",
            "place": "Cửa khẩu Ma Lù Thàng",
            "title": "Hội đàm về cầu Ma Lù Thàng – Kim Thủy Hà",
            "counterparts": [jinping.pk],
            "minutes": "Hai bên thống nhất khởi công cầu trong quý II/2027.",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == f"/cooperation/meetings/{meeting.pk}/"
    assert list(meeting.counterparts.all()) == [jinping]
    response = board.post(
        "/cooperation/new/commitment/",
        {
            "meeting": meeting.pk,
            "subject": "Khởi công cầu Ma Lù Thàng – Kim Thủy Hà",
            "side": "both",
            "owner": "Sở Xây dựng Lai Châu",
            "due_date": "2027-06-30",
        },
    )
    commitment = Commitment.objects.get()
    assert response.url == f"/cooperation/commitments/{commitment.pk}/"
    assert (commitment.due_date, commitment.is_example) == (dt.date(2027, 6, 30), False)
    assert "Khởi công cầu" in board.get("/cooperation/commitments/?show=all").content.decode()


def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved():
    board = signed_in(roles.BOARD)
    response = board.post(
        "/cooperation/new/delegation/",
        {
            "received_on": "2026-13-40",
            "from_name": "Đoàn\x00công tác",
            "country": "ZZ",
            "visitors": "-3",
            "purpose": "",
        },
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {
        "received_on", "from_name", "country", "visitors", "purpose",
    }  # fmt: skip
    assert not Delegation.objects.exists()
    assert board.get("/cooperation/new/treaty/").status_code == 404


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.CUSTOMS, roles.ENTERPRISE])
def test_only_the_board_and_administrators_record(role):
    client = signed_in(role)
    assert client.get("/cooperation/new/commitment/").status_code in (403, 404)
    assert client.post(
        "/cooperation/new/counterpart/", {"name_vi": "X", "country": "CN"}
    ).status_code in (403, 404)
    assert not Counterpart.objects.exists()


@pytest.mark.parametrize(
    ("kind", "post", "field"),
    [
        ("delegation", {"received_on": "2026-11-20", "visitors": "99999999999999"}, "visitors"),
        ("delegation", {"received_on": "1900-01-01", "visitors": "12"}, "received_on"),
        ("commitment", {"due_date": "2150-01-01"}, "due_date"),
        ("commitment", {"due_date": "1900-01-01"}, "due_date"),
    ],
)
def test_implausible_figures_and_days_are_refused(kind, post, field):
    board = signed_in(roles.BOARD)
    base = {
        "from_name": "Đoàn công tác huyện Kim Bình",
        "country": "CN",
        "purpose": "Khảo sát cầu",
        "subject": "Khởi công cầu",
        "side": "both",
        "owner": "Sở Xây dựng Lai Châu",
    }
    response = board.post(f"/cooperation/new/{kind}/", {**base, **post})
    assert response.status_code == 422 and field in response.context["form"].errors
