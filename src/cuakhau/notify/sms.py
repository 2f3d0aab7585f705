"""How long a text message is, and cutting one to a length worth paying for.

An SMS is billed per segment. A text in the GSM 03.38 alphabet (plain English, most Latin
letters) takes 160 characters in one segment and 153 in each of a concatenated message (the
rest carries the join); ``^{}[]~|\\€`` take two places each. Anything else (Vietnamese with its
diacritics, Chinese) goes as UCS-2: 70 characters in one segment, 67 in each of several, a
character beyond the Basic Multilingual Plane taking two.

A text longer than ``MAX_SEGMENTS`` (a revoked receipt's 2,000-character reason would be about
32) is cut and ends with an ellipsis; a link in it (to the full page) is kept whole at the end.
E-mail and Zalo keep the full text: only SMS is cut.
"""

import re
import unicodedata

MAX_SEGMENTS = 3

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Written as an escape and the character: two places each.
_GSM7_EXTENSION = set("^{}\\[~]|€\f")

_SINGLE = {"gsm7": 160, "ucs2": 70}
_PART = {"gsm7": 153, "ucs2": 67}
# The GSM alphabet has no "…".
_ELLIPSIS = {"gsm7": "...", "ucs2": "…"}
_LINK = re.compile(r"https?://\S+")


def is_gsm7(text: str) -> bool:
    """Whether ``text`` goes in the GSM alphabet. Only plain ASCII is sent so: a Vietnamese
    gateway's non-Unicode mode is "không dấu" (no diacritics), and GSM's few accented letters
    (é, à, ñ) are not sure to survive it, so a text with any of them goes as UCS-2."""
    return text.isascii() and all(c in _GSM7_BASIC or c in _GSM7_EXTENSION for c in text)


def encoding(text: str) -> str:
    return "gsm7" if is_gsm7(text) else "ucs2"


def _places(char: str, coding: str) -> int:
    if coding == "gsm7":
        return 2 if char in _GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def length(text: str, coding: str | None = None) -> int:
    """How many places ``text`` takes in its encoding (septets, or UCS-2 code units)."""
    coding = coding or encoding(text)
    return sum(_places(c, coding) for c in text)


def segments(text: str) -> int:
    coding = encoding(text)
    places = length(text, coding)
    if places <= _SINGLE[coding]:
        return 1
    return -(-places // _PART[coding])


def _cut(text: str, room: int, coding: str) -> str:
    """The longest start of ``text`` that takes at most ``room`` places, never ending between
    a letter and its combining mark, nor with the space before what was cut."""
    used, end = 0, 0
    for i, char in enumerate(text):
        used += _places(char, coding)
        if used > room:
            break
        end = i + 1
    while end and end < len(text) and unicodedata.combining(text[end]):
        end -= 1
    return text[:end].rstrip()


def fit(text: str, max_segments: int = MAX_SEGMENTS) -> str:
    """``text`` as it is when it takes at most ``max_segments`` segments; else cut to fit, with
    an ellipsis, and the last link in it kept whole after the ellipsis."""
    if segments(text) <= max_segments:
        return text
    coding = encoding(text)
    room = _PART[coding] * max_segments
    ellipsis = _ELLIPSIS[coding]
    links = list(_LINK.finditer(text))
    if links:
        link = links[-1]
        tail = " " + link.group()
        # A link that would leave no room for the text is no link worth keeping.
        left = room - length(ellipsis + tail, coding)
        if left >= room // 2:
            head = (text[: link.start()] + text[link.end() :]).strip()
            return _cut(head, left, coding) + ellipsis + tail
    return _cut(text, room - length(ellipsis, coding), coding) + ellipsis
