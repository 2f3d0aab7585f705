"""Tracking codes: ``MC-4KX7P2QH9`` — "một cửa", eight random characters from an alphabet
without look-alikes (32^8 ≈ 10^12 codes), and an ISO 7064 MOD 37-2 check character that
catches every mistyped character and every swap of neighbours (as trips' references)."""

import re
import secrets

from stdnum.iso7064 import mod_37_2

from cuakhau.reference.validators import canonical_ascii

PREFIX = "MC"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 8
_SHAPE = re.compile(rf"^{PREFIX}([0-9A-Z]{{{LENGTH}}})([0-9A-Z])$")


def new_code() -> str:
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        check = mod_37_2.calc_check_digit(PREFIX + body)
        if check != "*":  # "*" does not survive SMS and bank texts
            return f"{PREFIX}-{body}{check}"


def normalise_code(value: str) -> str | None:
    """The code in its stored form, or None when it is not a well-formed code."""
    compact = re.sub(r"[\s\-_.]", "", canonical_ascii(value or "")).upper()
    m = _SHAPE.match(compact)
    if not m or not mod_37_2.is_valid(compact):
        return None
    return f"{PREFIX}-{m[1]}{m[2]}"
