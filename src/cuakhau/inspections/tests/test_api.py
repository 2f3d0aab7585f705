"""The inspections API, read by the enterprise as by the officers."""

from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.inspections import services


def _api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")


def test_an_officers_notes_are_for_the_gate_not_for_the_enterprise(inside, enterprise, customs_mlt):
    """The pages showed an inspection's notes to officers only; the API gave them to the
    enterprise and its drivers too."""
    notes = "Nghi khai thấp trị giá: đối chiếu hóa đơn với giá tham chiếu"
    services.record_result(customs_mlt, inside, "pass", notes, "customs")
    url = f"/api/v1/trips/{inside.reference}/inspections"
    theirs = _api(enterprise).get(url)
    assert theirs.status_code == 200
    assert [i["notes"] for i in theirs.json()["inspections"] if i["agency"] == "customs"] == [None]
    assert notes not in theirs.content.decode()
    ours = _api(customs_mlt).get(url).json()["inspections"]
    assert [i["notes"] for i in ours if i["agency"] == "customs"] == [notes]


def test_an_unknown_result_names_each_allowed_one_with_what_it_means(inside, customs_mlt):
    # "Hãy chọn một trong: pass, hold, fail" named the codes alone.
    response = _api(customs_mlt).post(
        f"/api/v1/trips/{inside.reference}/inspections",
        {"result": "maybe", "agency": "customs"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422, response.content
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "result"], item
    assert "pass (" in item["msg"] and ")" in item["msg"], item["msg"]


def test_the_systems_own_words_come_in_the_readers_language(inside, customs_mlt, enterprise):
    """A green channel's release note came in English to a Vietnamese officer; the fees of a
    draft were refused in English too."""
    from cuakhau.accounts.services import set_language
    from cuakhau.conftest import declaration
    from cuakhau.inspections.models import Inspection
    from cuakhau.trips import services as trips

    if not Inspection.objects.filter(trip=inside, automatic=True).exists():
        services.release_green_channel(inside, "green")
    set_language(customs_mlt, "vi")
    answer = _api(customs_mlt).get(f"/api/v1/trips/{inside.reference}/inspections").json()
    assert [i["notes"] for i in answer["inspections"] if i["automatic"]] == [
        "Thông quan theo luồng xanh."
    ]
    set_language(enterprise, "vi")
    draft = trips.create_draft(enterprise, declaration(cargo_lines=[]))
    refused = _api(enterprise).get(f"/api/v1/trips/{draft.reference}/fees").json()
    assert refused["detail"] != "The fee is assessed when the trip is submitted."
