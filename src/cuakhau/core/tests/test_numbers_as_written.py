"""Every number box reads what a person types as the page writes numbers.

Django's own fields read "25.000" typed on a Vietnamese page, where the page itself writes
twenty-five thousand so, as 25: an exchange rate of 25.000 đồng per dollar was stored as 25,
"1.000" in a whole-number box as 1. And a browser's ``type=number`` box sends "7.2" whatever
the page's language. Each box is now a text box read by ``read_local_number``.
"""

import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

import cuakhau
from cuakhau.core.tests.test_admin_inputs import _admin_forms
from cuakhau.stats.forms import RateForm


def _rate(typed: str):
    form = RateForm(
        data={"currency": "VND", "month": "2026-03", "units_per_usd": typed, "source": "SBV"}
    )
    return form.cleaned_data["units_per_usd"] if form.is_valid() else form.errors


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("vi", "25.000", Decimal("25000")),
        ("vi", "25.345,5", Decimal("25345.5")),
        ("vi", "7,2", Decimal("7.2")),
        ("vi", "٢٥٠٠٠", Decimal("25000")),
        ("en", "25,345.5", Decimal("25345.5")),
        ("en", "7.2", Decimal("7.2")),
        ("zh-hans", "7.2", Decimal("7.2")),
    ],
)
def test_an_exchange_rate_is_read_as_the_page_writes_numbers(language, typed, read):
    with translation.override(language):
        assert _rate(typed) == read


@pytest.mark.parametrize(("language", "typed"), [("vi", "7.2"), ("en", "7,2")])
def test_a_separator_the_page_does_not_use_is_refused_with_an_example(language, typed):
    with translation.override(language):
        said = _rate(typed)["units_per_usd"][0]
    assert ("12.345,5" if language == "vi" else "12,345.5") in said


def test_a_rate_is_shown_in_its_box_as_the_page_writes_it():
    with translation.override("vi"):
        box = str(RateForm(initial={"units_per_usd": Decimal("25345.5")})["units_per_usd"])
    assert 'type="text"' in box and 'value="25.345,5"' in box and 'inputmode="decimal"' in box


def test_a_year_or_an_hour_in_a_box_is_not_grouped():
    from cuakhau.core.inputs import IntegerField

    with translation.override("vi"):
        box = IntegerField().widget
        assert 'value="2026"' in box.render("year", 2026)
        assert 'value="25.000"' in box.render("count", 25000)


def _project_forms():
    for info in pkgutil.iter_modules(cuakhau.__path__):
        try:
            importlib.import_module(f"cuakhau.{info.name}.forms")
        except ModuleNotFoundError:
            continue
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for form in todo.pop().__subclasses__():
            if form not in seen:
                seen.add(form)
                todo.append(form)
    # The administration's own forms are held to their columns only as the admin makes them.
    return [
        form
        for form in seen
        if form.__module__.startswith("cuakhau.") and form.__module__.endswith(".forms")
    ]


@pytest.mark.django_db
def test_no_number_box_reads_a_vietnamese_thousand_as_one(admin_user):
    boxes = [(f, name, field) for f in _project_forms() for name, field in f.base_fields.items()]
    # The administration's forms are held to their columns as they are made (``HeldToTheColumns``).
    for _model, form in _admin_forms(admin_user):
        boxes += [(form, name, field) for name, field in form().fields.items()]
    checked = []
    with translation.override("vi"):
        for form, name, field in boxes:
            if not isinstance(field, forms.IntegerField) or field.widget.is_hidden:
                continue
            assert field.widget.input_type == "text", (form, name)
            try:
                read = field.clean("1.000")
            except ValidationError:
                read = None  # past the field's limits: refused, which is fine
            assert read in (None, 1000), (form, name, read)
            checked.append((form, name))
    assert len(checked) > 30
