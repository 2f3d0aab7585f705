"""A decimal is refused beyond 15 significant digits, on every database alike: Django reads
SQLite's decimal columns through a float rounded to 15 digits, and "9999999999999999.99" came
back as 1e16 — more digits than its column allows, so the row could no longer be read (the
board's target, an imported month's figures, an aid project's amount); a whole number of 16 to
18 digits (a capital in đồng) came back rounded, or not at all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cuakhau.accounts import roles
from cuakhau.accounts.services import create_user
from cuakhau.conftest import PASSWORD
from cuakhau.cooperation.models import AidProject
from cuakhau.core.inputs import exactly_stored
from cuakhau.stats.choices import Measure, TargetKind
from cuakhau.stats.models import Target


@pytest.fixture
def board(db):
    return create_user("bql_laichau", PASSWORD, roles.BOARD)


@pytest.mark.parametrize(
    "text", ["12345678901234.5", "9999999999999.99", "999999999999999", "1.10", "-0.5", "1E+17"]
)
def test_what_every_database_keeps_exactly_is_taken(text):
    exactly_stored(Decimal(text))


@pytest.mark.parametrize(
    "text", ["1234567890123456.7", "9999999999999999.99", "0.1234567890123456"]
)
def test_more_digits_with_decimals_are_refused(text):
    with pytest.raises(ValidationError) as refused:
        exactly_stored(Decimal(text))
    assert refused.value.code == "significant_digits"


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["9999999999999.99", "123456789012.345"[:-1], "-0.01"])
def test_the_largest_amount_taken_reads_back_exactly(amount):
    project = AidProject.objects.create(
        title="Nâng cấp đường tuần tra biên giới",
        donor="JICA",
        donor_country="JP",
        sector=AidProject._meta.get_field("sector").choices[0][0],
        amount=Decimal(amount),
        currency="USD",
        amount_vnd=Decimal("999999999999999"),
        starts_on=dt.date(2026, 1, 1),
    )
    project.refresh_from_db()
    assert (project.amount, project.amount_vnd) == (Decimal(amount), 999999999999999)


@pytest.mark.django_db
def test_the_boards_target_says_so_on_its_field(mlt, board):
    client = Client()
    client.force_login(board)
    target = {
        "gate": "mlt", "year": "2026", "measure": Measure.EXPORT_USD,
        "kind": TargetKind.ABSOLUTE, "value": "9999999999999999.99", "note": "",
    }  # fmt: skip
    refused = client.post("/stats/targets/set/", target)
    assert refused.status_code == 422
    assert list(refused.context["form"].errors) == ["value"]
    assert not Target.objects.exists()
    taken = client.post("/stats/targets/set/", {**target, "value": "999999999999.99"})
    assert taken.status_code in (200, 302)
    assert Target.objects.get().value == Decimal("999999999999.99")
    assert client.get("/stats/mlt/?year=2026").status_code == 200


@pytest.mark.django_db
def test_an_aid_project_form_refuses_it_too(mlt, board):
    from cuakhau.cooperation.forms import record_forms

    _model, form_class = record_forms()["aid"]
    form = form_class(
        {
            "title": "Nâng cấp đường tuần tra",
            "donor": "JICA",
            "donor_country": "JP",
            "sector": AidProject._meta.get_field("sector").choices[0][0],
            "amount": "1234567890123456.78",
            "currency": "USD",
            "amount_vnd": "1",
            "starts_on": "2026-01-01",
        }  # fmt: skip
    )
    assert not form.is_valid()
    assert list(form.errors) == ["amount"]


def test_a_spreadsheets_whole_number_keeps_to_them_too():
    from cuakhau.core.spreadsheets import whole_number

    assert whole_number("999.999.999.999.999") == Decimal("999999999999999")
    for text in ("1234567890123456", "1.234.567.890.123.456", "1 234 567 890 123 456"):
        with pytest.raises(ValueError):
            whole_number(text)


@pytest.mark.parametrize("text", ["1e30", "1E+400", "9" * 40, "1e29", "1234567890123.5"])
def test_a_spreadsheets_decimal_past_its_column_is_a_refused_cell(text):
    """Excel writes a huge figure as 1E+30: a refused cell, never an error of the import."""
    from cuakhau.core.spreadsheets import amount, decimal_number

    for read in (decimal_number, amount):
        with pytest.raises(ValueError):
            read(text, 2, 14)
    # Scientific notation is no number a form takes (``core.inputs.plain_number``): refused
    # however small, as a form's box refuses it.
    for small in ("1e3", "1E2", "2.5e-1"):
        with pytest.raises(ValueError):
            decimal_number(small, 2, 14)
    assert decimal_number("1000", 2, 14) == Decimal("1000.00")


def test_every_wide_decimal_column_refuses_what_it_cannot_give_back():
    """The class behind a cargo line's value of 16 digits: saved from the declaration form,
    then every page of the trip failed to read it back (a column of more than 15 digits without
    ``exactly_stored``). And a limit written as a float refused its own value: Decimal("0.001")
    is below the float 0.001, so the smallest quantity the API schema advertises was refused."""
    from django.apps import apps
    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.db import models

    from cuakhau.core.inputs import SIGNIFICANT_DIGITS

    wide, floats = [], []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            wide_column = (
                isinstance(field, models.DecimalField) and field.max_digits > SIGNIFICANT_DIGITS
            )
            if wide_column and exactly_stored not in field._validators:
                wide.append(label)
            floats += [
                label
                for validator in field._validators
                if isinstance(validator, MinValueValidator | MaxValueValidator)
                and isinstance(validator.limit_value, float)
            ]
    assert (wide, floats) == ([], [])


@pytest.mark.django_db
def test_totals_of_the_largest_amounts_pass_64_bits_on_every_database(mlt, board):
    """Ten aid projects of 999,999,999,999,999,000 đồng each (15 significant digits: taken)
    once made SQLite's SUM stop with "integer overflow": the cooperation pages answered 500 to
    everyone. The same for the investment register's capital."""
    from cuakhau.accounts.services import issue_token
    from cuakhau.investment.models import InvestmentProject

    largest = Decimal("999999999999999000")
    for n in range(12):
        AidProject.objects.create(
            title=f"Dự án viện trợ {n}",
            donor="JICA",
            donor_country="JP",
            sector=AidProject._meta.get_field("sector").choices[0][0],
            amount=Decimal("9999999999999.99"),
            currency="USD",
            amount_vnd=largest,
            starts_on=dt.date(2026, 1, 1),
        )
        InvestmentProject.objects.create(
            code=f"KKT-{n:03d}",
            name=f"Nhà máy chế biến nông sản {n}",
            investor="Công ty TNHH Nông sản Lai Châu",
            investor_country="VN",
            sector=InvestmentProject._meta.get_field("sector").choices[0][0],
            registered_capital_vnd=largest,
            disbursed_capital_vnd=largest,
            area_ha=Decimal("99999999.99"),
            location="Khu kinh tế cửa khẩu Ma Lù Thàng",
        )
    web = Client()
    web.force_login(board)
    for page in ("/cooperation/", "/cooperation/delegations-and-aid/", "/investment/"):
        assert web.get(page).status_code == 200, page
    api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(board, 'totals')[1]}")
    aid = api.get("/api/v1/cooperation/totals")
    assert aid.status_code == 200, aid.content.decode()
    invested = api.get("/api/v1/investment/totals")
    assert invested.status_code == 200, invested.content.decode()
    # 12 x 999,999,999,999,999,000: exact on PostgreSQL, to 15 digits on SQLite.
    expected = 12 * largest
    for total in (
        aid.json()["aid_vnd"],
        invested.json()["registered_vnd"],
        invested.json()["disbursed_vnd"],
    ):
        assert abs(Decimal(str(total)) - expected) <= expected / 10**14
