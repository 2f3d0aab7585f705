"""Every whole number the API takes is read one way (``api_support.WholeNumber``), as a page's
box reads one: digits of any script ("３", "٣") are digits. The risk API read a score of "３"
as 3 while the slots API refused "٣" lanes as "no whole number", and the page numbers, the
ids of a path and a trip's version refused them too. The walk below covers every integer the
published OpenAPI declares, so a new field declared as a plain ``int`` fails here."""

import json
import re
from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpResponse
from django.test import Client, RequestFactory
from ninja.errors import ValidationError as RefusedParameters

from cuakhau.api import api
from cuakhau.core import inputs
from cuakhau.core.api_support import validation_items

pytestmark = pytest.mark.django_db

WIDE = str.maketrans("0123456789-", "０１２３４５６７８９－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# What stays refused, whatever the field: JSON's true, a number with decimals or an exponent
# (as JSON or as text), a plus sign, Python's underscores, more than any column holds.
NO_WHOLE_NUMBER = [True, False, 3.0, 1e3, "+3", "٣.٠", "3.0", "1e3", "1_000", "0x10", "", "²"]
TOO_LARGE = [str(10**40), 10**40]


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _integers(schema: dict, path: list, components: dict, out: list) -> None:
    """The paths of every integer ``schema`` holds, "0" for a list's item, "*" for a map's."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            _integers(option, path, components, out)
    if schema.get("type") == "integer":
        out.append((path, schema))
    for name, inner in schema.get("properties", {}).items():
        _integers(inner, [*path, name], components, out)
    if isinstance(schema.get("additionalProperties"), dict):
        _integers(schema["additionalProperties"], [*path, "*"], components, out)
    if "items" in schema:
        _integers(schema["items"], [*path, "0"], components, out)


def published_integers() -> list[tuple]:
    """(operationId, method, path, where, steps, schema) of every integer a request sends."""
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    found = []
    for url, operations in document["paths"].items():
        for method, operation in operations.items():
            spots: list = []
            for parameter in operation.get("parameters", []):
                where = parameter["in"]
                _integers(parameter["schema"], [where, parameter["name"]], components, spots)
            for kind, content in operation.get("requestBody", {}).get("content", {}).items():
                # A multipart form's fields are flat: django-ninja names them "form".
                where = "body" if kind == "application/json" else "form"
                _integers(content["schema"], [where], components, spots)
            for steps, schema in spots:
                found.append((operation["operationId"], method, url, steps, schema))
    return found


def _operation(operation_id: str):
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if api.get_openapi_operation_id(operation) == operation_id:
                    return operation
    raise LookupError(operation_id)


def _nest(steps: list, value):
    """A body holding ``value`` at ``steps`` (a list's first item, a map's key "perishable")."""
    if not steps:
        return value
    inner = _nest(steps[1:], value)
    if steps[0] == "0":
        return [inner]
    return {"perishable" if steps[0] == "*" else steps[0]: inner}


def refusals_at(operation_id: str, method: str, url: str, steps: list, value) -> list[str]:
    """The types of what the operation's schemas refuse at ``steps`` when ``value`` is sent
    there (its other fields left out: refused elsewhere, not here)."""
    operation = _operation(operation_id)
    where, rest = steps[0], steps[1:]
    path_params = {
        name: str(value) if [where, name] == steps else "1" for name in re.findall(r"{(\w+)}", url)
    }
    query = {rest[0]: str(value)} if where == "query" else {}
    query_string = urlencode(query)
    if where == "form":
        request = RequestFactory().post(f"{url}?{query_string}", {rest[0]: str(value)})
    else:
        body = json.dumps(_nest(rest, value)) if where == "body" else ""
        request = RequestFactory().generic(
            method.upper(), url, body, content_type="application/json", QUERY_STRING=query_string
        )
    try:
        # django-ninja's own reading of the parameters (not a handler's further checks).
        type(operation)._get_values(operation, request, path_params, HttpResponse())
    except RefusedParameters as exc:
        expected = [where, *(int(s) if s.isdigit() else s for s in rest)]
        expected = ["perishable" if s == "*" else s for s in expected]
        return [item["type"] for item in validation_items(exc.errors) if item["loc"] == expected]
    return []


def _within(schema: dict) -> int:
    low, high = schema.get("minimum", 0), schema.get("maximum", 10**6)
    low = max(low, schema.get("exclusiveMinimum", low - 1) + 1)
    return min(max(low, 1), high)


def test_every_integer_reads_digits_of_any_script_and_refuses_what_is_no_whole_number():
    integers = published_integers()
    assert {"body", "query", "path"} <= {steps[0] for _id, _m, _url, steps, _s in integers}
    assert len(integers) > 25  # the walk found them (it cannot pass by finding none)
    named = {(url, ".".join(steps)) for _id, _m, url, steps, _s in integers}
    assert ("/api/v1/slots/{gate}/capacity", "body.lanes") in named
    wrong_readings = []
    for operation_id, method, url, steps, schema in integers:
        where = f"{method.upper()} {url} {'.'.join(steps)}"
        number = _within(schema)
        for digits in (str(number).translate(WIDE), str(number).translate(ARABIC_INDIC)):
            if refusals_at(operation_id, method, url, steps, digits):
                wrong_readings.append((where, digits, "refused"))
        for wrong in [*NO_WHOLE_NUMBER, *TOO_LARGE]:
            if steps[0] != "body" and not isinstance(wrong, str):
                continue  # a query, a path or a form is text: true is "True", refused as a word
            if not refusals_at(operation_id, method, url, steps, wrong):
                wrong_readings.append((where, wrong, "accepted"))
    assert wrong_readings == []


# ---------------------------------------------------------------------------------------------
# The reading itself


@pytest.mark.parametrize(
    "text, number",
    [("３", 3), ("٣", 3), ("۳", 3), ("३", 3), ("－１２", -12), (" ٤٢ ", 42), ("007", 7), (5, 5)],
)
def test_a_whole_number_in_any_digits_is_read(text, number):
    assert inputs.whole_number(text) == number


@pytest.mark.parametrize("text", NO_WHOLE_NUMBER + TOO_LARGE[:1] + [None, "١٢٣x", "1 000"])
def test_what_is_no_whole_number_is_refused(text):
    with pytest.raises(inputs.ValidationError):
        inputs.whole_number(text)


# ---------------------------------------------------------------------------------------------
# The pages: every form's whole-number box reads the same digits


def _form_classes():
    import importlib
    import pkgutil

    import cuakhau

    for module in pkgutil.walk_packages(cuakhau.__path__, "cuakhau."):
        if not any(part in module.name for part in (".tests", ".migrations", "conftest", "demo")):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {c for c in subclasses(forms.BaseForm) if c.__module__.startswith("cuakhau.")}


def _whole(field) -> bool:
    # Django's DecimalField and FloatField are IntegerFields too.
    return (
        isinstance(field, forms.IntegerField)
        and not isinstance(field, forms.DecimalField | forms.FloatField)
        and not field.widget.is_hidden
    )


def _a_number_it_takes(field) -> int:
    """The smallest number from 1 the field's limits take (the administration's are its
    column's, in its validators)."""

    def limits(kind):
        for validator in field.validators:
            if isinstance(validator, kind):
                limit = validator.limit_value
                yield limit() if callable(limit) else limit

    return min([max([1, *limits(MinValueValidator)]), *limits(MaxValueValidator)])


def _whole_number_boxes(admin_user):
    """(where, field) of every whole-number box a person types in: the pages' forms and the
    administration's (whose forms are made per request)."""
    boxes = []
    # The administration's forms are made of them at each request (``HeldToTheColumns``):
    # read as they are made, below.
    admin_made = {base for each in admin.site._registry.values() for base in each.form.__mro__}
    for form in _form_classes() - admin_made:
        for name, field in getattr(form, "base_fields", {}).items():
            if _whole(field):
                boxes.append((f"{form.__module__}.{form.__name__}.{name}", field))
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    for model_admin in admin.site._registry.values():
        form = model_admin.get_form(request)()
        for name, field in form.fields.items():
            if _whole(field):
                boxes.append((f"admin {type(model_admin).__name__}.{name}", field))
    return boxes


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_every_forms_whole_number_box_reads_digits_of_any_script(admin_user, language):
    from django.utils import translation

    boxes = _whole_number_boxes(admin_user)
    assert len(boxes) > 15
    with translation.override(language):
        for where, field in boxes:
            number = _a_number_it_takes(field)
            for digits in (str(number).translate(WIDE), str(number).translate(ARABIC_INDIC)):
                assert field.clean(digits) == number, (where, digits)
            for wrong in ("1e3", "1_000", "²", "٣x"):
                with pytest.raises(forms.ValidationError):
                    field.clean(wrong)
                    pytest.fail(f"{where} took {wrong}")


def _inline_whole_number_boxes(admin_user):
    """(where, field) of the whole-number boxes of the administration's inline forms."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    boxes = []
    for model_admin in admin.site._registry.values():
        for inline in model_admin.get_inline_instances(request):
            form = inline.get_formset(request).form()
            for name, field in form.fields.items():
                if _whole(field):
                    boxes.append((f"admin inline {type(inline).__name__}.{name}", field))
    return boxes


@pytest.mark.parametrize("language", ["en", "vi", "zh-hans"])
def test_every_forms_whole_number_box_refuses_what_the_api_refuses(admin_user, language):
    # The API refused "+3", "3.0" and "1_000" as "Enter a whole number." while every page's
    # box (Django's IntegerField under the page's separators) took "+3" and "3.0" as 3.
    from django.utils import translation
    from django.utils.translation import gettext

    boxes = _whole_number_boxes(admin_user) + _inline_whole_number_boxes(admin_user)
    with translation.override(language):
        said = gettext("Enter a whole number.")
        wrong_readings = []
        for where, field in boxes:
            number = _a_number_it_takes(field)
            for wrong in (f"+{number}", f"{number}.0", f"{number}.00", "1_000", f"{number}e0"):
                try:
                    field.clean(wrong)
                except forms.ValidationError as refused:
                    if refused.messages != [said]:
                        wrong_readings.append((where, wrong, refused.messages))
                else:
                    wrong_readings.append((where, wrong, "accepted"))
            for digits in (str(number).translate(WIDE), str(number).translate(ARABIC_INDIC)):
                if field.clean(digits) != number:
                    wrong_readings.append((where, digits, "misread"))
    assert wrong_readings == []


def test_a_hidden_whole_number_is_read_as_the_api_reads_it():
    from cuakhau.risk.forms import SettingsForm

    field = next(
        f
        for f in SettingsForm.base_fields.values()
        if f.widget.is_hidden and isinstance(f, forms.IntegerField)
    )
    assert field.clean("7") == 7
    for wrong in ("+7", "7.0", "7_0"):
        with pytest.raises(forms.ValidationError):
            field.clean(wrong)
            pytest.fail(wrong)


@pytest.mark.parametrize(
    "language, typed, number",
    [("vi", "1.000", 1000), ("en", "1,000", 1000), ("zh-hans", "１，０００", 1000), ("en", "٣", 3)],
)
def test_a_whole_number_box_reads_the_pages_own_group_separators(language, typed, number):
    from django.utils import translation

    with translation.override(language):
        assert inputs.read_local_whole_number(typed) == number


@pytest.mark.parametrize(
    "language, typed", [("en", "1.000"), ("vi", "3,0"), ("vi", "3.0"), ("en", "1,00")]
)
def test_a_whole_number_box_refuses_decimals_in_the_pages_own_marks(language, typed):
    # "1.000" on an English page was read as 1 (Django dropped the ".000").
    from django.utils import translation

    with translation.override(language), pytest.raises(inputs.ValidationError):
        inputs.read_local_whole_number(typed)
