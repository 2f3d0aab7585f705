"""Every table of every template sits alone in a .table-scroll box, one a keyboard can scroll.

On a 390 px phone a table of four Vietnamese headings is wider than the screen: in its
.table-scroll box it scrolls on its own with a shadow saying more is there; left loose in a card,
the card scrolled with no cue and the columns past its edge were cut off (the KPI's stages, the
cooperation registers, the desk's queue). The browser test (test_browser_every_page.py) opens
every page; this finds the table a template adds before any page shows it. The box takes the
keyboard's focus (tabindex="0"): a box that scrolls must, or a person without a mouse or a
touch screen never reads the columns past its edge (axe-core: scrollable-region-focusable).
A box the keyboard stops on is a region with a name (role="region", aria-labelledby its heading
or caption, or aria-label in the page's language): without it a screen reader said
"scrollable region" and nothing of what the table holds.
"""

import re
from pathlib import Path

import cuakhau

ROOT = Path(cuakhau.__file__).parent
# The box opened right before the table (other classes beside it allowed), closed right after.
OPENS = re.compile(r'<div class="[^"]*\btable-scroll\b[^"]*" tabindex="0"[^>]*>\s*$')
CLOSES = re.compile(r"^\s*</div>")
# The ids an aria-labelledby names, one written "title-{{ table.name }}" as one.
IDS = re.compile(r"(?:\{\{.*?\}\}|[^\s{])+")
BOX = re.compile(r'<div class="[^"]*\btable-scroll\b[^"]*"[^>]*>')


def unnamed_boxes(text: str) -> list[str]:
    """Each box with no role="region" or no name: aria-label of some text, or aria-labelledby
    an id the template writes (``id="…"`` anywhere in it)."""
    unnamed = []
    for match in BOX.finditer(text):
        box = match.group()
        label = re.search(r'\baria-label="([^"]+)"', box)
        ref = re.search(r'\baria-labelledby="([^"]+)"', box)
        named = (label and label.group(1).strip()) or (
            ref and all(f'id="{ident}"' in text for ident in IDS.findall(ref.group(1)))
        )
        if 'role="region"' not in box or not named:
            unnamed.append(box)
    return unnamed


def loose_tables(text: str) -> list[str]:
    loose = []
    for match in re.finditer(r"<table\b[^>]*>", text):
        end = text.find("</table>", match.end())
        alone = OPENS.search(text[: match.start()]) and CLOSES.match(text[end + len("</table>") :])
        if end < 0 or not alone:
            loose.append(match.group())
    return loose


def test_every_template_table_sits_alone_in_a_table_scroll_box():
    found = []
    templates = sorted(ROOT.rglob("templates/**/*.html"))
    for path in templates:
        found += [f"{path.relative_to(ROOT)}: {t}" for t in loose_tables(path.read_text())]
    assert found == []
    assert sum("<table" in path.read_text() for path in templates) > 25


def test_every_table_scroll_box_is_a_region_with_a_name():
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        found += [f"{path.relative_to(ROOT)}: {box}" for box in unnamed_boxes(path.read_text())]
    assert found == []


def test_the_check_finds_a_box_with_no_name():
    named = '<h2 id="t">x</h2><div class="table-scroll" tabindex="0" role="region" '
    assert unnamed_boxes(named + 'aria-labelledby="t"><table></table></div>') == []
    assert (
        unnamed_boxes(
            '<div class="table-scroll" tabindex="0" role="region" aria-label="{% translate \'x\' %}">'
        )
        == []
    )
    assert unnamed_boxes('<div class="table-scroll" tabindex="0">') != []
    assert unnamed_boxes('<div class="table-scroll" tabindex="0" role="region">') != []
    assert unnamed_boxes('<div class="table-scroll" tabindex="0" aria-label="x">') != []
    looped = '<h2 id="t-{{ x.pk }}">x</h2><div class="table-scroll" role="region" '
    assert unnamed_boxes(looped + 'aria-labelledby="t-{{ x.pk }}">') == []
    # Its name points at nothing the template writes.
    assert unnamed_boxes(named + 'aria-labelledby="elsewhere">') != []
    assert unnamed_boxes('<div class="table-scroll" role="region" aria-label=" ">') != []


def test_the_check_finds_a_loose_table():
    box = '<div class="table-scroll" tabindex="0">'
    assert loose_tables(f'{box}<table class="items"></table></div>') == []
    assert (
        loose_tables(
            '<div class="chart-table table-scroll" tabindex="0" role="region" aria-label="x">\n'
            " <table></table>\n</div>"
        )
        == []
    )
    # A box the keyboard cannot scroll.
    assert loose_tables('<div class="table-scroll"><table></table></div>') == ["<table>"]
    assert loose_tables('<div class="card"><table class="items"></table></div>') == [
        '<table class="items">'
    ]
    # Something else in the box beside the table: the box no longer sizes to the table alone.
    assert loose_tables(f"{box}<table></table><p>x</p></div>") == ["<table>"]
    assert loose_tables(f"{box}<h2>x</h2><table></table></div>") == ["<table>"]
