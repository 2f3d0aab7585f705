import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD


@pytest.fixture
def board(db):
    return create_user("bql_laichau", PASSWORD, roles.BOARD)
