"""``ListSelect`` writes what Django's ``Select`` templates write, markup for markup."""

from html.parser import HTMLParser

import pytest
from django import forms

from cuakhau.core.widgets import ListSelect


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.items = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag):
        self.items.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def markup(html: str) -> list:
    parser = _Markup()
    parser.feed(html)
    return parser.items


CHOICES = [
    ("", "—"),
    ("Usual at the border", [("VND", "Đồng Việt Nam"), ("CNY", "人民币 <元>")]),
    ("Other", [("USD", 'US "dollar" & co')]),
    (7, "Seven"),
]


@pytest.mark.parametrize("value", [None, "", "CNY", 7, "7", "not a choice"])
@pytest.mark.parametrize("attrs", [{}, {"required": True, "aria-required": "true", "id": "x"}])
def test_it_writes_what_djangos_select_writes(value, attrs):
    django = forms.Select(choices=CHOICES).render("lines-0-currency", value, attrs=dict(attrs))
    ours = ListSelect(choices=CHOICES).render("lines-0-currency", value, attrs=dict(attrs))
    assert markup(ours) == markup(django)
    assert ours.count("<option") == django.count("<option") == 5


def test_a_declaration_line_uses_it_for_its_long_lists():
    from cuakhau.trips.forms import CargoLineForm

    html = str(CargoLineForm(prefix="lines-0")["origin_country"])
    assert html.count("<option") > 200 and 'name="lines-0-origin_country"' in html
