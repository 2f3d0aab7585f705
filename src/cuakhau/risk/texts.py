"""The reasons an assessment gives, written out in Vietnamese, English and Simplified Chinese.

These sentences are part of the record, not of the interface: every language is written at
assessment time from the templates here, so what was stored never depends on which translation
catalogue happened to be installed, nor on the language of the user who triggered it.

Assessments stored before Chinese was written keep only ``reason_vi`` and ``reason_en``, and
not the values the sentences were made from. The English sentence carries those values
verbatim, though (English and Chinese write numbers alike), so ``from_english`` reads them back
out of it with the same templates and writes the Chinese (migration 0009 stored it); a reason
that does not read back stays without, and is shown in English, marked as such
(``services.reason_text``).
"""

from __future__ import annotations

import re
import string
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

LANGUAGES = ("vi", "en", "zh")

CHANNEL_NAMES = {
    "vi": {"green": "xanh", "yellow": "vàng", "red": "đỏ"},
    "en": {"green": "green", "yellow": "yellow", "red": "red"},
    # As the channel labels say them (绿色通道, 黄色通道, 红色通道): the templates add 通道.
    "zh": {"green": "绿色", "yellow": "黄色", "red": "红色"},
}

# Chinese sentences end in 。 and follow one another without a space.
SEPARATORS = {"vi": " ", "en": " ", "zh": ""}

TEMPLATES = {
    "hs_watch.line": {
        "vi": "Dòng {line}: mã HS {code} thuộc danh mục theo dõi (tiền tố {prefix}).",
        "en": "Line {line}: HS {code} is on the watch list (prefix {prefix}).",
        "zh": "第{line}行：HS编码{code}在重点监控清单上（前缀{prefix}）。",
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
        "zh": (
            "第{line}行（HS编码{code}）：申报单价{value} {currency}/千克，低于此前以{currency}"
            "申报的{count}批HS编码{hs6}货物单价中位数{median} {currency}/千克的{ratio}倍。"
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
        "zh": (
            "第{line}行（HS编码{code}）未比较单价：该行以{currency}申报，而此前HS编码{hs6}的"
            "申报大多使用{majority}。"
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
        "zh": "该企业在过去{days}天内有{count}次实货查验未通过（规则：{minimum}次及以上）。",
    },
    "first_time_declarant": {
        "vi": "Doanh nghiệp khai báo lần đầu: chưa có chuyến nào được nộp trước chuyến này.",
        "en": "First declaration by this enterprise: no trip was submitted before this one.",
        "zh": "该企业首次申报：在本车次之前未提交过任何车次。",
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
        "zh": (
            "地磅读数为{weighed} 千克，申报毛重为{declared} 千克：相差{percent}%"
            "（阈值{threshold}%）。"
        ),
    },
    "weight_difference.nothing_declared": {
        "vi": "Không khai báo trọng lượng hàng nhưng trạm cân ghi {weighed} kg.",
        "en": "No gross weight is declared, but the weighbridge reads {weighed} kg.",
        "zh": "未申报毛重，但地磅读数为{weighed} 千克。",
    },
    "random.red": {
        "vi": (
            "Được chọn ngẫu nhiên vào luồng đỏ: giá trị rút thăm {draw} nhỏ hơn tỷ lệ luồng đỏ "
            "{red}."
        ),
        "en": "Selected at random for the red channel: the draw {draw} is below the red rate {red}.",
        "zh": "随机抽选进入红色通道：随机数{draw}低于红色通道比例{red}。",
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
        "zh": "随机抽选进入黄色通道：随机数{draw}不低于{red}且低于{limit}。",
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
        "zh": (
            "沿用上次评估（{when}）的{previous}通道：重新评估从不降低通道（仅按本次评估为"
            "{computed}通道）。"
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
    return {
        language: SEPARATORS[language].join(s[language] for s in sentences)
        for language in LANGUAGES
    }


def as_number(value, places: int | None = None):
    return lambda language: number(value, language, places)


def channel_name(channel: str):
    return lambda language: CHANNEL_NAMES[language][channel]


def stored(reason: dict[str, str]) -> dict[str, str]:
    """A reason's sentences as an assessment's record keeps them (``reason_vi`` ...)."""
    return {f"reason_{language}": reason[language] for language in LANGUAGES}


# The only value with a space in it (a date and a time); the others are codes and numbers.
_SPACED_VALUES = {"when"}


@lru_cache(maxsize=1)
def _english_patterns() -> list[tuple[str, re.Pattern]]:
    patterns = []
    for key, template in TEMPLATES.items():
        parts, seen = [], set()
        for literal, name, _spec, _conversion in string.Formatter().parse(template["en"]):
            parts.append(re.escape(literal))
            if name is None:
                continue
            if name in seen:
                parts.append(f"(?P={name})")
            else:
                seen.add(name)
                parts.append(f"(?P<{name}>{'.+?' if name in _SPACED_VALUES else '[^ ]+?'})")
        # A sentence ends where the next one starts (after one space) or at the end.
        patterns.append((key, re.compile("".join(parts) + r"(?= |\Z)")))
    return patterns


def from_english(text: str) -> str | None:
    """The Chinese of a stored English reason, or None when it is not made of these templates.

    A reason is one sentence or several joined (a line each); each is read back into its
    values, which English and Chinese write alike, except the channel names."""
    channels = {name: code for code, name in CHANNEL_NAMES["en"].items()}
    sentences, at = [], 0
    while at < len(text or ""):
        found = next(
            ((key, m) for key, pattern in _english_patterns() if (m := pattern.match(text, at))),
            None,
        )
        if found is None:
            return None
        key, match = found
        values = match.groupdict()
        for name in ("previous", "computed"):
            if name in values:
                if values[name] not in channels:
                    return None
                values[name] = CHANNEL_NAMES["zh"][channels[values[name]]]
        sentences.append(TEMPLATES[key]["zh"].format(**values))
        at = match.end() + 1
    return SEPARATORS["zh"].join(sentences) or None
