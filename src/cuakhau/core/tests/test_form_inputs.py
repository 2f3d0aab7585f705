"""The web forms and the gate console refuse what the API refuses, with the same rules
(``core.inputs`` through the services): never a 5xx, nothing silently rounded."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client

from cuakhau.conftest import banana_line, declaration
from cuakhau.core.inputs import CHOICE_NOT_OFFERED
from cuakhau.gate.models import WeighbridgeReading
from cuakhau.payments import services as payments
from cuakhau.reference.models import Gate
from cuakhau.trips import services as trips
from cuakhau.trips.models import Trip
from cuakhau.trips.tests.test_views import form_post

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"driver_name": "Lò\x00Văn Páo"}, "driver_name"),
        ({"driver_phone": "+84\u2028912"}, "driver_phone"),
        ({"expected_arrival": "9999-12-31T23:59"}, "expected_arrival"),
        ({"expected_arrival": "0001-01-01T00:00"}, "expected_arrival"),
        ({"cargo_lines": [banana_line(value="11700.001")]}, "value"),
        ({"cargo_lines": [banana_line(packages="99999999999999999999")]}, "packages"),
        ({"cargo_lines": [banana_line(description="Chuối\x07")]}, "description"),
    ],
)
def test_the_declaration_form_refuses_with_a_field_error(enterprise, mlt, overrides, field):
    arrival = overrides.pop("expected_arrival", None)
    post = form_post(declaration(**overrides))
    if arrival:
        post["expected_arrival"] = arrival
    response = login(enterprise).post("/trips/new/", post)
    assert response.status_code == 200  # the form again, with its errors
    assert not Trip.objects.exists()
    html = response.content.decode()
    assert "error" in html and field in html


def test_the_form_stores_fullwidth_plates_and_composed_text(enterprise, mlt):
    data = declaration(tractor_plate="２５Ｃ－１２３．４５", driver_name="Lo\u0300 Va\u0306n")
    response = login(enterprise).post("/trips/new/", form_post(data))
    assert response.status_code == 302, response.content.decode()[:2000]
    trip = Trip.objects.get()
    assert (trip.tractor_plate, trip.driver_name) == ("25C-123.45", "Lò Văn")


def test_a_stored_trip_always_renders_in_the_list(enterprise, mlt):
    # Whatever gets past the services renders: the latest arrival they accept, in every page.
    trips.create_draft(
        enterprise, declaration(expected_arrival=dt.datetime.now(dt.UTC) + trips.ARRIVAL_HORIZON)
    )
    client = login(enterprise)
    assert client.get("/trips/").status_code == 200
    assert client.get(f"/trips/{Trip.objects.get().reference}/").status_code == 200


def test_the_console_answers_a_scan_with_control_characters(operator, mlt):
    client = login(operator)
    for text in ("25C\x0012345", "\x85", "MLT-\x1b[2J"):
        response = client.post("/gate/mlt/console/scan/", {"scan": text, "plate_seen": text})
        assert response.status_code == 200
        assert "not_found" in response.content.decode() or "No trip" in response.content.decode()


def test_the_console_refuses_a_weight_it_would_have_to_round(enterprise, operator, mlt):
    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    response = login(operator).post(
        "/gate/mlt/console/check_in/", {"scan": trip.reference, "gross_kg": "32000.25"}
    )
    assert response.status_code == 200
    assert not WeighbridgeReading.objects.exists()
    trip.refresh_from_db()
    assert trip.status == "paid"


def test_the_gate_matches_a_plate_however_its_digits_were_written(enterprise, operator, mlt):
    from cuakhau.gate import services as gate

    trip = trips.save_and_submit(enterprise, None, declaration())
    payments.simulate_bank_transfer(trip)
    for seen in ("２５Ｃ－１２３．４５", "25C ١٢٣.٤٥", "25c-१२३.४५"):
        assert gate.find(seen, mlt)[0] == trip
        check = gate.assess(trip.reference, mlt, plate_seen=seen)
        assert "plate_mismatch" not in [p.code for p in check.problems]
        assert gate.record_plate_read(mlt, "cam-1", seen).trip == trip


@pytest.mark.parametrize(
    "field",
    [
        forms.ChoiceField(choices=[("export", "Export")]),
        forms.TypedChoiceField(choices=[("1", "One")], coerce=int),
        forms.MultipleChoiceField(choices=[("export", "Export")]),
        forms.ModelMultipleChoiceField(queryset=Gate.objects.all()),
    ],
    ids=["choice", "typed", "multiple", "model-multiple"],
)
@pytest.mark.django_db
def test_no_form_repeats_a_refused_choice(field):
    """Every form, not only the administration's: the page would show what was sent."""
    sent = "x\x1b[2J" + "y" * 5000
    with pytest.raises(ValidationError) as refused:
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        field.clean([sent] if multiple else sent)
    said = " ".join(refused.value.messages)
    assert "\x1b" not in said and "yyyy" not in said
    assert said == str(CHOICE_NOT_OFFERED)
