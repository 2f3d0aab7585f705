"""What an officer, or a caller of the API, may not do to an inspection's record: notes past
the column's length on the page (the API already refused them), a sample's result written
twice, and a quarantine pass while a sample of an earlier, held inspection is still open."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.inspections import services
from cuakhau.inspections.models import Inspection

from .conftest import signed_in
from .markup import page_of

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, raw = issue_token(user, "tablet")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_notes_are_held_to_the_same_length_on_the_page_as_in_the_api(officers, inside):
    page = signed_in(officers["customs"])
    response = page.post(
        f"/inspections/{inside.reference}/result/", {"result": "hold", "notes": "y" * 100_000}
    )
    assert response.status_code == 422
    assert list(page_of(response).form(id="result-form").errors) == ["notes"]
    assert not Inspection.objects.filter(result="hold").exists()
    response = page.post(
        f"/inspections/{inside.reference}/result/", {"result": "hold", "notes": "y" * 4000}
    )
    assert response.status_code == 302
    response = api(officers["customs"]).post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {"result": "hold", "notes": "z" * 4001},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_another_agency_or_gate_records_nothing(officers, inside, customs_hng):
    response = api(officers["quarantine"]).post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {"result": "pass", "agency": "customs"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = api(customs_hng).post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {"result": "pass"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Inspection.objects.filter(agency="customs").exists()


def test_a_samples_result_is_written_once(officers, inside):
    quarantine = api(officers["quarantine"])
    sample = services.take_sample(officers["quarantine"], inside, "KD-1", "Chuối")
    url = f"/api/v1/samples/{sample.pk}/result"
    first = quarantine.post(url, {"result": "negative"}, content_type="application/json")
    assert first.status_code == 200
    again = quarantine.post(
        url, {"result": "positive", "finding": "Ruồi đục quả"}, content_type="application/json"
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"] == "Sample KD-1 already has its result: " + (
        "negative (no pest or disease found)."
    )
    sample.refresh_from_db()
    assert (sample.result, sample.finding) == ("negative", "")
    # The page has no form for it, so it says the refusal at the top.
    response = signed_in(officers["quarantine"]).post(
        f"/inspections/{inside.reference}/sample_result/",
        {"sample": sample.pk, "sample_result": "positive", "finding": "x"},
    )
    assert response.status_code == 422
    assert page_of(response).alerts == [
        "Sample KD-1 already has its result: negative (no pest or disease found)."
    ]


def test_a_hold_does_not_leave_a_pending_sample_behind(officers, inside):
    quarantine = officers["quarantine"]
    services.take_sample(quarantine, inside, "KD-2", "Thanh long")
    services.record_result(quarantine, inside, "hold", notes="Chờ kết quả mẫu")
    with pytest.raises(services.FieldErrors) as refused:
        services.record_result(quarantine, inside, "pass")
    assert set(refused.value.errors) == {"result"}
    assert not Inspection.objects.filter(agency="quarantine", result="pass").exists()
