"""Every text a server-drawn chart carries (titles, labels, ticks, series names and classes)
is written as text: a name typed somewhere (a partner, a procedure) cannot add markup."""

from xml.etree import ElementTree

from cuakhau.core import charts

MARKUP = '"><script>alert(1)</script><g onload="alert(2)'


def _elements(svg: str) -> list[ElementTree.Element]:
    # Well-formed XML with no element but the chart's own: nothing was injected.
    return list(ElementTree.fromstring(str(svg)).iter())


def _no_injection(svg: str) -> None:
    tags = {element.tag.rsplit("}", 1)[-1] for element in _elements(svg)}
    assert tags <= {"svg", "title", "desc", "line", "text", "rect", "polyline", "circle"}
    for element in _elements(svg):
        assert not any(name.startswith("on") for name in element.attrib)


def test_a_bar_charts_texts_are_text():
    svg = charts.bar_chart(
        [charts.Bar(MARKUP, 3), charts.Bar("b", 5, tick=MARKUP)],
        title=MARKUP,
        description=MARKUP,
        y_label=MARKUP,
    )
    _no_injection(svg)
    assert MARKUP in {element.text for element in _elements(svg)}


def test_a_line_charts_texts_and_classes_are_text():
    svg = charts.line_chart(
        [MARKUP, "b", "c"],
        [charts.Series(MARKUP, [1, None, 3], css=MARKUP), charts.Series("x", [2, 2, 2])],
        title=MARKUP,
        description=MARKUP,
        y_label=MARKUP,
    )
    _no_injection(svg)
