"""Settings of the bare reference: cuakhau's database settings, nothing else.

The database options are copied from ``cuakhau.settings`` on purpose (not imported: importing
them would bring the product's apps and middleware along). Keep them in step with it. The
SQLite engine is cuakhau's own (``cuakhau.core.sqlite``, a module that imports nothing else of
the product): both sides queue their writers the same way.
"""

import os
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("BARE_DATA_DIR", "/tmp/gatebare"))

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["gatebare"]
MIDDLEWARE: list[str] = []  # the bare minimum: the product's middleware is part of its cost
ROOT_URLCONF = "gatebare.urls"
WSGI_APPLICATION = "gatebare.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# As cuakhau.settings: PostgreSQL from DATABASE_URL with persistent connections (60 s), else
# SQLite in WAL mode with IMMEDIATE transactions, a 30 s busy timeout and connections kept 60 s.
_database_url = os.environ.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            # cuakhau's SQLite backend (writers queued on a file lock): the same database layer.
            "ENGINE": "cuakhau.core.sqlite",
            "NAME": DATA_DIR / "bare.sqlite3",
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
