"""What every answer tells the browser (Content-Security-Policy, Permissions-Policy), and the
transport settings of an installation reached by HTTPS, read as production reads them: from
the environment, in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

CHECKOUT = Path(__file__).resolve().parents[4]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/desk/", "/static/cuakhau/icons/gate.svg"])
def test_every_answer_carries_the_content_security_policy(path):
    response = Client().get(path)
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Nothing from another site: no host, no scheme but the page's own data.
    for sources in policy.values():
        assert all(s.startswith("'") or s in ("data:", "blob:") for s in sources), sources
    assert "camera=(self)" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


SETTINGS_READ = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")}))
"""


def _settings(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CUAKHAU_", "DJANGO_")) and key not in ("DEBUG", "SECRET_KEY")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="cuakhau.settings", CUAKHAU_DATA_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-c", SETTINGS_READ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=CHECKOUT,
    )


def test_an_https_installation_keeps_its_cookies_off_plain_http(tmp_path):
    ran = _settings(
        tmp_path,
        CUAKHAU_PUBLIC_URL="https://cuakhau.example.vn",
        CUAKHAU_PROXY_HOPS="1",
        CUAKHAU_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert ran.returncode == 0, ran.stderr
    read = json.loads(ran.stdout)
    assert read["SESSION_COOKIE_SECURE"] and read["CSRF_COOKIE_SECURE"]
    assert read["LANGUAGE_COOKIE_SECURE"]
    assert read["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert read["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert read["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert read["SECURE_SSL_REDIRECT"]
    # The load balancer's probe over plain HTTP is answered, not redirected.
    assert read["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]


def test_without_a_proxy_of_ours_no_header_makes_a_request_secure(tmp_path):
    # HTTPS but nothing to tell a secure request by: no redirect (it would loop), no header
    # believed; the cookies are still kept off plain HTTP.
    ran = _settings(tmp_path, CUAKHAU_PUBLIC_URL="https://cuakhau.example.vn")
    assert ran.returncode == 0, ran.stderr
    read = json.loads(ran.stdout)
    assert read["SECURE_PROXY_SSL_HEADER"] is None and not read["SECURE_SSL_REDIRECT"]
    assert read["SESSION_COOKIE_SECURE"] and read["CSRF_COOKIE_SECURE"]
    # A header named without a proxy in front: the caller would write it. Refused at start.
    refused = _settings(
        tmp_path,
        CUAKHAU_PUBLIC_URL="https://cuakhau.example.vn",
        CUAKHAU_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert refused.returncode != 0 and "CUAKHAU_PROXY_HOPS" in refused.stderr


def test_a_plain_http_installation_sets_no_secure_cookie(tmp_path):
    # The demo and a development checkout on http://127.0.0.1:8000: sign-in must keep working.
    ran = _settings(tmp_path)
    assert ran.returncode == 0, ran.stderr
    read = json.loads(ran.stdout)
    assert not read["SESSION_COOKIE_SECURE"] and not read["CSRF_COOKIE_SECURE"]
    assert read["SECURE_HSTS_SECONDS"] == 0 and not read["SECURE_SSL_REDIRECT"]


def test_the_deployment_check_passes_in_production(tmp_path):
    """``cuakhau check --deploy`` as production runs: HTTPS behind our proxy, a secret key of
    its own. Only HSTS preloading is left to the operator (W021: a submission to the browsers'
    list)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CUAKHAU_", "DJANGO_")) and key not in ("DEBUG", "SECRET_KEY")
    }
    environment.update(
        CUAKHAU_DATA_DIR=str(tmp_path),
        CUAKHAU_PUBLIC_URL="https://cuakhau.example.vn",
        CUAKHAU_PROXY_HOPS="1",
        CUAKHAU_PROXY_SSL_HEADER="X-Forwarded-Proto",
        ALLOWED_HOSTS="cuakhau.example.vn",
        SECRET_KEY="s" * 10 + "-production-only-" + "0123456789abcdefghij" * 2,
    )
    ran = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--settings=cuakhau.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=CHECKOUT,
    )
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, output
    assert "security.W" not in output.replace("security.W021", ""), output
