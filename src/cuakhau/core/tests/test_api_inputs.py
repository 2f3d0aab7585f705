"""No input makes the API fail: every refusal is a 4xx in the one documented error shape."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from pydantic import BaseModel

from cuakhau.accounts.services import issue_token
from cuakhau.api import api
from cuakhau.conftest import banana_line, declaration
from cuakhau.core.api_support import ERROR_RESPONSES
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db


def client_of(user):
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")


def post(client, path, body):
    data = body if isinstance(body, str) else json.dumps(body, default=str)
    return client.post(f"/api/v1{path}", data=data, content_type="application/json")


def body(**overrides):
    return json.loads(json.dumps(declaration(**overrides), default=str))


def refused(response, *loc):
    assert response.status_code == 422, response.content
    items = response.json()["detail"]
    assert all(set(item) == {"loc", "msg", "type"} for item in items)
    locs = [tuple(item["loc"]) for item in items]
    assert ("body", *loc) in locs, locs
    return next(item for item in items if tuple(item["loc"]) == ("body", *loc))


@pytest.mark.parametrize(
    "line, path",
    [
        (banana_line(value="1.005"), "value"),  # the column keeps 2 decimal places: not rounded
        (banana_line(value="1" + "0" * 14), "value"),  # 16 digits, 2 of them decimals
        (banana_line(quantity="0.0001"), "quantity"),
        (banana_line(gross_weight_kg="1e12"), "gross_weight_kg"),
        (banana_line(packages=2**31), "packages"),
        (banana_line(packages=-1), "packages"),
        (banana_line(value="NaN"), "value"),
        (banana_line(value="Infinity"), "value"),
        (banana_line(packages="many"), "packages"),
        # Text no form's box takes, nor a page's separators (the API has no page language).
        (banana_line(quantity="1e3"), "quantity"),
        (banana_line(gross_weight_kg="1.234,5"), "gross_weight_kg"),
        (banana_line(net_weight_kg="１，２３４"), "net_weight_kg"),
        (banana_line(value="-Infinity"), "value"),
    ],
)
def test_numbers_a_column_cannot_store_are_refused_not_rounded(enterprise, mlt, line, path):
    response = post(client_of(enterprise), "/trips", body(cargo_lines=[line]))
    refused(response, "cargo_lines", 0, path)
    assert not Trip.objects.exists()


def test_capacity_beyond_its_column_is_refused(enterprise, mlt):
    refused(
        post(client_of(enterprise), "/trips", body(capacity_tonnes="30.001")), "capacity_tonnes"
    )


@pytest.mark.parametrize(
    "arrival",
    ["9999-12-31T23:59:59", "0001-01-01T00:00:00+07:00", "2025-02-30T10:00:00", "tomorrow"],
)
def test_implausible_or_invalid_arrivals_are_refused(enterprise, mlt, arrival):
    refused(
        post(client_of(enterprise), "/trips", body(expected_arrival=arrival)), "expected_arrival"
    )
    assert not Trip.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "Lò\x00Văn",
        "Lò\u0085Văn",
        "Lò\u2028Văn",
        "Lò\ud800Văn",
        "Lò\nVăn",
        "\x1b[31mX",
        "Lò \u202eVăn",
        "Lò\u2066Văn",
    ],
)
def test_control_characters_are_refused_with_a_field_error(enterprise, mlt, name):
    item = refused(post(client_of(enterprise), "/trips", body(driver_name=name)), "driver_name")
    assert item["type"] == "control_character"


@pytest.mark.parametrize(
    "name",
    ["\u200b", "\ufeff", "\u2060", "\u00ad", "\u0301", "\ufe0f", "\u3164", "\u2800", "\U000e0020"],
)
def test_a_text_of_nothing_visible_is_no_text(enterprise, mlt, name):
    # A zero-width space, a byte-order mark, a lone accent, a Hangul filler: a required name
    # made of them is missing, not kept invisible on a submitted declaration.
    client = client_of(enterprise)
    refused(post(client, "/trips?submit=true", body(driver_name=name)), "driver_name")
    # In the middle of a visible name it is part of it (a soft hyphen, a joiner).
    created = post(client, "/trips", body(driver_name=f"Lò{name}Văn", cargo_lines=[]))
    assert created.status_code == 201, created.content
    assert Trip.objects.count() == 1


def test_text_is_stored_nfc_and_its_length_counts_what_is_stored(enterprise, mlt):
    client = client_of(enterprise)
    decomposed = "Lo\u0300 Va\u0306n Pa\u0301o"  # "Lò Văn Páo" typed with combining marks
    created = post(client, "/trips", body(driver_name=decomposed))
    assert created.status_code == 201, created.content
    assert Trip.objects.get().driver_name == "Lò Văn Páo"
    # 120 characters once composed, although 240 code points were sent.
    long = post(client, "/trips", body(driver_name="a\u0300" * 120, cargo_lines=[]))
    assert long.status_code == 201, long.content
    refused(post(client, "/trips", body(driver_name="a" * 121, cargo_lines=[])), "driver_name")


def test_identifiers_in_fullwidth_or_other_digits_are_folded_to_ascii(enterprise, mlt):
    line = banana_line(hs_code="０８０３９０", container_numbers=["ＣＳＱＵ３０５４３８３"])
    created = post(
        client_of(enterprise),
        "/trips",
        body(tractor_plate="２５Ｃ－١٢٣.٤٥", trailer_plate="25R-०१२.३४", cargo_lines=[line]),
    )
    assert created.status_code == 201, created.content
    trip = Trip.objects.get()
    assert (trip.tractor_plate, trip.tractor_plate_key) == ("25C-123.45", "25C12345")
    assert trip.trailer_plate_key == "25R01234"
    line = trip.cargo_lines.get()
    assert line.hs_code == "080390"
    assert [c.number for c in line.containers.all()] == ["CSQU3054383"]


def test_look_alike_letters_of_other_scripts_are_refused(enterprise, mlt):
    # Cyrillic С in a Vietnamese plate, Greek Ο in a container owner code.
    client = client_of(enterprise)
    response = post(client, "/trips", body(tractor_plate="25С-123.45"))
    assert response.status_code == 422
    line = banana_line(container_numbers=["CSQU3054383".replace("Q", "Ο")])
    assert post(client, "/trips", body(cargo_lines=[line])).status_code == 422


def test_a_chinese_plate_keeps_its_province_character(other_enterprise, hng):
    created = post(
        client_of(other_enterprise),
        "/trips",
        body(gate="hng", direction="import", tractor_plate="桂Ａ１２３４５", trailer_plate=""),
    )
    assert created.status_code == 201, created.content
    assert Trip.objects.get().tractor_plate == "桂A·12345"


@pytest.mark.parametrize(
    "payload, status",
    [
        ("{not json", 400),
        ("[]", 422),
        ('"a declaration"', 422),
        ("null", 422),
        ("12", 422),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_4xx_in_the_error_shape(enterprise, mlt, payload, status):
    response = post(client_of(enterprise), "/trips", payload)
    assert response.status_code == status
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "field, value",
    [("cargo_lines", None), ("cargo_lines", {"0": {}}), ("driver_name", 12), ("gate", ["mlt"])],
)
def test_a_field_of_the_wrong_json_type_is_a_422(enterprise, mlt, field, value):
    refused(post(client_of(enterprise), "/trips", body(**{field: value})), field)


def test_unknown_enumeration_values_name_the_allowed_ones(enterprise, mlt):
    item = refused(post(client_of(enterprise), "/trips", body(direction="smuggling")), "direction")
    assert "export (" in item["msg"] and "import (" in item["msg"]
    listed = client_of(enterprise).get("/api/v1/trips?status=lost", HTTP_ACCEPT_LANGUAGE="vi")
    assert listed.status_code == 422
    assert listed.json()["detail"][0]["loc"] == ["query", "status"]
    # Each code with what it means, in the caller's language.
    assert "draft (Bản nháp), submitted (Đã nộp)" in listed.json()["detail"][0]["msg"]


def test_a_body_over_the_limit_is_a_json_413(enterprise, mlt, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client_of(enterprise), "/trips", body(driver_name="x" * 2000))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "1000" in response.json()["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=99999999999999999999",
        "page_size=100000",
        "page_size=0",
        "date_from=0001-01-01",
        "date_to=9999-12-31",
        "q=%00",
    ],
)
def test_list_queries_out_of_range_are_422(enterprise, mlt, query):
    response = client_of(enterprise).get(f"/api/v1/trips?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_a_year_9999_filter_does_not_break_the_web_list(enterprise, mlt):
    client = Client()
    client.force_login(enterprise)
    # Days no trip can have are refused beside their fields (``core.listing``), never a 500.
    response = client.get("/trips/?date_to=9999-12-31&date_from=0001-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_date_from_error"' in html and 'id="id_date_to_error"' in html
    # The limits written as the page writes a day, not Django's "… 2100-12-31 .".
    assert "31 Dec 2100" in html and "1 Jan 2000" in html and "2100-12-31" not in html


def test_gate_inputs_beyond_their_columns_are_refused(enterprise, mlt):
    client = client_of(enterprise)
    for path, payload, loc in [
        ("/gate/mlt/weighbridge", {"scan": "25C12345", "gross_kg": "12345.67"}, "gross_kg"),
        ("/gate/mlt/weighbridge", {"scan": "25C12345", "gross_kg": "1e10"}, "gross_kg"),
        ("/gate/mlt/plates", {"plate": "25C12345", "confidence": "1.5"}, "confidence"),
        ("/gate/mlt/plates", {"plate": "25C\x0012345"}, "plate"),
        ("/gate/mlt/plates", {"plate": "25C12345", "read_at": "9999-01-01T00:00:00Z"}, "read_at"),
        ("/gate/mlt/lookup", {"scan": "x" * 2001}, "scan"),
    ]:
        response = post(client, path, payload)
        # The caller may be refused first (403): never a 5xx, never accepted.
        assert response.status_code in (403, 422), (path, payload, response.content)
        if response.status_code == 422:
            refused(response, loc)


def test_device_event_kinds_and_times_are_checked(enterprise, mlt):
    event = {
        "client_id": "not-a-uuid",
        "kind": "teleport",
        "occurred_at": "0001-01-01T00:00:00+00:00",
    }
    response = post(client_of(enterprise), "/gate/mlt/events", [event])
    assert response.status_code in (403, 422)


# ---------------------------------------------------------------------------------------------
# The published OpenAPI


def _models(annotation, seen):
    """Every pydantic model reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        _models(arg, seen)


def test_no_two_schemas_share_a_component_name():
    seen: set = set()
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        _models(model, seen)
                for model in operation.models:
                    _models(model, seen)
    by_name: dict[str, set] = {}
    for model in seen:
        if model.__name__ in ("NinjaResponseSchema",) or model.__module__.startswith("ninja"):
            continue
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, clashes
    assert len(by_name) > 40  # the walk found the schemas (it cannot pass by finding none)


def test_every_operation_declares_the_error_shapes():
    schema = api.get_openapi_schema()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert len(operations) > 30
    for operation in operations:
        declared = {str(c) for c in operation["responses"]}
        expected = {"404", "409", "422"}
        if operation.get("security"):
            expected |= {"401", "403"}  # a public operation has no caller of ours to refuse
        if "requestBody" in operation:
            expected |= {"413", "503"}  # a body too large; a write kept busy
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            expected |= {"400", "415"}  # a body that is no JSON, or not sent as JSON
        assert expected <= declared, operation["operationId"]
    assert {str(code) for code in ERROR_RESPONSES} == {
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "415",
        "422",
        "503",
    }
    components = schema["components"]["schemas"]
    assert components["ApiValidationError"]["properties"]["detail"]["type"] == "array"
    assert components["ApiError"]["properties"]["detail"]["type"] == "string"


def test_a_trip_reference_typed_in_fullwidth_is_the_same_reference(enterprise, mlt):
    client = client_of(enterprise)
    reference = post(client, "/trips", body()).json()["reference"]
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else "－" for c in reference)
    response = client.get(f"/api/v1/trips/{fullwidth}")
    assert response.status_code == 200
    assert response.json()["reference"] == reference


@pytest.mark.parametrize("value", [True, False, "1_000"])
def test_a_flag_or_pythons_underscores_are_no_number(enterprise, mlt, value):
    # JSON's true was read as 1 (a 1 VND payment, one package); "1_000" as 1000.
    client = client_of(enterprise)
    for field in ("packages", "quantity"):
        line = banana_line(**{field: value})
        refused(post(client, "/trips", body(cargo_lines=[line])), "cargo_lines", 0, field)
    assert not Trip.objects.exists()


def test_a_number_sent_as_text_in_other_digits_is_read_as_a_form_reads_it(enterprise, mlt):
    """A decimal took "١٢٣" as text where a whole number (packages) refused it: both are now
    read as a form's box reads them."""
    line = banana_line(quantity="١٢٠٠", packages="１２０", gross_weight_kg="２０４００．５")
    response = post(client_of(enterprise), "/trips", body(cargo_lines=[line]))
    assert response.status_code == 201, response.content
    [saved] = Trip.objects.get().cargo_lines.all()
    assert (saved.quantity, saved.packages, saved.gross_weight_kg) == (
        1200,
        120,
        Decimal("20400.5"),
    )
