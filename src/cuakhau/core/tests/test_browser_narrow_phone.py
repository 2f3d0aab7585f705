"""Every page once, in Chinese, on the narrowest phone still sold (360 x 740): the page never
scrolls sideways and nothing is cut at its card's edge (a URL in a reason either), the menu is
there to leave it, no box a person types into makes the browser zoom in, and the browser reports
nothing wrong — no script error, no refusal by the Content-Security-Policy, no file missing, no
request leaving the site (no CDN, whatever a template or a library would like to load).

The Vietnamese crawl (``test_browser_every_page``) opens every page as every role on a 390 px
phone; this one opens each page once, by the first role that may, where Chinese lines (no space
to break at) meet the narrowest screen, and listens to the browser while it does.
"""

import pytest

from cuakhau.accounts.services import set_language
from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in
from cuakhau.core.testing.layout import TAP
from cuakhau.core.testing.world import add_page_records, build_world
from cuakhau.core.tests.test_browser_every_page import ROLES, long_names, pages_by_role
from cuakhau.core.tests.test_browser_layout import fits_the_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 360, "height": 740}

# The way out of a page: the menu's button, or on a page standing alone (the offline receipt
# check) a link home at its top; visible, inside the screen, big enough for a finger. The yard
# board hid the whole bar for its wall screen, and the offline check had no link at all: on a
# phone — in the installed app, which has no back button — each was a page with no way out.
NO_WAY_OUT = """(tap) => {
  const out = document.querySelector(".topbar details.menu > summary")
    || document.querySelector("header a.home[href='/']");
  if (!out) return ["no menu and no link home"];
  const box = out.getBoundingClientRect();
  if (!box.width || !box.height || getComputedStyle(out).visibility === "hidden")
    return ["the way out (menu, link home) is hidden"];
  if (box.left < 0 || box.right > innerWidth) return ["the way out is outside the screen"];
  if (box.width + 0.5 < tap || box.height + 0.5 < tap)
    return [`the way out is ${Math.round(box.width)}x${Math.round(box.height)} px`];
  return [];
}"""

# A box a person types into, written smaller than 16 px: a phone's browser (Safari) zooms the
# page in as it is focused and leaves it zoomed.
ZOOMS_IN = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => !["hidden", "checkbox", "radio", "submit", "button", "file"].includes(el.type))
  .filter(el => !el.readOnly && !el.disabled && el.getBoundingClientRect().height)
  .filter(el => parseFloat(getComputedStyle(el).fontSize) < 16)
  .map(el => `a box written at ${getComputedStyle(el).fontSize}: ${el.name || el.id}`)"""


def long_words():
    """What a person writes with no space to break at: a URL quoted in a timeline's reason, and in
    an inspection's notes."""
    from cuakhau.inspections.models import Inspection
    from cuakhau.trips.models import TripTransition

    quoted = "Theo công văn https://www.customs.gov.vn/index.jsp?pageId=2&aid=190340&cid=25"
    TripTransition.objects.update(reason=quoted, reason_texts={})
    Inspection.objects.update(notes=quoted)


def first_opener(pages_of_role) -> dict[str, list[tuple[str, str]]]:
    """Each page once, by the first role (in the policy's order) that may open it."""
    seen, pages = set(), {}
    for role, pages_here in pages_of_role.items():
        for name, path in pages_here:
            if name not in seen:
                seen.add(name)
                pages.setdefault(role, []).append((name, path))
    return pages


def test_every_page_on_a_narrow_phone_in_chinese(browser, live_server, mlt, hng):
    w = build_world(mlt, hng)
    add_page_records(w)
    long_names(w)
    long_words()
    pages = first_opener(pages_by_role(w))
    site = live_server.url
    found, opened = {}, []
    where = {"path": "/login/"}

    def note(problem):
        found.setdefault(f"{where['path']}: {problem}", set()).add(where["role"])

    for role in ROLES:
        if role not in pages:
            continue
        where["role"] = role
        user = w["users"][role]
        set_language(user, "zh-hans")
        browser.clear_cookies()
        page = browser.new_page()
        page.set_viewport_size(NARROW)
        # A CSP refusal and a file not found are the console's errors; a thrown script is a
        # page error.
        page.on("console", lambda m: m.type == "error" and note(f"console: {m.text[:200]}"))
        page.on("pageerror", lambda error: note(f"script error: {str(error)[:200]}"))
        page.on(
            "request",
            lambda r: (
                not r.url.startswith((site, "data:", "blob:"))
                and note(f"a request off the site: {r.url[:120]}")
            ),
        )
        where["path"] = "/login/"
        log_in(page, live_server, user.username, PASSWORD)
        for name, path in pages[role]:
            where["path"] = path
            response = page.goto(f"{site}{path}")
            assert response.status < 400, (role, path, response.status)
            assert page.evaluate("document.documentElement.lang") == "zh-hans", (role, path)
            opened.append(name)
            for problem in (
                fits_the_phone(page) + page.evaluate(NO_WAY_OUT, TAP) + page.evaluate(ZOOMS_IN)
            ):
                note(problem)
        page.close()
    assert not found, "\n".join(f"{at} (as {', '.join(sorted(who))})" for at, who in found.items())
    assert len(opened) > 50
    assert {"gate:board", "gate:console", "receipts:offline", "stats:gate_dashboard"} <= set(opened)
