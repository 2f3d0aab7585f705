"""An inspection one officer started and another decided keeps both names: the officer who
recorded the result no longer replaces the one who started the check."""

import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.inspections import services
from cuakhau.inspections.models import Inspection

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_starter_and_the_recorder_are_both_kept(officers, inside, mlt):
    starter = officers["customs"]
    colleague = create_user("haiquan_ca2", PASSWORD, roles.CUSTOMS, gates=[mlt])
    started = services.start_inspection(starter, inside, kind="physical inspection")
    decided = services.record_result(colleague, inside, "pass", "Kiểm tra thực tế: hàng khớp")
    assert decided.pk == started.pk
    decided.refresh_from_db()
    assert (decided.started_by, decided.officer) == (starter, colleague)
    page = signed_in(starter).get(f"/inspections/{inside.reference}/").content.decode()
    assert "haiquan_ca2 (started by " + starter.get_username() + ")" in page
    trip_page = signed_in(colleague).get(f"/trips/{inside.reference}/").content.decode()
    assert "started by " + starter.get_username() in trip_page


def test_one_officer_who_starts_and_decides_is_named_once(officers, inside):
    officer = officers["border_guard"]
    services.start_inspection(officer, inside)
    services.record_result(officer, inside, "pass")
    inspection = Inspection.objects.get(trip=inside, agency="border_guard")
    assert inspection.started_by == inspection.officer == officer
    page = signed_in(officer).get(f"/inspections/{inside.reference}/").content.decode()
    assert "started by" not in page


def test_a_result_recorded_with_no_check_started_names_its_officer_as_starter(officers, inside):
    recorded = services.record_result(officers["quarantine"], inside, "pass")
    assert recorded.started_by == recorded.officer == officers["quarantine"]
