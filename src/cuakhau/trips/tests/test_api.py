"""The trip API through the test client: tokens, field paths in errors, 409s, scoping."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import banana_line, cassava_line, declaration
from cuakhau.trips import models as trips_models
from cuakhau.trips import services

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        _token, raw = issue_token(user, "test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def _send(self, method, path, body=None):
        kwargs = {"content_type": "application/json"}
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path):
        return self.client.get(f"/api/v1{path}")

    def post(self, path, body=None):
        return self._send("post", path, body if body is not None else {})

    def put(self, path, body):
        return self._send("put", path, body)


def jsonable(data):
    return json.loads(json.dumps(data, default=str))


def test_openapi_schema_is_published(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/trips" in paths and "/api/v1/trips/{reference}/amend" in paths


def test_requests_without_a_valid_token_are_refused(enterprise):
    assert Client().get("/api/v1/trips").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer ck_not-a-token")
    assert bad.get("/api/v1/trips").status_code == 401


def test_a_revoked_token_stops_working(enterprise):
    token, raw = issue_token(enterprise, "tablet")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me").status_code == 200
    token.revoke()
    assert client.get("/api/v1/me").status_code == 401


def test_declare_submit_and_read_back(enterprise, mlt):
    api = Api(enterprise)
    created = api.post("/trips", jsonable(declaration()))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft"
    assert [line["hs_code"] for line in body["cargo_lines"]] == ["080390", "071410"]
    assert body["cargo_lines"][0]["container_numbers"] == ["CSQU3054383"]
    submitted = api.post(f"/trips/{body['reference']}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    timeline = submitted.json()["timeline"]
    assert [(t["action"], t["actor"], t["channel"]) for t in timeline] == [
        ("create", "dn_phongtho", "api"),
        ("submit", "dn_phongtho", "api"),
    ]
    # Where a step came from is for the gate's staff, in the API as on the page.
    assert [t["remote_addr"] for t in timeline] == [None, None]
    assert trips_models.TripTransition.objects.filter(remote_addr="127.0.0.1").count() == 2


def test_officers_see_where_a_trip_s_steps_came_from(enterprise, customs_mlt, mlt):
    made = Api(enterprise).post("/trips?submit=true", jsonable(declaration())).json()
    seen = Api(customs_mlt).get(f"/trips/{made['reference']}").json()["timeline"]
    assert [t["remote_addr"] for t in seen] == ["127.0.0.1", "127.0.0.1"]


def test_validation_errors_have_field_paths(enterprise, mlt):
    api = Api(enterprise)
    bad = declaration(
        tractor_plate="25C-12",
        cargo_lines=[
            banana_line(),
            banana_line(container_numbers=["CSQU3054384"], hs_code="999999"),
        ],
    )
    response = api.post("/trips", jsonable(bad))
    assert response.status_code == 422
    locs = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert ("body", "tractor_plate") in locs
    assert ("body", "cargo_lines", 1, "hs_code") in locs
    assert "check digit" in locs[("body", "cargo_lines", 1, "container_numbers")]


def test_schema_errors_are_422_too(enterprise, mlt):
    api = Api(enterprise)
    body = jsonable(declaration())
    body["cargo_lines"][0]["quantity"] = "lots"
    body["direction"] = "smuggling"
    response = api.post("/trips", body)
    assert response.status_code == 422
    locs = [tuple(item["loc"]) for item in response.json()["detail"]]
    # The same paths as the services' own errors: the body's fields, no handler parameter name.
    assert ("body", "direction") in locs
    assert ("body", "cargo_lines", 0, "quantity") in locs


def test_illegal_transition_is_a_409(enterprise, mlt):
    api = Api(enterprise)
    ref = api.post("/trips", jsonable(declaration())).json()["reference"]
    assert api.post(f"/trips/{ref}/submit").status_code == 200
    response = api.post(f"/trips/{ref}/submit")
    assert response.status_code == 409
    assert set(response.json()["allowed"]) == {"amend", "cancel", "reject"}
    assert api.put(f"/trips/{ref}", jsonable(declaration())).status_code == 409


def test_amend_keeps_the_previous_version(enterprise, mlt):
    api = Api(enterprise)
    ref = api.post("/trips?submit=true", jsonable(declaration())).json()["reference"]
    response = api.post(
        f"/trips/{ref}/amend",
        {"reason": "Thêm hàng", "declaration": jsonable(declaration(cargo_lines=[cassava_line()]))},
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert len(response.json()["cargo_lines"]) == 1


def test_a_failed_update_leaves_the_draft_untouched(enterprise, mlt):
    api = Api(enterprise)
    created = api.post("/trips", jsonable(declaration())).json()
    ref = created["reference"]
    bad = jsonable(
        declaration(driver_name="Changed", cargo_lines=[banana_line(net_weight_kg="99999")])
    )
    assert api.put(f"/trips/{ref}", bad).status_code == 422
    after = api.get(f"/trips/{ref}").json()
    assert after["driver_name"] == created["driver_name"]
    assert after["cargo_lines"] == created["cargo_lines"]


def test_organisation_b_cannot_read_list_or_modify_organisation_a_trips(
    enterprise, other_enterprise, mlt
):
    mine = Api(enterprise).post("/trips", jsonable(declaration())).json()
    theirs = Api(other_enterprise)
    ref = mine["reference"]
    assert theirs.get(f"/trips/{ref}").status_code == 404
    assert theirs.get("/trips").json()["count"] == 0
    assert theirs.get(f"/trips?q={ref}").json()["count"] == 0
    assert theirs.put(f"/trips/{ref}", jsonable(declaration())).status_code == 404
    assert theirs.post(f"/trips/{ref}/submit").status_code == 404
    assert theirs.post(f"/trips/{ref}/cancel", {"reason": "x"}).status_code == 404
    trip = services.find_trip(enterprise, ref)
    assert trip.status == "draft" and trip.driver_name == mine["driver_name"]


def test_officers_list_with_filters(enterprise, customs_mlt, customs_hng, mlt):
    api = Api(enterprise)
    api.post("/trips?submit=true", jsonable(declaration()))
    api.post("/trips?submit=true", jsonable(declaration(direction="empty_return", cargo_lines=[])))
    api.post("/trips", jsonable(declaration(cargo_lines=[cassava_line()])))  # a draft
    officer = Api(customs_mlt)
    assert officer.get("/trips").json()["count"] == 2
    assert officer.get("/trips?direction=empty_return").json()["count"] == 1
    assert officer.get("/trips?gate=mlt&status=submitted").json()["count"] == 2
    assert officer.get("/trips?q=25C12345").json()["count"] == 2
    assert officer.get("/trips?q=CSQU3054383").json()["count"] == 1
    assert officer.get("/trips?date_from=2030-01-02&date_to=2030-01-01").status_code == 422
    assert Api(customs_hng).get("/trips").json()["count"] == 0


def test_search_finds_a_trip_once_by_any_of_its_lines_and_containers(enterprise, customs_mlt, mlt):
    api = Api(enterprise)
    two_cassava = [
        cassava_line(container_numbers=["TGHU7654320"]),
        cassava_line(description="Sắn lát khô loại 2", container_numbers=["MSKU1234565"]),
    ]
    api.post("/trips?submit=true", jsonable(declaration(cargo_lines=two_cassava)))
    second = api.post("/trips?submit=true", jsonable(declaration(driver_name="Vàng A Dính")))
    assert second.status_code == 201, second.content.decode()
    officer = Api(customs_mlt)
    found = {
        q: officer.get(f"/trips?{urlencode({'q': q})}").json()["count"]
        for q in ("sắn lát", "0714", "0714.10", "TGHU 7654320", "msku", "Dính", "cavendish", "zzz")
    }
    # Both lines say "Sắn lát" and both trips carry cassava (071410): each trip is counted once.
    assert found == {
        "sắn lát": 2,
        "0714": 2,
        "0714.10": 2,
        "TGHU 7654320": 1,
        "msku": 1,
        "Dính": 1,
        "cavendish": 1,
        "zzz": 0,
    }


def test_reference_endpoints(enterprise, mlt):
    api = Api(enterprise)
    gates = {g["code"]: g for g in api.get("/reference/gates").json()}
    assert gates["mlt"]["unlocode_cn"] == "CNJSH"
    assert gates["hng"]["unlocode_cn"] == "CNYYG"
    found = api.get("/reference/hs?q=bananas").json()
    assert "080390" in [c["code"] for c in found]
    assert api.get("/reference/hs?q=0803").json()[0]["code"].startswith("0803")


def test_tokens_are_created_and_revoked_over_the_api(enterprise):
    api = Api(enterprise)
    created = api.post("/me/tokens", {"name": "tablet"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200
    api.client.delete(f"/api/v1/me/tokens/{created.json()['id']}")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401


def test_interactive_docs_load_nothing_from_the_internet(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
    # Read on a phone too: a viewport (it rendered 980 px wide), and the page's language.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    vietnamese = Client().get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="vi">' in vietnamese


def test_numbers_at_the_edges_of_a_cargo_line(enterprise, mlt):
    api = Api(enterprise)
    smallest = cassava_line(quantity="0.001", gross_weight_kg="0.001", net_weight_kg="0.001")
    made = api.post("/trips", jsonable(declaration(cargo_lines=[smallest])))
    # The schema's own minimum is taken (a float limit refused Decimal("0.001")).
    assert made.status_code == 201, made.content.decode()
    line = api.get(f"/trips/{made.json()['reference']}").json()["cargo_lines"][0]
    assert (line["quantity"], line["net_weight_kg"]) == ("0.001", "0.001")
    # 16 digits fit the column but not what SQLite gives back: refused, not stored unreadable.
    draft = services.create_draft(
        enterprise, declaration(cargo_lines=[cassava_line(value="12345678901234.5")])
    )
    with pytest.raises(services.TripValidationError) as refused:
        services.update_draft(
            enterprise, draft, declaration(cargo_lines=[cassava_line(value="99999999999999.99")])
        )
    assert "cargo_lines.0.value" in refused.value.errors
    assert api.get(f"/trips/{draft.reference}").status_code == 200


def test_a_draft_with_its_choices_left_for_later_reads_back_everywhere(enterprise, mlt):
    """A draft may leave every text field empty, the choices included (direction, unit,
    currency…): the API's list once answered 500 for the whole organisation, its schema
    refusing the empty direction of one draft."""
    empty_line = {field: "" for field in services.LINE_FIELDS}
    empty_line.update(quantity="1", gross_weight_kg="1", net_weight_kg="1", value="0", packages=1)
    data = {
        field: "" for field in services.TRIP_FIELDS if field not in ("gate", "expected_arrival")
    }
    data.update(
        gate="mlt", expected_arrival=declaration()["expected_arrival"], capacity_tonnes="30"
    )
    draft = services.create_draft(enterprise, {**data, "cargo_lines": [empty_line]})
    assert (draft.direction, draft.cargo_lines.get().unit) == ("", "")
    api = Api(enterprise)
    one = api.get(f"/trips/{draft.reference}")
    assert one.status_code == 200, one.content.decode()
    assert one.json()["direction"] is None
    listed = api.get("/trips?status=draft")
    assert listed.status_code == 200 and listed.json()["items"][0]["direction"] is None
    web = Client()
    web.force_login(enterprise)
    for page in ("/trips/", f"/trips/{draft.reference}/", f"/trips/{draft.reference}/edit/"):
        assert web.get(page).status_code == 200, page


def test_what_may_be_done_next_is_said_as_something_to_do(enterprise, mlt):
    # A draft's next steps were labelled as steps taken ("Declaration submitted", "Trip
    # cancelled"), the timeline's words.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'test')[1]}")
    draft = services.create_draft(enterprise, declaration())
    trip = client.get(f"/api/v1/trips/{draft.reference}", HTTP_ACCEPT_LANGUAGE="en").json()
    labels = {a["action"]: a["label"] for a in trip["allowed_action_labels"]}
    assert labels == {"submit": "Submit", "cancel": "Cancel trip"}
    assert trip["timeline"][0]["action_label"] == "Declaration started"
    # A refusal names what is allowed the same way.
    services.submit_trip(enterprise, draft)
    refused = client.put(
        f"/api/v1/trips/{draft.reference}",
        json.dumps(declaration(), default=str),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 409, refused.content
    assert "Cancel trip" in refused.json()["allowed_labels"]


@pytest.mark.parametrize("typed", ["😀", "X" * 3000, "MLT\u0000RU4KUMV"])
def test_what_is_no_reference_is_told_so_briefly(enterprise, mlt, typed):
    # 3,000 characters came back whole, and an emoji was told its check character was wrong.
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'test')[1]}")
    response = client.get(f"/api/v1/trips/{typed}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert len(detail) < 200 and "\u0000" not in detail
    assert "check character" not in detail


def test_a_mistyped_reference_is_told_its_check_character_is_wrong(enterprise, mlt):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'test')[1]}")
    trip = services.create_draft(enterprise, declaration())
    wrong = trip.reference[:-1] + ("A" if trip.reference[-1] != "A" else "B")
    response = client.get(f"/api/v1/trips/{wrong}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "check character" in response.json()["detail"]
