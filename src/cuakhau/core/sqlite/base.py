"""SQLite's one writer at a time, handed over at once.

A transaction takes SQLite's write lock at ``BEGIN IMMEDIATE``; a second writer that finds it
taken does not wait for it, it sleeps on the busy timeout (1, 2, 5, 10 … 100 ms) and tries again.
Under a gate's load (two server workers, two threads each) that turns a few milliseconds of
someone else's transaction into tens or hundreds of milliseconds of sleep, and the server sits
idle meanwhile. Here every writer of this backend first takes an exclusive ``flock`` on a file
beside the database: the kernel queues the waiters and wakes one the moment the lock is
released, and the busy timeout is left for writers that do not take it (another program, an
autocommit statement).
"""

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_file = None  # the open lock file of this connection, once a transaction needed it
    _writer_pid = None
    _writing = False

    def _writer_lock(self):
        if self._writer_file is None or self._writer_pid != os.getpid():
            # Never a descriptor inherited through fork: a child would share the parent's lock.
            name = str(self.settings_dict["NAME"])
            if self.is_in_memory_db() or name.startswith("file:"):
                return None
            # Opened by each connection: flock locks of separate opens exclude each other,
            # threads of one process included.
            self._writer_file = os.open(f"{name}-writer", os.O_RDWR | os.O_CREAT, 0o600)
            self._writer_pid = os.getpid()
        return self._writer_file

    def _start_transaction_under_autocommit(self):
        lock = self._writer_lock() if self.transaction_mode == "IMMEDIATE" else None
        if lock is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # releases the GIL while it waits
            self._writing = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._hand_over()
            raise

    def _hand_over(self):
        if self._writing:
            self._writing = False
            fcntl.flock(self._writer_file, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._hand_over()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._hand_over()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._hand_over()
            if self._writer_file is not None:
                os.close(self._writer_file)
                self._writer_file = None
