"""A refused form on the inspection page comes back as the officer left it: the result, the
notes and the sample's fields they typed, each error beside its field (HTTP 422), never a
message at the top of a page reset to "pass" — the next click would record a pass."""

import pytest

from cuakhau.accounts.services import set_language
from cuakhau.gate.tests.conftest import paid
from cuakhau.inspections import services
from cuakhau.inspections.models import Inspection, QuarantineSample

from .conftest import signed_in
from .markup import page_of

pytestmark = pytest.mark.django_db


def test_a_fail_without_notes_is_refused_beside_the_notes_and_stays_a_fail(officers, inside):
    page = signed_in(officers["customs"])
    url = f"/inspections/{inside.reference}/"
    response = page.post(url + "result/", {"result": "fail", "notes": "  "})
    assert response.status_code == 422
    shown = page_of(response)
    form = shown.form(id="result-form")
    assert form.values["result"] == "fail"
    assert form.errors == {"notes": ["Say what was found."]}
    assert shown.alerts == [] and list(response.context["messages"]) == []
    assert not Inspection.objects.filter(agency="customs").exists()
    # The officer writes what was found and records the fail they chose, not a pass.
    notes = "Hàng không đúng khai báo: 3 kiện sầu riêng\nlẫn trong lô chuối."
    done = page.post(url + "result/", {**form.values, "notes": notes})
    assert done.status_code == 302 and done["Location"] == url
    inspection = Inspection.objects.get(agency="customs")
    assert (inspection.result, inspection.notes) == ("fail", notes)


def test_the_notes_typed_are_kept_when_the_result_is_refused(officers, inside):
    notes = "Chờ bổ sung hoá đơn thương mại."
    response = signed_in(officers["customs"]).post(
        f"/inspections/{inside.reference}/result/", {"result": "", "notes": notes}
    )
    assert response.status_code == 422
    form = page_of(response).form(id="result-form")
    assert form.values["notes"] == notes
    assert form.errors == {"result": ["Choose pass, fail or hold."]}


def test_a_refused_sample_keeps_its_three_fields_and_names_the_long_one(officers, inside):
    laboratory = "Trung tâm Kiểm dịch thực vật sau nhập khẩu I, Hà Nội; " * 6  # of 120
    typed = {
        "sample_code": "KD-2026-0042",
        "description": "Chuối tiêu xanh, 3 nải lấy ngẫu nhiên ở 3 pallet",
        "laboratory": laboratory.strip(),
    }
    response = signed_in(officers["quarantine"]).post(
        f"/inspections/{inside.reference}/sample/", typed
    )
    assert response.status_code == 422
    form = page_of(response).form(id="sample-form")
    assert {name: form.values[name] for name in typed} == typed
    too_long = f"At most 120 characters (this text has {len(typed['laboratory'])})."
    assert form.errors == {"laboratory": [too_long]}
    assert not QuarantineSample.objects.exists()


def test_a_positive_without_the_pest_is_refused_on_the_samples_row(officers, inside):
    sample = services.take_sample(officers["quarantine"], inside, "KD-2026-0042", "Chuối tiêu")
    other = services.take_sample(officers["quarantine"], inside, "KD-2026-0043", "Thanh long")
    response = signed_in(officers["quarantine"]).post(
        f"/inspections/{inside.reference}/sample_result/",
        {"sample": sample.pk, "sample_result": "positive", "finding": " "},
    )
    assert response.status_code == 422
    shown = page_of(response)
    row = shown.form(**{"data-sample": str(sample.pk)})
    assert row.values["sample_result"] == "positive"
    assert row.errors == {"finding": ["Name the pest or disease found."]}
    untouched = shown.form(**{"data-sample": str(other.pk)})
    assert untouched.values["sample_result"] == "negative" and untouched.errors == {}
    sample.refresh_from_db()
    assert sample.result == "pending"


def test_a_refusal_with_no_field_is_said_on_the_page(officers, enterprise):
    not_arrived = paid(enterprise)
    response = signed_in(officers["customs"]).post(
        f"/inspections/{not_arrived.reference}/result/", {"result": "hold", "notes": "Chờ"}
    )
    assert response.status_code == 409  # the trip's state, not a field
    assert page_of(response).alerts == [
        "Inspections are recorded for trucks checked in and not yet cleared."
    ]


def test_a_recorded_result_still_goes_back_to_the_page(officers, inside):
    page = signed_in(officers["border_guard"])
    response = page.post(f"/inspections/{inside.reference}/result/", {"result": "pass"})
    assert response.status_code == 302
    assert [str(m) for m in page.get(response["Location"]).context["messages"]] == [
        "Result recorded."
    ]


@pytest.mark.parametrize(
    ("language", "button"), [("vi", "Ghi nhận"), ("en", "Record"), ("zh-hans", "记录")]
)
def test_a_samples_result_is_recorded_by_a_button_in_words(officers, inside, language, button):
    services.take_sample(officers["quarantine"], inside, "KD-2026-0042", "Chuối tiêu")
    set_language(officers["quarantine"], language)
    html = signed_in(officers["quarantine"]).get(f"/inspections/{inside.reference}/").text
    assert f'<button class="secondary">{button}</button>' in html
    assert ">OK</button>" not in html


def test_no_result_is_chosen_before_the_officer_chooses_one(officers, inside):
    """'Pass' stood first and chosen: one press of the button cleared an agency's check."""
    page = signed_in(officers["border_guard"])
    html = page.get(f"/inspections/{inside.reference}/").content.decode()
    form = html[html.index('name="result"') :]
    assert form.index('value=""') < form.index('value="pass"')
    assert 'value="pass" selected' not in form
    refused = page.post(f"/inspections/{inside.reference}/result/", {"result": ""})
    assert refused.status_code == 422
    assert not inside.inspections.filter(agency="border_guard").exists()
