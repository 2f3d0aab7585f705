"""What the test session does to its database to be quick keeps its checks."""

import pytest
from django.db import IntegrityError, connection, transaction

from cuakhau.gate.models import Lane


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the quicker check is SQLite's")
def test_a_dangling_foreign_key_is_still_found_after_a_test(mlt):
    # What Django's TestCase runs after each test, over the tables the session's quicker
    # check still reads (every one but the reference data's).
    with transaction.atomic():
        Lane.objects.create(gate_id=mlt.pk + 10_000, code="L9")
        with pytest.raises(IntegrityError, match="gate_lane"):
            connection.check_constraints()
        transaction.set_rollback(True)
    connection.check_constraints()  # rolled back: nothing dangles
