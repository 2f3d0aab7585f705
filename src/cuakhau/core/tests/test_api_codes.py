"""Every code an answer carries is documented with the values it takes.

An answer pairs a code a program reads with the label a person reads (``status`` and
``status_label``). A client generator, or a person reading /api/v1/openapi.json, can only
know the codes if the document lists them: each such property has an ``enum``
(``core.api_support.CodeOf``, taken from the same choices or state machine the code uses).
Walking the document rather than listing the fields catches a field added later.
"""

import json

import pytest

from cuakhau.api import api
from cuakhau.core.api_support import CodeOf, codes_of

SCHEMA = json.loads(json.dumps(api.get_openapi_schema(), default=str))

# Codes from no fixed set, each with why: its description says which codes it takes instead.
OPEN_CODES = {
    # Beside the built-in perishable and general goods, a manager defines classes
    # (``slots.models.PriorityClass``): a list in the document would be out of date at once.
    "priority_class",
    # A path into the declaration ("gate", "cargo_lines.0.hs_code"): a line's number is in it.
    "field",
}

# Codes beside a plain ``label`` in a row that names one code ({"role": ..., "label": ...}).
ROW_CODES = {"action", "agency", "channel", "role", "sector", "status", "kind"}


def _component(document: dict, ref: str) -> tuple[str, dict]:
    name = ref.rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def _answer_schemas(document: dict) -> dict[str, dict]:
    """Every object schema an answer (any status) can hold, by its component name or path,
    nested ones included."""
    found: dict[str, dict] = {}

    def walk(schema, where: str) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name, target = _component(document, schema["$ref"])
            if name not in found:
                found[name] = target
                walk(target, name)
            return
        if "properties" in schema and where not in found:
            found[where] = schema
        for name, item in schema.get("properties", {}).items():
            walk(item, f"{where}.{name}")
        for key in ("items", "additionalProperties"):
            walk(schema.get(key), where)
        for key in ("anyOf", "oneOf", "allOf"):
            for branch in schema.get(key, []):
                walk(branch, where)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for content in response.get("content", {}).values():
                    walk(content.get("schema"), f"{method.upper()} {path} {status}")
    return found


def _is_enumerated(document: dict, schema: dict) -> bool:
    """Whether a property's text values are listed: its own, each item's of a list, or each
    text branch's of a union (``null`` needs no listing)."""
    if "enum" in schema or "const" in schema:
        return True
    if "$ref" in schema:
        return _is_enumerated(document, _component(document, schema["$ref"])[1])
    if schema.get("type") == "array":
        return _is_enumerated(document, schema.get("items", {}))
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    return bool(branches) and all(_is_enumerated(document, b) for b in branches)


def labelled_codes_without_values(document: dict) -> list[str]:
    """The answers' properties paired with a label (``x`` beside ``x_label``, a list ``x``
    beside ``x_labels``, a row's one code beside ``label``) whose values are not listed."""
    missing = []
    for where, schema in _answer_schemas(document).items():
        properties = schema.get("properties", {})
        for name, item in properties.items():
            if name.endswith(("_label", "_labels")) or name == "label":
                continue
            paired = f"{name}_label" in properties or f"{name}_labels" in properties
            paired = paired or ("label" in properties and name in ROW_CODES)
            if not paired or _is_enumerated(document, item):
                continue
            if name in OPEN_CODES and item.get("description"):
                continue
            missing.append(f"{where}.{name}")
    return sorted(set(missing))


def test_every_labelled_code_of_an_answer_lists_its_values():
    missing = labelled_codes_without_values(SCHEMA)
    assert not missing, (
        "codes an answer pairs with a label but the document does not list (give each field "
        "a CodeOf(...) from core.api_support):\n" + "\n".join(missing)
    )


def _document(*properties) -> dict:
    """A one-operation document whose answer is ``Out`` with ``properties``."""
    answer = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}}
    return {
        "paths": {"/x": {"get": {"responses": {"200": answer}}}},
        "components": {"schemas": {"Out": {"type": "object", "properties": dict(properties)}}},
    }


TEXT = {"type": "string"}
LISTED = {"type": "string", "enum": ["a", "b"]}


def test_a_labelled_code_without_its_values_is_found():
    cases = [
        (_document(("status", TEXT), ("status_label", TEXT)), ["Out.status"]),
        (_document(("status", LISTED), ("status_label", TEXT)), []),
        # Null too: only the text branch lists its values.
        (_document(("flag", {"anyOf": [LISTED, {"type": "null"}]}), ("flag_label", TEXT)), []),
        (
            _document(("flag", {"anyOf": [TEXT, {"type": "null"}]}), ("flag_label", TEXT)),
            ["Out.flag"],
        ),
        (
            _document(("roles", {"type": "array", "items": TEXT}), ("roles_labels", TEXT)),
            ["Out.roles"],
        ),
        (_document(("role", TEXT), ("label", TEXT)), ["Out.role"]),
        (
            _document(("priority_class", TEXT), ("priority_class_label", TEXT)),
            ["Out.priority_class"],
        ),
        (
            _document(
                ("priority_class", {**TEXT, "description": "built-in or a manager's"}),
                ("priority_class_label", TEXT),
            ),
            [],
        ),
        # A code with no label is not this test's to judge.
        (_document(("hs_code", TEXT), ("name", TEXT)), []),
    ]
    for document, expected in cases:
        assert labelled_codes_without_values(document) == expected, document


def test_a_documented_code_is_not_checked_on_the_way_out():
    """An old record's code no longer listed is answered as it is, never a 500."""
    from ninja import Schema

    from cuakhau.trips.choices import TripStatus

    class Out(Schema):
        status: CodeOf(TripStatus)
        kind: CodeOf(TripStatus, null=True)

    assert Out(status="legacy", kind=None).status == "legacy"
    schema = Out.model_json_schema()["properties"]
    assert schema["status"]["enum"] == codes_of(TripStatus)
    assert schema["kind"]["anyOf"] == [
        {"type": "string", "enum": codes_of(TripStatus)},
        {"type": "null"},
    ]


@pytest.mark.parametrize("kind", ["state", "action"])
def test_a_machines_codes_are_its_labels_and_its_table(kind):
    from cuakhau.trips.services import TRIP_MACHINE

    codes = codes_of(TRIP_MACHINE, kind)
    table = TRIP_MACHINE.states() if kind == "state" else {a for _s, a in TRIP_MACHINE.table}
    assert table <= set(codes)
    assert len(codes) == len(set(codes))
