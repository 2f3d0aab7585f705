"""Trip references: short, readable, with a check character so a mistyped one is caught.

``MLT-4KX7P2Q``: the gate code, six characters from an alphabet without look-alikes
(no 0/O, 1/I), and an ISO 7064 MOD 37-2 check character over the code and the body, which
catches every single-character error and every swap of two adjacent characters.
"""

import re
import secrets

from stdnum.iso7064 import mod_37_2

from cuakhau.reference.validators import canonical_ascii

BODY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY_LENGTH = 6
_SHAPE = re.compile(r"^([A-Z]{3})([0-9A-Z]{6})([0-9A-Z*])$")


def new_reference(gate_code: str) -> str:
    prefix = gate_code.upper()
    while True:
        body = "".join(secrets.choice(BODY_ALPHABET) for _ in range(BODY_LENGTH))
        check = mod_37_2.calc_check_digit(prefix + body)
        # MOD 37-2 may give "*"; banks strip it from transfer texts, so such bodies are skipped.
        if check != "*":
            return f"{prefix}-{body}{check}"


def _compact(value: str) -> str:
    # Canonical ASCII first: a reference typed in fullwidth (ＭＬＴ－４ＫＸ…) or with another
    # script's digits is the same reference.
    return re.sub(r"[\s\-_.]", "", canonical_ascii(value))


def normalise_reference(value: str) -> str:
    compact = _compact(value)
    m = _SHAPE.match(compact)
    if not m:
        return compact
    return f"{m[1]}-{m[2]}{m[3]}"


def has_reference_shape(value: str) -> bool:
    """Written as a reference is (three letters, seven characters), whatever its check."""
    return bool(_SHAPE.match(_compact(value)))


def is_valid_reference(value: str) -> bool:
    compact = _compact(value)
    return bool(_SHAPE.match(compact)) and mod_37_2.is_valid(compact)
