"""Fixtures of the statistics' tests: the three crossings computed by hand in
``test_services`` (for every test here), and a member of the management board."""

import pytest

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.stats.tests.test_services import three_crossings  # noqa: F401  (a fixture)


@pytest.fixture
def board(db):
    return create_user("bql_laichau", PASSWORD, roles.BOARD)
