"""The board's simulator page: who sees it, a run's table and plot, bad input as a form error."""

import pytest
from django.utils import translation

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, set_language
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(db):
    return create_user("bangiamdoc", PASSWORD, roles.BOARD)


def test_the_board_runs_a_scenario_and_sees_the_comparison_and_the_plot(client, board):
    client.force_login(board)
    page = client.get("/capacity/")
    assert page.status_code == 200
    assert "backlog-dec-2021" in page.content.decode()
    assert "Policies side by side" not in page.content.decode()
    response = client.get("/capacity/", {"scenario": "huu-nghi-normal", "policy": "all"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Policies side by side" in text
    for label in ("Walk-in, first come first served", "Slots, perishables first"):
        assert label in text
    assert "<svg" in text and "Trucks waiting at the gate" in text
    assert "Erlang C for the same load (6 lanes" in text


def test_lanes_override_and_bad_input_is_a_form_error_not_a_crash(client, board):
    client.force_login(board)
    response = client.get(
        "/capacity/", {"scenario": "huu-nghi-normal", "policy": "fcfs", "lanes": "3"}
    )
    assert "Erlang C for the same load (3 lanes" in response.content.decode()
    for bad in (
        {"scenario": "nowhere", "policy": "all"},
        {"scenario": "fruit-peak", "policy": "all", "lanes": "0"},
    ):
        response = client.get("/capacity/", bad)
        assert response.status_code == 400  # refused, as every refused form is
        assert "Policies side by side" not in response.content.decode()
        assert "errorlist" in response.content.decode() or "error" in response.content.decode()


def test_an_enterprise_may_not_run_the_simulator(client, enterprise):
    client.force_login(enterprise)
    assert client.get("/capacity/").status_code in (403, 404)


def test_the_page_speaks_vietnamese(client, board, settings):
    settings.LANGUAGE_CODE = "vi"
    client.force_login(board)
    with translation.override("vi"):
        response = client.get(
            "/capacity/",
            {"scenario": "huu-nghi-normal", "policy": "fcfs"},
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    text = response.content.decode()
    assert "Mô phỏng năng lực" in text
    assert "Ngày bình thường ở Hữu Nghị" in text


def test_a_long_run_goes_to_the_worker_and_the_page_follows_it(client, board):
    """The backlog replay (~10,000 trucks × three policies) is queued; the page refreshes
    itself while it waits, and shows the comparison once the worker has run it."""
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    client.force_login(board)
    # Asked by a link, the page offers to queue it; the button posts the run.
    offered = client.get("/capacity/", {"scenario": "backlog-dec-2021", "policy": "all"})
    assert offered.status_code == 200 and 'id="sim-to-queue"' in offered.content.decode()
    response = client.post("/capacity/", {"scenario": "backlog-dec-2021", "policy": "all"})
    assert response.status_code == 302
    follow = response["Location"]
    assert "?run=" in follow
    waiting = client.get(follow).content.decode()
    assert 'http-equiv="refresh"' in waiting and "queued for the background worker" in waiting
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("worker", "--once", "--interval", "0", stdout=StringIO())
    done = client.get(follow).content.decode()
    assert 'http-equiv="refresh"' not in done
    assert "Policies side by side" in done and "no steady state" in done
    assert client.get("/capacity/", {"run": "not-a-task"}).status_code == 404


@pytest.mark.parametrize(("language", "lanes"), [("vi", "số làn"), ("zh-hans", "车道数")])
def test_the_lanes_field_asks_for_a_number_of_lanes(client, board, language, lanes):
    # "lanes" here is how many (số làn, 车道数), not the gate's lanes (làn, 车道) of the gate app.
    set_language(board, language)
    client.force_login(board)
    page = client.get("/capacity/")
    assert page.status_code == 200
    assert f'<label for="id_lanes">{lanes}<' in page.content.decode()
