"""The identifiers a declaration carries, against the lists they come from."""

import pytest
from django.core.exceptions import ValidationError

from cuakhau.reference import validators


def test_the_national_list_is_vietnams_whole_nomenclature():
    lines = validators.vn_national_lines()
    # Circular 31/2022/TT-BTC: 11,414 lines under every HS 2022 subheading.
    assert sum(len(codes) for codes in lines.values()) == 11414
    assert len(lines) == 5612
    for real in ("08106000", "08109092", "08039010", "71081210", "85171300", "09041120"):
        assert real in lines[real[:6]]


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["71081200", "71081299", "08109088", "85171399", "0810.60.01"])
def test_an_eight_digit_code_not_in_the_national_list_is_refused(code):
    with pytest.raises(ValidationError) as refused:
        validators.validate_hs_code(code)
    assert refused.value.code == "hs_national_unknown"


@pytest.mark.django_db
def test_the_refusal_names_the_lines_of_the_subheading():
    with pytest.raises(ValidationError) as refused:
        validators.validate_hs_code("71081200")
    assert "7108.12.10, 7108.12.90" in refused.value.messages[0]
    validators.validate_hs_code("7108.12.10")
    validators.validate_hs_code("710812")


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XUA", "xxx"])
def test_iso_codes_that_are_no_money_are_refused(code):
    with pytest.raises(ValidationError):
        validators.validate_currency(code)
    assert code.upper() not in {c for c, _name in validators.currency_choices()}


@pytest.mark.parametrize("code", ["VND", "CNY", "USD", "XAF", "XOF", "XPF", "XCD", "XDR"])
def test_real_currencies_stay(code):
    validators.validate_currency(code)
    assert code in {c for c, _name in validators.currency_choices()}


@pytest.mark.parametrize("plate", ["云I12345", "桂O12345", "云I·D12345"])
def test_no_chinese_authority_letter_is_i_or_o(plate):
    with pytest.raises(ValidationError):
        validators.parse_plate(plate)


def test_chinese_plates_of_real_authorities_stay():
    assert validators.parse_plate("云G12345").country == "CN"
    assert validators.parse_plate("桂P·D12345").country == "CN"


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e"])
def test_a_refusal_shows_the_invisible_character_it_refuses(invisible):
    """A plate with a zero-width character pasted in reads as a valid one: the refusal marks
    where the character is, so the person sees what to delete."""
    from django.core.exceptions import ValidationError

    from cuakhau.core.inputs import shown
    from cuakhau.reference.validators import parse_plate, validate_container_number

    with pytest.raises(ValidationError) as refused:
        parse_plate(f"25C-888{invisible}.88")
    assert "25C-888\ufffd.88" in refused.value.messages[0]
    with pytest.raises(ValidationError) as refused:
        validate_container_number(f"CSQU305{invisible}4383")
    assert invisible not in refused.value.messages[0]
    # Letters of other scripts are quoted as typed: only what cannot be seen is marked.
    assert shown("云G·12345 Lò Văn Páo") == "云G·12345 Lò Văn Páo"
