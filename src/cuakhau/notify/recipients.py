"""Phone numbers and e-mail addresses of recipients, in the shapes the providers want.

Vietnamese mobile numbers are written "0912 345 678", "+84 912 345 678" or "84912345678";
ZNS and the SMS gateways want "84912345678". Other countries' numbers keep their country code
("8613812345678" for a Chinese driver) and are not Vietnamese: no ZNS, no brandname SMS.
"""

import re
import unicodedata

# Vietnam's mobile prefixes since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x (10 digits).
_VN_MOBILE = re.compile(r"^(?:84|0)([35789]\d{8})$")


def normalise_phone(raw: str | None) -> str:
    """Digits only with the country code ("84912345678"), or "" when no number was given.

    Raises ValueError for something that is not a phone number.
    """
    if not raw or not raw.strip():
        return ""
    # Full-width digits and plus of a Chinese or Japanese keyboard ("＋８６ １３８…") are the
    # ASCII ones; the separators people type are dropped before the "+" or "00" is looked for
    # ("(+86) 138…", "+84 (0) 912…").
    text = unicodedata.normalize("NFKC", raw).strip()
    digits = re.sub(r"[\s.\-()/\u2010-\u2015]", "", text)
    international = digits.startswith("+") or digits.startswith("00")
    digits = digits.removeprefix("+")
    if digits.startswith("00"):
        digits = digits[2:]
    if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
        raise ValueError(f"not a phone number: {raw!r}")
    # The national trunk "0" kept after the country code: "+84 0912 345 678".
    if digits.startswith("840") and _VN_MOBILE.match("0" + digits[3:]):
        digits = "0" + digits[3:]
    match = _VN_MOBILE.match(digits)
    if match:
        return "84" + match.group(1)
    # A country code never starts with 0.
    if international and 8 <= len(digits) <= 15 and not digits.startswith("0"):
        return digits
    raise ValueError(f"not a phone number: {raw!r}")


def is_vietnamese_mobile(phone: str) -> bool:
    return bool(phone) and phone.startswith("84") and bool(_VN_MOBILE.match(phone))


def e164(phone: str) -> str:
    """A number as ``normalise_phone`` gives it ("8613812345678") written so that it reads back
    as the same number ("+8613812345678"): without its "+", another country's number is not
    one ``normalise_phone`` takes (it cannot tell it from a local number)."""
    if not phone:
        return ""
    return phone if phone.startswith("+") else "+" + phone
