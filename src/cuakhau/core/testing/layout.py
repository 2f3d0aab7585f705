"""Checks a browser test makes on any page: it fits the screen, its targets can be tapped, and
axe-core finds nothing serious.

axe-core comes from the ``axe-playwright-python`` wheel (its ``axe.min.js``, MPL-2.0), injected
into the page: nothing is fetched from the network while the tests run.
"""

from __future__ import annotations

# WCAG 2.5.5 (AAA) and the platforms' guidelines: 44 x 44 CSS pixels for a finger.
TAP = 44
SERIOUS = ("serious", "critical")

# What a person taps: links outside running text, buttons, selects, text inputs, and the label
# of a checkbox (the box itself is small; its label is the target).
TARGETS = (
    ".topbar a, .topbar button, .topbar select, .topbar summary, "
    "main button:not([hidden]), main select, main .button, "
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
    "main label:has(> input[type=checkbox]), .pager a, .trip-list a"
)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def small_targets(page, selector: str = TARGETS) -> list[str]:
    """The visible targets smaller than 44 x 44 CSS px, described for the failure message."""
    return page.evaluate(
        """([selector, tap]) => {
          const small = [];
          for (const el of document.querySelectorAll(selector)) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (!box.width || !box.height || style.visibility === "hidden") continue;
            // Half a pixel of rounding is not a smaller finger.
            if (box.width + 0.5 < tap || box.height + 0.5 < tap) {
              const name = (el.id ? "#" + el.id : el.tagName.toLowerCase())
                + " " + (el.innerText || el.value || el.name || "").trim().slice(0, 30);
              small.push(`${name} (${Math.round(box.width)}x${Math.round(box.height)})`);
            }
          }
          return small;
        }""",
        [selector, TAP],
    )


def axe_violations(page, impacts=SERIOUS) -> list[str]:
    """axe-core's violations of these impacts, one line each (rule, impact, where)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in impacts:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {', '.join(targets)}")
    return found
