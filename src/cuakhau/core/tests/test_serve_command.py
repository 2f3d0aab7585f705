"""``cuakhau serve --no-collectstatic`` on a data directory whose static files were never
collected would answer every page with a 500 (the manifest names their styles): it refuses
to start instead, and says what to run."""

import pytest
from django.core.management import CommandError, call_command

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_serving_uncollected_static_files_is_refused(settings, tmp_path, monkeypatch):
    from cuakhau.core.management.commands import serve

    settings.STORAGES = MANIFEST
    settings.STATIC_ROOT = tmp_path
    started = []
    monkeypatch.setattr(serve.os, "execvp", lambda *args: started.append(args))
    monkeypatch.setenv("CUAKHAU_TASK_WORKER", "")
    with pytest.raises(CommandError, match="collectstatic"):
        call_command("serve", no_collectstatic=True)
    assert not started


def test_collected_static_files_are_served(settings, tmp_path, monkeypatch):
    from cuakhau.core.management.commands import serve

    settings.STORAGES = MANIFEST
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    started = []
    monkeypatch.setattr(serve.os, "execvp", lambda *args: started.append(args))
    monkeypatch.setenv("CUAKHAU_TASK_WORKER", "")  # restored after the test
    call_command("serve", no_collectstatic=True, no_task_worker=True)
    assert started and "gunicorn" in started[0][1]
