"""The published OpenAPI is the contract an integrator codes against: this holds it to the
answers the API really gives.

For every operation, one realistic successful call and one refused call (from the policy
matrix's world and cases, ``test_policy.api_cases``): each status is one the operation
documents, and each body matches the schema documented for that status. Every code in a
successful answer comes with its label, in the caller's language. Lists share one way of
paging; refusals of a body share one shape. (``test_policy`` proves who may call what;
``test_api_fuzz`` that no input is a 5xx; this, that the document says what happens.)
"""

import enum
import json
import re
import typing

import jsonschema_rs
import pydantic
import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.test import Client

from cuakhau import policy
from cuakhau.accounts.services import issue_token, set_language
from cuakhau.api import api
from cuakhau.conftest import cassava_line, declaration
from cuakhau.core.api_support import MAX_PAGE_SIZE
from cuakhau.core.policy import api_operations
from cuakhau.core.tests.test_policy import _call, _client, api_cases, world  # noqa: F401
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db

# As an integrator reads it: JSON, whose keys (the statuses too) are strings.
SCHEMA = json.loads(json.dumps(api.get_openapi_schema(), default=str))
PREFIX = "/api/v1"


def _documented(key: str) -> dict:
    method, path = key.split(" ", 1)
    return SCHEMA["paths"][PREFIX + path][method.lower()]


def _validator(schema: dict):
    # The operation's schema with the document's components beside it, for its $refs.
    return jsonschema_rs.validator_for({**schema, "components": SCHEMA["components"]})


def _body_schema(operation: dict, status: int) -> dict | None:
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    return response.get("content", {}).get("application/json", {}).get("schema")


def _check_answer(key: str, caller: str, response, failures: list) -> None:
    operation = _documented(key)
    status = response.status_code
    if str(status) not in operation["responses"]:
        failures.append(f"{key} as {caller}: {status} is not documented")
        return
    schema = _body_schema(operation, status)
    if schema is None:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        failures.append(f"{key} as {caller}: {status} is not JSON")
        return
    errors = [str(e) for e in _validator(schema).iter_errors(body)][:3]
    if errors:
        failures.append(f"{key} as {caller}: {status} body differs from its schema: {errors}")


# Fields that hold a code a program reads; a person reads its label beside it.
CODE_FIELDS = {
    "status",
    "direction",
    "channel",
    "agency",
    "action",
    "result",
    "kind",
    "flag",
    "state",
    "requirement",
    "from_status",
    "to_status",
    "vehicle_type",
    "container_size",
    "outcome",
    "confidence",
    "method",
    "side",
    "sector",
    "unit",
    "arrival",
    "priority_class",
    "waiting_status",
    "measure",
    "verdict",
}
# Where the label has another name beside the code.
LABEL_NAMES = {"method": ("method_label", "method_text")}


def unlabelled_codes(value, path="") -> list[str]:
    """The paths of codes in an answer that have no label beside them."""
    missing = []
    if isinstance(value, dict):
        codes = [n for n, item in value.items() if n in CODE_FIELDS and isinstance(item, str)]
        for name, item in value.items():
            if name in codes and item:
                names = LABEL_NAMES.get(name, (f"{name}_label",))
                # A plain "label" names the code of a row that has only one.
                labelled = any(n in value for n in names) or ("label" in value and len(codes) == 1)
                if not labelled:
                    missing.append(f"{path}.{name}")
            missing += unlabelled_codes(item, f"{path}.{name}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            missing += unlabelled_codes(item, f"{path}[{n}]")
    return missing


def _first(callers, among) -> str | None:
    return next((c for c in among if c in callers), None)


PREFERRED = ["ent_a", "op_here", "customs", "quarantine", "desk", "customs_mgr", "admin"]
PREFERRED += ["board", "auditor", "camera", "weighbridge", "tablet"]
REFUSED = ["ent_b", "driver_a", "op_other", "guard", "board", "ent_a", "auditor", "tablet"]


def test_every_operation_documents_its_real_answers(world):  # noqa: F811
    cases = api_cases(world)
    failures = []
    labels_missing = []
    for key, (method, path, body, succeed) in cases.items():
        if key not in policy.API:
            continue
        # Nobody's 401 is one answer for all, declared on every operation with a caller
        # (``test_api_inputs.test_every_operation_declares_the_error_shapes``).
        callers = [_first(succeed, PREFERRED), _first(set(REFUSED) - set(succeed), REFUSED)]
        for caller in [c for c in callers if c]:
            client = _client(world, caller, api_call=True)
            with transaction.atomic():
                response = _call(client, method, PREFIX + path, body)
                transaction.set_rollback(True)
            _check_answer(key, caller, response, failures)
            if caller in succeed and response.status_code < 300:
                labels_missing += [f"{key}: {p}" for p in unlabelled_codes(response.json())]
    assert not failures, "\n".join(failures)
    assert not labels_missing, "codes without their label:\n" + "\n".join(labels_missing)


def test_unlabelled_codes_are_found():
    assert unlabelled_codes({"items": [{"status": "draft"}]}) == [".items[0].status"]
    assert unlabelled_codes({"status": "draft", "status_label": "Draft"}) == []
    assert unlabelled_codes({"channel": "red", "label": "Red"}) == []
    assert unlabelled_codes({"unit": "tonne", "kind": "x", "label": "Phí"}) == [".unit", ".kind"]


# ---------------------------------------------------------------------------------------------
# What every operation says of itself


def test_every_operation_says_what_it_does_and_who_may_call_it():
    vague = []
    for key, operation in api_operations(api):
        description = operation.description or ""
        own = description.split("**Who may call:**")[0].strip()
        if not operation.summary:
            vague.append(f"{key}: no summary (django-ninja would name it after its function)")
        if len(own) < 30:
            vague.append(f"{key}: says nothing of its own beside who may call it")
        if "**Who may call:**" not in description:
            vague.append(f"{key}: does not say who may call it")
    assert not vague, "\n".join(vague)


def test_errors_are_declared_where_they_can_happen():
    for path, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            key = f"{method.upper()} {path.removeprefix(PREFIX)}"
            public = policy.API[key].public
            # A public operation is never a 401 or 403 of ours (its own refusals aside).
            if public and key not in ("POST /payments/notifications/{provider}",):
                assert "403" not in declared, key
            if method in ("post", "put"):
                assert "503" in declared, key  # busy after its retries
            json_body = "application/json" in operation.get("requestBody", {}).get("content", {})
            assert ("400" in declared) == json_body, key  # only a JSON body can be no JSON
            assert ("415" in declared) == json_body, key
            for status in declared - {"200", "201"}:
                assert operation["responses"][status]["description"] not in ("", "OK"), key
    conflict = SCHEMA["components"]["schemas"]["ApiConflict"]["properties"]
    assert {"state_label", "action_label", "allowed_labels"} <= set(conflict)


# ---------------------------------------------------------------------------------------------
# Lists: one way of paging across the API

# Lists bounded by what they hold: a handful of gates, a day's hours, an autocomplete's best
# matches (``limit``), the procedures of one desk, the trucks of one waiting area.
BOUNDED = {
    "GET /reference/gates",
    "GET /reference/hs",
    "GET /desk/procedures",
    "GET /trips/{reference}/slot/free-hours",
    "GET /slots/{gate}/queue",
    "GET /slots/wait-times",
    # A trip's own documents, all of them, as its page lists them: a handful a trip.
    "GET /trips/{reference}/documents",
}


def _list_operations():
    for path, operations in SCHEMA["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        schema = _body_schema(get, 200) or {}
        if "$ref" in schema:
            schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        items = schema.get("properties", {}).get("items", {})
        if schema.get("type") == "array" or "count" in schema.get("properties", {}) and items:
            yield f"GET {path.removeprefix(PREFIX)}", get


def test_every_list_pages_the_same_way():
    lists = dict(_list_operations())
    assert {"GET /trips", "GET /market/rules", "GET /desk/applications"} <= set(lists)
    for key, operation in lists.items():
        if key in BOUNDED:
            continue
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        assert {"page", "page_size"} <= set(parameters), key
        page, size = parameters["page"]["schema"], parameters["page_size"]["schema"]
        assert page.get("minimum") == 1 and page.get("default") == 1, key
        assert size.get("minimum") == 1 and size.get("maximum") == MAX_PAGE_SIZE, key
        # 50 in the envelope lists; the arrays keep answering up to 200 unless asked for less.
        assert size.get("default") in (50, MAX_PAGE_SIZE), key
        assert {"X-Total-Count", "Link"} <= set(operation["responses"]["200"]["headers"]), key
        assert "limit" not in parameters and "offset" not in parameters, key


LIST_READERS = {
    "/trips": "ent_a",
    "/market/rules": "ent_a",
    "/me/tokens": "ent_a",
    "/desk/applications": "desk",
    "/investment/projects": "board",
    "/cooperation/commitments": "board",
}

# "１２" and "١٢" are 12, as every whole number the API takes (``api_support.WholeNumber``).
BAD_NUMBERS = ["-1", "0", str(10**30), "abc", "1.5", "", "2e3", "0x10", "1_0", "+3", "٢.٠", "true"]


def test_list_operations_and_readers_match():
    pageable = {k.split(" ", 1)[1] for k in dict(_list_operations())} - {
        k.split(" ", 1)[1] for k in BOUNDED
    }
    assert pageable == set(LIST_READERS)


def test_every_list_refuses_what_is_no_page_and_tells_its_total_and_next_page(world):  # noqa: F811
    """One world for every list (building it is most of the time): for each, a page or a
    size that is no whole number in range is a 422 naming the parameter, never a 5xx nor the
    whole list; an answer says its total and, while there is more, its next page."""
    owner = world["users"]["ent_a"]
    # Tokens were answered all at once, however many: now by pages, like every list.
    for n in range(MAX_PAGE_SIZE + 2):
        issue_token(owner, f"tablet {n}")
    for path, reader in sorted(LIST_READERS.items()):
        client = _client(world, reader, api_call=True)
        for name in ("page", "page_size"):
            too_big = [str(MAX_PAGE_SIZE + 1)] if name == "page_size" else ["100001"]
            for value in [*BAD_NUMBERS, *too_big]:
                response = client.get(PREFIX + path, {name: value})
                assert response.status_code == 422, (path, name, value, response.status_code)
                locs = [i["loc"] for i in response.json()["detail"]]
                assert locs == [["query", name]], (path, value, locs)
        everything = client.get(PREFIX + path, {"page_size": MAX_PAGE_SIZE})
        assert everything.status_code == 200, (path, everything.content)
        total = int(everything["X-Total-Count"])
        first = client.get(PREFIX + path, {"page_size": "１"})  # one, in a wide digit
        assert int(first["X-Total-Count"]) == total, path
        items = first.json()
        items = items["items"] if isinstance(items, dict) else items
        assert len(items) == min(total, 1), path
        if total > 1:
            link = first["Link"]
            assert 'rel="next"' in link and "page=2" in link and "page_size=1" in link, path
            following = client.get(re.search(r"<([^>]+)>", link).group(1))
            assert following.status_code == 200, path
        else:
            assert "Link" not in first, path
        if path == "/me/tokens":
            assert total > MAX_PAGE_SIZE
            assert len(everything.json()) == MAX_PAGE_SIZE
            assert 'rel="next"' in everything["Link"]


# ---------------------------------------------------------------------------------------------
# Refusals of a body: one shape


def _enterprise_client(enterprise) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'contract')[1]}")


def _declare(client, data, content_type="application/json"):
    return client.post(PREFIX + "/trips", data, content_type=content_type)


def test_a_json_array_for_an_object_names_the_body_not_the_handler(enterprise, mlt):
    response = _declare(_enterprise_client(enterprise), "[]")
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["body"]]


def test_unknown_fields_are_refused_at_their_path(enterprise, mlt):
    client = _enterprise_client(enterprise)
    data = declaration(cargo_lines=[cassava_line()])
    data["trailer_plat"] = "25R-012.34"  # misspelt: the trip would be declared without it
    data["cargo_lines"][0]["colour"] = "green"
    response = _declare(client, json.dumps(data, default=str))
    assert response.status_code == 422, response.content
    items = {tuple(item["loc"]): item for item in response.json()["detail"]}
    assert set(items) == {("body", "trailer_plat"), ("body", "cargo_lines", 0, "colour")}
    assert items["body", "trailer_plat"]["type"] == "extra_forbidden"
    assert items["body", "trailer_plat"]["msg"] == "This field is not accepted here."


def test_the_documented_request_schemas_forbid_unknown_fields():
    trip_in = SCHEMA["components"]["schemas"]["TripIn"]
    assert trip_in.get("additionalProperties") is False


@pytest.mark.parametrize(
    "content_type, data",
    [
        ("application/json", "{'gate': 'mlt'}"),
        ("application/json", '{"gate": "mlt", "direction": "export"'),
    ],
)
def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(enterprise, mlt, content_type, data):
    response = _declare(_enterprise_client(enterprise), data, content_type)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        # What a page of another site can post without asking (no CORS preflight), with a
        # JSON-looking body: the API reads no JSON it was not told is JSON.
        "text/plain",
        "",
    ],
)
def test_a_body_of_another_media_type_is_a_415_that_says_what_to_send(
    enterprise, mlt, content_type
):
    body = json.dumps(declaration(), cls=DjangoJSONEncoder)
    response = _declare(_enterprise_client(enterprise), body, content_type)
    assert response.status_code == 415, response.content
    detail = response.json()["detail"]
    assert "Content-Type: application/json" in detail
    if content_type:
        assert content_type.split(";")[0] in detail
    assert not Trip.objects.exists()


def test_a_key_given_twice_is_refused_not_read_one_way(enterprise, mlt):
    body = json.dumps(declaration(), cls=DjangoJSONEncoder)[:-1] + ', "gate": "hng"}'
    response = _declare(_enterprise_client(enterprise), body)
    assert response.status_code == 400
    assert response.json() == {"detail": "The key gate is given twice in one object of the body."}
    nested = json.dumps(declaration(), cls=DjangoJSONEncoder)
    nested = nested.replace('"hs_code":', '"hs_code": "0803", "hs_code":', 1)
    assert _declare(_enterprise_client(enterprise), nested).status_code == 400
    assert not Trip.objects.exists()
    # A media type of the JSON family (RFC 6839) is JSON.
    response = _declare(
        _enterprise_client(enterprise),
        json.dumps(declaration(), cls=DjangoJSONEncoder),
        "application/vnd.api+json",
    )
    assert response.status_code == 201, response.content


def test_a_refused_step_names_its_codes_with_their_labels(enterprise, mlt):
    set_language(enterprise, "vi")
    client = _enterprise_client(enterprise)
    reference = _declare(client, json.dumps(declaration(), default=str)).json()["reference"]
    cancelled = client.post(f"{PREFIX}/trips/{reference}/cancel", {}, "application/json")
    assert cancelled.status_code == 200
    refused = client.post(f"{PREFIX}/trips/{reference}/cancel", {}, "application/json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["state"] == "cancelled" and body["state_label"] == "Đã hủy"
    assert body["action"] == "cancel" and body["action_label"] not in ("", "cancel")
    assert len(body["allowed_labels"]) == len(body["allowed"])


# ---------------------------------------------------------------------------------------------
# Codes with labels, in the caller's language


@pytest.mark.parametrize(
    "language, draft, export",
    [("vi", "Bản nháp", "Xuất khẩu"), ("zh-hans", "草稿", "出口"), ("en", "Draft", "Export")],
)
def test_a_trips_codes_come_with_labels_in_the_profile_language(
    enterprise, mlt, language, draft, export
):
    set_language(enterprise, language)
    client = _enterprise_client(enterprise)
    trip = _declare(client, json.dumps(declaration(), default=str)).json()
    assert (trip["status"], trip["status_label"]) == ("draft", draft)
    assert (trip["direction"], trip["direction_label"]) == ("export", export)
    assert (
        trip["gate_name"]
        == {"vi": mlt.name_vi, "en": mlt.name_en, "zh-hans": mlt.name_zh}[language]
    )
    assert trip["timeline"][0]["action_label"] not in ("", trip["timeline"][0]["action"])
    assert {a["action"] for a in trip["allowed_action_labels"]} == set(trip["allowed_actions"])
    listed = client.get(PREFIX + "/trips").json()["items"][0]
    assert listed["status_label"] == draft
    me = client.get(PREFIX + "/me").json()
    assert me["role_labels"][0]["label"] not in ("", "enterprise")


# ---------------------------------------------------------------------------------------------
# Idempotency-Key across callers of different kinds and across operations


def test_a_device_and_a_person_with_one_key_and_one_number_never_share_an_answer(operator, mlt):
    """A person and a gate device may carry the same key (and the same row number): each is
    answered for itself; each of them sending again is answered with their own first answer."""
    from cuakhau.gate.services import register_device

    _device, device_key = register_device(None, mlt, "tablet", "tablet-cong-1")
    person = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(operator, 'console')[1]}")
    tablet = Client(HTTP_AUTHORIZATION=f"Bearer {device_key}")
    headers = {"HTTP_IDEMPOTENCY_KEY": "scan-0001"}
    scan = json.dumps({"scan": "25C-123.45"})
    first = person.post(PREFIX + "/gate/mlt/lookup", scan, "application/json", **headers)
    other = tablet.post(PREFIX + "/gate/mlt/lookup", scan, "application/json", **headers)
    again = tablet.post(PREFIX + "/gate/mlt/lookup", scan, "application/json", **headers)
    assert first.status_code == other.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in first and "Idempotent-Replayed" not in other
    assert again["Idempotent-Replayed"] == "true" and again.content == other.content


def test_one_key_on_another_operation_is_refused_and_names_the_first(enterprise, mlt):
    client = _enterprise_client(enterprise)
    headers = {"HTTP_IDEMPOTENCY_KEY": "phone-retry-7"}
    made = client.post(PREFIX + "/me/tokens", {"name": "Điện thoại"}, "application/json", **headers)
    assert made.status_code == 201
    data = json.dumps(declaration(), default=str)
    reused = client.post(PREFIX + "/trips", data, "application/json", **headers)
    assert reused.status_code == 422
    [item] = reused.json()["detail"]
    assert item["loc"] == ["header", "Idempotency-Key"] and "/api/v1/me/tokens" in item["msg"]
    assert not client.get(PREFIX + "/trips").json()["items"]  # nothing was declared


def test_me_says_the_language_its_answers_are_in(enterprise, mlt):
    """Without a language in the profile, answers follow Accept-Language: /me said "vi"."""
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'contract')[1]}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    me = client.get(PREFIX + "/me").json()
    assert (me["language"], me["language_label"]) == ("zh-hans", "简体中文")
    assert me["role_labels"] == [{"role": "enterprise", "label": "企业用户"}]


def _enumerated_inputs(model, where=()):
    """(path, field) for each enumeration or literal among a request model's fields, nested
    models included."""
    for name, info in model.model_fields.items():
        for kind in _kinds_of(info.annotation):
            if isinstance(kind, type) and issubclass(kind, pydantic.BaseModel):
                yield from _enumerated_inputs(kind, (*where, name))
            elif typing.get_origin(kind) is typing.Literal or (
                isinstance(kind, type) and issubclass(kind, enum.Enum)
            ):
                yield (*where, name), info


def _kinds_of(annotation):
    if typing.get_origin(annotation) is typing.Literal:
        return [annotation]
    arguments = typing.get_args(annotation)
    if not arguments:
        return [annotation]
    return [kind for argument in arguments for kind in _kinds_of(argument)]


def test_every_enumerated_input_names_its_choices_with_their_labels():
    """A refused code is answered with each allowed one and what it means (``OneOf``): an
    enumeration or a literal taken as it is would list bare codes."""
    bare = []
    for key, operation in api_operations(api):
        for model in operation.models:
            for where, info in _enumerated_inputs(model):
                checks = [getattr(m, "func", None) for m in info.metadata]
                if not any(getattr(check, "names_its_choices", False) for check in checks):
                    bare.append(f"{key} {'.'.join(where)}")
    assert not bare, "\n".join(bare)


def test_a_refused_action_is_answered_with_the_allowed_ones_and_their_labels():
    from django.utils import translation

    from cuakhau.desk.api import Action

    with translation.override("en"), pytest.raises(pydantic.ValidationError) as refused:
        pydantic.TypeAdapter(Action).validate_python("teleport")
    message = refused.value.errors()[0]["msg"]
    assert "transfer (Transfer to the processing agency)" in message, message
    # Only what a person may ask for: filing and taking a file are the desk's own steps.
    assert "teleport" not in message and "file (" not in message
