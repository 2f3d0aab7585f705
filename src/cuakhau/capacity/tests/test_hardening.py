"""The board's page against odd addresses and repeated requests."""

import pytest
from django_tasks_db.models import DBTaskResult

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.capacity.tasks import run_simulation
from cuakhau.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BACKLOG = {"scenario": "backlog-dec-2021", "policy": "all"}


@pytest.fixture
def board(db):
    return create_user("bangiamdoc", PASSWORD, roles.BOARD)


def test_another_tasks_id_is_no_run(client, board):
    """A slot tick's id named as a run answered 500 (the task does not match)."""
    from cuakhau.slots.tasks import call_forward_task

    other = call_forward_task.enqueue("mlt")
    client.force_login(board)
    assert client.get("/capacity/", {"run": str(other.id)}).status_code == 404
    for odd in ("", "0" * 5000, "00000000-0000-0000-0000-000000000000"):
        assert client.get("/capacity/", {"run": odd}).status_code == 404


def test_asking_again_for_a_long_run_follows_the_one_queued(client, board):
    client.force_login(board)
    first = client.post("/capacity/", BACKLOG)
    again = client.post("/capacity/", BACKLOG)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert DBTaskResult.objects.filter(task_path=run_simulation.module_path).count() == 1
    other_lanes = client.post("/capacity/", {**BACKLOG, "lanes": "9"})
    assert other_lanes["Location"] != first["Location"]


@pytest.mark.parametrize("lanes", ["-1", "0", "1" + "0" * 30, "1e3", "٣٣٣", "2.5"])
def test_lanes_out_of_reason_are_a_form_error(client, board, lanes):
    client.force_login(board)
    page = client.get(
        "/capacity/", {"scenario": "huu-nghi-normal", "policy": "fcfs", "lanes": lanes}
    )
    assert page.status_code == 400
    assert "Policies side by side" not in page.content.decode()
    assert not DBTaskResult.objects.exists()


@pytest.mark.parametrize(
    "option", [["--lanes", "1000000000000"], ["--lanes", "0"], ["--staff", "-1"]]
)
def test_the_command_refuses_lanes_and_staff_no_scenario_could_have(option):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="must be from"):
        call_command("simulate", "huu-nghi-normal", *option)
