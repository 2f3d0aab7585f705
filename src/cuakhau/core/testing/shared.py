"""Data a whole test module reads, built once for the module instead of once per test.

Building a realistic day (trips declared, paid, checked in, inspected, let out) costs a second
or more; a module of twenty tests that only read that day rebuilt it twenty times. Built in a
module-scoped fixture inside ``shared_data``, it lives in a transaction around the module,
rolled back at its end, so no other module sees it; each test runs in a savepoint inside it
(pytest-django's own per-test transaction nests), so what a test changes is undone after it.

A test that reads shared rows takes fresh instances from the database (``fresh``): a model
instance kept from the module's build would carry what an earlier test changed in memory.
A transactional test (a live server, threads) cannot run inside the module's transaction: a
module holding one is refused at once, by name, instead of failing in a puzzling way.
"""

from __future__ import annotations

import contextlib

from django.db import transaction
from django.test.utils import override_settings
from django.utils import translation

# What the root conftest's autouse fixtures set for every test, for the module-wide build.
TEST_SETTINGS = {
    # PBKDF2's deliberate slowness is for production logins, not for hundreds of test users.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "LANGUAGE_CODE": "en",
}

_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


def signing_key_dir(tmp_path_factory):
    # One key directory per test session, never the installation's own keys.
    return tmp_path_factory.getbasetemp() / "signing-keys"


def plain_static_storages():
    # The manifest storage needs collectstatic; tests render templates without it.
    from django.conf import settings

    return {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _refuse_transactional_tests(module) -> None:
    transactional = [
        item.name
        for item in module.session.items
        if item.module is module.obj
        and (
            _TRANSACTIONAL & set(item.fixturenames)
            or any(m.kwargs.get("transaction") for m in item.iter_markers("django_db"))
        )
    ]
    if transactional:
        raise RuntimeError(
            f"{module.nodeid} shares data in a transaction around the module; its transactional "
            f"tests cannot run inside it: {', '.join(transactional)}"
        )


@contextlib.contextmanager
def shared_data(request, django_db_blocker, tmp_path_factory, **settings):
    """Inside a module-scoped fixture: build, ``yield`` what the tests need, and the module's
    rows are rolled back after its last test. ``settings`` override more for the build."""
    from cuakhau.core.testing import snapshot
    from cuakhau.reference.models import HSCode

    _refuse_transactional_tests(request.node)
    with (
        django_db_blocker.unblock(),
        override_settings(
            **TEST_SETTINGS,
            SIGNING_KEY_DIR=signing_key_dir(tmp_path_factory),
            STORAGES=plain_static_storages(),
            **settings,
        ),
        translation.override("en"),
        transaction.atomic(),
    ):
        # A transactional test of an earlier module flushed the reference data.
        if not HSCode.objects.exists():
            snapshot.put_back()
        yield
        transaction.set_rollback(True)


def fresh(instance):
    """The row of ``instance`` as the database holds it now, in a new instance."""
    return type(instance)._default_manager.get(pk=instance.pk)
