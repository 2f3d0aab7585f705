"""A declaration is refused with every error at once, each beside its field: one number the
page could not read ("1,5x") used to stop there, and the trip's and the lines' other errors
(a plate, a phone, an HS code, the required fields) came only with the next submission."""

import html
import json
import re

import pytest

from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.trips import services
from cuakhau.trips.models import Trip

from .test_phone_and_weights import api, api_post, locs, login
from .test_views import form_post

pytestmark = pytest.mark.django_db


def jsonable(data):
    return json.loads(json.dumps(data, default=str))


ERROR = re.compile(r'<p class="error" data-field="([^"]+)">(.*?)</p>', re.S)


def said_beside(response) -> dict[str, list[str]]:
    said: dict[str, list[str]] = {}
    for field, message in ERROR.findall(response.content.decode()):
        said.setdefault(field, []).append(html.unescape(message).strip())
    return said


# Refused by the trip's and the line's own checks, whatever the number typed.
OTHERS = {
    "tractor_plate",
    "driver_phone",
    "driver_name",
    "lines-0-hs_code",
    "lines-0-description",
}


def badly_typed(**line) -> dict:
    return form_post(
        declaration(
            tractor_plate="ABC",
            driver_phone="123",
            driver_name="",
            cargo_lines=[banana_line(hs_code="99999999", description="", **line)],
        ),
        "submit",
    )


@pytest.mark.parametrize(
    ("language", "line", "unreadable", "says"),
    [
        ("vi", {"gross_weight_kg": "1,5x"}, "lines-0-gross_weight_kg", "Hãy nhập một số."),
        ("zh-hans", {"quantity": "1.000,5"}, "lines-0-quantity", "12,345.5"),
    ],
)
def test_a_number_the_page_cannot_read_hides_no_other_error(
    enterprise, mlt, language, line, unreadable, says
):
    client = login(enterprise)
    response = client.post("/trips/new/", badly_typed(**line), HTTP_ACCEPT_LANGUAGE=language)
    said = said_beside(response)
    assert response.status_code == 200
    assert set(said) >= OTHERS, sorted(said)
    # The unreadable number is said once, for what it is: not "required" as well.
    assert len(said[unreadable]) == 1 and says in said[unreadable][0], said[unreadable]
    assert not Trip.objects.exists()


def test_a_draft_with_one_number_unread_is_not_saved_and_nothing_else_is_said(enterprise, mlt):
    client = login(enterprise)
    post = form_post(declaration(capacity_tonnes="3,5x"), "save")
    response = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE="vi")
    assert set(said_beside(response)) == {"capacity_tonnes"}
    assert not Trip.objects.exists()


def test_submitting_an_edited_draft_says_the_missing_fields_with_the_wrong_ones(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    client = login(enterprise)
    # A draft's own check leaves an empty field for later: submitting it does not.
    post = form_post(declaration(driver_phone="123", driver_name=""), "submit")
    response = client.post(f"/trips/{trip.reference}/edit/", post)
    assert {"driver_phone", "driver_name"} <= set(said_beside(response))
    post["lines-0-quantity"] = "1.5.0"
    response = client.post(f"/trips/{trip.reference}/edit/", post)
    assert {"driver_phone", "driver_name", "lines-0-quantity"} <= set(said_beside(response))
    trip.refresh_from_db()
    assert trip.status == "draft" and trip.driver_name == "Lò Văn Páo"


def test_an_amendment_without_a_reason_hears_of_its_other_errors_too(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    post = form_post(declaration(tractor_plate="ABC", gate="hng"), "amend")
    said = said_beside(client.post(f"/trips/{trip.reference}/amend/", post))
    assert {"reason", "tractor_plate", "gate"} <= set(said), sorted(said)
    post.update({"reason": "Đổi xe", "lines-1-net_weight_kg": "8.000.0"})
    said = said_beside(client.post(f"/trips/{trip.reference}/amend/", post))
    assert {"tractor_plate", "gate", "lines-1-net_weight_kg"} <= set(said), sorted(said)
    trip.refresh_from_db()
    assert trip.version == 1 and trip.tractor_plate == "25C-123.45"


def test_the_api_refuses_an_amendment_with_every_error_at_once(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    body = {"reason": "", "declaration": jsonable(declaration(tractor_plate="ABC"))}
    response = api_post(api(enterprise), f"/trips/{trip.reference}/amend", body)
    assert response.status_code == 422
    assert {("body", "reason"), ("body", "declaration", "tractor_plate")} <= set(locs(response))


@pytest.mark.parametrize(
    ("plate", "refused_by"),
    [({"a": 1}, "the schema"), ("ABC", "the service"), ("x" * 200, "the schema")],
)
def test_an_amendments_field_has_one_path_whoever_refused_it(enterprise, mlt, plate, refused_by):
    # The body holds the declaration under ``declaration``: a client highlighting the field by
    # its path finds it there, whether the schema or the service refused it.
    trip = services.save_and_submit(enterprise, None, declaration())
    body = {"reason": "Đổi xe", "declaration": jsonable(declaration(tractor_plate=plate))}
    response = api_post(api(enterprise), f"/trips/{trip.reference}/amend", body)
    assert response.status_code == 422
    assert set(locs(response)) == {("body", "declaration", "tractor_plate")}, refused_by


def test_an_amendments_every_field_is_said_where_the_body_has_it(enterprise, mlt, hng):
    trip = services.save_and_submit(enterprise, None, declaration())
    wrong = declaration(
        gate="hng", driver_phone="123", cargo_lines=[banana_line(hs_code="99999999")]
    )
    body = {"reason": "", "declaration": jsonable(wrong), "version": 7}
    said = set(locs(api_post(api(enterprise), f"/trips/{trip.reference}/amend", body)))
    assert {
        ("body", "reason"),
        ("body", "declaration", "gate"),
        ("body", "declaration", "driver_phone"),
        ("body", "declaration", "cargo_lines", 0, "hs_code"),
    } <= said, sorted(said)
    # Every path names a field the body has.
    assert all(loc[1] in ("reason", "declaration", "version") for loc in said), sorted(said)


# ---------------------------------------------------------------------------------------------
# The API: a value its schema refuses (a quantity that is no number) stopped there, before the
# service; the plate, the phone and the HS code came only with the next request.

QA_LOCS = {
    ("body", "cargo_lines", 0, "quantity"),
    ("body", "tractor_plate"),
    ("body", "driver_phone"),
    ("body", "cargo_lines", 0, "hs_code"),
}


def qa_body(**overrides) -> dict:
    return jsonable(
        declaration(
            tractor_plate="ABC",
            driver_phone="123",
            cargo_lines=[banana_line(quantity="lots", hs_code="99999999"), cassava_line()],
            **overrides,
        )
    )


def refusals(response) -> dict[tuple, list[str]]:
    assert response.status_code == 422, response.content
    said: dict[tuple, list[str]] = {}
    for item in response.json()["detail"]:
        assert set(item) == {"loc", "msg", "type"} and item["msg"], item
        said.setdefault(tuple(item["loc"]), []).append(item["msg"])
    return said


def api_put(client, path, body):
    return client.put(
        f"/api/v1{path}", data=json.dumps(body, default=str), content_type="application/json"
    )


@pytest.mark.parametrize("submit", ["", "?submit=true"])
def test_the_api_declares_with_every_error_at_once(enterprise, mlt, submit):
    said = refusals(api_post(api(enterprise), f"/trips{submit}", qa_body()))
    assert set(said) >= QA_LOCS, sorted(said)
    # The quantity is said once, for what it is: not "required" as well.
    assert said[("body", "cargo_lines", 0, "quantity")] == ["Enter a number."]
    assert not Trip.objects.exists()


def test_submitting_through_the_api_says_the_missing_fields_with_the_wrong_ones(enterprise, mlt):
    client = api(enterprise)
    body = qa_body(driver_name="")
    # A draft leaves an empty text for later; a submission does not.
    assert ("body", "driver_name") not in refusals(api_post(client, "/trips", body))
    assert ("body", "driver_name") in refusals(api_post(client, "/trips?submit=true", body))


def test_the_api_replaces_a_draft_with_every_error_at_once(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    said = refusals(api_put(api(enterprise), f"/trips/{trip.reference}", qa_body()))
    assert set(said) >= QA_LOCS, sorted(said)
    trip.refresh_from_db()
    assert trip.tractor_plate == "25C-123.45" and trip.cargo_lines.first().quantity == 1500


def test_the_services_words_are_in_the_callers_language(enterprise, mlt):
    response = api(enterprise).post(
        "/api/v1/trips",
        data=json.dumps(qa_body()),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    said = refusals(response)
    assert set(said) >= QA_LOCS, sorted(said)
    for loc in QA_LOCS:
        assert all(re.search(r"[\u4e00-\u9fff]", m) for m in said[loc]), said[loc]


def test_the_api_amends_with_every_error_at_once(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    body = {"reason": "", "declaration": qa_body()}
    said = refusals(api_post(api(enterprise), f"/trips/{trip.reference}/amend", body))
    assert ("body", "declaration", "cargo_lines", 0, "quantity") in said
    assert {
        ("body", "reason"),
        ("body", "declaration", "tractor_plate"),
        ("body", "declaration", "driver_phone"),
    } <= set(said)
    trip.refresh_from_db()
    assert trip.version == 1


GARBAGE = [
    [],
    "trip",
    5,
    None,
    {"cargo_lines": "lots"},
    {"cargo_lines": [5, None, [], {"quantity": {"a": [1]}}]},
    {"cargo_lines": [{"container_numbers": [{"x": 1}, 3]}], "container_numbers": "CSQU3054383"},
    {**declaration(tractor_plate={"a": 1}, driver_phone=[1], gate=["mlt"], direction=7)},
    {**declaration(expected_arrival="tomorrow", capacity_tonnes={"t": 30}, vehicle_type=None)},
    {**declaration(cargo_lines=[{**banana_line(), "packages": "many", "unknown": 1}])},
    {**declaration(cargo_lines=[banana_line()] * 3, container_numbers=[None, "CSQU3054383"])},
    {"gate": "mlt", "declaration": {"deep": [[[{"x": [None]}]]]}},
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("how", ["post", "submit", "put", "amend"])
def test_no_body_is_a_server_error(enterprise, mlt, body, how):
    client = api(enterprise)
    body = jsonable(body)
    if how == "post":
        response = api_post(client, "/trips", body)
    elif how == "submit":
        response = api_post(client, "/trips?submit=true", body)
    elif how == "put":
        trip = services.create_draft(enterprise, declaration())
        response = api_put(client, f"/trips/{trip.reference}", body)
    else:
        trip = services.save_and_submit(enterprise, None, declaration())
        response = api_post(client, f"/trips/{trip.reference}/amend", {"declaration": body})
    said = refusals(response)
    # Each place said once per message.
    assert all(len(set(messages)) == len(messages) for messages in said.values()), said


def test_the_parts_the_schema_accepts_are_what_the_handler_would_have_had(mlt):
    from cuakhau.core.api_support import accepted_parts
    from cuakhau.trips.schemas import TripIn

    body = jsonable(declaration())
    assert accepted_parts(TripIn, body, set()) == TripIn.model_validate(body).model_dump()
    refused = {("cargo_lines", 0, "quantity"), ("tractor_plate",)}
    parts = accepted_parts(TripIn, body, refused)
    assert "tractor_plate" not in parts and "quantity" not in parts["cargo_lines"][0]
    assert parts["cargo_lines"][1]["quantity"] == 8 and parts["driver_name"] == "Lò Văn Páo"
