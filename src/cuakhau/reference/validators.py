"""Validation of the identifiers a declaration carries.

Each validator raises Django's ``ValidationError`` with a translated, specific message, so the
same check serves model validation, forms (a message next to the field) and the API (a 422 with
the field's path).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iso6346
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def vn_plate_province_codes() -> dict[str, str]:
    with open(DATA_DIR / "vn-province-codes.csv", encoding="utf-8") as f:
        return {row["code"]: row["province_vi_pre2025"] for row in csv.DictReader(f)}


@cache
def cn_plate_province_chars() -> dict[str, str]:
    with open(DATA_DIR / "cn-province-prefixes.csv", encoding="utf-8") as f:
        return {row["prefix_char"]: row["province_en"] for row in csv.DictReader(f)}


def canonical_ascii(value: str) -> str:
    """An identifier as one canonical form: fullwidth and compatibility forms folded (NFKC,
    so ``２５Ｃ`` is ``25C``), every script's decimal digits as ASCII digits (``٢٥`` is ``25``),
    upper case. Letters of other scripts stay as they are, for the validator to refuse (a
    Chinese plate's province character is the one legitimate non-ASCII letter)."""
    value = unicodedata.normalize("NFKC", value or "")
    value = "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in value
    )
    return value.strip().upper()


# Plate separators people type or print: dash, dot, space, the Chinese middle dot.
_PLATE_SEPARATORS = re.compile(r"[\s\-\.·•・_]+")
# Vietnamese trucks: 2-digit province code, series (one letter, optionally a second letter;
# a digit there marks a motorcycle plate, not a truck;
# I, J, O, Q and W are not used), then a 4-digit (older) or 5-digit serial.
_VN_PLATE = re.compile(
    r"^(?P<province>[0-9]{2})(?P<series>[A-HK-NP-VXYZ][A-Z]?)(?P<serial>[0-9]{4,5})$"
)
# Chinese (GA 36-2018): province character + authority letter + 5 characters (ordinary, the
# last may be 挂 for a trailer) or 6 (new-energy).
_CN_ORDINARY = re.compile(
    r"^(?P<province>.)(?P<authority>[A-Z])(?P<serial>[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警])$"
)
_CN_NEW_ENERGY = re.compile(
    r"^(?P<province>.)(?P<authority>[A-Z])(?P<serial>[0-9]{5}[DF]|[DABCEFGHJK][A-HJ-NP-Z0-9][0-9]{4})$"
)


@dataclass(frozen=True)
class Plate:
    country: str  # ISO 3166-1 alpha-2 of the registering country
    normalised: str
    display: str


def normalise_plate(value: str) -> str:
    """The matching key of a plate: canonical ASCII, upper case, no separators.

    ``25C-123.45``, ``２５Ｃ－１２３．４５`` and ``25C ١٢٣.٤٥`` are all ``25C12345``; the same
    key serves the declaration, the console, the API and the plate cameras."""
    return _PLATE_SEPARATORS.sub("", canonical_ascii(value))


def parse_plate(value: str) -> Plate:
    key = normalise_plate(value)
    if not key:
        raise ValidationError(_("Enter a plate number."), code="required")
    m = _VN_PLATE.match(key)
    if m:
        province = m["province"]
        if province not in vn_plate_province_codes():
            raise ValidationError(
                _("%(code)s is not a Vietnamese plate province code."),
                code="plate_province",
                params={"code": province},
            )
        serial = m["serial"]
        shown_serial = f"{serial[:3]}.{serial[3:]}" if len(serial) == 5 else serial
        return Plate("VN", key, f"{province}{m['series']}-{shown_serial}")
    if key[:1] in cn_plate_province_chars():
        m = _CN_ORDINARY.match(key) or _CN_NEW_ENERGY.match(key)
        if m:
            return Plate("CN", key, f"{key[:2]}·{key[2:]}")
        raise ValidationError(
            _(
                "%(plate)s is not a valid Chinese plate: a province character, a letter, then 5 "
                "characters (6 for new-energy vehicles), without I or O."
            ),
            code="plate_format",
            params={"plate": value},
        )
    raise ValidationError(
        _(
            "%(plate)s is not a valid Vietnamese or Chinese plate (for example 25C-123.45 "
            "or 云G12345)."
        ),
        code="plate_format",
        params={"plate": value},
    )


def validate_plate(value: str) -> None:
    parse_plate(value)


def validate_container_number(value: str) -> None:
    compact = normalise_container_number(value)
    try:
        if not compact.isascii():
            # stdnum's pattern takes any script's letters and digits, then fails on them.
            raise StdnumError()
        iso6346.validate(compact)
    except StdnumError:
        if re.fullmatch(r"[A-Z]{3}[UJZR]\d{7}", compact):
            raise ValidationError(
                _("%(number)s has a wrong check digit (ISO 6346): expected %(digit)s."),
                code="container_check_digit",
                params={"number": value, "digit": iso6346.calc_check_digit(compact[:10])},
            ) from None
        raise ValidationError(
            _(
                "%(number)s is not a container number: 3 owner letters, an equipment "
                "letter (U, J, Z or R), 6 digits and a check digit, e.g. CSQU3054383."
            ),
            code="container_format",
            params={"number": value},
        ) from None


def normalise_container_number(value: str) -> str:
    return re.sub(r"[\s\-\.]", "", canonical_ascii(value))


def validate_tax_code(value: str, country: str) -> None:
    """A Vietnamese MST (10 or 13 digits) or a Chinese unified social credit code (18)."""
    value = canonical_ascii(value)
    try:
        if not value.isascii():
            raise StdnumError()
        if country == "VN":
            mst.validate(value)
        elif country == "CN":
            uscc.validate(value)
    except StdnumError:
        if country == "VN":
            message = _("%(code)s is not a valid Vietnamese tax code (MST).")
        else:
            message = _("%(code)s is not a valid Chinese unified social credit code.")
        raise ValidationError(message, code="tax_code", params={"code": value}) from None


def validate_country(value: str) -> None:
    if not value or len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            _("%(value)s is not an ISO 3166 country code (two letters, e.g. VN, CN)."),
            code="country",
            params={"value": value},
        )


def validate_currency(value: str) -> None:
    if not value or len(value) != 3 or pycountry.currencies.get(alpha_3=value.upper()) is None:
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code (e.g. VND, CNY, USD)."),
            code="currency",
            params={"value": value},
        )


def validate_hs_code(value: str) -> None:
    """A 6-digit HS 2022 subheading, or a national 8-digit line under an existing one."""
    from .models import HSCode

    compact = compact_hs_code(value)
    if not re.fullmatch(r"[0-9]{6}|[0-9]{8}", compact):
        raise ValidationError(
            _("%(code)s is not an HS code: give 6 digits (or a national 8-digit line)."),
            code="hs_format",
            params={"code": value},
        )
    if not HSCode.objects.filter(code=compact[:6], level=6).exists():
        raise ValidationError(
            _("%(code)s is not in the HS 2022 nomenclature."),
            code="hs_unknown",
            params={"code": value},
        )


def compact_hs_code(value: str) -> str:
    return re.sub(r"[\s\.]", "", canonical_ascii(value))


def country_choices(first: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every country, named and sorted in the reader's language (``first`` ones on top)."""
    from .localize import country_choices as localized_choices

    return localized_choices(first)


def currency_choices() -> list[tuple[str, str]]:
    """Every ISO 4217 code, named in the reader's language after the code ("USD — Đô la Mỹ"):
    a select still jumps to a code as it is typed."""
    from .localize import currency_name

    common = ["VND", "CNY", "USD"]
    rest = sorted(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in common)
    return [(c, f"{c} — {currency_name(c)}") for c in common + rest]
