"""What an officer types on the inspection page is refused with a message, never a 500, and a
refused sample starts nothing: PostgreSQL refused a NUL where SQLite stored it."""

import pytest

from cuakhau.inspections import services
from cuakhau.inspections.models import Inspection, QuarantineSample

from .conftest import signed_in
from .markup import page_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [
        ("sample_code", "KD\x00-0042"),
        ("sample_code", "KD-" + "9" * 60),  # the column holds 40
        ("description", "Chuối\x07"),
        ("description", "Chuối " * 40),  # 240 of 200: refused, never cut short
        ("laboratory", "Chi cục\u2028KDTV"),
    ],
)
def test_a_refused_sample_says_why_and_starts_nothing(officers, inside, field, value):
    post = {"sample_code": "KD-2026-0042", "description": "Chuối, 3 nải", "laboratory": ""}
    post[field] = value
    page = signed_in(officers["quarantine"])
    response = page.post(f"/inspections/{inside.reference}/sample/", post)
    assert response.status_code == 422
    assert list(page_of(response).form(id="sample-form").errors) == [field]
    assert not QuarantineSample.objects.exists()
    assert not Inspection.objects.filter(agency="quarantine").exists()


def test_a_result_for_no_sample_of_this_trip_is_a_message(officers, inside):
    page = signed_in(officers["quarantine"])
    for sample in ("", "abc", "٣", str(2**70)):
        response = page.post(
            f"/inspections/{inside.reference}/sample_result/",
            {"sample": sample, "sample_result": "negative"},
        )
        assert response.status_code == 422
        assert page_of(response).alerts == ["Choose one of this trip's samples."], sample


def test_notes_and_findings_are_checked_like_any_text(officers, inside):
    with pytest.raises(services.FieldErrors) as refused:
        services.record_result(officers["customs"], inside, "hold", notes="Thiếu\x00hoá đơn")
    assert set(refused.value.errors) == {"notes"}
    sample = services.take_sample(officers["quarantine"], inside, " KD-2026-0042 ", "Chuối")
    assert sample.sample_code == "KD-2026-0042"
    with pytest.raises(services.FieldErrors) as refused:
        services.record_sample_result(officers["quarantine"], sample, "positive", "x" * 201)
    assert set(refused.value.errors) == {"finding"}
    multi = services.record_result(officers["customs"], inside, "hold", notes="Dòng 1\nDòng 2")
    assert multi.notes == "Dòng 1\nDòng 2"
