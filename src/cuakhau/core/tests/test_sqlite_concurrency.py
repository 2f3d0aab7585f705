"""The embedded SQLite default holds under concurrent writers.

A real gunicorn with two worker processes serves a file database; sixteen clients declare
trips at once. Every request must succeed (no "database is locked") and every trip must be
there afterwards (no lost write).
"""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from cuakhau.conftest import banana_line, declaration

CLIENTS = 16
REQUESTS_PER_CLIENT = 8

# The embedded default's own test: the suite on SQLite runs it (and every CI runs that suite);
# on PostgreSQL it would only repeat it, migrating a new file database for 20 s.
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded SQLite default, tested by the SQLite run"
)

# Migrating a new file database took half a minute of the suite: the test database (migrated,
# reference data loaded) is copied into the file instead, and only migrated here when it cannot
# be (not SQLite).
MIGRATE = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_reference", verbosity=0)
"""

SETUP = """
import django
django.setup()
%s
from cuakhau.accounts import roles
from cuakhau.accounts.models import Organisation
from cuakhau.accounts.services import create_user, issue_token
org = Organisation.objects.create(name="Công ty CP XNK Lạng Sơn Xanh", country="VN", tax_code="0100109106")
user = create_user("dn_langson", "bien-gioi-2025!", roles.ENTERPRISE, organisation=org)
print(issue_token(user, "load")[1])
"""

COUNT = """
import django
django.setup()
from cuakhau.trips.models import Trip, Container
print(Trip.objects.count(), Container.objects.count(), Trip.objects.values("reference").distinct().count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_test_database(path) -> bool:
    """The suite's SQLite test database, migrated and with its reference data, into ``path``
    (the test is transactional: nothing of its own is uncommitted in it)."""
    if connection.vendor != "sqlite":
        return False
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    return True


@pytest.fixture
def sqlite_server(tmp_path, transactional_db, reference_data):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CUAKHAU_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="cuakhau.settings",
        CUAKHAU_PLAIN_STATIC="1",
        LOG_LEVEL="WARNING",
    )
    copied = copy_test_database(tmp_path / "cuakhau.sqlite3")
    setup = SETUP % ("" if copied else MIGRATE)
    token = (
        subprocess.run(
            [sys.executable, "-c", setup], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cuakhau.wsgi:application",
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
            break
        except OSError:  # refused while gunicorn starts, or slow on a loaded machine
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("gunicorn did not start")
    yield base, token, env
    server.terminate()
    server.wait(timeout=10)


def container_number(n: int) -> str:
    from stdnum import iso6346

    body = f"TGHU{n:06d}"
    return body + iso6346.calc_check_digit(body)


def test_concurrent_writers_on_a_file_database_lose_nothing(sqlite_server):
    base, token, env = sqlite_server

    def declare(n: int) -> int:
        body = declaration(cargo_lines=[banana_line(container_numbers=[container_number(n)])])
        request = urllib.request.Request(
            f"{base}/api/v1/trips",
            data=json.dumps(body, default=str).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    total = CLIENTS * REQUESTS_PER_CLIENT
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = list(pool.map(declare, range(total)))
    assert statuses.count(201) == total, {s: statuses.count(s) for s in set(statuses)}

    counts = subprocess.run(
        [sys.executable, "-c", COUNT], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert counts == [str(total), str(total), str(total)]
