"""The web pages through the test client: the form, its errors, htmx fragments, scoping."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from cuakhau.conftest import PASSWORD, banana_line, cassava_line, declaration, future
from cuakhau.trips import services
from cuakhau.trips.models import Trip

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_post(data: dict, action: str = "save") -> dict:
    post = {
        "gate": data["gate"],
        "direction": data["direction"],
        "expected_arrival": timezone.localtime(data["expected_arrival"]).strftime("%Y-%m-%dT%H:%M"),
        "tractor_plate": data["tractor_plate"],
        "trailer_plate": data["trailer_plate"],
        "vehicle_type": data["vehicle_type"],
        "capacity_tonnes": data["capacity_tonnes"],
        "container_size": data["container_size"],
        "driver_name": data["driver_name"],
        "driver_nationality": data["driver_nationality"],
        "driver_document_number": data["driver_document_number"],
        "driver_phone": data["driver_phone"],
        "lines-TOTAL_FORMS": str(len(data["cargo_lines"])),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "action": action,
    }
    for i, line in enumerate(data["cargo_lines"]):
        for key, value in line.items():
            post[f"lines-{i}-{key}"] = " ".join(value) if isinstance(value, list) else str(value)
    return post


def test_pages_need_a_login(db):
    response = Client().get("/trips/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_declare_through_the_form_and_submit(enterprise, mlt):
    client = login(enterprise)
    assert client.get("/trips/new/").status_code == 200
    response = client.post("/trips/new/", form_post(declaration(), "submit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    trip = Trip.objects.get()
    assert trip.status == "submitted"
    assert trip.cargo_lines.count() == 2
    page = client.get(response["Location"])
    assert trip.reference in page.content.decode()
    assert "<svg" in page.content.decode()  # the QR code


def test_a_bad_container_shows_next_to_its_field_and_nothing_is_saved(enterprise, mlt):
    client = login(enterprise)
    data = declaration(cargo_lines=[banana_line(), cassava_line(container_numbers=["MSKU1234567"])])
    response = client.post("/trips/new/", form_post(data, "submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="lines-1-container_numbers"' in html
    assert "check digit" in html
    assert Trip.objects.count() == 0


def test_removed_lines_are_not_saved_and_errors_map_to_the_right_row(enterprise, mlt):
    client = login(enterprise)
    post = form_post(
        declaration(cargo_lines=[banana_line(hs_code="999999"), cassava_line(hs_code="12")])
    )
    post["lines-0-DELETE"] = "on"
    html = client.post("/trips/new/", post).content.decode()
    assert 'data-field="lines-1-hs_code"' in html
    assert 'data-field="lines-0-hs_code"' not in html
    # The removed line stays out of sight (and removed) while the others are put right.
    assert 'id="cargo-line-0" hidden>' in html and 'id="cargo-line-1">' in html


def test_save_draft_then_edit(enterprise, mlt):
    client = login(enterprise)
    response = client.post("/trips/new/", form_post(declaration(cargo_lines=[])))
    trip = Trip.objects.get()
    assert trip.status == "draft"
    edit = client.get(f"/trips/{trip.reference}/edit/")
    assert edit.status_code == 200
    response = client.post(
        f"/trips/{trip.reference}/edit/", form_post(declaration(driver_name="Giàng A Lử"))
    )
    assert response.status_code == 302
    trip.refresh_from_db()
    assert trip.driver_name == "Giàng A Lử" and trip.cargo_lines.count() == 2


@pytest.mark.parametrize("total", ["51", "9" * 40, "٢٥٠٠٠", None])
def test_a_count_of_lines_beyond_the_limit_or_missing_changes_nothing(enterprise, mlt, total):
    """A post whose count of cargo lines is missing, or names more than a trip may have, is
    refused whole: the draft keeps its lines (none read, none lost) and the page shows the
    limit, without rendering thousands of empty lines."""
    client = login(enterprise)
    client.post("/trips/new/", form_post(declaration()))
    trip = Trip.objects.get()
    post = form_post(declaration(driver_name="Giàng A Lử", cargo_lines=[banana_line()]))
    if total is None:
        del post["lines-TOTAL_FORMS"]
    else:
        post["lines-TOTAL_FORMS"] = total
    response = client.post(f"/trips/{trip.reference}/edit/", post)
    assert response.status_code == 200
    trip.refresh_from_db()
    assert trip.driver_name != "Giàng A Lử" and trip.cargo_lines.count() == 2
    html = response.content.decode()
    assert 'data-field="cargo_lines"' in html
    assert html.count('name="lines-') < 60 * 30  # at most the 50 lines a trip may have


@pytest.mark.parametrize("total", [None, "abc", ""])
def test_a_count_of_lines_missing_or_unreadable_is_said_in_words(enterprise, mlt, total):
    """The page's hidden count of cargo lines lost or unreadable (a page cut short by a weak
    connection, a script that posts the form): the declarant read Django's own "(Hidden field
    TOTAL_FORMS) This field is required." and "ManagementForm data is missing or has been
    tampered with. Missing fields: lines-TOTAL_FORMS…", and the page came back with the
    unreadable count in it, refused again at every save. Now: one sentence in the reader's
    language, and a page whose count matches the lines it shows, which saves."""
    from cuakhau.core.testing.languages import visible_text

    client = login(enterprise)
    post = form_post(declaration(cargo_lines=[]))
    if total is None:
        del post["lines-TOTAL_FORMS"]
        del post["lines-INITIAL_FORMS"]
    else:
        post["lines-TOTAL_FORMS"] = total
    for language, words in (
        ("en", "The page did not say how many cargo lines it sent"),
        ("vi", "Trang không cho biết đã gửi bao nhiêu dòng hàng"),
        ("zh-hans", "页面未说明提交了多少个货物行"),
    ):
        response = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        assert words in text, language
        for code in ("TOTAL_FORMS", "INITIAL_FORMS", "ManagementForm", "lines-"):
            assert code not in text, (language, code)
    assert not Trip.objects.exists()
    # The page as it came back, posted again as it is, is read: its count is the lines it shows.
    page = response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="0"' in page
    assert 'name="lines-INITIAL_FORMS" value="0"' in page
    post.update({"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"})
    assert client.post("/trips/new/", post).status_code == 302
    assert Trip.objects.count() == 1


def test_the_limit_of_lines_is_said_in_the_readers_language(enterprise, mlt):
    client = login(enterprise)
    post = form_post(declaration(cargo_lines=[banana_line()] * 51))
    for language, words in (
        ("en", "At most 50 cargo lines per trip."),
        ("vi", "Mỗi chuyến xe được khai tối đa 50 dòng hàng."),
        ("zh-hans", "每个车次最多申报 50 个货物行。"),
    ):
        html = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words in html and "Please submit" not in html, language


def test_a_gate_code_no_gate_has_is_a_field_error(enterprise, mlt):
    for code in ("\x00", "mlt\x00", "m" * 300, "ＭＬＴ"):
        response = login(enterprise).post("/trips/new/", form_post(declaration(gate=code)))
        assert response.status_code == 200
        assert (
            'data-field="gate"' in response.content.decode()
            or "gate" in response.context["form"].errors
        )
    assert not Trip.objects.exists()


def test_htmx_adds_a_cargo_line_and_bumps_the_total(enterprise):
    client = login(enterprise)
    response = client.get("/trips/cargo-line/?lines-TOTAL_FORMS=2", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'name="lines-2-hs_code"' in html
    assert 'id="id_lines-TOTAL_FORMS"' in html and 'value="3"' in html and "hx-swap-oob" in html
    assert client.get("/trips/cargo-line/?lines-TOTAL_FORMS=50").status_code == 400


@pytest.mark.parametrize("total, status", [("+2", 400), ("2.0", 400), ("1_0", 400), ("٢", 200)])
def test_the_cargo_line_fragment_reads_its_count_as_every_whole_number(enterprise, total, status):
    # int() took "+2" and "1_0" (the tenth line) where every other whole number refuses them.
    response = login(enterprise).get("/trips/cargo-line/", {"lines-TOTAL_FORMS": total})
    assert response.status_code == status


def test_hs_search_as_you_type(enterprise, mlt):
    client = login(enterprise)
    html = client.get("/reference/hs/?lines-0-hs_code=banana").content.decode()
    assert 'value="080390"' in html
    assert 'value="0803' in client.get("/reference/hs/?q=0803").content.decode()


def test_another_organisation_gets_404_in_the_ui(enterprise, other_enterprise, mlt):
    trip = services.create_draft(enterprise, declaration())
    client = login(other_enterprise)
    assert client.get(f"/trips/{trip.reference}/").status_code == 404
    assert client.get(f"/trips/{trip.reference}/edit/").status_code == 404
    assert client.post(f"/trips/{trip.reference}/cancel/", {"reason": "x"}).status_code == 404
    assert (
        f"/trips/{trip.reference}/"
        not in client.get(f"/trips/?q={trip.reference}").content.decode()
    )


def test_customs_officer_finds_submitted_trips_and_rejects_with_reason(
    enterprise, customs_mlt, mlt
):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(customs_mlt)
    listing = client.get("/trips/?gate=mlt&status=submitted").content.decode()
    assert trip.reference in listing
    client.post(f"/trips/{trip.reference}/reject/", {"reason": ""})
    trip.refresh_from_db()
    assert trip.status == "submitted"
    client.post(f"/trips/{trip.reference}/reject/", {"reason": "Thiếu chứng thư kiểm dịch"})
    trip.refresh_from_db()
    assert trip.status == "rejected"
    timeline = client.get(f"/trips/{trip.reference}/").content.decode()
    assert "Thiếu chứng thư kiểm dịch" in timeline and "haiquan_mlt" in timeline


def test_an_illegal_transition_is_a_message_not_a_crash(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    response = client.post(f"/trips/{trip.reference}/submit/", follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    # Said in words: the action and the state by their labels, never their codes.
    assert "Không thể thực hiện lúc này" in text or "Not possible now" in text
    assert "“submit”" not in text and "“submitted”" not in text


def test_amend_from_the_ui_needs_a_reason(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    post = form_post(declaration(driver_name="Sùng A Dế"), "amend")
    html = client.post(f"/trips/{trip.reference}/amend/", post).content.decode()
    assert 'data-field="reason"' in html
    post["reason"] = "Đổi lái xe"
    assert client.post(f"/trips/{trip.reference}/amend/", post).status_code == 302
    trip.refresh_from_db()
    assert trip.version == 2 and trip.versions.count() == 1


def test_uploads_are_checked_for_size_and_type(enterprise, mlt, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MAX_UPLOAD_BYTES = 1024
    trip = services.create_draft(enterprise, declaration())
    client = login(enterprise)
    big = SimpleUploadedFile("phyto.pdf", b"%PDF-1.7\n" + b"x" * 2048, "application/pdf")
    response = client.post(f"/trips/{trip.reference}/documents/", {"kind": "phyto", "file": big})
    # The trip again, why beside the file (422).
    assert response.status_code == 422
    beside = response.text.split('data-field="file"', 1)[1].split("</p>", 1)[0]
    assert "the limit is" in beside
    exe = SimpleUploadedFile("phyto.pdf", b"MZ\x90\x00", "application/pdf")
    refused = client.post(f"/trips/{trip.reference}/documents/", {"kind": "phyto", "file": exe})
    assert refused.status_code == 422 and "Only PDF, JPEG and PNG" in refused.text
    assert trip.documents.count() == 0
    ok = SimpleUploadedFile("phyto.pdf", b"%PDF-1.7\n%%EOF", "application/pdf")
    client.post(f"/trips/{trip.reference}/documents/", {"kind": "phyto", "file": ok})
    document = trip.documents.get()
    assert client.get(f"/trips/{trip.reference}/documents/{document.pk}/").status_code == 200
    assert (
        login_other(mlt).get(f"/trips/{trip.reference}/documents/{document.pk}/").status_code == 404
    )


def login_other(mlt):
    from cuakhau.accounts import roles
    from cuakhau.accounts.models import Organisation
    from cuakhau.accounts.services import create_user

    org = Organisation.objects.create(name="Other", country="VN", tax_code="0312345673")
    return login(create_user("other", PASSWORD, roles.ENTERPRISE, organisation=org))


def test_vietnamese_is_the_default_and_errors_are_translated(enterprise, mlt, settings):
    settings.LANGUAGE_CODE = "vi"
    client = login(enterprise)
    data = declaration(cargo_lines=[banana_line(container_numbers=["CSQU3054384"])])
    html = client.post("/trips/new/", form_post(data, "submit")).content.decode()
    assert "chữ số kiểm tra" in html
    chinese = client.post("/trips/new/", form_post(data, "submit"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.headers["Content-Language"] == "zh-hans"


def test_language_switch_is_remembered_in_the_profile(enterprise, settings):
    settings.LANGUAGE_CODE = "vi"
    client = login(enterprise)
    assert client.get("/trips/").headers["Content-Language"] == "vi"
    client.post("/language/", {"language": "zh-hans", "next": "/trips/"})
    enterprise.profile.refresh_from_db()
    assert enterprise.profile.language == "zh-hans"
    assert login(enterprise).get("/trips/").headers["Content-Language"] == "zh-hans"


def test_profile_creates_and_revokes_tokens(enterprise):
    client = login(enterprise)
    html = client.post("/profile/", {"name": "gate tablet", "password": PASSWORD}).content.decode()
    assert 'id="new-token"' in html
    token = enterprise.api_tokens.get()
    client.post(f"/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_times_are_shown_in_the_gate_time_zone(enterprise, mlt):
    arrival = future(48)
    trip = services.create_draft(enterprise, declaration(expected_arrival=arrival))
    html = login(enterprise).get(f"/trips/{trip.reference}/").content.decode()
    local = timezone.localtime(arrival, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert f"{local:%H:%M}" in html and "(UTC+07:00)" in html


def test_an_earlier_version_lists_what_the_amendment_changed_in_words(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration(cargo_lines=[cassava_line()]))
    trip = services.amend_trip(
        enterprise,
        trip,
        declaration(tractor_plate="25C-999.99", cargo_lines=[cassava_line(unit="KGM")]),
        "Đổi đầu kéo",
    )
    (version,) = services.version_changes(trip)
    changes = {what: (before, after) for what, before, after in version.changes}
    plate = [v for k, v in changes.items() if "25C-999.99" in v[1]]
    assert plate and plate[0][1] == "25C-999.99"
    unit = [v for k, v in changes.items() if k.startswith("Dòng hàng 1") or "line 1" in k]
    # The unit by its label, never its code.
    assert unit and all("KGM" not in side and "TNE" not in side for side in unit[0])
    html = login(enterprise).get(f"/trips/{trip.reference}/").content.decode()
    assert "25C-999.99" in html and "{&#x27;" not in html and "'vehicle_type'" not in html


def test_numbers_are_read_as_the_page_writes_them_in_each_language(enterprise, mlt):
    """Vietnamese writes 20.400 for twenty thousand four hundred and 0,5 for a half: "1.500"
    typed on a Vietnamese page is 1,500 cartons, never 1.5; a separator out of place for the
    page's language is refused next to its field, and nothing is saved."""
    client = login(enterprise)
    line = banana_line(
        quantity="1.500", gross_weight_kg="20.400", value="11.700,5", packages="1.500"
    )
    post = form_post(declaration(capacity_tonnes="15,5", cargo_lines=[line]))
    assert client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE="vi").status_code == 302
    trip = Trip.objects.get()
    saved = trip.cargo_lines.get()
    assert (saved.quantity, saved.gross_weight_kg, saved.value, saved.packages) == (
        1500,
        20400,
        Decimal("11700.50"),
        1500,
    )
    assert trip.capacity_tonnes == Decimal("15.5")
    # Edited again in Vietnamese: the form shows the figures as the page writes them, and
    # sending them back unchanged changes nothing.
    edit = client.get(f"/trips/{trip.reference}/edit/", HTTP_ACCEPT_LANGUAGE="vi")
    assert 'value="20.400"' in edit.content.decode() and 'value="11.700,5"' in edit.content.decode()
    # In English the same figures are written 20,400 and 11,700.5.
    english = form_post(
        declaration(
            cargo_lines=[
                banana_line(gross_weight_kg="20,400", value="11,700.5", container_numbers=[])
            ]
        )
    )
    assert client.post("/trips/new/", english, HTTP_ACCEPT_LANGUAGE="en").status_code == 302
    assert Trip.objects.latest("pk").cargo_lines.get().gross_weight_kg == 20400
    count = Trip.objects.count()
    for language, typed in (("vi", "20.4"), ("vi", "2.04,00.0"), ("en", "20,4"), ("vi", "1e5")):
        line = banana_line(gross_weight_kg=typed, container_numbers=[])
        bad = form_post(declaration(cargo_lines=[line]))
        response = client.post("/trips/new/", bad, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (language, typed)
        assert 'data-field="lines-0-gross_weight_kg"' in response.content.decode()
    assert Trip.objects.count() == count


def test_a_draft_keeps_its_empty_text_fields_until_it_is_submitted(enterprise, mlt):
    client = login(enterprise)
    data = declaration(
        driver_phone="", driver_name="", cargo_lines=[banana_line(hs_code="", description="")]
    )
    assert client.post("/trips/new/", form_post(data)).status_code == 302
    trip = Trip.objects.get()
    assert trip.status == "draft" and trip.driver_phone == ""
    assert client.get(f"/trips/{trip.reference}/").status_code == 200
    html = client.post(f"/trips/{trip.reference}/edit/", form_post(data, "submit")).content
    for field in ("driver_phone", "driver_name", "lines-0-hs_code", "lines-0-description"):
        assert f'data-field="{field}"'.encode() in html
    trip.refresh_from_db()
    assert trip.status == "draft"


def test_the_amendment_shows_figures_and_moments_as_a_person_writes_them(enterprise, mlt):
    trip = services.save_and_submit(
        enterprise, None, declaration(capacity_tonnes="15", cargo_lines=[cassava_line()])
    )
    later = future(50)
    trip = services.amend_trip(
        enterprise,
        trip,
        declaration(
            capacity_tonnes="30",
            expected_arrival=later,
            cargo_lines=[cassava_line(quantity="2000", value="20000")],
        ),
        "Thêm hàng",
    )
    (version,) = services.version_changes(trip)
    shown = " ".join(f"{before} {after}" for _what, before, after in version.changes)
    assert "E+" not in shown and "+00:00" not in shown
    assert "2,000" in shown and "20,000" in shown and "30" in shown
    local = timezone.localtime(later, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%H:%M") in shown


def test_a_refused_submission_names_fields_in_words(enterprise, mlt):
    trip = services.create_draft(
        enterprise,
        declaration(driver_phone="", cargo_lines=[banana_line(description="")]),
    )
    page = login(enterprise).post(f"/trips/{trip.reference}/submit/", follow=True)
    html = page.content.decode()
    assert "Cargo line 1: description of goods" in html and "Driver phone:" in html
    assert "cargo_lines." not in html and "driver_phone:" not in html


def test_the_enterprise_does_not_see_where_steps_came_from_but_the_gate_does(
    enterprise, customs_mlt, mlt
):
    client = login(enterprise)
    client.post("/trips/new/", form_post(declaration(), "submit"))
    trip = Trip.objects.get()
    assert trip.transitions.filter(remote_addr="127.0.0.1").exists()
    own = client.get(f"/trips/{trip.reference}/").content.decode()
    assert "127.0.0.1" not in own and "Asia/Ho_Chi_Minh" not in own and "UTC+07:00" in own
    assert "127.0.0.1" in login(customs_mlt).get(f"/trips/{trip.reference}/").content.decode()


def test_a_trip_with_nothing_left_to_do_shows_no_empty_actions_card(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    assert "actions-card" in client.get(f"/trips/{trip.reference}/").content.decode()
    services.cancel_trip(enterprise, trip, "Xe hỏng")
    assert "actions-card" not in client.get(f"/trips/{trip.reference}/").content.decode()


@pytest.mark.parametrize("reason", ["Hủy\x01chuyến", "\x1b[31mđỏ", "\u202eevil", "nul\x00end"])
def test_a_reason_with_a_control_character_is_refused_and_the_trip_stays(enterprise, mlt, reason):
    """The web forms passed a cancellation's or an amendment's reason straight to the services,
    which stored it raw: a NUL later broke the day's reconciliation workbook."""
    trip = services.save_and_submit(enterprise, None, declaration())
    client = login(enterprise)
    page = client.post(f"/trips/{trip.reference}/cancel/", {"reason": reason}, follow=True)
    assert "control character" in page.content.decode()
    with pytest.raises(services.TripValidationError) as refused:
        services.amend_trip(enterprise, trip, declaration(), reason)
    assert list(refused.value.errors) == ["reason"]
    trip.refresh_from_db()
    assert (trip.status, trip.version) == ("submitted", 1)
    assert not trip.transitions.filter(action__in=["cancel", "amend"]).exists()


def test_a_refused_cancellation_keeps_the_reason_typed_with_why_beside_it(enterprise, mlt):
    """A reason refused for its length came back as a note at the top of a fresh page: the
    2,000-odd characters the enterprise had typed on its phone were gone."""
    trip = services.save_and_submit(enterprise, None, declaration())
    typed = "Xe hỏng giữa đường, " * 101  # 2,020 characters: 20 over
    page = login(enterprise).post(f"/trips/{trip.reference}/cancel/", {"reason": typed})
    assert page.status_code == 422
    form = page.context["reason_form"]
    assert form["reason"].value() == typed
    assert len(form.errors["reason"]) == 1 and "2000" in form.errors["reason"][0]
    html = page.content.decode()
    assert typed.strip() in html.replace("\n", "")
    trip.refresh_from_db()
    assert trip.status == "submitted"
