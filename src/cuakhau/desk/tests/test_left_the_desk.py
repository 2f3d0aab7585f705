"""A file whose officer left the desk (deactivated, moved to another gate) stayed theirs: the
other officers could not take it ("already assigned") and only a supervisor could move it, so
at a desk without one it sat in the queue with nobody working on it."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import StateRefused
from cuakhau.desk import services

from .conftest import applicant_data, at, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(mlt):
    return create_user("motcua2", PASSWORD, roles.DESK, gates=[mlt])


def _taken(catalogue, officer):
    a = services.file_application(applicant_data(catalogue), [pdf()], now=at(dt.date(2026, 3, 2)))
    return services.take(officer, a)


def test_a_file_of_a_deactivated_officer_is_taken_by_a_colleague(
    catalogue, desk_officer, colleague
):
    a = _taken(catalogue, desk_officer)
    assert not services.may_take(colleague, a)
    with pytest.raises(StateRefused):
        services.take(colleague, a)
    desk_officer.is_active = False
    desk_officer.save()
    a.refresh_from_db()
    assert services.assignee_left(a) and services.may_take(colleague, a)
    a = services.take(colleague, a)
    assert a.assignee == colleague
    assert a.transitions.filter(action="take").last().data == {"from": "motcua", "to": "motcua2"}


def test_a_file_of_an_officer_moved_to_another_gate_is_offered_on_the_page(
    catalogue, desk_officer, colleague, hng
):
    a = _taken(catalogue, desk_officer)
    desk_officer.profile.gates.set([hng])
    client = Client()
    client.force_login(colleague)
    page = client.get(f"/desk/applications/{a.code}/").content.decode()
    assert "no longer at this desk" in page and f"/desk/applications/{a.code}/take/" in page
    assert client.post(f"/desk/applications/{a.code}/take/").status_code == 302
    a.refresh_from_db()
    assert a.assignee == colleague
