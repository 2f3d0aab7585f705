"""Every page each role may open, in Vietnamese on a 390 px phone: the page never scrolls
sideways, nothing ends past its card, every data table scrolls in a .table-scroll box named for
a screen reader, and every box a person fills has a label.

The pages are the policy matrix's (``test_policy.view_cases``, every rule of
``cuakhau.policy.VIEWS``) over its world (``core.testing.world``: a trip in every state, a
desk file, registers, figures), opened by every role that may open them. One browser, one page
per role, each person signed in once.
"""

import pytest

from cuakhau.accounts.services import set_language
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in
from cuakhau.core.testing.world import PEOPLE, add_page_records, build_world
from cuakhau.core.tests.test_browser_layout import fits_the_phone
from cuakhau.core.tests.test_languages import NOT_READ
from cuakhau.core.tests.test_policy import view_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Not the project's own pages: Django's administration and the API's Swagger viewer.
NOT_OURS = {"admin:login", "admin:*", "api:openapi-view"}
# Files a page links to, downloaded rather than shown.
FILES = {
    "desk:document",
    "desk:applicant_document",
    "investment:example_file",
    "stats:csv",
    "stats:gate_csv",
    "stats:import_example",
}
# Parts a page fetches into itself (a cargo line, a search's answers, the board's refresh).
FRAGMENTS = {"trips:cargo_line", "reference:hs_search", "gate:board_fragment"}
# Enterprise B and the other gate's operator repeat a role.
ROLES = [name for name in PEOPLE if name not in ("ent_b", "op_other")]

# A table outside a .table-scroll box (the next template's table, forgotten), or in one the
# keyboard cannot reach while it scrolls, or that is a tab stop while nothing in it scrolls.
LOOSE_TABLES = """() => [...document.querySelectorAll("main table")].flatMap(t => {
  const box = t.parentElement, named = `${(t.id || t.className || "")} `
    + `"${(t.innerText || "").trim().slice(0, 40)}"`;
  if (!box.matches(".table-scroll")) return [`a table outside a .table-scroll box: ${named}`];
  const scrolls = box.scrollWidth > box.clientWidth + 1, stop = box.tabIndex === 0;
  if (scrolls && !stop) return [`a table that scrolls out of the keyboard's reach: ${named}`];
  if (!scrolls && stop && box.clientWidth) return [`a tab stop where nothing scrolls: ${named}`];
  return [];
})"""

# A box the keyboard stops on with no name: a screen reader says "scrollable region" and no more.
UNNAMED_REGIONS = """() => [...document.querySelectorAll("main .table-scroll")]
  .filter(box => {
    const named = (box.getAttribute("aria-label") || "").trim()
      || (box.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
        .map(id => document.getElementById(id)).filter(Boolean)
        .map(e => e.textContent.trim()).join("");
    return box.getAttribute("role") !== "region" || !named;
  })
  .map(box => `a table's scroll box with no name: ${box.firstElementChild?.id || ""}`)"""
# Every box a person fills has a label a screen reader reads out (its <label>, aria-label or
# aria-labelledby; a title at least), on every page; one hidden from everybody (a file picker a
# button opens, a formset's deletion box) is no box a person fills.
UNLABELLED_INPUTS = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
  .filter(el => !el.closest("[hidden], [aria-hidden=true]"))
  .filter(el => {
    const labelled = [...(el.labels || [])].some(l => l.textContent.trim())
      || (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
        .map(id => document.getElementById(id)).some(e => e && e.textContent.trim())
      || (el.getAttribute("title") || "").trim();
    return !labelled;
  })
  .map(el => `a ${el.tagName.toLowerCase()} with no label: ${el.name || el.id}`)"""


def long_names(w):
    """What makes a phone's line long: a Vietnamese company's full name, a Chinese one."""
    w["org_a"].name = "Công ty Trách nhiệm Hữu hạn Xuất nhập khẩu Nông sản Phong Thổ Lai Châu"
    w["org_a"].save(update_fields=["name"])
    w["org_b"].name = "凭祥市友谊关进出口贸易有限公司金平县金水河边贸分公司"
    w["org_b"].save(update_fields=["name"])


def pages_by_role(w) -> dict[str, list[tuple[str, str]]]:
    """(URL name, path) of every page each role may open."""
    pages = {role: [] for role in ROLES}
    for name, (method, path, _body, succeed) in view_cases(w).items():
        if method != "get" or name in NOT_READ | NOT_OURS | FILES | FRAGMENTS:
            continue
        for role in ROLES:
            if role in succeed:
                pages[role].append((name, path))
    return pages


def test_every_page_of_every_role_fits_a_phone_in_vietnamese(browser, live_server, mlt, hng):
    w = build_world(mlt, hng)
    add_page_records(w)
    long_names(w)
    pages = pages_by_role(w)
    found, opened = {}, []
    for role in ROLES:
        user = w["users"][role]
        set_language(user, "vi")
        browser.clear_cookies()
        page = browser.new_page()
        log_in(page, live_server, user.username, PASSWORD)
        for name, path in pages[role]:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status < 400, (role, path, response.status)
            assert page.evaluate("document.documentElement.lang") == "vi", (role, path)
            opened.append(name)
            problems = [page.evaluate(check) for check in (UNNAMED_REGIONS, UNLABELLED_INPUTS)]
            for problem in fits_the_phone(page) + page.evaluate(LOOSE_TABLES) + sum(problems, []):
                found.setdefault(f"{path}: {problem}", []).append(role)
        page.close()
    assert not found, "\n".join(f"{where} (as {', '.join(who)})" for where, who in found.items())
    # Every page, by each role it is for: over three hundred, the registers' and figures' too.
    assert len(opened) > 300
    assert {"gate:kpi", "cooperation:external", "stats:gate_dashboard", "desk:queue"} <= set(opened)
