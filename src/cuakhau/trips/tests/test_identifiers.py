"""The declaration's identifiers (the driver's document, the cargo's phytosanitary certificate and
customs declaration) are stored in one form however they were typed: a Chinese keyboard's
fullwidth digits, Arabic-Indic, Devanagari or Lao digits are the same number, and an officer
searching or comparing it must find the one the driver showed."""

import pytest
from django.test import Client

from cuakhau.accounts.services import issue_token
from cuakhau.conftest import banana_line, declaration
from cuakhau.trips import services

pytestmark = pytest.mark.django_db

TYPED_DOCUMENTS = [
    ("٠١٢٣٤٥٦٧٨٩٠١", "012345678901"),  # Arabic-Indic
    ("０１２３４５６７８９０１", "012345678901"),  # fullwidth
    ("०१२३४५६७८९०१", "012345678901"),  # Devanagari
    ("໐໑໒໓໔໕໖໗໘໙໐໑", "012345678901"),  # Lao
    ("ｅ１２３４５６７８", "E12345678"),  # a passport, fullwidth and in lower case
    (" G12345678 ", "G12345678"),
]


@pytest.mark.parametrize(("typed", "stored"), TYPED_DOCUMENTS)
def test_the_driver_document_number_is_stored_in_ascii_digits(enterprise, mlt, typed, stored):
    trip = services.save_and_submit(enterprise, None, declaration(driver_document_number=typed))
    trip.refresh_from_db()
    assert trip.driver_document_number == stored
    assert services.declaration_data(trip)["driver_document_number"] == stored


def test_the_cargo_lines_certificate_and_customs_declaration_too(enterprise, mlt):
    line = banana_line(
        phytosanitary_certificate="vn-bvtv-２０２５-١١٨٧٣٤",
        customs_declaration="３０５１２３４５６７８９",
    )
    trip = services.save_and_submit(enterprise, None, declaration(cargo_lines=[line]))
    stored = trip.cargo_lines.get()
    assert stored.phytosanitary_certificate == "VN-BVTV-2025-118734"
    assert stored.customs_declaration == "305123456789"


def test_the_api_stores_the_same_form(enterprise, mlt):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(enterprise, 'test')[1]}")
    response = client.post(
        "/api/v1/trips",
        declaration(driver_document_number="٠٣٤٠٩٨٠٠١٢٣٤"),
        content_type="application/json",
    )
    assert response.status_code in (200, 201), response.content
    assert response.json()["driver_document_number"] == "034098001234"


def test_a_refused_number_says_one_limit_written_as_the_reader_writes_numbers(enterprise, mlt):
    from django.utils import translation

    line = banana_line(value="99999999999999999999", net_weight_kg="-5")
    with translation.override("vi"), pytest.raises(services.TripValidationError) as exc:
        services.save_and_submit(enterprise, None, declaration(cargo_lines=[line]))
    errors = exc.value.errors
    # Not also Django's "no more than 16 digits in total" beside our 15 significant digits.
    assert len(errors["cargo_lines.0.value"]) == 1, errors
    assert errors["cargo_lines.0.net_weight_kg"] == ["Tối thiểu 0,001."]


def test_a_field_refused_for_what_it_holds_is_not_also_called_empty(enterprise, mlt):
    with pytest.raises(services.TripValidationError) as exc:
        services.save_and_submit(
            enterprise, None, declaration(tractor_plate="25C\x01123.45", expected_arrival="")
        )
    errors = exc.value.errors
    assert len(errors["tractor_plate"]) == 1 and "U+0001" in errors["tractor_plate"][0]
    # And a missing value is "required", not Django's "cannot be null".
    assert errors["expected_arrival"] == ["This field is required."]


@pytest.mark.parametrize(
    ("language", "quantity", "packages", "shown"),
    [
        ("en", "1", 1, "1 carton · 1 package"),
        ("en", "1500", 1500, "1,500 cartons · 1,500 packages"),
        ("vi", "1500", 1500, "1.500 thùng carton · 1.500 kiện"),
        ("zh-hans", "2.5", 3, "2.5 纸箱 · 3 件"),
    ],
)
def test_a_cargo_lines_quantity_is_said_with_its_unit(
    enterprise, mlt, language, quantity, packages, shown
):
    # "10 kilogram · 10 packages" in English, and "1 packages".
    from django.test import Client

    from cuakhau.accounts.services import set_language

    line = banana_line(quantity=quantity, packages=packages)
    trip = services.save_and_submit(enterprise, None, declaration(cargo_lines=[line]))
    set_language(enterprise, language)
    client = Client()
    client.force_login(enterprise)
    html = client.get(f"/trips/{trip.reference}/").content.decode()
    assert shown in html
