"""What the desk's pages give back when they refuse something: the officer's and the
applicant's words kept, each error beside the field it is about, every error in one answer;
what the applicant wrote shown to the officer; and files received only at gates with a desk."""

import datetime as dt

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.core.errors import FieldErrors
from cuakhau.desk import services
from cuakhau.desk.loading import load_all
from cuakhau.desk.models import Application, Procedure
from cuakhau.inspections.tests.markup import page_of

from .conftest import applicant_data, pdf

pytestmark = pytest.mark.django_db

REASON = "Hồ sơ phải lấy ý kiến Sở Kế hoạch và Đầu tư; Sở chưa trả lời."


@pytest.fixture
def filed(catalogue):
    return services.file_application(applicant_data(catalogue), [pdf()])


@pytest.fixture
def officer(desk_officer) -> Client:
    client = Client()
    client.force_login(desk_officer)
    return client


def _post(officer, a, action, data):
    response = officer.post(f"/desk/applications/{a.code}/{action}/", data)
    assert response.status_code == 422
    return page_of(response)


# ---------------------------------------------------------------------------------------------
# A refused action on the file's page


def test_an_apology_without_a_date_keeps_the_reason_and_asks_for_the_date(officer, filed):
    shown = _post(officer, filed, "apologise", {"reason": REASON, "new_date": ""})
    form = shown.form(**{"data-action": "apologise"})
    assert form.values["reason"] == REASON
    assert form.errors == {"new_date": ["Give the new result date."]}
    # Said once, beside its field: not above the forms, nor in the other actions' forms.
    assert shown.alerts == [] and shown.errors() == form.errors
    filed.refresh_from_db()
    assert filed.new_due_date is None and filed.transitions.count() == 1


@pytest.mark.parametrize(
    "days, error",
    [
        (0, "The new date must be after the due date."),
        (400, "Give a date within a year."),
    ],
)
def test_a_new_date_too_early_or_too_far_is_said_beside_the_date(officer, filed, days, error):
    day = (filed.due_date + dt.timedelta(days=days)).isoformat()
    form = _post(officer, filed, "apologise", {"reason": REASON, "new_date": day}).form(
        **{"data-action": "apologise"}
    )
    assert (form.values["reason"], form.values["new_date"]) == (REASON, day)
    assert form.errors == {"new_date": [error]}


def test_a_rejection_without_a_reason_is_refused_on_the_reject_form(officer, filed):
    shown = _post(officer, filed, "reject", {"reason": "  "})
    assert shown.form(**{"data-action": "reject"}).errors == {"reason": ["Give a reason."]}
    assert shown.errors() == {"reason": ["Give a reason."]}
    withdraw = shown.form(**{"data-action": "withdraw"})
    assert withdraw.values["reason"] == "" and withdraw.errors == {}


def test_a_result_too_long_keeps_its_text(officer, filed, desk_officer):
    services.act(desk_officer, filed, "transfer")
    services.act(desk_officer, filed, "start")
    text = "Giấy chứng nhận đăng ký đầu tư điều chỉnh lần 2. " * 50
    form = _post(officer, filed, "ready", {"result_note": text}).form(**{"data-action": "ready"})
    assert form.values["result_note"] == text
    assert list(form.errors) == ["result_note"]


def test_a_button_of_an_out_of_date_page_on_a_closed_file_says_why(officer, filed, desk_officer):
    for action in ("transfer", "start", "ready", "return"):
        services.act(desk_officer, filed, action)
    shown = _post(officer, filed, "transfer", {})
    assert shown.alerts == [
        "Not possible now: “Transfer to the processing agency” while the record is "
        "“result returned”. Allowed: —."
    ]
    assert not [f for f in shown.forms if "data-action" in f.attrs]


def test_a_refusal_of_an_action_the_page_no_longer_offers_says_why(officer, filed, desk_officer):
    # Rejected at another desk meanwhile; this page still offered the apology. What stops it is
    # the file's state, not the missing date (it said "Give the new result date").
    services.act(desk_officer, filed, "reject", reason="Không đủ điều kiện")
    shown = _post(officer, filed, "apologise", {"reason": REASON, "new_date": ""})
    assert len(shown.alerts) == 1
    assert "Apology and new date" in shown.alerts[0] and "rejected" in shown.alerts[0]


# ---------------------------------------------------------------------------------------------
# What the applicant wrote, shown to the officer


def test_the_officer_sees_the_note_and_the_address_given_at_the_counter(officer, catalogue):
    note = "Người nộp là kế toán của công ty.\nBản gốc hợp đồng sẽ bổ sung sau."
    address = "Bản Ma Lù Thàng, xã Ma Ly Pho, huyện Phong Thổ, tỉnh Lai Châu"
    filing = officer.post(
        "/desk/counter/", applicant_data(catalogue, note=note, address=address), follow=True
    )
    assert filing.status_code == 200
    page = filing.content.decode()
    assert "<dt>Address</dt>" in page and f'<dd class="address">{address}</dd>' in page
    assert "<dt>Note</dt>" in page
    assert "Người nộp là kế toán của công ty.<br>Bản gốc hợp đồng sẽ bổ sung sau." in page


def test_the_officer_sees_the_note_written_online(officer, catalogue):
    a = services.file_application(
        applicant_data(catalogue, note="Xin trả kết quả qua bưu điện."), [pdf()]
    )
    page = officer.get(f"/desk/applications/{a.code}/").content.decode()
    assert "<dt>Note</dt>" in page and "Xin trả kết quả qua bưu điện." in page


# ---------------------------------------------------------------------------------------------
# Every error of a filing at once


def test_the_counter_says_every_error_at_once_and_keeps_what_was_typed(officer, catalogue):
    typed = applicant_data(catalogue, email="mai@", phone="091234", note="Nộp thay giám đốc.")
    response = officer.post("/desk/counter/", typed)
    form = page_of(response).form(**{"class": "card"})
    assert set(form.errors) == {"email", "phone"}
    assert form.errors["phone"] == ["Enter a phone number, e.g. 0912 345 678."]
    for name in ("applicant_name", "organisation_name", "email", "phone", "address", "note"):
        assert form.values[name] == typed[name], name
    assert not Application.objects.exists()


def test_the_online_form_says_every_error_at_once(catalogue):
    typed = {**applicant_data(catalogue, email="mai@@", phone="", applicant_name="")}
    form = page_of(Client().post("/desk/apply/", typed)).form(**{"class": "card"})
    assert set(form.errors) == {"email", "phone", "applicant_name", "documents"}
    assert len(form.errors["email"]) == 1  # the form's words, not the service's as well


def test_an_empty_post_is_answered_with_the_required_fields(catalogue):
    form = page_of(Client().post("/desk/apply/", {})).form(**{"class": "card"})
    assert {"procedure", "applicant_name", "phone", "documents"} <= set(form.errors)


# ---------------------------------------------------------------------------------------------
# Only gates with a desk receive files


def _gates_offered(client=None) -> list[str]:
    form = (client or Client()).get("/desk/apply/").context["form"]
    return [code for code, _label in form.fields["gate"].choices]


def test_only_gates_with_a_desk_officer_are_offered_and_accepted(reference_data, hng, mlt):
    load_all()
    procedure = Procedure.objects.filter(processing_days__isnull=False).order_by("key").first()
    assert _gates_offered() == []
    with pytest.raises(FieldErrors) as refused:
        services.file_application(applicant_data(procedure), [pdf()])
    assert refused.value.errors == {
        "gate": ["Choose the gate whose desk receives the application."]
    }
    officer = create_user("motcua_hng", PASSWORD, roles.DESK, gates=[hng])
    # An administrator works at every desk but opens none; nor does another role's officer.
    create_user("quantri", PASSWORD, roles.ADMINISTRATOR, gates=[mlt])
    create_user("haiquan", PASSWORD, roles.CUSTOMS, gates=[mlt])
    assert _gates_offered() == ["hng"]
    assert services.file_application(applicant_data(procedure, gate="hng"), [pdf()]).gate == hng
    with pytest.raises(FieldErrors) as refused:
        services.file_application(applicant_data(procedure, gate="mlt"), [pdf()])
    assert refused.value.errors == {"gate": ["There is no desk at this gate."]}
    officer.is_active = False
    officer.save()
    assert _gates_offered() == []


def test_a_gate_without_a_desk_is_refused_beside_the_gate_on_the_page(catalogue, mlt):
    assert _gates_offered() == ["mlt"]
    typed = {**applicant_data(catalogue, gate="tth"), "documents": [pdf()]}
    response = Client().post("/desk/apply/", typed)
    form = page_of(response).form(**{"class": "card"})
    assert form.errors == {"gate": ["There is no desk at this gate."]}
    assert form.values["applicant_name"] == typed["applicant_name"]
    assert not Application.objects.exists()


@pytest.mark.parametrize("typed", ["MLT", " Mlt "])
def test_the_page_takes_the_gate_code_in_any_case_as_the_api_does(catalogue, mlt, typed):
    response = Client().post(
        "/desk/apply/", {**applicant_data(catalogue, gate=typed), "documents": [pdf()]}
    )
    assert response.status_code == 302, response.content
    assert Application.objects.get().gate == mlt


def test_the_api_refuses_a_gate_without_a_desk(catalogue):
    data = {k: v for k, v in applicant_data(catalogue, gate="tth").items() if v != ""}
    response = Client().post("/api/v1/desk/applications", {**data, "documents": [pdf()]})
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["form", "gate"]]
