"""gunicorn hooks of ``cuakhau serve``: the task worker runs and stops with the web workers.

gunicorn's master starts one ``cuakhau worker`` process when it is ready and restarts it if it
dies; when the master exits (Ctrl-C, SIGTERM) it stops the task worker, which finishes the task
it is running first. Tasks still queued wait in the database for the next start.
"""

import os
import subprocess
import sys
import threading
import time

_state = {"process": None, "stopping": False}


def _start():
    return subprocess.Popen(
        [sys.executable, "-m", "cuakhau.cli", "worker", "--exit-with-parent"],
        env=os.environ.copy(),
    )


def _supervise(log):
    pause = 1
    while not _state["stopping"]:
        started = time.monotonic()
        code = _state["process"].wait()
        if _state["stopping"]:
            return
        # One that keeps failing at start (a bad setting) is retried ever less often.
        pause = 1 if time.monotonic() - started > 60 else min(pause * 2, 60)
        log.warning("task worker exited with %s; starting it again in %s s", code, pause)
        time.sleep(pause)
        if not _state["stopping"]:
            _state["process"] = _start()


def when_ready(server):
    if os.environ.get("CUAKHAU_TASK_WORKER", "1") == "0":
        return
    _state["process"] = _start()
    server.log.info("task worker started (pid %s)", _state["process"].pid)
    threading.Thread(target=_supervise, args=(server.log,), daemon=True).start()


def on_exit(server):
    _state["stopping"] = True
    process = _state["process"]
    if process is None or process.poll() is not None:
        return
    process.terminate()  # the worker finishes its current task, then stops
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
