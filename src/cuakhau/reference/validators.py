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
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from stdnum import iso6346
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from cuakhau.core.inputs import shown

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def vn_plate_province_codes() -> dict[str, str]:
    with open(DATA_DIR / "vn-province-codes.csv", encoding="utf-8") as f:
        return {row["code"]: row["province_vi_pre2025"] for row in csv.DictReader(f)}


@cache
def vn_national_lines() -> dict[str, tuple[str, ...]]:
    """Vietnam's 8-digit national lines (Circular 31/2022/TT-BTC, all 11,414 of them), by
    subheading: an 8-digit code is one of these or no code at all."""
    lines: dict[str, list[str]] = {}
    with open(DATA_DIR / "hs2022-vi-national.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lines.setdefault(row["hs6"], []).append(row["code8"])
    return {hs6: tuple(sorted(codes)) for hs6, codes in lines.items()}


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
# last may be 挂 for a trailer) or 6 (new-energy). No letter is I or O, the authority's neither.
_CN_ORDINARY = re.compile(
    r"^(?P<province>.)(?P<authority>[A-HJ-NP-Z])(?P<serial>[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警])$"
)
_CN_NEW_ENERGY = re.compile(
    r"^(?P<province>.)(?P<authority>[A-HJ-NP-Z])(?P<serial>[0-9]{5}[DF]|[DABCEFGHJK][A-HJ-NP-Z0-9][0-9]{4})$"
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
            params={"plate": shown(value)},
        )
    raise ValidationError(
        _(
            "%(plate)s is not a valid Vietnamese or Chinese plate (for example 25C-123.45 "
            "or 云G12345)."
        ),
        code="plate_format",
        params={"plate": shown(value)},
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
                params={"number": shown(value), "digit": iso6346.calc_check_digit(compact[:10])},
            ) from None
        raise ValidationError(
            _(
                "%(number)s is not a container number: 3 owner letters, an equipment "
                "letter (U, J, Z or R), 6 digits and a check digit, e.g. CSQU3054383."
            ),
            code="container_format",
            params={"number": shown(value)},
        ) from None


def normalise_container_number(value: str) -> str:
    return re.sub(r"[\s\-\.]", "", canonical_ascii(value))


def compact_tax_code(value: str) -> str:
    """A tax code as stored: canonical digits, without the spaces, dots and dashes people
    write in it ("0101243150-001" is "0101243150001"), as python-stdnum compacts it."""
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
        raise ValidationError(message, code="tax_code", params={"code": shown(value)}) from None


def validate_country(value: str) -> None:
    if not value or len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(
            _("%(value)s is not an ISO 3166 country code (two letters, e.g. VN, CN)."),
            code="country",
            params={"value": shown(value)},
        )


# ISO 4217 codes that are no money anything is priced or paid in: "no currency" (XXX), the
# testing code (XTS), precious metals (XAU, XAG, XPT, XPD), the bond markets' units (XBA-XBD)
# and the regional units of account (XSU, XUA, XAD). The IMF's SDR (XDR) stays: loans and aid
# are committed in it. The CFA and CFP francs and the Caribbean currencies are real money.
NOT_CURRENCIES = frozenset(
    {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA", "XAD"}
)


def validate_currency(value: str) -> None:
    if (
        not value
        or len(value) != 3
        or value.upper() in NOT_CURRENCIES
        or pycountry.currencies.get(alpha_3=value.upper()) is None
    ):
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code (e.g. VND, CNY, USD)."),
            code="currency",
            params={"value": shown(value)},
        )


def validate_hs_code(value: str) -> None:
    """A 6-digit HS 2022 subheading, or a national 8-digit line under an existing one."""
    from .models import HSCode

    compact = compact_hs_code(value)
    if not re.fullmatch(r"[0-9]{6}|[0-9]{8}", compact):
        raise ValidationError(
            _("%(code)s is not an HS code: give 6 digits (or a national 8-digit line)."),
            code="hs_format",
            params={"code": shown(value)},
        )
    if not HSCode.objects.filter(code=compact[:6], level=6).exists():
        raise ValidationError(
            _("%(code)s is not in the HS 2022 nomenclature."),
            code="hs_unknown",
            params={"code": shown(value)},
        )
    if len(compact) == 8:
        lines = vn_national_lines().get(compact[:6], ())
        if compact not in lines:
            raise ValidationError(
                _(
                    "%(code)s is not a line of Vietnam's national nomenclature: the lines of "
                    "%(subheading)s are %(lines)s (or give its 6 digits)."
                ),
                code="hs_national_unknown",
                params={
                    "code": value,
                    "subheading": f"{compact[:4]}.{compact[4:6]}",
                    "lines": ", ".join(f"{c[:4]}.{c[4:6]}.{c[6:]}" for c in lines),
                },
            )


def compact_hs_code(value: str) -> str:
    return re.sub(r"[\s\.]", "", canonical_ascii(value))


# Phone numbers. The driver's is where the gate's SMS and Zalo messages go, so it must be one a
# person can be reached at: a Vietnamese or Chinese mobile (the drivers of these gates), or
# another country's number written with its country code (a Lao driver's "+856 20 5555 1234").
# Stored as E.164, "+84912345678": one form however it was typed, that every reader takes
# (the notifier turns it into the providers' "84912345678").

# Vietnam's mobiles since the 2018 renumbering: 0, then 3, 5, 7, 8 or 9 and 8 more digits.
_VN_MOBILE = re.compile(r"[35789][0-9]{8}")
# China's mobiles: 11 digits, 13x to 19x; never a trunk 0.
_CN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# What people type between the digits: spaces, dots, dashes, slashes, brackets, middle dots.
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00b7\u2010-\u2015\u30fb]+")
# "+44 (0) 20…": the national trunk 0 shown in brackets after the country code.
_BRACKETED_TRUNK = re.compile(r"\(\s*0\s*\)")
# ITU-T E.164 country codes of countries and territories (not the satellite and
# international services: no driver is reached there).
_CALLING_CODES = frozenset(
    """
    1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61
    62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
    211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236
    237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258
    260 261 262 263 264 265 266 267 268 269 290 291 297 298 299
    350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379 380 381
    382 383 385 386 387 389 420 421 423
    500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599
    670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692
    850 852 853 855 856 880 886
    960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996
    998
    """.split()  # noqa: SIM905 (a table to read, not a list of quoted strings)
)
# Countries whose numbers, written after the country code, never begin with the trunk 0: one
# typed there ("+84 0912…", "+856 020…") is dropped.
_NO_TRUNK_AFTER_CODE = ("84", "86", "856")


def _phone_error(which: str = "") -> ValidationError:
    if which == "VN":
        message = _(
            "A Vietnamese mobile number has 10 digits and starts with 03, 05, 07, 08 or 09: "
            "0912 345 678 or +84 912 345 678."
        )
    elif which == "CN":
        message = _(
            "A Chinese mobile number has 11 digits and starts with 13 to 19: 138 0013 8000 or "
            "+86 138 0013 8000."
        )
    else:
        message = _(
            "Enter a phone number: a Vietnamese mobile as 0912 345 678 or +84 912 345 678, "
            "a Chinese mobile as 138 0013 8000 or +86 138 0013 8000, another country's "
            "number with its country code, e.g. +856 20 5555 1234."
        )
    return ValidationError(message, code="phone")


def normalise_phone_number(value: str) -> str:
    """A phone number as stored: E.164 ("+84912345678"), or "" when none was given.

    Takes a number as people type it: ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``,
    ``84912345678``, ``+86-138-0013-8000``, ``13800138000``, ``00856 20 5555 1234``, in any
    script's digits (``０９１２…``). Raises ``ValidationError`` saying what a number looks like
    for anything else: a Vietnamese number that is not a mobile, a Chinese one that is not a
    mobile, another country's without its code, or not a number at all.
    """
    text = _BRACKETED_TRUNK.sub("", canonical_ascii(value))
    if not text:
        return ""
    compact = _PHONE_SEPARATORS.sub("", text)
    if compact.startswith("+"):
        digits, international = compact[1:], True
    elif compact.startswith("00"):
        digits, international = compact[2:], True
    else:
        digits, international = compact, False
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 15:
        raise _phone_error()
    if not international:
        if digits.startswith("0"):
            if _VN_MOBILE.fullmatch(digits[1:]):
                return "+84" + digits[1:]
            raise _phone_error()
        if _CN_MOBILE.fullmatch(digits):
            return "+86" + digits
        if len(digits) == 11 and digits.startswith("1"):
            raise _phone_error("CN")
        if not digits.startswith(("84", "86")):
            # Any other country's number needs its code: "+856 20…", not "20…".
            raise _phone_error()
        # "84912345678", "8613800138000": the country code without its "+".
    code = next((digits[:n] for n in (1, 2, 3) if digits[:n] in _CALLING_CODES), None)
    if code is None:
        raise _phone_error()
    national = digits[len(code) :]
    if code in _NO_TRUNK_AFTER_CODE and national.startswith("0"):
        national = national[1:]
    if code == "84":
        if _VN_MOBILE.fullmatch(national):
            return "+84" + national
        raise _phone_error("VN")
    if code == "86":
        if _CN_MOBILE.fullmatch(national):
            return "+86" + national
        raise _phone_error("CN")
    # The shortest numbers in use have 6 digits after the country code; E.164 allows 15 in all.
    # A 0 after the code is kept: Italy's, Côte d'Ivoire's and Congo's numbers begin with one.
    if len(national) < 6 or len(code) + len(national) < 8:
        raise _phone_error()
    return f"+{code}{national}"


def validate_phone_number(value: str) -> None:
    normalise_phone_number(value)


def country_choices(first: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every country, named and sorted in the reader's language (``first`` ones on top)."""
    from .localize import country_choices as localized_choices

    return localized_choices(first)


def currency_choices() -> list[tuple[str, str]]:
    """Every ISO 4217 code, named in the reader's language after the code ("USD — Đô la Mỹ"):
    a select still jumps to a code as it is typed."""
    from .localize import currency_name

    common = ["VND", "CNY", "USD"]
    rest = sorted(
        c.alpha_3
        for c in pycountry.currencies
        if c.alpha_3 not in common and c.alpha_3 not in NOT_CURRENCIES
    )
    return [(c, f"{c} — {currency_name(c)}") for c in common + rest]


# A UN/LOCODE: the country's ISO 3166 letters, then three letters or digits 2-9 (UNECE
# Recommendation 16), optionally with the note the gate list keeps beside it ("VNLGS (city
# Lang Son, not gate-specific)").
_UNLOCODE = re.compile(r"(?P<country>[A-Z]{2})[A-Z2-9]{3}(?: \([^()]{1,70}\))?")


@deconstructible(path="cuakhau.reference.validators.UnLocode")
class UnLocode:
    """A UN/LOCODE of the given country's side of the gate: the admin stored any text there."""

    def __init__(self, country: str):
        self.country = country

    def __call__(self, value: str) -> None:
        found = _UNLOCODE.fullmatch(value or "")
        if found is None or found["country"] != self.country:
            raise ValidationError(
                _(
                    "Write a UN/LOCODE of %(country)s: its two letters, then three letters or "
                    "digits, e.g. %(example)s, and a note in brackets if need be."
                ),
                code="unlocode",
                params={"country": self.country, "example": f"{self.country}LCA"},
            )

    def __eq__(self, other):
        return isinstance(other, UnLocode) and other.country == self.country
