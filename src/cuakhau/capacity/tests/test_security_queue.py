"""A long simulation is queued by the board's own post, never by a link: the worker that runs
it also sends the drivers' messages and calls trucks forward."""

import pytest
from django.test import Client
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


def _queued() -> int:
    return DBTaskResult.objects.filter(task_path=run_simulation.module_path).count()


def test_following_a_link_queues_nothing(board):
    client = Client()
    client.force_login(board)
    # An <img> or a link on another site, in a board member's browser: every lane count once.
    for lanes in ("", "3", "9"):
        page = client.get("/capacity/", {**BACKLOG, "lanes": lanes})
        assert page.status_code == 200
        assert 'id="sim-to-queue"' in page.content.decode()
    assert _queued() == 0


def test_the_queueing_post_needs_the_pages_token(board):
    client = Client(enforce_csrf_checks=True)
    client.force_login(board)
    # A form posted from another site carries no token.
    assert client.post("/capacity/", BACKLOG).status_code == 403
    assert _queued() == 0
    page = client.get("/capacity/", BACKLOG)
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"')[0]
    queued = client.post("/capacity/", {**BACKLOG, "csrfmiddlewaretoken": token})
    assert queued.status_code == 302 and "?run=" in queued["Location"]
    assert _queued() == 1
