"""What each kind of rule takes as parameters, checked before a rule set version is saved."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .choices import RuleKind

MAX_WINDOW_DAYS = 3650
MAX_SCORE = 1000


def _integer(value, minimum: int, maximum: int | None = None) -> tuple[int | None, str | None]:
    # JSON true is an int to Python; a checkbox sent where a number belongs is still an error.
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip()) if value is not None else None
    except ValueError:
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


def _decimal(value, *, above: Decimal, at_most: Decimal) -> tuple[str | None, str | None]:
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite():
        return None, _("Give a number.")
    if not above < number <= at_most:
        return None, _("Give a number above %(low)s and at most %(high)s.") % {
            "low": above,
            "high": at_most,
        }
    # Stored as text: a float in JSON would turn 0.1 into 0.1000000000000000055...
    return format(number.normalize(), "f"), None


def _prefixes(value) -> tuple[list[str] | None, str | None]:
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value)
    if not isinstance(value, list):
        return None, _("Give a list of HS code prefixes.")
    prefixes: list[str] = []
    for item in value:
        compact = re.sub(r"[\s\.]", "", str(item))
        if not compact:
            continue
        if not re.fullmatch(r"\d{2,8}", compact):
            return None, _("%(prefix)s is not an HS prefix: give 2 to 8 digits.") % {"prefix": item}
        if compact not in prefixes:
            prefixes.append(compact)
    if not prefixes:
        return None, _("Give at least one HS code prefix.")
    return prefixes, None


# kind -> {param: cleaner}; a cleaner returns (normalised value, error or None).
SPECS = {
    RuleKind.HS_WATCH: {"prefixes": _prefixes},
    RuleKind.UNDERVALUATION: {
        "ratio": lambda v: _decimal(v, above=Decimal(0), at_most=Decimal(1)),
        "min_history": lambda v: _integer(v, 1, 10000),
    },
    RuleKind.FAILED_INSPECTIONS: {
        "window_days": lambda v: _integer(v, 1, MAX_WINDOW_DAYS),
        "min_failures": lambda v: _integer(v, 1, 1000),
    },
    RuleKind.FIRST_TIME_DECLARANT: {},
    RuleKind.WEIGHT_DIFFERENCE: {
        "percent": lambda v: _decimal(v, above=Decimal(0), at_most=Decimal(100)),
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
            errors[f"params.{name}"] = [
                _("This kind of rule takes no parameter %(name)s.") % {"name": name}
            ]
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
