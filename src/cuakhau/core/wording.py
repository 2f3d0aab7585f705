"""Lists of words joined as the reader's language joins them.

A list of names or labels a person reads (the roles a page is for, the agencies a truck waits
for, the plates called) is separated by ", " in Vietnamese and English and by the enumeration
comma "、" in Chinese ("系统管理员、审计人员、口岸经济区管委会"). Codes a program reads (field
names in an API error, column letters) keep ", " whatever the language.

``join_words(labels)`` in Python; ``{{ labels|join_words }}`` in a template (``labels`` tags).
"""

from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import pgettext

# By the language's first part ("zh" for zh-hans); any other language separates with ", ".
_SEPARATORS = {"zh": "、"}
_DEFAULT = ", "


def list_separator(language: str | None = None) -> str:
    """What separates the items of a list in ``language`` (the active one if None)."""
    code = (language or translation.get_language() or "").lower().replace("_", "-")
    return _SEPARATORS.get(code.split("-")[0], _DEFAULT)


def join_words(items: Iterable, language: str | None = None) -> str:
    """``items`` (labels, names, lazy translations) as one list in ``language``'s way."""
    return list_separator(language).join(str(item) for item in items)


# Clauses (the reasons a receipt is refused, the problems of an event) are separated by a
# semicolon: "; " in Vietnamese and English, the full-width "；" in Chinese.
_CLAUSE_SEPARATORS = {"zh": "；"}


def join_clauses(items: Iterable, language: str | None = None) -> str:
    """``items`` (reasons, problems: clauses of one sentence) as the language separates them."""
    code = (language or translation.get_language() or "").lower().replace("_", "-")
    separator = _CLAUSE_SEPARATORS.get(code.split("-")[0], "; ")
    return separator.join(str(item) for item in items)


def kilograms(n) -> str:
    """A weight with its unit, ``n`` already written as the page writes numbers: "1,100 kg",
    "1.100 kg", "1,100 千克". The one way every figure in kilograms is said (a cargo line's
    quantity in KGM as well as its gross and net weights), so a page never mixes unit words."""
    return pgettext("a weight; the number already written", "%(n)s kg") % {"n": n}


def label_of(choices, value) -> str | None:
    """The label a person reads for a stored code (an enumeration's, or a code → label
    mapping's), in the active language; None for no value, the code itself if unknown (a row
    written by an older version must still show)."""
    if value is None:
        return None
    labels = dict(choices.choices) if isinstance(choices, type) else choices
    return str(labels.get(value, value))


def mid_sentence(label):
    """A label (a state, an agency, a direction: written to stand alone, "Fees paid", "Quarantine")
    put inside a sentence, as the language writes a common noun there: its first letter
    lower-cased ("Trip X is fees paid.", "cán bộ kiểm dịch"); an acronym ("SMS", "API") kept.
    Lazy: a lazy label or a callable is written in whichever language reads it (a ``Phrase``
    kept in each language gets each language's)."""
    from django.utils.functional import Promise, lazy

    def written() -> str:
        value = label() if callable(label) and not isinstance(label, Promise) else label
        text = str(value)
        if len(text) > 1 and text[1].isupper():
            return text
        return text[:1].lower() + text[1:]

    return lazy(written, str)()


# What ends a sentence in the three languages (a Chinese one ends in "。").
_SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")


def _is_chinese(character: str) -> bool:
    return "\u3400" <= character <= "\u9fff" or character in "。，：；！？）"


def as_sentences(texts: Iterable) -> str:
    """Messages one after the other, each ended as a sentence: "A. B." where joining them with
    "; " wrote "A.; B"; a Chinese one ends in "。", with no space after it."""
    said = ""
    for text in texts:
        text = str(text).strip()
        if not text:
            continue
        if not text.endswith(_SENTENCE_ENDS):
            text += "。" if _is_chinese(text[-1]) else "."
        said += ("" if not said or _is_chinese(said[-1]) else " ") + text
    return said
