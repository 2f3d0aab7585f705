"""Decimals sent as text follow the rule of whole numbers (``inputs.whole_number``): a minus at
most, digits of any script, one decimal point (a page's own separators on a page), no "+", no
exponent, no "_". The API and the pages took "+3.5" where a whole number refused "+3"."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from cuakhau.core import inputs, spreadsheets
from cuakhau.core.tests.test_whole_numbers import (
    ARABIC_INDIC,
    _form_classes,
    published_integers,
    refusals_at,
)

pytestmark = pytest.mark.django_db

NO_DECIMAL = ["+3.5", "+3", "＋３．５", "3.5e0", "1e3", "3_5.5", "+.5"]


def _is_decimal(schema: dict) -> bool:
    kinds = {option.get("type") for option in schema.get("anyOf", [])}
    return {"number", "string"} <= kinds


def _decimals(schema, path, components, out):
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if _is_decimal(schema):
        out.append((path, next(o for o in schema["anyOf"] if o.get("type") == "number")))
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _decimals(option, path, components, out)
    for name, inner in schema.get("properties", {}).items():
        _decimals(inner, [*path, name], components, out)
    if "items" in schema:
        _decimals(schema["items"], [*path, "0"], components, out)


def published_decimals() -> list[tuple]:
    """(operationId, method, path, steps, schema) of every decimal a request body sends."""
    from django.test import Client

    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    found = []
    for url, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            spots: list = []
            _decimals(content["application/json"]["schema"], ["body"], components, spots)
            found += [(operation["operationId"], method, url, s, sch) for s, sch in spots]
    return found


def _within(schema: dict) -> Decimal:
    low = Decimal(str(schema.get("minimum", schema.get("exclusiveMinimum", 0))))
    high = Decimal(str(schema.get("maximum", 10**6)))
    return Decimal(1) if low <= 1 <= high and schema.get("exclusiveMinimum") != 1 else low


def test_every_decimal_of_the_api_refuses_a_plus_sign_and_reads_any_digits():
    decimals = published_decimals()
    assert len(decimals) > 5  # the walk found them
    assert published_integers()  # and the integers' walk still runs beside it
    named = {(url, ".".join(steps)) for _id, _m, url, steps, _s in decimals}
    assert ("/api/v1/trips", "body.cargo_lines.0.quantity") in named
    wrong_readings = []
    for operation_id, method, url, steps, schema in decimals:
        where = f"{method.upper()} {url} {'.'.join(steps)}"
        number = _within(schema)
        for wrong in [*NO_DECIMAL, f"+{number}"]:
            if not refusals_at(operation_id, method, url, steps, wrong):
                wrong_readings.append((where, wrong, "accepted"))
        digits = str(number).translate(ARABIC_INDIC)
        if refusals_at(operation_id, method, url, steps, digits):
            wrong_readings.append((where, digits, "refused"))
    assert wrong_readings == []


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
@pytest.mark.parametrize("typed", NO_DECIMAL)
def test_a_page_reads_no_plus_sign_nor_exponent(language, typed):
    with translation.override(language), pytest.raises(inputs.ValidationError):
        inputs.read_local_number(typed)


@pytest.mark.parametrize(
    "language, typed, plain",
    [
        ("en", "-3.5", "-3.5"),
        ("vi", "1.234,5", "1234.5"),
        ("zh-hans", "٣.٥", "3.5"),
        ("en", ".5", ".5"),
    ],
)
def test_a_page_reads_a_minus_its_own_separators_and_any_digits(language, typed, plain):
    with translation.override(language):
        assert Decimal(inputs.read_local_number(typed)) == Decimal(plain)


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_every_forms_decimal_box_refuses_a_plus_sign(language):
    boxes = []
    for form in _form_classes():
        for name, field in getattr(form, "base_fields", {}).items():
            decimal = isinstance(field, forms.DecimalField) or (
                isinstance(field, inputs.LocalNumberField) and not field.whole
            )
            if decimal and not field.widget.is_hidden:
                boxes.append((f"{form.__module__}.{form.__name__}.{name}", field))
    assert len(boxes) > 5
    with translation.override(language):
        for where, field in boxes:
            with pytest.raises(forms.ValidationError):
                field.clean("+3")
                pytest.fail(f"{where} took +3")


@pytest.mark.parametrize("typed", ["+3.5", "+3,5"])
def test_a_spreadsheets_decimal_refuses_a_plus_sign_as_a_box_does(typed):
    with pytest.raises(ValueError):
        spreadsheets.decimal_number(typed, 2, 10)
