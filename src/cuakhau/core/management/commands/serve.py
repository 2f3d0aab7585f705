"""Serve the platform with gunicorn (several worker processes), static files by WhiteNoise."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve cuakhau with a multi-worker WSGI server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("CUAKHAU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3))
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Serve the static files collected before (`cuakhau collectstatic`).",
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_true",
            help="Do not start the background-task worker (run `cuakhau worker` elsewhere).",
        )

    def handle(self, *args, host, port, workers, no_collectstatic, no_task_worker, **options):
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        elif not _collected():
            # Every page names its styles through the manifest: without it each one is a 500.
            raise CommandError(
                f"No static files collected in {settings.STATIC_ROOT}: run `cuakhau "
                "collectstatic` first, or serve without --no-collectstatic."
            )
        self.stdout.write(
            f"cuakhau on http://{host}:{port}/ ({workers} workers, data in {settings.DATA_DIR})"
        )
        sys.stdout.flush()
        argv = [
            "gunicorn",
            "cuakhau.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "2",
            "--timeout",
            "60",
            "--access-logfile",
            "-",
            # Starts `cuakhau worker` (background tasks) beside the web workers, stops it with them.
            "--config",
            "python:cuakhau.core.gunicorn_hooks",
        ]
        os.environ["CUAKHAU_TASK_WORKER"] = "0" if no_task_worker else "1"
        # Replace this process: signals (Ctrl-C, SIGTERM from a supervisor) reach gunicorn directly.
        os.execvp(sys.executable, [sys.executable, "-m", *argv])


def _collected() -> bool:
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest = getattr(staticfiles_storage, "manifest_name", None)
    return manifest is None or staticfiles_storage.exists(manifest)
