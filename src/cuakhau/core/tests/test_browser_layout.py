"""Phones (390 px), tablets (1024 px) and the yard board's wall screen (1920 x 1080), in
Debian's Chromium: every menu item reachable and big enough to tap, no page scrolling
sideways, the board on one screen, and no serious accessibility violation (axe-core)."""

import datetime as dt

import pytest
from django.utils import timezone

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in
from cuakhau.core.testing.layout import axe_violations, horizontal_overflow, small_targets
from cuakhau.gate import board as board_module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


def menu_links(page) -> list[dict]:
    page.click(".menu > summary")
    return page.eval_on_selector_all(
        ".menu nav a, .menu nav button",
        """els => els.map(el => {
          const box = el.getBoundingClientRect();
          return {href: el.getAttribute('href') || 'logout', text: el.innerText.trim(),
                  visible: !!(box.width && box.height), left: box.left, right: box.right,
                  width: box.width, height: box.height};
        })""",
    )


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_every_menu_item_is_reachable_and_big_enough(browser, live_server, operator, viewport):
    page = browser.new_page()
    page.set_viewport_size(viewport)
    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/")
    # A disclosure: it opens without JavaScript, and its items are hidden until it does.
    assert page.locator("details.menu > summary").count() == 1
    assert not page.is_visible(".menu nav a[href='/gate/kpi/']")
    links = menu_links(page)
    hrefs = {link["href"] for link in links}
    # The operator's work: the gate's console and yard, the trips, the figures, the account.
    for expected in ("/trips/", "/gate/mlt/console/", "/gate/mlt/board/", "/gate/kpi/"):
        assert expected in hrefs, (expected, hrefs)
    assert "/profile/" in hrefs and "logout" in hrefs
    for link in links:
        assert link["visible"], link
        assert link["left"] >= 0 and link["right"] <= viewport["width"], link
        assert link["width"] >= 44 and link["height"] >= 44, link
    assert horizontal_overflow(page) == 0
    assert small_targets(page) == []
    # Each item opens its page.
    page.click(".menu nav a[href='/gate/kpi/']")
    page.wait_for_url("**/gate/kpi/**")


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_no_page_scrolls_sideways(browser, live_server, enterprise, auditor, viewport, mlt):
    page = browser.new_page()
    page.set_viewport_size(viewport)
    wide = []
    for user, paths in (
        (enterprise, ["/trips/", "/trips/new/", "/market/", "/profile/"]),
        (auditor, ["/trips/", "/gate/kpi/", "/payments/reconciliation/", "/gate/mlt/board/"]),
    ):
        browser.clear_cookies()
        log_in(page, live_server, user.username, PASSWORD)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            if overflow := horizontal_overflow(page):
                wide.append(f"{path}: {overflow}px")
            # A disclosure or a button is a finger's target, whatever it opens.
            wide += [f"{path}: {small}" for small in page.evaluate(SMALL_TARGETS)]
    assert wide == []


SMALL_TARGETS = """() => [...document.querySelectorAll('summary, button')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.height > 0 && r.height < 32; })
    .map(e => `${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${Math.round(
        e.getBoundingClientRect().height)}px high`)"""


def full_board(gate):
    """A yard at its busiest: every stage full with long names, lanes and arrivals overflowing."""
    now = timezone.now()

    def truck(n, stage):
        return {
            "reference": f"MLT-{n:07d}",
            "tractor_plate": f"25C-{n:03d}.{n % 100:02d}",
            "channel": ("green", "yellow", "red")[n % 3],
            "channel_label": "Luồng vàng",
            "waited_minutes": 30 + n * 7,
            "long_wait": n % 4 == 0,
            "direction_label": "Tạm nhập tái xuất",
            "yard_position": f"A-{n:02d}",
            "lane": "L1",
            "inspecting": ["Hải quan", "Biên phòng", "Kiểm dịch thực vật"],
            "passed": ["Hải quan"],
        }

    stages = []
    for index, key in enumerate(board_module.STAGE_LABELS):
        rows = [truck(index * 40 + n, key) for n in range(20)]
        shown = board_module.SHOWN_PER_STAGE
        stages.append(
            {
                "key": key,
                "label": board_module.STAGE_LABELS[key],
                "trucks": rows,
                "shown": rows[:shown],
                "more": len(rows) - shown,
                "more_text": board_module.more_text(key, len(rows) - shown),
                "count": len(rows),
            }
        )
    lanes = [
        {"code": f"L{n}", "direction": "export", "direction_label": "Xuất khẩu", "inside": n}
        for n in range(1, 13)
    ]
    expected = [
        {
            "reference": f"MLT-9{n:06d}",
            "tractor_plate": f"云G{n:05d}",
            "expected_arrival": now + dt.timedelta(minutes=10 * n),
            "paid": n % 2 == 0,
            "direction_label": "Nhập khẩu",
            "late": False,
        }
        for n in range(30)
    ]
    shown = board_module.SHOWN_EXPECTED
    return {
        "gate": gate,
        "now": now,
        "stages": stages,
        "waiting": stages[0]["trucks"],
        "under_inspection": stages[1]["trucks"],
        "cleared": stages[2]["trucks"],
        "inside": 63,
        "queue_length": 42,
        "lanes": lanes,
        "lanes_shown": lanes[: board_module.SHOWN_LANES],
        "lanes_more": len(lanes) - board_module.SHOWN_LANES,
        "lanes_more_text": board_module.more_text("lanes", len(lanes) - board_module.SHOWN_LANES),
        "inside_without_open_lane": 3,
        "expected": {
            "count": len(expected),
            "paid": 15,
            "unpaid": 15,
            "trips": expected,
            "shown": expected[:shown],
            "more": len(expected) - shown,
            "more_text": board_module.more_text("expected", len(expected) - shown),
            "from": now - dt.timedelta(hours=1),
            "to": now + dt.timedelta(hours=3),
        },
    }


def test_the_yard_board_fits_one_wall_screen(browser, live_server, customs_mlt, mlt, monkeypatch):
    from cuakhau.gate import views_board

    monkeypatch.setattr(views_board, "yard_board", full_board)
    page = browser.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    log_in(page, live_server, customs_mlt.username, PASSWORD)
    page.goto(f"{live_server.url}/gate/mlt/board/")
    page.wait_for_selector("#yb-stage-waiting")
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    heights = page.evaluate(
        "[...document.querySelectorAll('.yb-head, .yb-counters, .yb-stage, .yb-side')]"
        ".map(el => (el.id || el.className) + ':' + Math.round(el.getBoundingClientRect().bottom))"
    )
    assert size[0] <= 1920 and size[1] <= 1080, (size, heights)
    # No line is cut at the bottom of the screen: everything drawn ends inside it.
    lowest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('#yard-board *')]"
        ".map(el => el.getBoundingClientRect().bottom))"
    )
    assert lowest <= 1080
    # In the officer's own language (their profile's), as every count on the board.
    from django.utils import translation

    with translation.override(page.evaluate("document.documentElement.lang")):
        assert page.inner_text("#yb-stage-waiting .yb-more") == str(
            board_module.more_text(board_module.WAITING, 14)
        )
        assert str(board_module.more_text("expected", 24)) in page.inner_text("#yb-expected-list")
        assert str(board_module.more_text("lanes", 7)) in page.inner_text("#yb-lanes")
    assert page.locator("#yb-stage-waiting .yb-trucks li").count() == board_module.SHOWN_PER_STAGE
    assert axe_violations(page) == []


def test_the_gate_console_on_a_tablet_has_no_serious_accessibility_violation(
    browser, live_server, operator, mlt
):
    # The console's markup and script are the gate team's; this only holds it to the same bar.
    page = browser.new_page()
    page.set_viewport_size(TABLET)
    log_in(page, live_server, operator.username, PASSWORD)
    page.goto(f"{live_server.url}/gate/mlt/console/")
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    assert small_targets(page) == []


# Everything in the main content that ends past the screen or past the box that holds it (a card
# scrolls sideways on its own, so a value cut there was hidden, not wide). A table in a
# .table-scroll scrolls on purpose, with its shadow saying so.
PAST_ITS_BOX = """() => {
  const past = [];
  const clipOf = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return up;
    }
    return null;
  };
  for (const el of document.querySelectorAll("main *")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest(".table-scroll")) continue;
    const clip = clipOf(el);
    let limit = innerWidth;
    if (clip) {
      const outer = clip.getBoundingClientRect();
      limit = Math.min(limit, outer.left + clip.clientLeft + clip.clientWidth
                       - parseFloat(getComputedStyle(clip).paddingRight));
    }
    if (box.right > limit + 1) {
      const label = el.tagName === "DD" ? (el.previousElementSibling || {}).innerText + " = " : "";
      past.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} ${label}`
        + `"${(el.innerText || "").trim().slice(0, 40)}" ends at ${Math.round(box.right)} > ${Math.round(limit)}`);
    }
  }
  return past;
}"""

# A dd past the content of the box its list is in (the card's padding is not room for it).
VALUES_PAST_THEIR_CARD = """() => [...document.querySelectorAll("main dl > dd")].filter(dd => {
    const box = dd.closest("dl").parentElement;
    const inner = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).paddingRight);
    return dd.getBoundingClientRect().right > inner + 1;
  }).map(dd => `${dd.previousElementSibling.innerText} = ${dd.innerText.slice(0, 40)}`)"""


def fits_the_phone(page) -> list[str]:
    wide = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
    found = [f"the page scrolls {wide}px sideways"] if wide > 0 else []
    return found + page.evaluate(PAST_ITS_BOX) + page.evaluate(VALUES_PAST_THEIR_CARD)


def test_vietnamese_pages_with_long_values_fit_a_phone(browser, live_server, mlt):
    """Long Vietnamese labels beside values that do not break (a Chinese ID number, a tax code, a
    company's name in Chinese, a date): on a 390 px phone each is shown whole, inside its card,
    and the receipt's signed code opened below it wraps instead of widening the page. On the
    desk's application, each action's reason box is grouped with its own button."""
    from cuakhau.accounts import roles
    from cuakhau.accounts.services import create_user
    from cuakhau.conftest import declaration, organisation, steel_line
    from cuakhau.desk import services as desk
    from cuakhau.desk.loading import load_all
    from cuakhau.desk.models import FilingChannel, Procedure
    from cuakhau.payments import services as payments
    from cuakhau.receipts.models import Receipt
    from cuakhau.trips import services as trips

    company = organisation("凭祥市友谊关进出口贸易有限公司", "CN", "91451481103320947G")
    shipper = create_user(
        "qy_youyiguan", PASSWORD, roles.ENTERPRISE, organisation=company, language="vi"
    )
    officer = create_user("haiquan", PASSWORD, roles.CUSTOMS, gates=[mlt], language="vi")
    desk_officer = create_user("motcua", PASSWORD, roles.DESK, gates=[mlt], language="vi")
    board = create_user("bql", PASSWORD, roles.BOARD, language="vi")
    trip = trips.save_and_submit(
        shipper,
        None,
        declaration(
            direction="import",
            tractor_plate="云G·90441",
            trailer_plate="云G·0840挂",
            vehicle_type="tractor_trailer",
            container_size="40",
            driver_name="何明伟",
            driver_nationality="CN",
            driver_document_number="45210019980218051X",
            driver_phone="+86 132 9342 6116",
            cargo_lines=[steel_line(description="热轧钢板 Thép cán nóng dạng tấm, cuộn 25 tấn")],
        ),
    )
    payments.simulate_bank_transfer(trip)
    receipt = Receipt.objects.get(trip=trip)
    load_all()
    procedure = max(Procedure.objects.all(), key=lambda p: len(p.name_vi))
    application = desk.file_application(
        {
            "procedure": procedure.key,
            "applicant_name": "Nguyễn Thị Phương Thảo",
            "organisation_name": "Công ty TNHH Xuất nhập khẩu Nông sản Tây Bắc",
            "id_number": "012345678901",
            "phone": "0912 345 678",
            "email": "phuongthao.nguyen@nongsantaybac.com.vn",
            "language": "vi",
            "address": "Xã Ma Ly Pho, huyện Phong Thổ, tỉnh Lai Châu",
            "note": "",
        },
        actor=desk_officer,
        channel=FilingChannel.COUNTER,
    )

    page = browser.new_page()
    found = {}
    for user, path in (
        (officer, f"/trips/{trip.reference}/"),
        (shipper, f"/receipts/{receipt.number}/"),
        (desk_officer, f"/desk/applications/{application.code}/"),
        (board, "/payments/reconciliation/"),
    ):
        browser.clear_cookies()
        log_in(page, live_server, user.username, PASSWORD)
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.lang") == "vi"
        found[path] = fits_the_phone(page)
        if path.startswith("/receipts/"):
            page.click("details:has(#receipt-token) > summary")
            assert page.is_visible("#receipt-token")
            found[f"{path} with its signed code open"] = fits_the_phone(page)
        if path.startswith("/desk/"):
            found[f"{path} actions"] = reasons_apart_from_the_button_above(page)
    assert {path: problems for path, problems in found.items() if problems} == {}
    # The values are there in full, not cut.
    browser.clear_cookies()
    log_in(page, live_server, officer.username, PASSWORD)
    page.goto(f"{live_server.url}/trips/{trip.reference}/")
    assert "45210019980218051X" in page.inner_text("main dl")
    assert "凭祥市友谊关进出口贸易有限公司" in page.inner_text("main dl")


def reasons_apart_from_the_button_above(page) -> list[str]:
    """Each action asking for a reason is a box of its own: its fields and its button inside,
    the button of the action above outside it."""
    return page.evaluate(
        """() => {
      const wrong = [];
      const forms = [...document.querySelectorAll("form.desk-action")];
      forms.forEach((form, i) => {
        if (!form.querySelector(".field")) return;
        const name = form.dataset.action;
        const box = form.getBoundingClientRect();
        if (parseFloat(getComputedStyle(form).borderTopWidth) < 1) wrong.push(`${name}: no box of its own`);
        for (const part of form.querySelectorAll(".field, button")) {
          const r = part.getBoundingClientRect();
          if (r.top < box.top || r.bottom > box.bottom) wrong.push(`${name}: ${part.tagName} outside its box`);
        }
        const above = i && forms[i - 1].querySelector("button").getBoundingClientRect();
        // The button above ends clearly before this box begins, not a label's gap from its field.
        if (above && box.top - above.bottom < 8) wrong.push(`${name}: touches the button above`);
      });
      if (!forms.some(form => form.querySelector(".field"))) wrong.push("no action asks for a reason");
      return wrong;
    }"""
    )
