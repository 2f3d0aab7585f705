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


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_is_put_back_as_the_session_made_it(mlt):
    # A transactional test's flush empties every table; the session puts back what its loaders
    # and the migrations wrote (a worker may run any test after it), and the flush's own
    # post_migrate makes the rest again: every table then holds the same rows as before.
    from django.core.management import call_command

    from cuakhau.core.testing import snapshot

    before = snapshot.row_counts()
    call_command("flush", interactive=False, verbosity=0)
    snapshot.put_back()
    after = snapshot.row_counts()
    assert {m._meta.db_table: n for m, n in after.items() if n != before[m]} == {}
    assert any(n for m, n in before.items() if m._meta.db_table == "market_rulesedition")
