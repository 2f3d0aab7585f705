"""The dashboard in real Chromium, on a phone and on a desktop: the server's charts become
interactive Chart.js charts (canvases drawn from the page's own JSON, the script and the
library served from the chartkick wheel), the page never scrolls sideways, a chart's CSV
downloads with the hand-computed figures, and the report downloads from its page."""

import pytest

from cuakhau.conftest import PASSWORD
from cuakhau.core.testing.browser import log_in, wait_until
from cuakhau.stats.dashboard import CHARTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def charts_drawn(page) -> int:
    page.wait_for_selector("#chart-turnover figure.is-live canvas")
    wait_until(page, f"document.querySelectorAll('figure.is-live canvas').length == {len(CHARTS)}")
    return page.evaluate(
        "Array.from(document.querySelectorAll('figure.is-live canvas'))"
        ".filter(c => c.width > 0 && c.height > 0).length"
    )


def test_the_board_reads_the_dashboard_on_a_phone_and_a_desktop(
    browser, live_server, three_crossings, board
):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, board.username, PASSWORD)
    page.goto(f"{live_server.url}/stats/mlt/?year=2025")
    assert charts_drawn(page) == len(CHARTS)
    # Chartkick keeps each chart it made; the SVGs stay in the page (for print), hidden.
    assert page.evaluate("Object.keys(Chartkick.charts).length") == len(CHARTS)
    assert not page.locator("#chart-turnover svg.chart").is_visible()
    assert page.inner_text("[data-figure=turnover_usd]") == "USD 41.780"
    assert fits(page), "the dashboard must fit a phone screen"

    # The chart's figures as a table, opened from its disclosure.
    page.click("#chart-turnover details summary")
    assert "39.540" in page.inner_text("#chart-turnover table")

    with page.expect_download() as download:
        page.click("#chart-turnover [data-csv=turnover]")
    saved = download.value.path().read_bytes()
    assert saved.startswith(b"\xef\xbb\xbf")
    lines = saved.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Tháng,Xuất khẩu (USD)")
    assert "2025-03,13940,25600,0,39540" in lines[3]

    desktop = browser.new_page()
    desktop.set_viewport_size(DESKTOP)
    desktop.goto(f"{live_server.url}/stats/?year=2025")
    assert charts_drawn(desktop) == len(CHARTS)
    width = desktop.evaluate(
        "document.querySelector('#chart-turnover canvas').getBoundingClientRect().width"
    )
    assert width > 600
    assert fits(desktop)
    assert not errors, errors

    desktop.click("#report-link")
    desktop.wait_for_selector("#report-form")
    desktop.select_option("#id_scope", index=0)
    desktop.select_option("#id_period", "year")
    desktop.fill("#id_year", "2025")
    desktop.select_option("#id_format", "pdf")
    with desktop.expect_download() as report:
        desktop.click("#report-form button")
    assert report.value.path().read_bytes().startswith(b"%PDF")


# Every figure of a table on one line, no cell spilling over its neighbour, no row taller than
# a few lines: a table too wide for the phone scrolls sideways inside its card instead.
TABLES_READ = """() => {
  const figure = /\\d(?:[\\d.,/]*\\d)?/g;
  const problems = [];
  for (const table of document.querySelectorAll('main table')) {
    const where = table.closest('[id]') ? table.closest('[id]').id : '?';
    for (const cell of table.querySelectorAll('td, th')) {
      if (cell.scrollWidth > cell.clientWidth + 1) problems.push([where, 'spills', cell.innerText]);
      if (cell.getBoundingClientRect().height > 320) problems.push([where, 'tall', cell.innerText]);
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        for (const match of text.data.matchAll(figure)) {
          const range = document.createRange();
          range.setStart(text, match.index);
          range.setEnd(text, match.index + match[0].length);
          if (range.getClientRects().length > 1) problems.push([where, 'wraps', match[0]]);
        }
      }
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_targets_and_every_table_read_on_a_phone_and_a_desktop(
    browser, live_server, three_crossings, board, mlt, language
):
    from decimal import Decimal

    from cuakhau.stats.choices import Measure, TargetKind
    from cuakhau.stats.models import Target

    note = "Nghị quyết số 12/NQ-HĐND ngày 10/12/2024 của Hội đồng nhân dân tỉnh"
    for measure, kind, value in (
        (Measure.TURNOVER_USD, TargetKind.ABSOLUTE, Decimal("125000000")),
        (Measure.EXPORT_USD, TargetKind.GROWTH, Decimal("12.5")),
        (Measure.FEE_VND, TargetKind.ABSOLUTE, Decimal("98000000000")),
        (Measure.TRUCKS, TargetKind.ABSOLUTE, Decimal("150000")),
    ):
        Target.objects.create(
            gate=mlt, year=2025, measure=measure, kind=kind, value=value, note=note
        )
    browser.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = browser.new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    log_in(page, live_server, board.username, PASSWORD)
    for size in ({"width": 375, "height": 812}, DESKTOP):
        page.set_viewport_size(size)
        for url in ("/stats/mlt/?year=2025", "/stats/targets/?year=2025", "/stats/rates/"):
            page.goto(f"{live_server.url}{url}")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.evaluate(TABLES_READ) == [], (size, url)
            assert fits(page), (size, url)
        page.goto(f"{live_server.url}/stats/mlt/?year=2025")
        # The goal of 98 billion đồng with its unit: one line, inside its cell.
        goal = page.locator("#targets tr[data-measure=fee_vnd] td").nth(1)
        box = goal.evaluate(
            """c => { const r = document.createRange(); r.selectNodeContents(c);
            const box = r.getBoundingClientRect(), cell = c.getBoundingClientRect();
            return {lines: box.height / parseFloat(getComputedStyle(c).lineHeight),
                    inside: box.left >= cell.left && box.right <= cell.right}; }"""
        )
        assert box["lines"] < 1.5 and box["inside"], box
