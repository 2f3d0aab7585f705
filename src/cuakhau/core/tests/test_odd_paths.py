"""Every URL with a parameter, its parameters odd (a NUL, a line separator, a number beyond any
key, a percent-escape that is no UTF-8), as each kind of caller: never a 5xx. A control
character names nothing: a 404 (in the API's JSON shape under /api/) before anything looks it
up — PostgreSQL answered the NUL with a 500 on every gate, receipt and project URL, where
SQLite found nothing."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from cuakhau.core.testing.world import build_world
from cuakhau.core.tests.test_policy import _client

pytestmark = pytest.mark.django_db

ODD = ["x%00y", "%E2%80%A8", "9" * 30, "%C0%AF"]
CALLERS = [("admin", False), ("admin", True), ("ent_a", False), ("op_here", True)]
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _filled(route: str, odd: str) -> str:
    def value(match):
        # An int converter takes digits only: the other values would not reach a view.
        return odd if match.group(1) != "int" else ("9" * 30 if odd.isdigit() else "1")

    return "/" + PARAMETER.sub(value, route)


@pytest.fixture
def world(mlt, hng, settings):
    settings.DEMO_MODE = True
    return build_world(mlt, hng)


def test_no_odd_parameter_answers_a_server_error(world):
    routes = [r for r in _routes() if "<" in r and not r.startswith("admin")]
    assert len(routes) > 50, routes
    failures = []
    for caller, api_call in CALLERS:
        client = _client(world, caller, api_call=api_call)
        for route in routes:
            for odd in ODD:
                path = _filled(route, odd)
                for method in ("get", "post"):
                    try:
                        response = getattr(client, method)(path)
                    except Exception as exc:  # noqa: BLE001 - the failure is what we report
                        failures.append(f"{caller} {method} {path}: {exc!r}"[:300])
                        continue
                    status = response.status_code
                    if status >= 500 or ("%00" in path and status != 404):
                        failures.append(f"{caller} {method} {path}: {status}")
                    if "%00" in path and path.startswith("/api/"):
                        assert response["Content-Type"].startswith("application/json"), path
    assert not failures, "\n".join(failures)
