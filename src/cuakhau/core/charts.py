"""Charts drawn on the server as inline SVG: no library, no CDN, nothing fetched, works offline.

A chart is an image with a name (``role="img"``, ``<title>`` and ``<desc>``); the data table
printed beside it is its accessible alternative, so the SVG does not repeat every figure to a
screen reader. Numbers on the axes are formatted in the page's language (Django's number
format), labels come translated from the caller. Colours are CSS classes (``chart-*``) with
a plain fill as fallback, so a page can restyle them and a printout still shows them.

Two shapes cover the statistics pages: ``bar_chart`` (a histogram, counts per day) and
``line_chart`` (trends, one line per series, gaps where a day has no value).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
# Room for the y-axis numbers on the left and the x labels below.
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 22, 40
PALETTE = ["#1f5f8b", "#c4321f", "#2e9e5b", "#e0a100"]

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # A bar that stands apart (today's partial day, an open-ended last bin): drawn lighter.
    muted: bool = False
    # A shorter label under the axis ("≥ 180" for "180 min or more"); ``label`` otherwise.
    tick: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str = ""


@dataclass(frozen=True)
class Bin:
    """One bar of a histogram: values ``low <= v < high`` (``high`` None: and above)."""

    low: float
    high: float | None
    count: int = 0


@dataclass
class _Frame:
    """The plot area and its y scale."""

    ticks: list[float]
    top: float = field(init=False)

    def __post_init__(self):
        self.top = self.ticks[-1] or 1

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / self.top)


def nice_ticks(largest: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 × 10ⁿ) up to at least ``largest``; ``whole``: steps
    of whole units only (an axis written without decimals, where 0.2 and 0.4 would both read
    "0")."""
    if largest <= 0:
        return [0, 1]
    raw = largest / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(
        m * power
        for m in (1, 2, 2.5, 5, 10)
        if m * power >= raw and (not whole or float(round(m * power, 10)).is_integer())
    )
    steps = math.ceil(largest / step - 1e-9)
    return [round(step * n, 10) for n in range(steps + 1)]


def nice_width(span: float, target_bins: int) -> float:
    """A round bin width (1, 2, 5 × 10ⁿ minutes…) giving about ``target_bins`` bins."""
    if span <= 0:
        return 1
    raw = span / target_bins
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def histogram(
    values: Sequence[float], *, target_bins: int = 12, cap: float | None = None
) -> list[Bin]:
    """Counts of ``values`` in round-width bins from 0; values at or above ``cap`` (e.g. the
    99th percentile, so one stuck truck does not flatten the rest) share one open last bin."""
    if not values:
        return []
    largest = max(values)
    if cap is not None and cap < largest:
        width = nice_width(cap, target_bins)
        edges_count = max(1, math.ceil(cap / width))
    else:
        width = nice_width(largest, target_bins)
        edges_count = int(max(largest, 0) // width) + 1
    bins = [Bin(n * width, (n + 1) * width) for n in range(edges_count)]
    counts = [0] * len(bins)
    overflow = 0
    for value in values:
        index = int(max(value, 0) // width)
        if index < len(bins):
            counts[index] += 1
        else:
            overflow += 1
    result = [Bin(b.low, b.high, c) for b, c in zip(bins, counts, strict=True)]
    if overflow:
        result.append(Bin(len(bins) * width, None, overflow))
    return result


def decimals(step: float) -> int:
    """The decimal places that write every multiple of ``step`` exactly (0.25 → 2), so that
    two ticks never read the same."""
    text = f"{round(step, 10):f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _number(value: float, places: int | None = None) -> str:
    if places is None:
        places = 0 if float(value).is_integer() else 1
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _open(title: str, description: str) -> tuple[str, list[str]]:
    key = f"chart-{next(_ids)}"
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{key}-title">{escape(title)}</title>'
        f'<desc id="{key}-desc">{escape(description)}</desc>'
    )
    return key, [head]


def _axes(parts: list[str], frame: _Frame, y_label: str, *, empty: bool = False) -> None:
    """The y axis's gridlines and numbers; on an empty chart only its zero, and a line that
    says there is nothing to draw (an axis of 0 to 1 would invent a scale)."""
    right = WIDTH - RIGHT
    places = decimals(frame.ticks[1] - frame.ticks[0]) if len(frame.ticks) > 1 else 0
    for tick in frame.ticks[:1] if empty else frame.ticks:
        y = frame.y(tick)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dde3e8" stroke-width="1"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#56606b">{escape(_number(tick, places))}</text>'
        )
    if empty:
        parts.append(
            f'<text class="chart-empty" x="{(LEFT + right) / 2:.1f}" '
            f'y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" text-anchor="middle" font-size="13" '
            f'fill="#56606b">{escape(_("No figure to show: every value is zero or missing."))}'
            f"</text>"
        )
    if y_label:
        parts.append(
            f'<text class="chart-axis-label" x="4" y="{TOP - 10}" font-size="11" '
            f'fill="#56606b">{escape(y_label)}</text>'
        )


def _x_labels(parts: list[str], labels: Sequence[str], xs: Sequence[float]) -> None:
    """At most ~10 labels under the axis, evenly picked, so they never overlap."""
    if not labels:
        return
    every = max(1, math.ceil(len(labels) / 10))
    for index in range(0, len(labels), every):
        parts.append(
            f'<text class="chart-tick" x="{xs[index]:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle" font-size="11" fill="#56606b">{escape(labels[index])}</text>'
        )


def bar_chart(
    bars: Sequence[Bar], *, title: str, description: str = "", y_label: str = ""
) -> SafeString:
    """Vertical bars, one per item, in order (a histogram or counts per day)."""
    _key, parts = _open(title, description)
    largest = max((b.value for b in bars), default=0)
    frame = _Frame(nice_ticks(largest))
    _axes(parts, frame, y_label, empty=largest <= 0)
    plot = WIDTH - LEFT - RIGHT
    slot = plot / max(len(bars), 1)
    gap = min(2.0, slot * 0.15)
    centres = []
    for index, bar in enumerate(bars):
        x = LEFT + index * slot
        y = frame.y(bar.value)
        height = frame.y(0) - y
        css = "chart-bar chart-muted" if bar.muted else "chart-bar"
        fill = "#9db5c8" if bar.muted else PALETTE[0]
        parts.append(
            f'<rect class="{css}" x="{x + gap / 2:.1f}" y="{y:.1f}" '
            f'width="{max(slot - gap, 0.5):.1f}" height="{max(height, 0):.1f}" fill="{fill}">'
            f"<title>{escape(bar.label)}: {escape(_number(bar.value))}</title></rect>"
        )
        centres.append(x + slot / 2)
    _x_labels(parts, [b.tick or b.label for b in bars], centres)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str = "",
    y_label: str = "",
) -> SafeString:
    """One line per series over ``labels``; a None value breaks the line (no data that day)."""
    _key, parts = _open(title, description)
    largest = max((v for s in series for v in s.values if v is not None), default=0)
    frame = _Frame(nice_ticks(largest))
    _axes(parts, frame, y_label, empty=largest <= 0)
    plot = WIDTH - LEFT - RIGHT
    step = plot / max(len(labels) - 1, 1)
    xs = [LEFT + index * step for index in range(len(labels))]
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        # Escaped like every text here: a series named from data must not open an attribute.
        css = escape(f"chart-line {line.css}".strip())
        segment: list[str] = []
        segments = []
        for x, value in zip(xs, line.values, strict=False):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x:.1f},{frame.y(value):.1f}")
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) == 1:
                cx, cy = points[0].split(",")
                parts.append(f'<circle class="{css}" cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            else:
                parts.append(
                    f'<polyline class="{css}" points="{" ".join(points)}" fill="none" '
                    f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>'
                )
    # The legend above the plot, right-aligned, in the series' own colours.
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        x = WIDTH - RIGHT - 160 * (len(series) - number)
        y = TOP - 12
        parts.append(
            f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="3"/>'
            f'<text x="{x + 24}" y="{y + 4}" font-size="11" fill="#28313b">{escape(line.name)}</text>'
        )
    _x_labels(parts, labels, xs)
    parts.append("</svg>")
    return mark_safe("".join(parts))
