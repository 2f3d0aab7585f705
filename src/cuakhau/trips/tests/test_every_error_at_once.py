"""A declaration is refused with every error at once, each beside its field: one number the
page could not read ("1,5x") used to stop there, and the trip's and the lines' other errors
(a plate, a phone, an HS code, the required fields) came only with the next submission."""

import html
import json
import re

import pytest

from cuakhau.conftest import banana_line, declaration
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
    assert {("body", "reason"), ("body", "tractor_plate")} <= set(locs(response))
