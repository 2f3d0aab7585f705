"""The secrets an installation makes for itself on first start (the session key, webhook keys)."""

import stat
import threading

from cuakhau import settings


def test_a_secret_is_made_once_readable_by_its_owner_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("CUAKHAU_BANK_WEBHOOK_SECRET", raising=False)
    first = settings._installation_secret(
        "bank_webhook_secret", "CUAKHAU_BANK_WEBHOOK_SECRET", directory=tmp_path
    )
    again = settings._installation_secret(
        "bank_webhook_secret", "CUAKHAU_BANK_WEBHOOK_SECRET", directory=tmp_path
    )
    assert len(first) == 64 and again == first
    path = tmp_path / "bank_webhook_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["bank_webhook_secret"]  # no draft left


def test_the_environment_wins_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert settings._installation_secret("secret_key", "SECRET_KEY", directory=tmp_path) == (
        "from-the-environment"
    )
    assert not any(tmp_path.iterdir())


def test_processes_starting_together_read_the_same_secret(tmp_path, monkeypatch):
    # As gunicorn workers or test workers starting at once on a new data directory: each must
    # sign with the key the others verify with.
    monkeypatch.delenv("SECRET_KEY", raising=False)
    start, read = threading.Barrier(8), []

    def starting():
        start.wait()
        read.append(settings._installation_secret("secret_key", "SECRET_KEY", directory=tmp_path))

    starters = [threading.Thread(target=starting) for _ in range(8)]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join()
    assert len(read) == 8 and len(set(read)) == 1
    assert read[0] == (tmp_path / "secret_key").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
