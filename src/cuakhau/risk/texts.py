"""The reasons an assessment gives, written out in Vietnamese and in English.

These sentences are part of the record, not of the interface: both languages are written at
assessment time from the templates here, so what was stored never depends on which translation
catalogue happened to be installed, nor on the language of the user who triggered it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

LANGUAGES = ("vi", "en")

CHANNEL_NAMES = {
    "vi": {"green": "xanh", "yellow": "vàng", "red": "đỏ"},
    "en": {"green": "green", "yellow": "yellow", "red": "red"},
}

TEMPLATES = {
    "hs_watch.line": {
        "vi": "Dòng {line}: mã HS {code} thuộc danh mục theo dõi (tiền tố {prefix}).",
        "en": "Line {line}: HS {code} is on the watch list (prefix {prefix}).",
    },
    "undervaluation.line": {
        "vi": (
            "Dòng {line} (HS {code}): đơn giá khai báo {value} {currency}/kg thấp hơn {ratio} × "
            "trung vị {median} {currency}/kg của {count} lô đã khai cùng mã HS {hs6} bằng "
            "{currency}."
        ),
        "en": (
            "Line {line} (HS {code}): the declared unit value {value} {currency}/kg is below "
            "{ratio} × the median {median} {currency}/kg of {count} earlier declarations of "
            "HS {hs6} in {currency}."
        ),
    },
    "undervaluation.other_currency": {
        "vi": (
            "Dòng {line} (HS {code}) không được so sánh đơn giá: khai bằng {currency}, trong khi "
            "các lô trước cùng mã HS {hs6} chủ yếu khai bằng {majority}."
        ),
        "en": (
            "Line {line} (HS {code}) was not compared: it is declared in {currency}, while "
            "earlier declarations of HS {hs6} are mostly in {majority}."
        ),
    },
    "failed_inspections": {
        "vi": (
            "Doanh nghiệp có {count} lần kiểm tra thực tế không đạt trong {days} ngày qua "
            "(ngưỡng: từ {minimum} lần)."
        ),
        "en": (
            "The enterprise failed {count} physical inspection(s) in the last {days} days "
            "(rule: {minimum} or more)."
        ),
    },
    "first_time_declarant": {
        "vi": "Doanh nghiệp khai báo lần đầu: chưa có chuyến nào được nộp trước chuyến này.",
        "en": "First declaration by this enterprise: no trip was submitted before this one.",
    },
    "weight_difference": {
        "vi": (
            "Trạm cân ghi {weighed} kg so với tổng trọng lượng cả bì khai báo {declared} kg: "
            "chênh lệch {percent}% (ngưỡng {threshold}%)."
        ),
        "en": (
            "The weighbridge reads {weighed} kg against {declared} kg declared gross: "
            "a difference of {percent}% (threshold {threshold}%)."
        ),
    },
    "weight_difference.nothing_declared": {
        "vi": "Không khai báo trọng lượng hàng nhưng trạm cân ghi {weighed} kg.",
        "en": "No gross weight is declared, but the weighbridge reads {weighed} kg.",
    },
    "random.red": {
        "vi": (
            "Được chọn ngẫu nhiên vào luồng đỏ: giá trị rút thăm {draw} nhỏ hơn tỷ lệ luồng đỏ "
            "{red}."
        ),
        "en": "Selected at random for the red channel: the draw {draw} is below the red rate {red}.",
    },
    "random.yellow": {
        "vi": (
            "Được chọn ngẫu nhiên vào luồng vàng: giá trị rút thăm {draw} nằm từ {red} đến dưới "
            "{limit}."
        ),
        "en": (
            "Selected at random for the yellow channel: the draw {draw} is at least {red} "
            "and below {limit}."
        ),
    },
    "previous_channel": {
        "vi": (
            "Giữ luồng {previous} theo lần đánh giá trước ({when}): đánh giá lại không bao giờ hạ "
            "luồng (riêng lần này tính ra luồng {computed})."
        ),
        "en": (
            "Channel kept at {previous} from the earlier assessment ({when}): a reassessment "
            "never lowers the channel (this one alone gives {computed})."
        ),
    },
}


def number(value, language: str, places: int | None = None) -> str:
    """A number as each language writes it: 1,234.5 in English and 1.234,5 in Vietnamese."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # Trailing zeros carry no meaning here: 28,500.000 kg reads as 28,500 kg.
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    text = f"{value:,f}"
    if language == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def sentence(key: str, **values) -> dict[str, str]:
    """Both languages of one sentence. A value may be a callable of the language (numbers)."""
    return {
        language: TEMPLATES[key][language].format(
            **{k: v(language) if callable(v) else v for k, v in values.items()}
        )
        for language in LANGUAGES
    }


def join(sentences: list[dict[str, str]]) -> dict[str, str]:
    return {language: " ".join(s[language] for s in sentences) for language in LANGUAGES}


def as_number(value, places: int | None = None):
    return lambda language: number(value, language, places)


def channel_name(channel: str):
    return lambda language: CHANNEL_NAMES[language][channel]
