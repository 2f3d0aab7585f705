"""Two edits of one trip made on the same reading (two tabs, two colleagues): the second is
refused, saying when the trip changed, never silently undoing the first."""

import re

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import declaration
from cuakhau.trips import services
from cuakhau.trips.tests.test_views import form_post, login

pytestmark = pytest.mark.django_db


def opened(client: Client, url: str) -> str:
    """The page's ``as_read``, as a browser would post it back."""
    page = client.get(url).content.decode()
    return re.search(r'name="as_read" value="([^"]+)"', page).group(1)


def test_a_second_amendment_made_on_the_same_reading_is_refused(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    first, second = login(enterprise), login(enterprise)
    url = f"/trips/{trip.reference}/amend/"
    read_first, read_second = opened(first, url), opened(second, url)
    post = form_post(declaration(driver_name="Nguyễn Văn Mới"), "amend")
    post.update(reason="Đổi lái xe", as_read=read_first)
    assert first.post(url, post).status_code == 302
    stale = form_post(declaration(capacity_tonnes="30"), "amend")
    stale.update(reason="Đổi tải trọng", as_read=read_second)
    answer = second.post(url, stale)
    assert answer.status_code == 200
    assert f"Trip {trip.reference} was changed at " in answer.content.decode()
    trip.refresh_from_db()
    assert trip.version == 2 and trip.driver_name == "Nguyễn Văn Mới"
    # Opened again (showing the new driver), the amendment goes through on the trip as it is.
    again = form_post(declaration(driver_name="Nguyễn Văn Mới", capacity_tonnes="30"), "amend")
    again.update(reason="Đổi tải trọng", as_read=opened(second, url))
    assert second.post(url, again).status_code == 302
    trip.refresh_from_db()
    assert trip.version == 3 and trip.driver_name == "Nguyễn Văn Mới"


def test_a_draft_edited_in_two_tabs_keeps_the_first_save(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    first, second = login(enterprise), login(enterprise)
    url = f"/trips/{trip.reference}/edit/"
    read_first, read_second = opened(first, url), opened(second, url)
    post = form_post(declaration(driver_name="Nguyễn Văn Mới"))
    post["as_read"] = read_first
    assert first.post(url, post).status_code == 302
    stale = form_post(declaration(driver_phone="0912345679"))
    stale["as_read"] = read_second
    answer = second.post(url, stale)
    assert answer.status_code == 200 and "was changed at" in answer.content.decode()
    trip.refresh_from_db()
    assert trip.driver_name == "Nguyễn Văn Mới"


def test_the_api_refuses_an_amendment_made_on_an_earlier_version(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'amend')[1]}")
    url = f"/api/v1/trips/{trip.reference}/amend"
    body = {"reason": "Đổi lái xe", "declaration": api_declaration(driver_name="Lò Văn Hai")}
    assert (
        client.post(url, {**body, "version": 1}, content_type="application/json").status_code == 200
    )
    stale = client.post(url, {**body, "version": 1}, content_type="application/json")
    assert stale.status_code == 422
    # The field of the body that said which reading the change was made on.
    assert stale.json()["detail"][0]["loc"] == ["body", "version"]
    trip.refresh_from_db()
    assert trip.version == 2


def api_declaration(**overrides) -> dict:
    data = declaration(**overrides)
    data["expected_arrival"] = data["expected_arrival"].isoformat()
    data["gate"] = data["gate"] if isinstance(data["gate"], str) else data["gate"].code
    return data
