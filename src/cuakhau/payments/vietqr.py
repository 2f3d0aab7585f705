"""Build and parse VietQR payloads (NAPAS EMVCo merchant-presented QR for bank transfers).

A VietQR payload is an EMVCo MPM string: a flat sequence of TLV fields, each written as a
2-digit tag, a 2-digit length (counting characters of the value) and the value. Some values
are themselves TLV sequences ("templates"). The last field is always the CRC, tag 63, whose
value is the CRC-16/CCITT-FALSE of everything before it *including* the "6304" header.

Layout produced by :func:`build_payload` (ascending tag order, as in the published payloads)::

    00  payload format indicator   "01"
    01  point of initiation        "11" static (reusable) / "12" dynamic (one payment)
    38  merchant account info      template:
          00  GUID                 "A000000727" (NAPAS)
          01  beneficiary org      template: 00 acquirer BIN (6 digits), 01 account/card (<=19)
          02  service code         "QRIBFTTA" to account / "QRIBFTTC" to card / "QRPUSH"
    52  merchant category code     optional, 4 digits
    53  transaction currency       "704" (VND)
    54  amount                     optional, whole VND, no decimals
    58  country code               "VN"
    59  merchant name              optional (EMVCo: at most 25 characters)
    60  merchant city              optional (EMVCo: at most 15 characters)
    62  additional data            template: 01 bill number, 08 purpose (<=25 characters)
    63  CRC                        4 upper-case hex digits

This follows the NAPAS VietQR profile as documented by open-source libraries (subiz/vietqr,
giautm/emvqr-go, unicubevn/vietqr-payment-js) and checked against their published test
payloads (see data/SOURCES.md). The NAPAS specification PDF itself was not available, so
anything the libraries do not cover (for instance tags other than those above) is parsed
leniently rather than validated.

Free text (purpose, merchant name, city) is made ASCII before encoding because banking apps
disagree on how to read non-ASCII bytes and the TLV lengths count characters. Only the
standard library is used so the module can be reused outside Django.
"""

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "NAPAS_GUID",
    "SERVICE_MERCHANT",
    "SERVICE_TO_ACCOUNT",
    "SERVICE_TO_CARD",
    "Bank",
    "VietQRError",
    "VietQRPayload",
    "asciify",
    "bank_by_bin",
    "build_payload",
    "crc16_ccitt",
    "decode_tlv",
    "encode_tlv",
    "known_banks",
    "parse_payload",
    "verify_crc",
]

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
SERVICE_TO_CARD = "QRIBFTTC"
SERVICE_MERCHANT = "QRPUSH"
SERVICES = frozenset({SERVICE_TO_ACCOUNT, SERVICE_TO_CARD, SERVICE_MERCHANT})

CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"
DYNAMIC = "12"

MAX_TLV_VALUE = 99
MAX_ACCOUNT = 19
MAX_PURPOSE = 25
# EMVCo MPM limits; the VietQR libraries do not restate them, but scanners may reject longer.
MAX_MERCHANT_NAME = 25
MAX_CITY = 15
MAX_BILL_NUMBER = 25
MAX_AMOUNT_DIGITS = 13

# ASCII-only classes: Python's \d would also accept e.g. Arabic-Indic or full-width digits.
_DIGITS = re.compile(r"[0-9]+")
_BIN = re.compile(r"[0-9]{6}")
_ACCOUNT = re.compile(r"[A-Za-z0-9]+")
_MCC = re.compile(r"[0-9]{4}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_PRINTABLE_ASCII = re.compile(r"[ -~]*")

_BANKS_CSV = Path(__file__).resolve().parent / "data" / "banks.csv"


class VietQRError(ValueError):
    """An invalid VietQR input or payload; the message names the offending field."""


@dataclass(frozen=True)
class Bank:
    bin: str
    code: str
    short_name: str
    name: str


@dataclass(frozen=True)
class VietQRPayload:
    point_of_initiation: str
    guid: str
    bank_bin: str
    account: str
    service: str
    currency: str
    amount: int | None
    country: str
    merchant_name: str
    city: str
    bill_number: str
    purpose: str
    mcc: str
    crc: str
    # Excluded from the hash because a dict is unhashable; equality still compares it.
    raw_fields: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def is_dynamic(self) -> bool:
        return self.point_of_initiation == DYNAMIC

    @property
    def bank(self) -> Bank | None:
        return bank_by_bin(self.bank_bin)


# --- CRC -------------------------------------------------------------------------------------


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def _crc_hex(text: str) -> str:
    # The libraries hash UTF-8 bytes; for the ASCII payloads we build this is the same thing.
    return f"{crc16_ccitt(text.encode('utf-8')):04X}"


def verify_crc(payload: str) -> bool:
    """True if ``payload`` ends with a "6304XXXX" field whose CRC matches the rest."""
    if not isinstance(payload, str):
        return False
    payload = payload.strip()
    if len(payload) < 8 or payload[-8:-4] != "6304" or not _HEX4.fullmatch(payload[-4:]):
        return False
    return payload[-4:].upper() == _crc_hex(payload[:-4])


# --- TLV -------------------------------------------------------------------------------------


def encode_tlv(tag: str, value: str) -> str:
    """Encode one EMVCo field. ``value`` must already be ASCII (see :func:`asciify`)."""
    if not (isinstance(tag, str) and len(tag) == 2 and _DIGITS.fullmatch(tag)):
        raise VietQRError(f"TLV tag must be 2 digits, got {tag!r}")
    if not isinstance(value, str):
        raise VietQRError(f"tag {tag}: value must be a str, got {type(value).__name__}")
    if not value:
        raise VietQRError(f"tag {tag}: value must not be empty (omit the field instead)")
    if not value.isascii():
        raise VietQRError(f"tag {tag}: value must be ASCII, got {value!r}")
    if len(value) > MAX_TLV_VALUE:
        raise VietQRError(
            f"tag {tag}: value is {len(value)} characters long, at most {MAX_TLV_VALUE} allowed"
        )
    return f"{tag}{len(value):02d}{value}"


def _encode_fields(fields: Iterable[tuple[str, str]]) -> str:
    return "".join(encode_tlv(tag, value) for tag, value in fields)


def decode_tlv(data: str, *, where: str = "payload") -> list[tuple[str, str]]:
    """Split ``data`` into (tag, value) pairs in their original order.

    Raises :class:`VietQRError` if a header is malformed or a declared length runs past the
    end of ``data`` (which is also how an over-long declared length shows up).
    """
    fields: list[tuple[str, str]] = []
    pos = 0
    while pos < len(data):
        header = data[pos : pos + 4]
        if len(header) < 4:
            raise VietQRError(
                f"{where}: truncated TLV at position {pos}: {header!r} is too short "
                "for a 2-digit tag and 2-digit length"
            )
        tag, length_text = header[:2], header[2:]
        if not _DIGITS.fullmatch(tag) or not _DIGITS.fullmatch(length_text):
            raise VietQRError(
                f"{where}: malformed TLV header {header!r} at position {pos} "
                "(expected a 2-digit tag and a 2-digit length)"
            )
        length = int(length_text)
        value = data[pos + 4 : pos + 4 + length]
        if len(value) < length:
            raise VietQRError(
                f"{where}: tag {tag} at position {pos} declares {length} characters but only "
                f"{len(value)} remain (truncated payload or wrong length)"
            )
        fields.append((tag, value))
        pos += 4 + length
    return fields


def _unique(pairs: list[tuple[str, str]], *, where: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for tag, value in pairs:
        if tag in result:
            raise VietQRError(f"{where}: tag {tag} appears more than once")
        result[tag] = value
    return result


def _decode_unique(data: str, *, where: str) -> dict[str, str]:
    return _unique(decode_tlv(data, where=where), where=where)


# --- Text ------------------------------------------------------------------------------------

# NFKD does not decompose đ/Đ (they are letters, not d + a mark). U+00D0 (Icelandic eth) looks
# identical to Đ and is sometimes typed in its place.
_NO_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D"})


def asciify(text: str) -> str:
    """Strip Vietnamese diacritics, drop anything else non-printable, collapse whitespace."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    kept = []
    for char in decomposed:
        if char.isspace():
            kept.append(" ")
        elif " " <= char <= "~":
            kept.append(char)
        # Combining marks and other non-ASCII characters are dropped.
    return " ".join("".join(kept).split())


# --- Banks -----------------------------------------------------------------------------------


@functools.cache
def _banks() -> dict[str, Bank]:
    with _BANKS_CSV.open(encoding="utf-8", newline="") as handle:
        return {
            row["bin"]: Bank(
                bin=row["bin"], code=row["code"], short_name=row["short_name"], name=row["name"]
            )
            for row in csv.DictReader(handle)
        }


def known_banks() -> tuple[Bank, ...]:
    """All banks in data/banks.csv, ordered by BIN."""
    return tuple(sorted(_banks().values(), key=lambda bank: bank.bin))


def bank_by_bin(bin: str) -> Bank | None:
    """The bank with this 6-digit NAPAS BIN, or None if it is not in data/banks.csv."""
    return _banks().get(bin)


# --- Build -----------------------------------------------------------------------------------


def _require_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise VietQRError(f"{name} must be a str, got {type(value).__name__}")
    return value


def _check_bank_bin(bank_bin: object, *, check_known: bool) -> str:
    bank_bin = _require_str(bank_bin, "bank_bin")
    if not _BIN.fullmatch(bank_bin):
        raise VietQRError(f"bank_bin must be exactly 6 digits, got {bank_bin!r}")
    if check_known and bank_by_bin(bank_bin) is None:
        raise VietQRError(f"bank_bin {bank_bin} is not a known bank BIN (see data/banks.csv)")
    return bank_bin


def _check_account(account: object) -> str:
    account = _require_str(account, "account")
    if not account:
        raise VietQRError("account must not be empty")
    if not _ACCOUNT.fullmatch(account):
        raise VietQRError(f"account may contain only ASCII letters and digits, got {account!r}")
    if len(account) > MAX_ACCOUNT:
        raise VietQRError(
            f"account is {len(account)} characters long, at most {MAX_ACCOUNT} allowed"
        )
    return account


def _check_amount(amount: object) -> int:
    # bool is a subclass of int, and True would otherwise encode as an amount of 1 VND.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise VietQRError(
            f"amount must be a whole number of VND (int), got {type(amount).__name__} {amount!r}"
        )
    if amount <= 0:
        raise VietQRError(f"amount must be positive, got {amount}")
    if len(str(amount)) > MAX_AMOUNT_DIGITS:
        raise VietQRError(f"amount has more than {MAX_AMOUNT_DIGITS} digits: {amount}")
    return amount


def _check_text(value: object, name: str, max_length: int) -> str:
    text = asciify(_require_str(value, name))
    if len(text) > max_length:
        raise VietQRError(
            f"{name} is {len(text)} characters long after removing diacritics, "
            f"at most {max_length} allowed: {text!r}"
        )
    return text


def _check_bill_number(bill_number: object) -> str:
    bill_number = _require_str(bill_number, "bill_number")
    # A reference is matched by the payee, so it is rejected rather than silently rewritten.
    if not _PRINTABLE_ASCII.fullmatch(bill_number):
        raise VietQRError(f"bill_number must be printable ASCII, got {bill_number!r}")
    if len(bill_number) > MAX_BILL_NUMBER:
        raise VietQRError(
            f"bill_number is {len(bill_number)} characters long, at most {MAX_BILL_NUMBER} allowed"
        )
    return bill_number


def build_payload(
    *,
    bank_bin: str,
    account: str,
    amount: int | None = None,
    purpose: str = "",
    bill_number: str = "",
    merchant_name: str = "",
    city: str = "",
    service: str = SERVICE_TO_ACCOUNT,
    dynamic: bool | None = None,
    mcc: str = "",
    check_bin: bool = True,
) -> str:
    """Return a VietQR payload string, ready to be rendered as a QR code.

    ``dynamic`` defaults to True exactly when an amount is given. ``purpose`` is made ASCII
    and truncated to 25 characters; other invalid inputs raise :class:`VietQRError`.
    ``check_bin=False`` skips the look-up in data/banks.csv (for BINs newer than the list).
    """
    bank_bin = _check_bank_bin(bank_bin, check_known=check_bin)
    account = _check_account(account)
    if amount is not None:
        amount = _check_amount(amount)
    if _require_str(service, "service") not in SERVICES:
        raise VietQRError(f"service must be one of {sorted(SERVICES)}, got {service!r}")
    if _require_str(mcc, "mcc") and not _MCC.fullmatch(mcc):
        raise VietQRError(f"mcc must be 4 digits, got {mcc!r}")
    merchant_name = _check_text(merchant_name, "merchant_name", MAX_MERCHANT_NAME)
    city = _check_text(city, "city", MAX_CITY)
    bill_number = _check_bill_number(bill_number)
    # Truncating (not rejecting) matches the reference libraries: the purpose is a free-text
    # note for the payee and the payload must still fit the field.
    purpose = asciify(_require_str(purpose, "purpose"))[:MAX_PURPOSE].rstrip()
    if dynamic is None:
        dynamic = amount is not None

    beneficiary = _encode_fields([("00", bank_bin), ("01", account)])
    merchant_account = _encode_fields([("00", NAPAS_GUID), ("01", beneficiary), ("02", service)])
    fields = [
        ("00", "01"),
        ("01", DYNAMIC if dynamic else STATIC),
        ("38", merchant_account),
    ]
    if mcc:
        fields.append(("52", mcc))
    fields.append(("53", CURRENCY_VND))
    if amount is not None:
        fields.append(("54", str(amount)))
    fields.append(("58", COUNTRY_VN))
    if merchant_name:
        fields.append(("59", merchant_name))
    if city:
        fields.append(("60", city))
    additional = [(tag, value) for tag, value in (("01", bill_number), ("08", purpose)) if value]
    if additional:
        fields.append(("62", _encode_fields(additional)))

    body = _encode_fields(fields) + "6304"
    return body + _crc_hex(body)


# --- Parse -----------------------------------------------------------------------------------


def _not_napas(fields: dict[str, str]) -> VietQRError:
    # Name what was found instead, e.g. a VNPAY-QR code (GUID A000000775 under tag 26), so
    # the user learns why their scan is refused.
    found = []
    for tag in sorted(fields):
        if "26" <= tag <= "51":
            try:
                guid = _decode_unique(fields[tag], where=f"tag {tag}").get("00", "?")
            except VietQRError:
                guid = "?"
            found.append(f"tag {tag} with GUID {guid}")
    detail = f"; found {', '.join(found)}" if found else ""
    return VietQRError(
        "not a NAPAS VietQR payload: tag 38 (merchant account information) is missing" + detail
    )


def parse_payload(payload: str) -> VietQRPayload:
    """Parse and validate a VietQR payload string; field order does not matter."""
    if not isinstance(payload, str):
        raise VietQRError(f"payload must be a str, got {type(payload).__name__}")
    payload = payload.strip()
    if not payload:
        raise VietQRError("payload is empty")

    # The CRC is checked before the TLV structure because a mismatch is the clearest diagnosis
    # of a damaged or hand-edited payload; the structure check below still catches a "6304"
    # that only looks like the CRC header.
    if payload[-8:-4] == "6304":
        expected = _crc_hex(payload[:-4])
        if payload[-4:].upper() != expected:
            raise VietQRError(f"CRC mismatch: expected {expected}, got {payload[-4:]}")
    ordered = decode_tlv(payload)
    fields = _unique(ordered, where="payload")
    last_tag, crc = ordered[-1]
    if last_tag != "63" or not _HEX4.fullmatch(crc):
        raise VietQRError(
            "CRC field (tag 63, 4 hex digits) must be the last field of the payload, "
            f"last field is tag {last_tag} = {crc!r}"
        )

    if fields.get("00") != "01":
        raise VietQRError(
            f"payload format indicator (tag 00) must be '01', got {fields.get('00')!r}"
        )
    point_of_initiation = fields.get("01", "")
    if point_of_initiation not in ("", STATIC, DYNAMIC):
        raise VietQRError(
            f"point of initiation (tag 01) must be '11' or '12', got {point_of_initiation!r}"
        )

    if "38" not in fields:
        raise _not_napas(fields)
    merchant = _decode_unique(fields["38"], where="tag 38")
    guid = merchant.get("00", "")
    if guid != NAPAS_GUID:
        raise VietQRError(
            f"not a NAPAS VietQR payload: tag 38 GUID (sub-tag 00) is {guid!r}, "
            f"expected {NAPAS_GUID!r}"
        )
    if "01" not in merchant:
        raise VietQRError("tag 38 has no beneficiary organisation (sub-tag 01)")
    beneficiary = _decode_unique(merchant["01"], where="tag 38.01")
    bank_bin = beneficiary.get("00", "")
    if not _BIN.fullmatch(bank_bin):
        raise VietQRError(f"bank BIN (tag 38.01.00) must be 6 digits, got {bank_bin!r}")
    account = beneficiary.get("01", "")
    if not account:
        raise VietQRError("account (tag 38.01.01) is missing")

    amount = None
    if "54" in fields:
        amount_text = fields["54"]
        if not _DIGITS.fullmatch(amount_text) or int(amount_text) <= 0:
            raise VietQRError(
                f"amount (tag 54) must be a positive whole number of VND, got {amount_text!r}"
            )
        amount = int(amount_text)

    additional = _decode_unique(fields["62"], where="tag 62") if "62" in fields else {}

    return VietQRPayload(
        point_of_initiation=point_of_initiation,
        guid=guid,
        bank_bin=bank_bin,
        account=account,
        service=merchant.get("02", ""),
        currency=fields.get("53", ""),
        amount=amount,
        country=fields.get("58", ""),
        merchant_name=fields.get("59", ""),
        city=fields.get("60", ""),
        bill_number=additional.get("01", ""),
        purpose=additional.get("08", ""),
        mcc=fields.get("52", ""),
        crc=crc.upper(),
        raw_fields=fields,
    )
