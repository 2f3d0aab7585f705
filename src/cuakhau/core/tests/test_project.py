"""Project-wide promises: migrations match the models; no asset comes from the internet."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


def test_templates_and_static_files_load_nothing_from_the_internet():
    remote = re.compile(r"""(src|href)=["']https?://""")
    offenders = [
        str(path.relative_to(PACKAGE))
        for pattern in ("**/templates/**/*.html", "**/static/**/*.js", "**/static/**/*.css")
        for path in PACKAGE.glob(pattern)
        if remote.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
