"""Importing this sets up Django for the bare reference project (``bench/bare``) in this process,
on a SQLite database of its own in ``$BARE_DATA_DIR`` (``/tmp/gatebare-loop`` by default): what
``bare_loop.py`` and ``floor_loop.py`` share."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "bare"))
os.environ["DJANGO_SETTINGS_MODULE"] = "gatebare.settings"
os.environ.setdefault("BARE_DATA_DIR", "/tmp/gatebare-loop")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
Path(os.environ["BARE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()
