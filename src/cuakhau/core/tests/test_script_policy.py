"""No page runs a script the Content-Security-Policy did not name: scripts come from the site's
files or carry the answer's nonce, and no markup holds an inline handler (``onclick``,
``hx-on``) or code htmx would evaluate. The policy used to allow 'unsafe-inline' and
'unsafe-eval' for five of them, which let any injected ``<script>`` run as well."""

import re
from pathlib import Path

import pytest
from django.test import Client

import cuakhau
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in

TEMPLATES = sorted(Path(cuakhau.__file__).parent.rglob("templates/**/*.html"))
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=\s*["']""", re.I)


def _policy(response) -> dict[str, list[str]]:
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split("; ")
    }


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("cuakhau/")[-1])
def test_no_template_writes_a_script_the_policy_does_not_name(template):
    text = template.read_text(encoding="utf-8")
    assert not HANDLER.search(text), "an inline handler: move it to static/cuakhau/page.js"
    for attributes in SCRIPT.findall(text):
        runs = "application/json" not in attributes and "src=" not in attributes
        assert not runs or 'nonce="{{ csp_nonce }}"' in attributes, attributes


@pytest.mark.django_db
def test_each_answer_names_its_own_nonce_and_no_unsafe_source(enterprise, mlt):
    client = Client()
    client.force_login(enterprise)
    first, second = client.get("/trips/new/"), client.get("/trips/new/")
    scripts = _policy(first)["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    nonce = next(s for s in scripts if s.startswith("'nonce-"))[7:-1]
    assert len(nonce) >= 16 and nonce not in second["Content-Security-Policy"]
    assert f'<script nonce="{nonce}">' in first.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_scripts_run_under_the_policy(browser, live_server, enterprise, mlt):
    """The language menu, a removed cargo line and the form's first-error focus work, and the
    browser reports no script it refused."""
    page = browser.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    log_in(page, live_server, enterprise.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/new/")
    page.click("#add-line")
    page.wait_for_selector("#id_lines-1-hs_code")
    page.click("#cargo-line-1 .remove-line")
    assert page.locator("#cargo-line-1").is_hidden()
    assert page.is_checked("#cargo-line-1 input[name$=DELETE]")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector('[aria-invalid="true"]')
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    # A script the page did not name does not run, though the page may write one.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent ="
        " 'window.injected = true'; document.body.append(s); }"
    )
    assert page.evaluate("window.injected === undefined")
    assert len(refused) == 1, refused  # the injected one, and only it
