import csv
from decimal import Decimal
from pathlib import Path

import pytest

from cuakhau.payments.vietqr import (
    NAPAS_GUID,
    SERVICE_TO_CARD,
    VietQRError,
    asciify,
    bank_by_bin,
    build_payload,
    crc16_ccitt,
    decode_tlv,
    encode_tlv,
    known_banks,
    parse_payload,
    verify_crc,
)

DATA = Path(__file__).resolve().parent.parent / "data"

with (DATA / "vietqr-examples.csv").open(encoding="utf-8", newline="") as _handle:
    EXAMPLES = list(csv.DictReader(_handle))

EXAMPLE_IDS = [row["crc_given"] for row in EXAMPLES]
VALID = [row for row in EXAMPLES if row["valid_vietqr"].startswith("yes")]
BY_CRC = {row["crc_given"]: row for row in EXAMPLES}

# Expected values written out by hand from each row's description, keyed by the printed CRC
# (unique in the file), so the parser is checked against something other than itself.
EXPECTED = {
    "CBB4": {"bank_bin": "970423", "account": "0099999999", "amount": None, "purpose": ""},
    "722F": {
        "bank_bin": "970422",
        "account": "0023457923442",
        "amount": 40123,
        "purpose": "chuyen khoan",
    },
    "E5DB": {
        "bank_bin": "970422",
        "account": "0023457923442ASDFLJ",
        "amount": 40123,
        "purpose": "chuyen khoan alsdkf laksj",
    },
    "C15C": {
        "bank_bin": "970415",
        "account": "0011001932418",
        "amount": 120000,
        "purpose": "ung ho lu lut",
    },
    "ED54": {"bank_bin": "970415", "account": "113366668888", "amount": 70001, "purpose": ""},
    "A203": {
        "bank_bin": "970403",
        "account": "9704031101234567",
        "amount": 180000,
        "purpose": "thanh toan don hang",
        "bill_number": "NPS6869",
        "service": "QRIBFTTC",
    },
    "FA27": {
        "bank_bin": "970416",
        "account": "545446",
        "amount": 80100,
        "purpose": "Thanh toan anyLEARN 8",
    },
}


def with_crc(body: str) -> str:
    """Append a correct CRC field so hand-made payloads fail only for the reason under test."""
    body += "6304"
    return body + f"{crc16_ccitt(body.encode()):04X}"


# --- CRC -------------------------------------------------------------------------------------


def test_crc_check_value():
    assert crc16_ccitt(b"123456789") == 0x29B1


def test_crc_of_empty_input_is_the_initial_value():
    assert crc16_ccitt(b"") == 0xFFFF


@pytest.mark.parametrize("row", EXAMPLES, ids=EXAMPLE_IDS)
def test_example_crc_matches_recorded_computation(row):
    payload = row["payload"]
    assert payload[-4:] == row["crc_given"]
    assert f"{crc16_ccitt(payload[:-4].encode()):04X}" == row["crc_computed"]
    assert verify_crc(payload) is (row["crc_match"] == "yes")


def test_verify_crc_rejects_malformed_input():
    assert verify_crc("") is False
    assert verify_crc("6304") is False
    assert verify_crc("000201" + "6304ZZZZ") is False
    assert verify_crc(None) is False  # type: ignore[arg-type]


# --- Parsing the published examples ----------------------------------------------------------


def test_expectations_cover_every_valid_example():
    assert {row["crc_given"] for row in VALID} == set(EXPECTED)


@pytest.mark.parametrize("row", VALID, ids=[row["crc_given"] for row in VALID])
def test_valid_examples_parse(row):
    parsed = parse_payload(row["payload"])
    expected = EXPECTED[row["crc_given"]]
    for name, value in expected.items():
        assert getattr(parsed, name) == value, name
    assert parsed.guid == NAPAS_GUID
    assert parsed.currency == "704"
    assert parsed.country == "VN"
    assert parsed.crc == row["crc_given"]
    assert parsed.bank is not None


def test_subiz_mb_dynamic_example():
    parsed = parse_payload(BY_CRC["722F"]["payload"])
    assert parsed.bank_bin == "970422"
    assert parsed.account == "0023457923442"
    assert parsed.amount == 40123
    assert parsed.purpose == "chuyen khoan"
    assert parsed.service == "QRIBFTTA"
    assert parsed.point_of_initiation == "12"
    assert parsed.is_dynamic
    assert parsed.bank.short_name == "MBBank"
    assert list(parsed.raw_fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]


def test_parse_does_not_depend_on_tag_order():
    # The giautm fixture puts 54 before 53 and still carries a valid CRC.
    parsed = parse_payload(BY_CRC["ED54"]["payload"])
    assert list(parsed.raw_fields)[3:5] == ["54", "53"]
    assert (parsed.amount, parsed.currency) == (70001, "704")

    shuffled = with_crc(
        "5802VN"
        "62160812chuyen khoan"
        "5405401235303704"
        "38570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "010212000201"
    )
    reference = parse_payload(BY_CRC["722F"]["payload"])
    parsed = parse_payload(shuffled)
    for name in ("point_of_initiation", "bank_bin", "account", "service", "amount", "purpose"):
        assert getattr(parsed, name) == getattr(reference, name), name


def test_crc_mismatch_example_is_rejected():
    row = next(row for row in EXAMPLES if row["crc_match"] == "no")
    with pytest.raises(VietQRError, match="CRC mismatch: expected 13BC, got E69F"):
        parse_payload(row["payload"])


def test_vnpay_qr_example_is_not_napas_vietqr():
    with pytest.raises(VietQRError, match="not a NAPAS VietQR") as excinfo:
        parse_payload(BY_CRC["58BA"]["payload"])
    assert "A000000775" in str(excinfo.value)


def test_wrong_tag_62_length_example_is_rejected():
    row = BY_CRC["4302"]
    assert "tag 62 declares 27" in row["valid_vietqr"]
    assert verify_crc(row["payload"])  # the CRC alone would not catch this one
    with pytest.raises(VietQRError, match="declares 2 characters but only 0 remain"):
        parse_payload(row["payload"])


def test_every_invalid_example_is_rejected():
    invalid = [row for row in EXAMPLES if not row["valid_vietqr"].startswith("yes")]
    assert len(invalid) == 3
    for row in invalid:
        with pytest.raises(VietQRError):
            parse_payload(row["payload"])


# --- Parsing malformed payloads --------------------------------------------------------------


def test_truncated_payload_is_rejected():
    payload = BY_CRC["722F"]["payload"]
    with pytest.raises(VietQRError, match="truncated"):
        parse_payload(payload[:60])


def test_overlong_declared_length_is_rejected():
    # Amount declares 6 characters but holds 5; the CRC is valid for the edited string.
    payload = with_crc(
        "000201010212"
        "38570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "53037045406401235802VN"
    )
    with pytest.raises(VietQRError):
        parse_payload(payload)


def test_wrong_guid_is_rejected():
    payload = with_crc(
        "00020101021138540010A00000077501240006970423011000999999990208QRIBFTTA53037045802VN"
    )
    with pytest.raises(VietQRError, match="not a NAPAS VietQR.*A000000775"):
        parse_payload(payload)


def test_missing_tag_38_is_rejected():
    with pytest.raises(VietQRError, match="not a NAPAS VietQR.*tag 38"):
        parse_payload(with_crc("00020101021153037045802VN"))


def test_crc_must_be_last_field():
    payload = BY_CRC["CBB4"]["payload"]
    with pytest.raises(VietQRError):
        parse_payload(payload + "5802VN")


def test_duplicate_tag_is_rejected():
    with pytest.raises(VietQRError, match="more than once"):
        parse_payload(with_crc("000201000201"))


def test_non_integer_amount_is_rejected():
    payload = with_crc(
        "000201010212"
        "38570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "530370454074012.505802VN"
    )
    with pytest.raises(VietQRError, match="amount"):
        parse_payload(payload)


def test_parse_rejects_non_string():
    with pytest.raises(VietQRError, match="payload"):
        parse_payload(b"000201")  # type: ignore[arg-type]


# --- Building --------------------------------------------------------------------------------


def test_build_static_tpbank_example():
    expected = (
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA"
        "53037045802VN6304CBB4"
    )
    assert build_payload(bank_bin="970423", account="0099999999") == expected
    assert BY_CRC["CBB4"]["payload"] == expected


@pytest.mark.parametrize(
    ("crc", "kwargs"),
    [
        ("722F", {"bank_bin": "970422", "account": "0023457923442", "purpose": "chuyen khoan"}),
        # Diacritics and truncation to 25 characters, as the subiz library does.
        (
            "E5DB",
            {
                "bank_bin": "970422",
                "account": "0023457923442ASDFLJ",
                "purpose": "chuyển khoản alsdkf laksjdf lkasjdf",
            },
        ),
        ("C15C", {"bank_bin": "970415", "account": "0011001932418", "purpose": "ủng hộ lũ lụt"}),
        (
            "A203",
            {
                "bank_bin": "970403",
                "account": "9704031101234567",
                "service": SERVICE_TO_CARD,
                "bill_number": "NPS6869",
                "purpose": "thanh toán đơn hàng",
            },
        ),
        ("FA27", {"bank_bin": "970416", "account": "545446", "purpose": "Thanh toan anyLEARN 8"}),
    ],
)
def test_build_reproduces_published_dynamic_payloads(crc, kwargs):
    amount = EXPECTED[crc]["amount"]
    assert build_payload(amount=amount, **kwargs) == BY_CRC[crc]["payload"]


def test_build_uses_published_field_order():
    fields = [tag for tag, _ in decode_tlv(BY_CRC["722F"]["payload"])]
    assert fields == ["00", "01", "38", "53", "54", "58", "62", "63"]
    built = build_payload(
        bank_bin="970422",
        account="0023457923442",
        amount=1,
        purpose="x",
        bill_number="B1",
        merchant_name="Cua khau",
        city="Lang Son",
        mcc="4789",
    )
    tags = [tag for tag, _ in decode_tlv(built)]
    assert tags == ["00", "01", "38", "52", "53", "54", "58", "59", "60", "62", "63"]
    additional = [tag for tag, _ in decode_tlv(dict(decode_tlv(built))["62"])]
    assert additional == ["01", "08"]


def test_round_trip():
    payload = build_payload(
        bank_bin="970436",
        account="1234567890123",
        amount=2_500_000,
        purpose="Phí hạ tầng cửa khẩu",
        bill_number="MLT-ABC1234",
        merchant_name="Trung tâm QL cửa khẩu",
        city="Lạng Sơn",
        mcc="9399",
    )
    parsed = parse_payload(payload)
    assert parsed.point_of_initiation == "12"
    assert parsed.guid == NAPAS_GUID
    assert parsed.bank_bin == "970436"
    assert parsed.bank.short_name == "Vietcombank"
    assert parsed.account == "1234567890123"
    assert parsed.service == "QRIBFTTA"
    assert parsed.currency == "704"
    assert parsed.amount == 2_500_000
    assert parsed.country == "VN"
    assert parsed.merchant_name == "Trung tam QL cua khau"
    assert parsed.city == "Lang Son"
    assert parsed.bill_number == "MLT-ABC1234"
    assert parsed.purpose == "Phi ha tang cua khau"
    assert parsed.mcc == "9399"
    assert parsed.crc == payload[-4:]
    assert verify_crc(payload)
    assert payload.isascii()


def test_round_trip_static_without_optional_fields():
    parsed = parse_payload(build_payload(bank_bin="970418", account="12345678"))
    assert parsed.point_of_initiation == "11"
    assert parsed.amount is None
    assert (parsed.purpose, parsed.bill_number, parsed.merchant_name, parsed.city) == ("",) * 4
    assert set(parsed.raw_fields) == {"00", "01", "38", "53", "58", "63"}


def test_dynamic_flag_overrides_amount_default():
    static_with_amount = parse_payload(
        build_payload(bank_bin="970415", account="113366668888", amount=70001, dynamic=False)
    )
    assert (static_with_amount.point_of_initiation, static_with_amount.amount) == ("11", 70001)
    dynamic_without_amount = parse_payload(
        build_payload(bank_bin="970415", account="113366668888", dynamic=True)
    )
    assert (dynamic_without_amount.point_of_initiation, dynamic_without_amount.amount) == (
        "12",
        None,
    )


def test_purpose_with_diacritics_is_ascii_and_truncated():
    payload = build_payload(
        bank_bin="970422", account="0023457923442", purpose="Thanh toán chuyến MLT-ABC1234"
    )
    purpose = parse_payload(payload).purpose
    assert purpose == "Thanh toan chuyen MLT-ABC"
    assert len(purpose) == 25
    assert purpose.isascii()


def test_asciify():
    assert asciify("Đường Đồng Đăng – Lạng Sơn") == "Duong Dong Dang Lang Son"
    assert asciify("Thanh toán chuyến MLT-ABC1234") == "Thanh toan chuyen MLT-ABC1234"
    assert asciify("  a\tb\n c  ") == "a b c"
    assert asciify("ƯỚC Ơ ư") == "UOC O u"


def test_unknown_bin_can_be_allowed_explicitly():
    payload = build_payload(bank_bin="970499", account="123", check_bin=False)
    assert parse_payload(payload).bank_bin == "970499"
    assert parse_payload(payload).bank is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"bank_bin": "97042"}, "bank_bin must be exactly 6 digits"),
        ({"bank_bin": "97042a"}, "bank_bin must be exactly 6 digits"),
        ({"bank_bin": "９７０４２２"}, "bank_bin must be exactly 6 digits"),
        ({"bank_bin": 970422}, "bank_bin must be a str"),
        ({"bank_bin": "970499"}, "bank_bin 970499 is not a known bank BIN"),
        ({"account": ""}, "account must not be empty"),
        ({"account": "0023-4579"}, "account may contain only"),
        ({"account": "00234 579"}, "account may contain only"),
        ({"account": "０１２３"}, "account may contain only"),
        ({"account": "1" * 20}, "account is 20 characters long"),
        ({"amount": 0}, "amount must be positive"),
        ({"amount": -5}, "amount must be positive"),
        ({"amount": 10.5}, "amount must be a whole number"),
        ({"amount": 40123.0}, "amount must be a whole number"),
        ({"amount": Decimal("40123")}, "amount must be a whole number"),
        ({"amount": "40123"}, "amount must be a whole number"),
        ({"amount": True}, "amount must be a whole number"),
        ({"amount": 10**13}, "amount has more than 13 digits"),
        ({"service": "QRXYZ"}, "service must be one of"),
        ({"mcc": "52"}, "mcc must be 4 digits"),
        ({"merchant_name": "Trung tâm Quản lý cửa khẩu Lạng Sơn"}, "merchant_name is 35"),
        ({"city": "Thành phố Hồ Chí Minh"}, "city is 21"),
        ({"bill_number": "HĐ-01"}, "bill_number must be printable ASCII"),
        ({"bill_number": "B" * 26}, "bill_number is 26 characters long"),
        ({"purpose": None}, "purpose must be a str"),
    ],
)
def test_bad_inputs_name_the_field(kwargs, match):
    arguments = {"bank_bin": "970422", "account": "0023457923442"} | kwargs
    with pytest.raises(VietQRError, match=match):
        build_payload(**arguments)


def test_vietqr_error_is_a_value_error():
    assert issubclass(VietQRError, ValueError)


# --- TLV and banks ---------------------------------------------------------------------------


def test_tlv_encode_decode():
    assert encode_tlv("08", "chuyen khoan") == "0812chuyen khoan"
    assert decode_tlv("0812chuyen khoan5802VN") == [("08", "chuyen khoan"), ("58", "VN")]
    assert len(encode_tlv("59", "x" * 99)) == 103


@pytest.mark.parametrize(
    ("tag", "value", "match"),
    [
        ("59", "x" * 100, "at most 99"),
        ("59", "Cửa khẩu", "must be ASCII"),
        ("59", "", "must not be empty"),
        ("5", "x", "2 digits"),
        ("ab", "x", "2 digits"),
    ],
)
def test_tlv_encode_rejects_bad_fields(tag, value, match):
    with pytest.raises(VietQRError, match=match):
        encode_tlv(tag, value)


@pytest.mark.parametrize("data", ["08", "0812chuyen", "0x12chuyen khoan", "08a1x"])
def test_tlv_decode_rejects_malformed_data(data):
    with pytest.raises(VietQRError):
        decode_tlv(data)


def test_bank_by_bin():
    assert bank_by_bin("970436").short_name == "Vietcombank"
    assert bank_by_bin("970422").code == "MB"
    assert bank_by_bin("970415").name == "Ngân hàng TMCP Công thương Việt Nam"
    assert bank_by_bin("000000") is None
    assert bank_by_bin("970401") is None  # dropped from the latest subiz list


def test_known_banks_match_the_csv():
    banks = known_banks()
    assert len(banks) == 56
    assert [bank.bin for bank in banks] == sorted(bank.bin for bank in banks)
    assert all(len(bank.bin) == 6 and bank.bin.isdigit() for bank in banks)
