"""An inspection's result, a sample and a laboratory's result refused at every wrong field at
once, on the API and the page alike.

The service said its first refusal only (the agency before the notes, the result before the
finding), and the API's schema refusing one field hid the service's refusal of the others:
an officer put one thing right to be told the next. A refusal for a truck no longer inside
had no form on the page to stand beside: a 422 page that said nothing."""

import json

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import issue_token
from cuakhau.conftest import person
from cuakhau.gate.tests.conftest import clear
from cuakhau.inspections import services
from cuakhau.inspections.models import QuarantineSample

from .conftest import signed_in
from .markup import page_of

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")


def _refused_at(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_result_is_refused_at_each_field(officers, inside):
    administrator = person("quantri", roles.ADMINISTRATOR)
    # The schema refuses the agency; the service still says the fail has no notes.
    refused = _refused_at(
        _post(
            _api(administrator),
            f"/api/v1/trips/{inside.reference}/inspections",
            {"result": "fail", "notes": "", "agency": "harbour"},
        )
    )
    assert set(refused) == {"agency", "notes"}
    # Without the schema refusing anything: the service's own refusals, all of them.
    with pytest.raises(services.FieldErrors) as caught:
        services.record_result(administrator, inside, "maybe", notes="Thiếu\x00hoá đơn")
    assert set(caught.value.errors) == {"agency", "result", "notes"}


def test_a_sample_is_refused_at_each_field(officers, inside):
    refused = _refused_at(
        _post(
            _api(officers["quarantine"]),
            f"/api/v1/trips/{inside.reference}/samples",
            {"sample_code": "", "description": "Chuối " * 40, "laboratory": "KDTV\x00"},
        )
    )
    assert set(refused) == {"sample_code", "description", "laboratory"}
    # A sample says what was sampled, as its column requires.
    with pytest.raises(services.FieldErrors) as caught:
        services.take_sample(officers["quarantine"], inside, "", "")
    assert set(caught.value.errors) == {"sample_code", "description"}
    assert not QuarantineSample.objects.exists()


def test_a_laboratory_result_is_refused_at_each_field(officers, inside):
    sample = services.take_sample(officers["quarantine"], inside, "KD-1", "Chuối, 3 nải")
    refused = _refused_at(
        _post(
            _api(officers["quarantine"]),
            f"/api/v1/samples/{sample.pk}/result",
            {"result": "unclear", "finding": "Ruồi\x00đục quả"},
        )
    )
    assert set(refused) == {"result", "finding"}
    with pytest.raises(services.FieldErrors) as caught:
        services.record_sample_result(officers["quarantine"], sample, "maybe", "Ruồi\x07")
    assert set(caught.value.errors) == {"result", "finding"}
    # A path its schema refused is no sample to check against: a refusal, never a 500.
    response = _post(
        _api(officers["quarantine"]), "/api/v1/samples/٣/result", {"result": "unclear"}
    )
    assert response.status_code in (404, 422)


def test_a_refusal_without_its_form_on_the_page_is_said_at_the_top(officers, inside):
    clear(inside, officers)  # out of the inspections: the page shows no form
    page = signed_in(officers["customs"])
    response = page.post(
        f"/inspections/{inside.reference}/result/", {"result": "fail", "notes": ""}
    )
    # The truck left: what was typed is moot, the state alone is said (a 409, not a 422).
    assert response.status_code == 409
    assert page_of(response).alerts == [
        "Inspections are recorded for trucks checked in and not yet cleared."
    ]


def test_a_truck_no_longer_inside_is_a_conflict_naming_no_field(officers, inside):
    """The API said a truck out of the inspections as a 422 on "trip", a field no body has:
    the trip's state is a 409 (with a body its schema refuses, that refusal stands alone)."""
    clear(inside, officers)
    customs = _api(officers["customs"])
    path = f"/api/v1/trips/{inside.reference}"
    for endpoint, body in (
        ("/inspections", {"result": "fail", "notes": "Hàng không khớp"}),
        ("/inspections/start", {}),
    ):
        response = _post(customs, path + endpoint, body)
        assert response.status_code == 409, response.content
        assert response.json()["detail"] == (
            "Inspections are recorded for trucks checked in and not yet cleared."
        )
    refused = _post(customs, path + "/inspections", {"result": "maybe"})
    assert set(_refused_at(refused)) == {"result"}
    sample = _post(
        _api(officers["quarantine"]),
        path + "/samples",
        {"sample_code": "KD-1", "description": "Quả", "laboratory": "Lào Cai"},
    )
    assert sample.status_code == 409, sample.content
