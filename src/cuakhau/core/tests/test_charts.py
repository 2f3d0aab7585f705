"""Server-drawn SVG charts: scales, bins, accessibility, numbers per language."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from cuakhau.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


@pytest.mark.parametrize(
    "largest, expected",
    [
        (0, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (7, [0, 2, 4, 6, 8]),
        (120, [0, 25, 50, 75, 100, 125]),
        (1234, [0, 250, 500, 750, 1000, 1250]),
        (0.3, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_ticks_are_round_and_reach_the_largest_value(largest, expected):
    assert charts.nice_ticks(largest) == expected


def test_histogram_bins_are_round_and_count_every_value():
    values = [3, 7, 12, 14, 18, 25, 29, 31, 44, 58, 200]
    bins = charts.histogram(values, target_bins=6, cap=60)
    assert [(b.low, b.high) for b in bins[:3]] == [(0, 10), (10, 20), (20, 30)]
    assert sum(b.count for b in bins) == len(values)
    assert [b.count for b in bins] == [2, 3, 2, 1, 1, 1, 1]
    # The stuck truck (200 min) is in the open last bin, not stretching the axis to 200.
    assert (bins[-1].low, bins[-1].high, bins[-1].count) == (60, None, 1)
    assert charts.histogram([]) == []


def test_a_bar_chart_is_a_named_image_with_one_bar_per_item():
    bars = [charts.Bar("0–10", 4), charts.Bar("10–20", 9), charts.Bar("≥ 20", 1, muted=True)]
    root = parse(
        charts.bar_chart(bars, title="Clearance <times>", description="Trucks", y_label="trucks")
    )
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Clearance <times>"  # escaped in the markup
    assert root.find(f"{SVG}desc").get("id") == desc_id
    rects = root.findall(f"{SVG}rect")
    assert len(rects) == 3
    heights = [float(r.get("height")) for r in rects]
    assert heights[1] > heights[0] > heights[2] > 0
    assert "chart-muted" in rects[2].get("class")
    assert rects[1].find(f"{SVG}title").text == "10–20: 9"


def test_two_charts_on_one_page_never_share_an_id():
    first = parse(charts.bar_chart([charts.Bar("a", 1)], title="one"))
    second = parse(charts.bar_chart([charts.Bar("a", 1)], title="two"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_a_line_chart_breaks_where_a_day_has_no_value():
    root = parse(
        charts.line_chart(
            ["1", "2", "3", "4", "5"],
            [
                charts.Series("Median", [10, 12, None, 14, 15]),
                charts.Series("p90", [None, None, 30, None, None]),
            ],
            title="Per day",
        )
    )
    lines = root.findall(f"{SVG}polyline")
    assert [len(p.get("points").split()) for p in lines] == [2, 2]
    assert len(root.findall(f"{SVG}circle")) == 1  # p90's lone day is a dot
    legend = [t.text for t in root.findall(f"{SVG}text")]
    assert "Median" in legend and "p90" in legend


@pytest.mark.parametrize("language, tick", [("vi", "1.250"), ("en", "1,250"), ("zh-hans", "1,250")])
def test_axis_numbers_are_written_in_the_pages_language(language, tick):
    with translation.override(language):
        root = parse(charts.bar_chart([charts.Bar("x", 1234)], title="t"))
    assert tick in [t.text for t in root.findall(f"{SVG}text")]


@pytest.mark.parametrize(
    "largest, expected",
    [
        (0.6, [0, 1]),
        (3, [0, 1, 2, 3]),
        (12, [0, 5, 10, 15]),
        (1234, [0, 250, 500, 750, 1000, 1250]),
    ],
)
def test_ticks_of_an_axis_written_in_whole_units_are_whole(largest, expected):
    assert charts.nice_ticks(largest, whole=True) == expected


@pytest.mark.parametrize("largest", [0.25, 0.6, 1, 3, 12, 0.04])
def test_no_two_ticks_of_an_axis_read_the_same(largest):
    """0.05 and 0.1 were both written "0.1" (one decimal place, whatever the step)."""
    root = parse(charts.bar_chart([charts.Bar("x", largest)], title="t"))
    ticks = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "chart-tick"][:-1]
    assert len(ticks) > 2 and len(set(ticks)) == len(ticks), ticks


@pytest.mark.parametrize(
    "svg",
    [
        lambda: charts.bar_chart([charts.Bar("a", 0), charts.Bar("b", 0)], title="t"),
        lambda: charts.bar_chart([], title="t"),
        lambda: charts.line_chart(["a", "b"], [charts.Series("s", [None, 0])], title="t"),
    ],
)
def test_a_chart_without_a_figure_says_so(svg):
    with translation.override("vi"):
        root = parse(svg())
    texts = {t.get("class"): t.text for t in root.findall(f"{SVG}text")}
    assert texts["chart-empty"].startswith("Không có số liệu")
    # Only the zero of the axis: no made-up scale of 0 to 1.
    ticks = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "chart-tick"]
    assert "1" not in ticks
