"""An organisation's tax code is its identity on receipts and in the registers: stored in one
form, so the same code typed another way (fullwidth, another script's digits, with the dash of
a branch) is the same organisation, not a second one."""

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from cuakhau.accounts.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("０１００１０９１０６", "0100109106"),
        ("٠١٠٠١٠٩١٠٦", "0100109106"),
        ("0100109106-001", "0100109106001"),
        (" 0100 109 106 ", "0100109106"),
    ],
)
def test_a_vietnamese_tax_code_is_kept_in_one_form(typed, stored):
    organisation = Organisation(name="Công ty TNHH Ma Lù Thàng", country="VN", tax_code=typed)
    organisation.full_clean()
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.tax_code == stored


def test_the_same_code_typed_another_way_is_refused_as_taken():
    Organisation.objects.create(name="Công ty A", country="VN", tax_code="0100109106")
    other = Organisation(name="Công ty B", country="VN", tax_code="０１００１０９１０６")
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "tax_code" in exc.value.message_dict


def test_a_chinese_credit_code_in_lower_case_is_kept_in_capitals():
    body = "91530100MA6K7TRA3"  # Kunming, market regulation, an enterprise
    code = body + uscc.calc_check_digit(body)
    organisation = Organisation(name="河口公司", country="CN", tax_code=code.lower())
    organisation.full_clean()
    assert organisation.tax_code == code
