"""SQLite's writers queue on a file lock held for exactly their transaction (``core.sqlite``).

The handing over itself (a waiting writer wakes when the lock is released, instead of sleeping
on the busy timeout) is the kernel's; what is ours is that every transaction takes the lock
and that commit, rollback and a closed connection all give it back.
"""

import fcntl
import os
import threading

import pytest
from django.db import connection, transaction

from cuakhau.reference.models import Gate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write queue"),
]


def queue_is_taken() -> bool:
    """Whether some writer holds the queue, asked through an open of our own (as another
    process would)."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writer", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def test_a_transaction_holds_the_queue_until_it_commits(mlt):
    with transaction.atomic():
        Gate.objects.filter(code="mlt").update(name_en="Ma Lu Thang")
        assert queue_is_taken()
        with transaction.atomic():  # a savepoint keeps it
            assert queue_is_taken()
        assert queue_is_taken()
    assert not queue_is_taken()


def test_a_rolled_back_transaction_gives_the_queue_back(mlt):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        Gate.objects.filter(code="mlt").update(name_en="nowhere")
        raise ZeroDivisionError
    assert not queue_is_taken()
    assert Gate.objects.get(code="mlt").name_en != "nowhere"


def test_a_closed_connection_gives_the_queue_back(mlt):
    seen = []

    def abandoned():
        # A transaction never ended, its connection closed (a thread that dies mid-request).
        transaction.atomic().__enter__()
        Gate.objects.filter(code="mlt").update(name_en="never committed")
        seen.append(queue_is_taken())
        connection.close()

    thread = threading.Thread(target=abandoned)
    thread.start()
    thread.join()
    assert seen == [True] and not queue_is_taken()
    assert Gate.objects.get(code="mlt").name_en != "never committed"


def test_the_next_writer_waits_for_the_queue_then_writes(mlt):
    entered, results = threading.Event(), []

    def other_booth():
        entered.set()
        with transaction.atomic():
            results.append(Gate.objects.get(code="mlt").name_en)
        connection.close()

    with transaction.atomic():
        Gate.objects.filter(code="mlt").update(name_en="first writer")
        booth = threading.Thread(target=other_booth)
        booth.start()
        entered.wait()
        booth.join(timeout=0.5)
        assert booth.is_alive() and not results  # queued behind this transaction
    booth.join()
    assert results == ["first writer"]  # it read what the first one committed


def test_every_connection_runs_with_the_write_ahead_log_as_tuned():
    """WAL, durable at checkpoints, foreign keys enforced, and the log copied back every 4000
    pages (not SQLite's 1000, which put a checkpoint in every 40th check-in's commit)."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        found = {
            pragma: cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in (
                "journal_mode",
                "synchronous",
                "foreign_keys",
                "wal_autocheckpoint",
                "journal_size_limit",
            )
        }
    assert found == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "wal_autocheckpoint": 4000,
        "journal_size_limit": 32 * 1024 * 1024,
    }
