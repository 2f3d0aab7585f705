"""The driver's phone and the cargo's weight: what a declaration may carry, through the
services, the web form and the API alike.

The phone is where the gate's SMS and Zalo messages go: any number a person can be reached at
is taken as typed and stored as E.164 ("+84912345678"); anything else is refused next to the
field with what a number looks like. The cargo's gross weight, all lines together, is at most
what one road vehicle carries (the 80,000 kg the gates' weighbridges weigh)."""

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import PASSWORD, banana_line, cassava_line, declaration
from cuakhau.notify.adapters import ESMSBrandname, ZaloZNS
from cuakhau.notify.models import Message
from cuakhau.notify.recipients import is_vietnamese_mobile, normalise_phone
from cuakhau.reference.validators import normalise_phone_number
from cuakhau.trips import services
from cuakhau.trips.models import Trip

from .test_views import form_post

pytestmark = pytest.mark.django_db

# As drivers and their companies type them, and what is stored.
ACCEPTED = [
    ("0912 345 678", "+84912345678"),
    ("0912.345.678", "+84912345678"),
    ("0912-345-678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("0084 912 345 678", "+84912345678"),
    ("+84 (0) 912 345 678", "+84912345678"),
    ("+840912345678", "+84912345678"),
    ("0389 123 456", "+84389123456"),
    ("+86 138 0013 8000", "+8613800138000"),
    ("13800138000", "+8613800138000"),
    ("+86-138-0013-8000", "+8613800138000"),
    ("(+86) 138 0013 8000", "+8613800138000"),
    ("8613800138000", "+8613800138000"),
    # A Chinese or Japanese keyboard's fullwidth digits and plus, Lao digits.
    ("＋８６ １３８ ００１３ ８０００", "+8613800138000"),
    ("０９１２ ３４５ ６７８", "+84912345678"),
    ("໐໙໑໒ ໓໔໕ ໖໗໘", "+84912345678"),
    # A Lao driver's mobile, with or without the trunk 0 after the code.
    ("+856 20 5555 1234", "+8562055551234"),
    ("+856 020 5555 1234", "+8562055551234"),
    ("00856 20 5555 1234", "+8562055551234"),
    ("+66 81 234 5678", "+66812345678"),
]

GENERAL = "Enter a phone number"
VIETNAMESE = "A Vietnamese mobile number has 10 digits"
CHINESE = "A Chinese mobile number has 11 digits"
REFUSED = [
    ("NaN", GENERAL),
    ("-1", GENERAL),
    ("1e308", GENERAL),
    ("12", GENERAL),
    ("<script>alert(1)</script>", GENERAL),
    ("'; DROP TABLE x;--", GENERAL),
    ("+", GENERAL),
    ("0912 345 67", GENERAL),  # a digit short
    ("0212 345 678", GENERAL),  # 02… is no mobile (nor a whole landline)
    ("020 5555 1234", GENERAL),  # a Lao number needs its country code
    ("912345678", GENERAL),
    ("+99 1234 5678", GENERAL),  # no such country code
    ("+856 12", GENERAL),
    ("+84 24 3825 1234", VIETNAMESE),  # Hà Nội landline: no SMS there
    ("+84 912 345 67", VIETNAMESE),
    ("+86 10 6552 9988", CHINESE),  # Beijing landline
    ("12345678901", CHINESE),
    ("+86 138 0013 800", CHINESE),
    ("1" * 16, GENERAL),
    ("0912 345 678 ext 2", GENERAL),
]


def errors_of(call, *args) -> dict:
    with pytest.raises(services.TripValidationError) as exc:
        call(*args)
    return exc.value.errors


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')[1]}")


def api_post(client, path, body):
    return client.post(
        f"/api/v1{path}", data=json.dumps(body, default=str), content_type="application/json"
    )


def locs(response) -> dict:
    return {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}


# ---------------------------------------------------------------------------------------------
# The shared validator


@pytest.mark.parametrize(("typed", "stored"), ACCEPTED)
def test_a_real_number_is_stored_as_e164_and_the_notifier_takes_it(typed, stored):
    assert normalise_phone_number(typed) == stored
    # Stored once, read the same again: an amendment or a resubmission changes nothing.
    assert normalise_phone_number(stored) == stored
    # The notifier's providers get the same digits ("84912345678").
    assert normalise_phone(stored) == stored.removeprefix("+")


@pytest.mark.parametrize(("typed", "says"), REFUSED)
def test_anything_else_is_refused_saying_what_a_number_looks_like(typed, says):
    with pytest.raises(ValidationError) as exc:
        normalise_phone_number(typed)
    assert says in exc.value.messages[0]
    assert exc.value.code == "phone"


@given(typed=st.text(alphabet="0123456789０１２３+＋ -.()", max_size=22))
def test_whatever_is_accepted_is_e164_and_the_notifier_reads_it(typed):
    try:
        stored = normalise_phone_number(typed)
    except ValidationError:
        return
    if stored:
        assert re.fullmatch(r"\+[1-9][0-9]{7,14}", stored)
        assert normalise_phone_number(stored) == stored
        assert normalise_phone(stored) == stored.removeprefix("+")


def test_nothing_typed_is_no_number_for_the_caller_to_require():
    assert normalise_phone_number("") == normalise_phone_number("  ") == ""


def test_every_vietnamese_mobile_prefix_is_one_the_sms_and_zalo_adapters_take():
    for prefix in ("03", "05", "07", "08", "09"):
        stored = normalise_phone_number(f"{prefix}12 345 678")
        assert is_vietnamese_mobile(normalise_phone(stored))


# ---------------------------------------------------------------------------------------------
# The services


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0912.345.678", "+84912345678"), ("+86-138-0013-8000", "+8613800138000")],
)
def test_a_submitted_trip_keeps_the_phone_as_e164(enterprise, mlt, typed, stored):
    trip = services.save_and_submit(enterprise, None, declaration(driver_phone=typed))
    trip.refresh_from_db()
    assert trip.status == "submitted" and trip.driver_phone == stored
    # Its declaration read back and submitted or amended again keeps it as it is.
    assert services.declaration_data(trip)["driver_phone"] == stored
    amended = services.amend_trip(enterprise, trip, services.declaration_data(trip), "same")
    amended.refresh_from_db()
    assert amended.driver_phone == stored


@pytest.mark.parametrize(("typed", "says"), REFUSED[:6])
def test_submitting_refuses_a_phone_that_is_no_number(enterprise, mlt, typed, says):
    errors = errors_of(services.save_and_submit, enterprise, None, declaration(driver_phone=typed))
    assert list(errors) == ["driver_phone"]
    assert says in errors["driver_phone"][0] and len(errors["driver_phone"]) == 1
    assert not Trip.objects.exists()


def test_a_draft_may_leave_the_phone_empty_but_not_wrong(enterprise, mlt):
    draft = services.create_draft(enterprise, declaration(driver_phone=""))
    assert draft.driver_phone == ""
    # Submitting needs it, as before.
    errors = errors_of(services.submit_trip, enterprise, draft)
    assert list(errors) == ["driver_phone"]
    # A wrong number is wrong on a draft too: nothing to fix later that could be fixed now.
    errors = errors_of(services.create_draft, enterprise, declaration(driver_phone="NaN"))
    assert GENERAL in errors["driver_phone"][0]
    errors = errors_of(
        services.update_draft, enterprise, draft, declaration(driver_phone="call the office")
    )
    assert list(errors) == ["driver_phone"]
    draft.refresh_from_db()
    assert draft.driver_phone == ""


def test_a_draft_stored_before_phones_were_checked_is_checked_when_submitted(enterprise, mlt):
    draft = services.create_draft(enterprise, declaration())
    Trip.objects.filter(pk=draft.pk).update(driver_phone="<script>alert(1)</script>")
    errors = errors_of(services.submit_trip, enterprise, draft)
    assert list(errors) == ["driver_phone"]
    Trip.objects.filter(pk=draft.pk).update(driver_phone="+84 912 345 678")
    submitted = services.submit_trip(enterprise, draft)
    submitted.refresh_from_db()
    assert submitted.driver_phone == "+84912345678"


def test_an_import_giving_the_phone_as_a_number_is_read_or_refused_not_a_crash(enterprise, mlt):
    trip = services.create_draft(enterprise, declaration(driver_phone=84912345678))
    assert trip.driver_phone == "+84912345678"
    again = declaration(driver_phone=1e308, cargo_lines=[cassava_line()])
    errors = errors_of(services.create_draft, enterprise, again)
    assert list(errors) == ["driver_phone"]


def test_the_driver_is_told_at_the_stored_phone_over_sms_and_zalo(enterprise, mlt):
    trip = services.save_and_submit(enterprise, None, declaration(driver_phone="0912.345.678"))
    services.tell_driver(
        trip,
        "receipt_issued",
        {"reference": trip.reference, "number": "R-1", "gate": mlt, "plate": trip.tractor_plate},
        dedupe_key="test:phone",
    )
    message = Message.objects.get(dedupe_key="test:phone")
    assert message.recipient_phone == "84912345678" and message.channels
    sms = ESMSBrandname("esms", api_key="k", secret_key="s", brandname="CUAKHAU")
    zns = ZaloZNS("zalo", access_token="t", templates={"receipt_issued": {"vi": "1"}})
    assert sms.accepts(message) and zns.accepts(message)


def test_a_chinese_drivers_stored_phone_reaches_the_notifier(enterprise, mlt):
    trip = services.save_and_submit(
        enterprise,
        None,
        declaration(driver_nationality="CN", driver_phone="13800138000"),
    )
    services.tell_driver(
        trip,
        "receipt_issued",
        {"reference": trip.reference, "number": "R-2", "gate": mlt, "plate": trip.tractor_plate},
        dedupe_key="test:cn-phone",
    )
    message = Message.objects.get(dedupe_key="test:cn-phone")
    assert message.recipient_phone == "8613800138000" and message.language == "zh-hans"


def impossible_load(**overrides) -> dict:
    """QA's case: one line of 79,999,999 kg gross, 1,000 kg net, on a 15-tonne truck."""
    line = banana_line(gross_weight_kg="79999999", net_weight_kg="1000", container_numbers=[])
    return declaration(capacity_tonnes="15", cargo_lines=[line], **overrides)


def test_submitting_refuses_a_line_heavier_than_a_vehicle_carries(enterprise, mlt):
    errors = errors_of(services.save_and_submit, enterprise, None, impossible_load())
    assert list(errors) == ["cargo_lines.0.gross_weight_kg"]
    (message,) = errors["cargo_lines.0.gross_weight_kg"]
    assert "79,999,999 kg" in message and "80,000 kg" in message
    assert not Trip.objects.exists()
    # On a draft too: the figure is wrong, not missing.
    assert "cargo_lines.0.gross_weight_kg" in errors_of(
        services.create_draft, enterprise, impossible_load()
    )


def test_lines_together_heavier_than_a_vehicle_are_refused_at_the_heaviest(enterprise, mlt):
    lines = [
        cassava_line(gross_weight_kg="30000", net_weight_kg="29000"),
        cassava_line(gross_weight_kg="45000", net_weight_kg="44000"),
        cassava_line(gross_weight_kg="6000", net_weight_kg="5900"),
    ]
    errors = errors_of(services.save_and_submit, enterprise, None, declaration(cargo_lines=lines))
    assert list(errors) == ["cargo_lines.1.gross_weight_kg"]
    assert "81,000 kg" in errors["cargo_lines.1.gross_weight_kg"][0]


def test_a_load_up_to_what_a_vehicle_carries_is_accepted(enterprise, mlt):
    lines = [
        cassava_line(gross_weight_kg="40000", net_weight_kg="39000"),
        cassava_line(gross_weight_kg="40000", net_weight_kg="39000.5"),
    ]
    trip = services.save_and_submit(
        enterprise, None, declaration(capacity_tonnes="80", cargo_lines=lines)
    )
    total = sum(line.gross_weight_kg for line in trip.cargo_lines.all())
    assert total == services.MAX_VEHICLE_GROSS_KG == Decimal(80_000)


def test_a_line_already_refused_for_its_weight_is_not_counted_again(enterprise, mlt):
    lines = [banana_line(gross_weight_kg="-90000"), cassava_line()]
    errors = errors_of(services.create_draft, enterprise, declaration(cargo_lines=lines))
    assert list(errors) == ["cargo_lines.0.gross_weight_kg"]
    assert "80,000" not in errors["cargo_lines.0.gross_weight_kg"][0]


def test_net_weight_above_gross_is_still_refused_per_line(enterprise, mlt):
    line = cassava_line(gross_weight_kg="8100", net_weight_kg="8100.001")
    errors = errors_of(services.save_and_submit, enterprise, None, declaration(cargo_lines=[line]))
    assert "above the gross" in errors["cargo_lines.0.net_weight_kg"][0]


# ---------------------------------------------------------------------------------------------
# The web form


@pytest.mark.parametrize("typed", ["NaN", "1e308", "<script>alert(1)</script>", "12"])
def test_the_form_shows_a_wrong_phone_next_to_its_field(enterprise, mlt, typed):
    client = login(enterprise)
    response = client.post("/trips/new/", form_post(declaration(driver_phone=typed), "submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="driver_phone"' in html
    assert "a Vietnamese mobile as 0912 345 678 or +84 912 345 678" in html
    assert "<script>alert(1)</script>" not in html
    assert not Trip.objects.exists()


def test_the_form_submits_a_phone_as_typed_and_the_page_shows_it(enterprise, mlt):
    client = login(enterprise)
    post = form_post(declaration(driver_phone="0912.345.678"), "submit")
    response = client.post("/trips/new/", post)
    assert response.status_code == 302
    trip = Trip.objects.get()
    assert (trip.status, trip.driver_phone) == ("submitted", "+84912345678")
    assert "+84912345678" in client.get(response["Location"]).content.decode()


def test_the_form_refuses_an_impossible_weight_next_to_the_line(enterprise, mlt):
    client = login(enterprise)
    response = client.post("/trips/new/", form_post(impossible_load(), "submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="lines-0-gross_weight_kg"' in html and "80,000 kg" in html
    assert not Trip.objects.exists()


def test_a_vietnamese_million_and_a_half_is_refused_in_vietnamese(enterprise, mlt):
    client = login(enterprise)
    line = banana_line(gross_weight_kg="1.000.000,5", net_weight_kg="1.000", container_numbers=[])
    post = form_post(declaration(capacity_tonnes="15", cargo_lines=[line]), "submit")
    response = client.post("/trips/new/", post, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field="lines-0-gross_weight_kg"' in html
    assert "1.000.000,5 kg" in html and "80.000 kg" in html and "một xe" in html
    chinese = client.post(
        "/trips/new/",
        form_post(declaration(driver_phone="NaN"), "submit"),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "请输入电话号码" in chinese.content.decode()
    assert not Trip.objects.exists()


# ---------------------------------------------------------------------------------------------
# The API


@pytest.mark.parametrize("typed", ["NaN", "-1", "1e308", "12", "'; DROP TABLE x;--"])
def test_the_api_refuses_a_wrong_phone_with_its_path(enterprise, mlt, typed):
    response = api_post(api(enterprise), "/trips?submit=true", declaration(driver_phone=typed))
    assert response.status_code == 422
    assert GENERAL in locs(response)[("body", "driver_phone")]
    assert not Trip.objects.exists()


def test_the_api_stores_and_returns_the_phone_as_e164(enterprise, mlt):
    client = api(enterprise)
    body = declaration(driver_nationality="CN", driver_phone="+86-138-0013-8000")
    response = api_post(client, "/trips?submit=true", body)
    assert response.status_code == 201, response.content
    assert response.json()["driver_phone"] == "+8613800138000"


def test_the_api_refuses_an_impossible_weight_at_the_lines_field(enterprise, mlt):
    response = api_post(api(enterprise), "/trips?submit=true", impossible_load())
    assert response.status_code == 422
    assert "80,000 kg" in locs(response)[("body", "cargo_lines", 0, "gross_weight_kg")]
    assert not Trip.objects.exists()
