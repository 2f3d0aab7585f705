"""Dates, numbers and money per language (cuakhau.formats), form inputs included."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.utils import formats, timezone, translation

from cuakhau.conftest import PASSWORD
from cuakhau.core.templatetags.cuakhau import money, quantity

DAY = dt.date(2026, 11, 30)
MOMENT = dt.datetime(2026, 11, 30, 14, 5)

EXPECTED = {
    "vi": {
        "money": "1.234.567 ₫",
        "number": "1.234.567,5",
        "integer": "1.234.567",
        "short_date": "30/11/2026",
        "date": "30/11/2026",
        "short_datetime": "30/11/2026 14:05",
        "datetime": "14:05 ngày 30/11/2026",
        "quantity": "12.500,25",
    },
    "en": {
        "money": "VND 1,234,567",
        "number": "1,234,567.5",
        "integer": "1,234,567",
        "short_date": "30 Nov 2026",
        "date": "30 November 2026",
        "short_datetime": "30 Nov 2026, 14:05",
        "datetime": "30 November 2026, 14:05",
        "quantity": "12,500.25",
    },
    "zh-hans": {
        "money": "1,234,567 越南盾",
        "number": "1,234,567.5",
        "integer": "1,234,567",
        "short_date": "2026年11月30日",
        "date": "2026年11月30日",
        "short_datetime": "2026年11月30日 14:05",
        "datetime": "2026年11月30日 14:05",
        "quantity": "12,500.25",
    },
}
LANGUAGES = list(EXPECTED)


@pytest.mark.parametrize("language", LANGUAGES)
def test_money_numbers_and_dates_read_as_the_language_writes_them(language):
    want = EXPECTED[language]
    with translation.override(language):
        assert money(1234567) == want["money"]
        assert formats.localize(Decimal("1234567.5")) == want["number"]
        assert quantity(Decimal("12500.250")) == want["quantity"]
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == want["short_date"]
        assert formats.date_format(DAY, "DATE_FORMAT") == want["date"]
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == want["short_datetime"]
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == want["datetime"]
        # What a template shows for a bare date or number (USE_THOUSAND_SEPARATOR is on).
        shown = Template("{{ day }} · {{ n }}").render(Context({"day": DAY, "n": 1234567}))
        assert shown == f"{want['date']} · {want['integer']}"


def test_money_in_another_currency_keeps_its_cents():
    with translation.override("vi"):
        assert money(Decimal("1250.5"), "USD") == "USD 1.250,50"
    with translation.override("zh-hans"):
        assert money(Decimal("1250.5"), "CNY") == "CNY 1,250.50"


class DatesForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


@pytest.mark.parametrize("language", LANGUAGES)
def test_date_inputs_carry_iso_values_in_every_language(language):
    """A type=date input shows nothing unless its value is 2026-11-30 (not 2026/11/30)."""
    with translation.override(language):
        form = DatesForm(initial={"day": DAY, "at": MOMENT})
        assert 'value="2026-11-30"' in str(form["day"])
        assert 'value="2026-11-30T14:05"' in str(form["at"])
        sent = DatesForm({"day": "2026-11-30", "at": "2026-11-30T14:05"})
        assert sent.is_valid(), sent.errors
        assert sent.cleaned_data["day"] == DAY
        assert timezone.localtime(sent.cleaned_data["at"]).replace(tzinfo=None) == MOMENT


@pytest.mark.parametrize(
    "language, typed",
    [("vi", "30/11/2026"), ("en", "11/30/2026"), ("zh-hans", "2026/11/30")],
)
def test_a_date_typed_the_languages_way_is_still_understood(language, typed):
    with translation.override(language):
        form = DatesForm({"day": typed, "at": "2026-11-30T14:05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == DAY


@pytest.mark.parametrize(
    "language, heading",
    [("vi", "30/11/2025"), ("en", "30 November 2025"), ("zh-hans", "2025年11月30日")],
)
def test_a_page_with_a_date_filter_shows_its_value_and_dates_per_language(
    language, heading, auditor, settings
):
    """The reconciliation page: an ISO value in the date input, the day in words above."""
    settings.LANGUAGE_CODE = language
    client = Client()
    client.login(username=auditor.username, password=PASSWORD)
    with translation.override(language):
        html = client.get(
            "/payments/reconciliation/", {"day": "2025-11-30"}, HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    assert 'type="date"' in html
    assert 'value="2025-11-30"' in html
    assert heading in html
