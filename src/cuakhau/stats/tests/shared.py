"""The three crossings of ``test_services``, built once for a module that only reads them
(``core.testing.shared``). A module imports both fixtures and runs every test beside them::

    from cuakhau.stats.tests.shared import _shared_crossings, shared_three_crossings  # noqa: F401

    pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_shared_crossings")]
"""

import pytest

from cuakhau.conftest import people_at_mlt
from cuakhau.core.testing.shared import fresh, shared_data
from cuakhau.stats.tests.test_services import build_three_crossings


@pytest.fixture(scope="module")
def _shared_crossings(request, django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_data(request, django_db_blocker, tmp_path_factory):
        yield build_three_crossings(*people_at_mlt())


@pytest.fixture(name="three_crossings")
def shared_three_crossings(_shared_crossings, db):
    """The module's crossings, each trip read afresh for the test."""
    return tuple(fresh(trip) for trip in _shared_crossings)
