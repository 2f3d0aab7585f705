"""What each kind of rule takes as parameters, checked before a rule set version is saved, and
how a person reads them: each parameter's name and value in the reader's language.

Parameters are stored as JSON under short keys (``ratio``, ``min_history`` …), which are what a
customs manager writes in the expert field and what the API takes. ``PARAMETERS`` says, for each
key, what it means and what it accepts; ``shown`` gives a rule's parameters as labelled values
("Ratio to the median unit value: 0,5") for the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from cuakhau.core import inputs
from cuakhau.core.inputs import shown as quoted
from cuakhau.reference.validators import canonical_ascii

from .choices import RuleKind

MAX_WINDOW_DAYS = 3650
MAX_SCORE = 1000
# Bounds of the whole-number parameters: (minimum, maximum).
MIN_HISTORY = (1, 10000)
WINDOW_DAYS = (1, MAX_WINDOW_DAYS)
MIN_FAILURES = (1, 1000)
# Decimal places of the fractional parameters: finer would change no decision.
RATIO_PLACES = 4
PERCENT_PLACES = 2


def _integer(value, minimum: int, maximum: int | None = None) -> tuple[int | None, str | None]:
    # Read as every whole number the API takes (``inputs.whole_number``): JSON's true, "+3"
    # and Python's "1_000" (which ``int`` took) are no count, "٣" is 3.
    try:
        number = inputs.whole_number(value)
    except ValidationError:
        number = None
    if number is None:
        return None, _("Give a whole number.")
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is None:
            return None, _("Give a number of at least %(min)d.") % {"min": minimum}
        return None, _("Give a number from %(min)d to %(max)d.") % {
            "min": minimum,
            "max": maximum,
        }
    return number, None


def read_decimal(value) -> Decimal | None:
    """A fraction of a rule or of the rule set's settings, sent as a JSON number or as text,
    or None. Text is read as every decimal sent as text is (``inputs.plain_number``): any
    script's digits, a comma or a point; ``Decimal`` took "+0.5", "5e-1" and "0_5", which the
    whole numbers beside them and every other decimal refuse."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            return inputs.plain_number(inputs.number_as_typed(value).strip().replace(",", "."))
        return Decimal(str(value))
    except (InvalidOperation, ValidationError):
        return None


def _decimal(
    value, *, above: Decimal, at_most: Decimal, places: int
) -> tuple[str | None, str | None]:
    number = read_decimal(value)
    if isinstance(value, bool) or number is None or not number.is_finite():
        return None, _("Give a number.")
    if not above < number <= at_most:
        return None, _("Give a number above %(low)s and at most %(high)s.") % {
            "low": above,
            "high": at_most,
        }
    # Checked as written, before anything rounds it: 1e-3000000 is above 0, and normalising it
    # in the default context gave 0 (stored below the rule's own bound); 1e-4000 was stored
    # with 4,000 digits.
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return None, _("Give a number with at most %(places)d decimal places.") % {"places": places}
    # Stored as text: a float in JSON would turn 0.1 into 0.1000000000000000055...
    return format(number.normalize(), "f"), None


def _prefixes(value) -> tuple[list[str] | None, str | None]:
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    if not isinstance(value, list):
        return None, _("Give a list of HS code prefixes.")
    prefixes: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            # A list, an object, null in the list: no prefix to quote back.
            return None, _("Each HS code prefix is 2 to 8 digits.")
        compact = re.sub(r"[\s\.]", "", canonical_ascii(str(item)))
        if not compact:
            continue
        if not re.fullmatch(r"[0-9]{2,8}", compact):
            return None, _("%(prefix)s is not an HS prefix: give 2 to 8 digits.") % {
                "prefix": quoted(str(item))
            }
        if compact not in prefixes:
            prefixes.append(compact)
    if not prefixes:
        return None, _("Give at least one HS code prefix.")
    return prefixes, None


# kind -> {param: cleaner}; a cleaner returns (normalised value, error or None).
SPECS = {
    RuleKind.HS_WATCH: {"prefixes": _prefixes},
    RuleKind.UNDERVALUATION: {
        "ratio": lambda v: _decimal(v, above=Decimal(0), at_most=Decimal(1), places=RATIO_PLACES),
        "min_history": lambda v: _integer(v, *MIN_HISTORY),
    },
    RuleKind.FAILED_INSPECTIONS: {
        "window_days": lambda v: _integer(v, *WINDOW_DAYS),
        "min_failures": lambda v: _integer(v, *MIN_FAILURES),
    },
    RuleKind.FIRST_TIME_DECLARANT: {},
    RuleKind.WEIGHT_DIFFERENCE: {
        "percent": lambda v: _decimal(
            v, above=Decimal(0), at_most=Decimal(100), places=PERCENT_PLACES
        ),
    },
    RuleKind.RANDOM: {},
}


def clean_params(kind: str, params) -> tuple[dict, dict[str, list[str]]]:
    """The parameters normalised, and errors keyed ``params.<name>`` (empty when valid)."""
    if kind not in SPECS:
        return {}, {"kind": [_("Unknown kind of rule: %(kind)s.") % {"kind": kind}]}
    if not isinstance(params, dict):
        return {}, {"params": [_("Give the parameters as an object of names and values.")]}
    spec = SPECS[kind]
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in params:
        if name not in spec:
            errors[f"params.{name}"] = [unknown_parameter(kind, name)]
    for name, cleaner in spec.items():
        if name not in params:
            errors[f"params.{name}"] = [_("This parameter is required.")]
            continue
        value, error = cleaner(params[name])
        if error:
            errors[f"params.{name}"] = [error]
        else:
            clean[name] = value
    return clean, errors


def clean_score(value) -> tuple[int | None, str | None]:
    return _integer(value, 0, MAX_SCORE)


def unknown_parameter(kind: str, name: str) -> str:
    """Why ``name`` is refused, with the names this kind of rule takes instead."""
    if not SPECS[kind]:
        return _("This kind of rule takes no parameters; %(name)s is not one.") % {"name": name}
    return _("This kind of rule takes no parameter %(name)s; it takes: %(names)s.") % {
        "name": name,
        "names": ", ".join(SPECS[kind]),
    }


# ---------------------------------------------------------------------------------------------
# What the parameters mean, for people


def number(value) -> str:
    """A parameter's number as the reader's language writes it (0,5 and 10.000 in Vietnamese)."""
    value = Decimal(str(value))
    places = 0 if value == value.to_integral() else -value.normalize().as_tuple().exponent
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _whole(low_high: tuple[int, int]) -> Callable[[], str]:
    def accepts() -> str:
        low, high = low_high
        return _("a whole number from %(min)s to %(max)s") % {
            "min": number(low),
            "max": number(high),
        }

    return accepts


def _list(items) -> str:
    separator = "、" if (get_language() or "").lower().startswith("zh") else ", "
    return separator.join(str(item) for item in items)


def _days(value) -> str:
    count = int(value)
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": number(count)}


@dataclass(frozen=True)
class Parameter:
    label: Promise  # what the value is, in the reader's language
    accepts: Callable[[], str]  # what may be written, for the editing help
    show: Callable[[object], str]  # the stored value as the reader's language writes it
    example: object  # a value that would do, for the JSON shown as an example


PARAMETERS: dict[str, Parameter] = {
    "prefixes": Parameter(
        gettext_lazy("Watched HS code prefixes"),
        lambda: _("a list of HS code prefixes, each of 2 to 8 digits"),
        _list,
        ["2402", "93"],
    ),
    "ratio": Parameter(
        gettext_lazy("Ratio to the median unit value"),
        lambda: (
            _(
                "a number above 0 and at most 1, with at most %(places)d decimal places: the "
                "share of the median below which a line fires"
            )
            % {"places": RATIO_PLACES}
        ),
        number,
        "0.5",
    ),
    "min_history": Parameter(
        gettext_lazy("Earlier declarations needed to compare"),
        _whole(MIN_HISTORY),
        number,
        5,
    ),
    "window_days": Parameter(
        gettext_lazy("Look-back period"),
        lambda: (
            _("a whole number of days from %(min)s to %(max)s")
            % {"min": number(WINDOW_DAYS[0]), "max": number(WINDOW_DAYS[1])}
        ),
        _days,
        180,
    ),
    "min_failures": Parameter(
        gettext_lazy("Failed inspections needed"),
        _whole(MIN_FAILURES),
        number,
        1,
    ),
    "percent": Parameter(
        gettext_lazy("Tolerated weight difference"),
        lambda: (
            _("a percentage above 0 and at most 100, with at most %(places)d decimal places")
            % {"places": PERCENT_PLACES}
        ),
        lambda value: f"{number(value)}%",
        "10",
    ),
}


def shown(kind: str, params: dict) -> list[tuple[str, str]]:
    """The rule's parameters as (label, value) in the reader's language, in the kind's order.

    A key this version of cuakhau does not know (a rule saved by a later one) is shown as it is
    stored rather than hidden: the rule still holds it.
    """
    known = [name for name in SPECS.get(kind, {}) if name in params]
    rows = []
    for name in [*known, *(name for name in params if name not in known)]:
        parameter = PARAMETERS.get(name)
        if parameter is None:
            rows.append((name, str(params[name])))
            continue
        try:
            value = parameter.show(params[name])
        except (ArithmeticError, TypeError, ValueError):
            value = str(params[name])
        rows.append((str(parameter.label), value))
    return rows


def example(kind: str, params: dict | None = None) -> dict:
    """The parameters a rule of this kind could have: its own where given, else examples."""
    return {name: (params or {}).get(name, PARAMETERS[name].example) for name in SPECS[kind]}
