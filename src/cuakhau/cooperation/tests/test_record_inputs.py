"""What the register's forms take: every text as ``core.inputs`` stores it, amounts not
negative, a period that ends after it starts, the limits a field says being the ones it
enforces, and a choice not on the list refused in the reader's language — each refusal beside
its field (422), nothing stored."""

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user, issue_token, set_language
from cuakhau.conftest import PASSWORD
from cuakhau.cooperation import services
from cuakhau.cooperation.forms import record_forms
from cuakhau.cooperation.models import (
    Agreement,
    AidProject,
    Commitment,
    Counterpart,
    Delegation,
    Meeting,
)
from cuakhau.core.errors import FieldErrors
from cuakhau.core.inputs import TextField

pytestmark = pytest.mark.django_db

KINDS = record_forms()


@pytest.fixture
def keeper():
    client = Client()
    client.user = create_user("bql_hoptac", PASSWORD, roles.BOARD)
    client.force_login(client.user)
    return client


@pytest.fixture
def register():
    jinping = Counterpart.objects.create(name_vi="UBND huyện Kim Bình", country="CN")
    meeting = Meeting.objects.create(
        held_on=dt.date(2026, 3, 21), place="Kim Bình", title="Hội đàm Lai Châu – Hồng Hà"
    )
    return {"jinping": jinping, "meeting": meeting}


def valid_post(kind: str, register) -> dict:
    """A row of each kind the form accepts as it is."""
    return {
        "counterpart": {"name_vi": "Sở Thương mại tỉnh Vân Nam", "country": "CN"},
        "agreement": {
            "kind": "memorandum",
            "title": "Biên bản ghi nhớ về hợp tác thương mại",
            "signed_on": "2026-03-21",
            "parties": [register["jinping"].pk],
            "subject": "Thông quan nông sản.",
        },
        "meeting": {
            "held_on": "2026-11-20",
            "place": "Cửa khẩu Ma Lù Thàng",
            "title": "Họp nhóm công tác",
            "counterparts": [register["jinping"].pk],
            "minutes": "Rà soát tiến độ.",
        },
        "commitment": {
            "meeting": register["meeting"].pk,
            "subject": "Khởi công cầu biên giới",
            "side": "both",
            "owner": "Sở Xây dựng Lai Châu",
            "due_date": "2027-06-30",
        },
        "delegation": {
            "received_on": "2026-11-20",
            "from_name": "Đoàn huyện Kim Bình",
            "country": "CN",
            "visitors": "12",
            "purpose": "Khảo sát cầu",
        },
        "aid": {
            "title": "Viện trợ cấp nước",
            "donor": "KOICA",
            "donor_country": "KR",
            "sector": "infrastructure",
            "amount": "1500000",
            "currency": "USD",
            "amount_vnd": "36397500000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    }[kind]


def rows():
    return [model.objects.filter(is_example=False).count() for model, _form in KINDS.values()]


def refused(client, kind, post, field):
    """The page again (422) with an error beside ``field``, nothing stored: its messages."""
    before = rows()
    response = client.post(f"/cooperation/new/{kind}/", post)
    assert response.status_code == 422, (kind, post)
    errors = response.context["form"].errors
    assert field in errors, (kind, field, errors)
    assert f'data-field="{field}"' in response.content.decode()
    assert rows() == before
    return errors[field]


# Every text field of every register form, found from the forms themselves: a field added later
# is tested too.
TEXT_FIELDS = [
    (kind, name, field.multiline)
    for kind, (_model, form_class) in KINDS.items()
    for name, field in form_class.base_fields.items()
    if isinstance(field, TextField)
]


def test_every_text_field_of_the_register_forms_is_a_text_field():
    for _kind, (model, form_class) in KINDS.items():
        for name, field in form_class.base_fields.items():
            column = model._meta.get_field(name)
            if column.get_internal_type() in ("CharField", "TextField") and not column.choices:
                assert isinstance(field, TextField), (form_class.__name__, name)
                assert field.multiline == (column.get_internal_type() == "TextField"), name
    assert ("meeting", "minutes", True) in TEXT_FIELDS
    assert ("aid", "donor", False) in TEXT_FIELDS


ODD = ["Viện trợ \u202eQA", "x\u2066y\u2069", "Đoàn\x00công tác", "A\u2028B", "Sở\x1b[31m"]


@pytest.mark.parametrize(("kind", "name", "multiline"), TEXT_FIELDS)
def test_a_control_character_is_refused_beside_its_field(keeper, register, kind, name, multiline):
    for odd in ODD:
        messages = refused(keeper, kind, {**valid_post(kind, register), name: odd}, name)
        assert any("U+" in message for message in messages), messages  # "… U+202E at …"
        assert not any("Null characters" in message for message in messages)  # Django's


@pytest.mark.parametrize(("kind", "name", "multiline"), TEXT_FIELDS)
def test_a_line_break_or_tab_only_where_the_text_has_lines(keeper, register, kind, name, multiline):
    post = {**valid_post(kind, register), name: "Dòng một\r\nDòng\thai"}
    if not multiline:
        [message, *_rest] = refused(keeper, kind, post, name)
        assert "U+000D" in message, message  # the first of them
        return
    response = keeper.post(f"/cooperation/new/{kind}/", post)
    assert response.status_code == 302
    model = KINDS[kind][0]
    stored = model.objects.filter(is_example=False).latest("pk")
    assert getattr(stored, name) == "Dòng một\nDòng\thai"


def test_text_is_stored_composed(keeper, register):
    decomposed = unicodedata.normalize("NFD", "Viện trợ cấp nước")
    assert decomposed != "Viện trợ cấp nước"
    post = {**valid_post("aid", register), "title": decomposed, "donor": "Cơ quan KOICA"}
    assert keeper.post("/cooperation/new/aid/", post).status_code == 302
    assert AidProject.objects.get().title == "Viện trợ cấp nước"


# ---------------------------------------------------------------------------------------------
# Amounts, periods and counts


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5000"}, "amount"),
        ({"amount_vnd": "-125000000"}, "amount_vnd"),
        ({"starts_on": "2026-12-31", "ends_on": "2026-01-01"}, "ends_on"),
    ],
)
def test_an_aid_project_with_a_negative_amount_or_reversed_dates_is_refused(
    keeper, register, change, field
):
    set_language(keeper.user, "en")
    messages = refused(keeper, "aid", {**valid_post("aid", register), **change}, field)
    expected = {
        "amount": "An amount cannot be negative.",
        "amount_vnd": "An amount cannot be negative.",
        "ends_on": "The end date is before the start date.",
    }[field]
    assert messages == [expected]
    page = keeper.get("/cooperation/delegations-and-aid/")
    assert page.context["totals"].aid_projects == 0
    assert page.context["totals"].aid_vnd == 0


def test_an_aid_project_of_one_day_or_without_an_end_is_taken(keeper, register):
    for ends_on in ("2026-01-01", ""):
        # Two projects (the same one twice is refused: ``test_the_same_row_sent_twice…``).
        title = f"Viện trợ cấp nước {ends_on or 'không thời hạn'}"
        post = {**valid_post("aid", register), "title": title, "ends_on": ends_on, "amount": "0"}
        assert keeper.post("/cooperation/new/aid/", post).status_code == 302
    assert AidProject.objects.count() == 2


def test_the_service_refuses_what_the_form_refuses(register):
    project = AidProject(
        title="Viện trợ \u202eQA",
        donor="x\u2066y",
        donor_country="KR",
        sector="health",
        amount=Decimal("-5000"),
        currency="USD",
        amount_vnd=Decimal("-125000000"),
        starts_on=dt.date(2026, 12, 31),
        ends_on=dt.date(2026, 1, 1),
    )
    with pytest.raises(FieldErrors) as caught:
        services.record(project)
    assert set(caught.value.errors) == {"title", "donor", "amount", "amount_vnd", "ends_on"}
    assert not AidProject.objects.exists()
    late = Commitment(
        meeting=register["meeting"], subject="Cam kết", owner="Sở", due_date=dt.date(2026, 1, 1)
    )
    with pytest.raises(FieldErrors) as caught:
        services.record(late)
    assert set(caught.value.errors) == {"due_date"}
    kept = services.record(
        Counterpart(name_vi=unicodedata.normalize("NFD", "  Cửu Long "), country="CN")
    )
    assert Counterpart.objects.get(pk=kept.pk).name_vi == "Cửu Long"


def test_a_commitment_is_not_due_before_the_meeting_it_was_made_in(keeper, register):
    set_language(keeper.user, "vi")
    post = {**valid_post("commitment", register), "due_date": "2026-03-20"}
    [message] = refused(keeper, "commitment", post, "due_date")
    assert message == "Hạn thực hiện trước ngày của cuộc họp đã đưa ra cam kết (21/03/2026)."
    post["due_date"] = "2026-03-21"
    assert keeper.post("/cooperation/new/commitment/", post).status_code == 302


@pytest.mark.parametrize(
    ("visitors", "limit"), [("-3", "1"), ("0", "1"), ("5001", "5000"), ("99999999999", "5000")]
)
def test_the_visitors_limit_said_is_the_one_enforced(keeper, register, visitors, limit):
    post = {**valid_post("delegation", register), "visitors": visitors}
    [message] = refused(keeper, "delegation", post, "visitors")
    assert message.rstrip(" .").endswith(limit), message


@pytest.mark.parametrize("visitors", ["1", "5000"])
def test_the_visitors_limits_themselves_are_taken(keeper, register, visitors):
    post = {**valid_post("delegation", register), "visitors": visitors}
    assert keeper.post("/cooperation/new/delegation/", post).status_code == 302
    assert Delegation.objects.get().visitors == int(visitors)


# ---------------------------------------------------------------------------------------------
# A choice not on the list


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "Hãy chọn các bên trong danh sách cơ quan đối tác."),
        ("zh-hans", "请从对口机关列表中选择签署方。"),
        ("en", "Choose the parties from the list of counterpart authorities."),
    ],
)
@pytest.mark.parametrize("party", [" ", "abc", "999999", "1.5"])
def test_a_party_not_on_the_list_is_refused_in_the_readers_language(
    keeper, register, language, expected, party
):
    set_language(keeper.user, language)
    post = {**valid_post("agreement", register), "parties": [register["jinping"].pk, party]}
    assert refused(keeper, "agreement", post, "parties") == [expected]
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("meeting", "counterparts", [" "]),
        ("meeting", "agreement", "x"),
        ("commitment", "meeting", "999999"),
        ("commitment", "meeting", " "),
    ],
)
def test_the_other_choices_of_records_say_what_to_do(keeper, register, kind, field, value):
    set_language(keeper.user, "vi")
    [message] = refused(keeper, kind, {**valid_post(kind, register), field: value}, field)
    assert message.startswith("Hãy chọn"), message


# ---------------------------------------------------------------------------------------------
# The API: a status change's note keeps to the same rules


@pytest.mark.parametrize("note", ["Đã giao \u202eSở", "Đã giao\x00Sở", "x" * 2001])
def test_the_api_refuses_a_note_the_page_refuses(register, note):
    board = create_user("bql_api", PASSWORD, roles.BOARD)
    commitment = Commitment.objects.create(
        meeting=register["meeting"], subject="Cầu", owner="Sở", due_date=dt.date(2027, 6, 30)
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(board, 't')[1]}")
    answer = api.post(
        f"/api/v1/cooperation/commitments/{commitment.pk}/actions/start",
        {"note": note},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "note"]
    with pytest.raises(FieldErrors) as caught:
        services.transition(board, commitment, "start", note)
    assert set(caught.value.errors) == {"note"}
    assert Commitment.objects.get(pk=commitment.pk).status == "open"


# ---------------------------------------------------------------------------------------------
# The administration: a meeting's commitments, edited on its page, keep to the same rules


def test_a_commitment_edited_in_the_administration_keeps_to_the_rules(admin_client, register):
    meeting = register["meeting"]
    post = {
        "held_on": "2026-03-21",
        "place": meeting.place,
        "title": meeting.title,
        "counterparts": [register["jinping"].pk],
        "commitments-TOTAL_FORMS": "1",
        "commitments-INITIAL_FORMS": "0",
        "commitments-0-subject": "Khởi công cầu \u202eQA",
        "commitments-0-side": "both",
        "commitments-0-owner": "Sở Xây dựng",
        "commitments-0-due_date": "2027-06-30",
        "commitments-0-evidence": "",
    }
    url = f"/admin/cooperation/meeting/{meeting.pk}/change/"
    page = admin_client.post(url, post)
    assert page.status_code == 200 and "U+202E" in page.content.decode()
    page = admin_client.post(
        url,
        {**post, "commitments-0-subject": "Khởi công cầu", "commitments-0-due_date": "2026-01-01"},
    )
    assert page.status_code == 200 and not Commitment.objects.exists()
    saved = admin_client.post(url, {**post, "commitments-0-subject": "Khởi công cầu"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Commitment.objects.get().subject == "Khởi công cầu"


def test_the_example_rows_keep_to_the_rules_the_forms_keep():
    from cuakhau.cooperation.examples import load_examples

    load_examples()
    for model, _form in KINDS.values():
        for row in model.objects.all():
            services.check_record(row)  # FieldErrors otherwise


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_same_row_sent_twice_is_recorded_once(keeper, register, kind):
    # A second click, or the form resent from the browser's history: one commitment, counted
    # once as open (and late) in every summary.
    post = valid_post(kind, register)
    assert keeper.post(f"/cooperation/new/{kind}/", post).status_code == 302
    field = services.SAME_AS[KINDS[kind][0]][0]
    again = {**post, field: "  " + post[field].upper() + " "}
    [message] = refused(keeper, kind, again, field)
    assert message.startswith("Already in the register")


def test_a_row_like_another_but_not_the_same_is_recorded(keeper, register):
    post = valid_post("commitment", register)
    assert keeper.post("/cooperation/new/commitment/", post).status_code == 302
    other = Meeting.objects.create(held_on=dt.date(2026, 4, 2), place="Lai Châu", title="Họp lại")
    assert (
        keeper.post("/cooperation/new/commitment/", {**post, "meeting": other.pk}).status_code
        == 302
    )
    assert Commitment.objects.filter(subject=post["subject"]).count() == 2


@pytest.mark.parametrize(
    ("kind", "field"),
    [("agreement", "signed_on"), ("meeting", "held_on"), ("delegation", "received_on")],
)
def test_a_day_that_has_not_come_is_refused_on_the_zones_clock(
    keeper, register, kind, field, monkeypatch
):
    # 00:30 on 22 March in Hà Nội, still 21 March in UTC: the 22nd has come, the 23rd has not.
    from django.utils import timezone

    moment = dt.datetime(2026, 3, 21, 17, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    post = valid_post(kind, register)
    [message] = refused(keeper, kind, {**post, field: "2026-03-23"}, field)
    assert message == "This date is in the future."
    assert (
        keeper.post(f"/cooperation/new/{kind}/", {**post, field: "2026-03-22"}).status_code == 302
    )


def test_the_last_party_of_an_agreement_or_meeting_cannot_be_deleted(admin_client, register):
    jinping, meeting = register["jinping"], register["meeting"]
    meeting.counterparts.add(jinping)
    yunnan = Counterpart.objects.create(name_vi="Sở Thương mại tỉnh Vân Nam", country="CN")
    memo = Agreement.objects.create(
        kind="memorandum", title="Ghi nhớ", signed_on=dt.date(2026, 3, 21)
    )
    memo.parties.add(jinping)
    url = f"/admin/cooperation/counterpart/{jinping.pk}/delete/"
    page = admin_client.post(url, {"post": "yes"})
    assert page.status_code == 200 and "Ghi nhớ" in page.content.decode()
    assert Counterpart.objects.filter(pk=jinping.pk).exists()
    assert list(memo.parties.all()) == [jinping] and list(meeting.counterparts.all()) == [jinping]
    # The same through the list's "delete selected".
    admin_client.post(
        "/admin/cooperation/counterpart/",
        {"action": "delete_selected", "_selected_action": [jinping.pk], "post": "yes"},
    )
    assert Counterpart.objects.filter(pk=jinping.pk).exists()
    # With another party left on each, it goes.
    memo.parties.add(yunnan)
    meeting.counterparts.add(yunnan)
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert list(memo.parties.all()) == [yunnan]


# Each kind's row sent again with another of its fields wrong: both said at once.
ANOTHER_WRONG_FIELD = {
    "counterpart": ("name_en", "Yunnan\x07"),
    "agreement": ("kind", "treaty-ish"),
    "meeting": ("place", ""),
    "commitment": ("owner", ""),
    "delegation": ("visitors", "0"),
    "aid": ("amount", "-1"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_repeat_is_said_with_the_other_fields_refusals(keeper, register, kind):
    # A delegation sent again with its visitors mistyped was told of the visitors only, and
    # of the repeat once they were put right.
    post = valid_post(kind, register)
    assert keeper.post(f"/cooperation/new/{kind}/", post).status_code == 302
    other, wrong = ANOTHER_WRONG_FIELD[kind]
    field = services.SAME_AS[KINDS[kind][0]][0]
    [message] = refused(keeper, kind, {**post, other: wrong}, field)
    assert message.startswith("Already in the register")
    response = keeper.post(f"/cooperation/new/{kind}/", {**post, other: wrong})
    assert other in response.context["form"].errors


def test_a_repeat_is_not_guessed_from_a_field_that_was_refused(keeper, register):
    post = valid_post("delegation", register)
    assert keeper.post("/cooperation/new/delegation/", post).status_code == 302
    response = keeper.post("/cooperation/new/delegation/", {**post, "received_on": "2026-13-01"})
    assert set(response.context["form"].errors) == {"received_on"}
