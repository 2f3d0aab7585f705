"""What the platform accepts as input, decided in one place for the API, the forms and imports.

- Text is stored NFC-normalised; control characters (C0 and C1, the Unicode line and paragraph
  separators, lone surrogates) are refused, except a newline or tab in multi-line text. Length
  limits count the stored (normalised) text.
- Numbers are refused, never rounded, when the column cannot store them: the limits come from
  the model field itself (``max_digits`` / ``decimal_places``, the integer type's range and its
  Min/MaxValueValidators), so the API schema, the form and the model agree.
- Moments are refused outside a plausible window for their field: a year 9999 or 0001 breaks
  every page that converts it to the gate's time zone.

The API builds its pydantic field types from these (``cuakhau.core.api_support``); forms use
the form fields below; services call ``clean_text`` / ``plausible_moment`` on imported rows.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import formats, numberformat, timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from cuakhau.core.jsontext import MAX_DEPTH, nodes

# C0 and C1 controls, DEL, U+2028/U+2029, lone surrogates (a JSON "\ud800" decodes to one;
# no database can store it) and the bidirectional overrides and isolates (U+202A-U+202E,
# U+2066-U+2069: "No. 123 \u202eevil" reads "No. 123 live" wherever it is shown). Tab and
# newline are allowed where text may have several lines.
# Non-characters too (U+FDD0–U+FDEF, U+FFFE, U+FFFF): XML, hence an XLSX export, cannot hold
# U+FFFE or U+FFFF (a reconciliation workbook came out damaged).
_FORBIDDEN = (
    "\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufdd0-\ufdef\ufffe\uffff"
)
_CONTROL_SINGLE_LINE = re.compile(f"[{_FORBIDDEN}\t]")
_CONTROL_MULTILINE = re.compile(f"[{_FORBIDDEN.replace(chr(10) + '-', chr(11) + '-')}]")
# Any of them, tab and newline included: what no identifier, code or address holds.
CONTROL_CHARACTER = _CONTROL_SINGLE_LINE


def clean_text(value: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """The text as stored: NFC, ``\\r\\n`` as ``\\n``; raises ``ValidationError`` if it cannot be."""
    if multiline:
        value = value.replace("\r\n", "\n")
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL_SINGLE_LINE
    found = pattern.search(value)
    if found:
        raise ValidationError(
            _("Remove the control character %(char)s at position %(position)d."),
            code="control_character",
            params={"char": f"U+{ord(found.group()):04X}", "position": found.start() + 1},
        )
    value = unicodedata.normalize("NFC", value)
    if value and not any(_visible(c) for c in value):
        # Nothing a reader could see (a zero-width space, a byte-order mark, a lone accent):
        # no text at all, so a required field says so instead of keeping an invisible name.
        return ""
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            _("At most %(limit)d characters (this text has %(length)d)."),
            code="max_length",
            params={"limit": max_length, "length": len(value)},
        )
    return value


# Letters and symbols that print as nothing: fillers of Hangul, the blank Braille pattern.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Format characters, marks that only modify the letter before them, separators.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})


def _visible(char: str) -> bool:
    return char not in _BLANK_LOOKING and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def shown(text: str, length: int = 40) -> str:
    """The start of refused text as a message or a record may quote it: each control character
    as U+FFFD (PostgreSQL stores no NUL; a message shows no bell), and each invisible one
    (zero-width space, word joiner, soft hyphen, byte-order mark: Unicode's format characters)
    too: "25C-888\u200b.88 is not a valid plate" read as a valid plate refused for nothing."""
    quoted = _CONTROL_MULTILINE.sub("\ufffd", str(text)[:length])
    if quoted.isascii():
        return quoted
    return "".join("\ufffd" if unicodedata.category(c) == "Cf" else c for c in quoted)


def check_text(value, model, name: str) -> str:
    """``value`` stripped, as the column ``model.name`` stores it, or ``ValidationError``: a
    text column takes several lines, a char column one, within its length (never cut short)."""
    field = model._meta.get_field(name)
    multiline = field.get_internal_type() == "TextField"
    return clean_text(str(value or "").strip(), multiline=multiline, max_length=field.max_length)


# ---------------------------------------------------------------------------------------------
# Numbers: the limits of a model field


def limit_as_written(limit) -> str:
    """A limit as the reader writes numbers: "0,001" and "1.000.000" in Vietnamese, not
    "0.001" (one thousandth, or one, to a Vietnamese reader?). Four digits or fewer stay
    ungrouped: a year or an hour is not "2.026"."""
    limit = limit() if callable(limit) else limit
    return numberformat.format(
        limit,
        formats.get_format("DECIMAL_SEPARATOR"),
        grouping=3 if abs(limit) >= 10_000 else 0,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


class _SaysItsLimitAsWritten:
    def __call__(self, value):
        try:
            super().__call__(value)
        except ValidationError as refused:
            limit = limit_as_written(self.limit_value)
            params = {**(refused.params or {}), "limit": limit, "limit_value": limit}
            raise ValidationError(self.message, code=self.code, params=params) from None


@deconstructible(path="cuakhau.core.inputs.AtLeast")
class AtLeast(_SaysItsLimitAsWritten, MinValueValidator):
    """``MinValueValidator`` saying "At least 0,001." in the reader's way of writing numbers
    (Django's own says "greater than or equal to 0.001 ." in Vietnamese)."""

    message = _("At least %(limit)s.")


@deconstructible(path="cuakhau.core.inputs.AtMost")
class AtMost(_SaysItsLimitAsWritten, MaxValueValidator):
    """``MaxValueValidator`` saying its limit as the reader writes numbers."""

    message = _("At most %(limit)s.")


def limit_said_as_written(validator):
    """``validator``, or the project's own for a Django limit (a form field's ``min_value``)."""
    for django_kind, ours in ((MinValueValidator, AtLeast), (MaxValueValidator, AtMost)):
        if type(validator) is django_kind:
            custom = validator.message if validator.message != django_kind.message else None
            return ours(validator.limit_value, custom)
    return validator


class _FieldSaysItsLimitsAsWritten:
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [limit_said_as_written(v) for v in self.validators]
        reads_as_written(self)


class IntegerField(_FieldSaysItsLimitsAsWritten, forms.IntegerField):
    """Django's, whose ``min_value`` and ``max_value`` are said as the reader writes numbers."""


class DecimalField(_FieldSaysItsLimitsAsWritten, forms.DecimalField):
    """Django's, whose ``min_value`` and ``max_value`` are said as the reader writes numbers."""


def _declared_limits(field) -> tuple[Decimal | None, Decimal | None]:
    # ``field.validators`` of an integer field adds the running backend's range; read only the
    # validators the model declares, so the limits are the same on every database.
    low = high = None
    for validator in field._validators:
        if not isinstance(validator, MinValueValidator | MaxValueValidator):
            continue  # ``exactly_stored`` and the like: checked by ``check_number`` itself
        limit = validator.limit_value
        limit = limit() if callable(limit) else limit
        if isinstance(validator, MinValueValidator):
            low = Decimal(str(limit)) if low is None else max(low, Decimal(str(limit)))
        elif isinstance(validator, MaxValueValidator):
            high = Decimal(str(limit)) if high is None else min(high, Decimal(str(limit)))
    return low, high


def number_limits(model, name: str) -> dict:
    """What a numeric column stores: ``{"ge", "le", "max_digits", "decimal_places"}`` as apply.

    Integer ranges are the portable ones Django declares for each integer type (SQLite itself
    would store more, PostgreSQL would fail), not the running backend's.
    """
    field = model._meta.get_field(name)
    low, high = _declared_limits(field)
    limits: dict = {}
    kind = field.get_internal_type()
    if kind == "DecimalField":
        limits["max_digits"] = field.max_digits
        limits["decimal_places"] = field.decimal_places
        largest = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** (
            -field.decimal_places
        )
        high = largest if high is None else min(high, largest)
        low = -largest if low is None else max(low, -largest)
    elif kind in BaseDatabaseOperations.integer_field_ranges:
        type_low, type_high = BaseDatabaseOperations.integer_field_ranges[kind]
        low = Decimal(type_low) if low is None else max(low, Decimal(type_low))
        high = Decimal(type_high) if high is None else min(high, Decimal(type_high))
        low, high = int(low), int(high)
    if low is not None:
        limits["ge"] = low
    if high is not None:
        limits["le"] = high
    return limits


# Django reads a decimal column of SQLite through a float rounded to 15 significant digits:
# "9999999999999999.99" came back as 1e16, more digits than its column allows, and the row
# could no longer be read; a whole number of 16 to 18 digits came back rounded. Refused on
# every database alike, whatever the column's ``max_digits``.
SIGNIFICANT_DIGITS = 15


def exactly_stored(number: Decimal) -> None:
    """``ValidationError`` unless every database gives ``number`` back as it was."""
    if not isinstance(number, Decimal) or not number.is_finite():
        return
    digits = len(number.normalize().as_tuple().digits)
    if digits > SIGNIFICANT_DIGITS:
        raise ValidationError(
            _("At most %(limit)d significant digits (this number has %(digits)d)."),
            code="significant_digits",
            params={"limit": SIGNIFICANT_DIGITS, "digits": digits},
        )


def check_number(value, model, name: str):
    """``value`` as the column stores it, or ``ValidationError`` (never rounded)."""
    limits = number_limits(model, name)
    integer = "decimal_places" not in limits
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if integer and isinstance(value, str):
        # Text for a whole-number column (a page's box, read by ``read_local_number``) is
        # held to the API's rule: "3.0" and "1e3" are no count a person types.
        number = Decimal(whole_number(value))
    if integer and number != number.to_integral_value():
        raise ValidationError(_("Enter a whole number."), code="invalid")
    if not integer:
        places = -number.normalize().as_tuple().exponent
        if places > limits["decimal_places"]:
            raise ValidationError(
                _("At most %(places)d decimal places."),
                code="decimal_places",
                params={"places": limits["decimal_places"]},
            )
        exactly_stored(number)
    if "ge" in limits and number < limits["ge"]:
        raise ValidationError(
            _("At least %(limit)s."),
            code="min_value",
            params={"limit": limit_as_written(limits["ge"])},
        )
    if "le" in limits and number > limits["le"]:
        raise ValidationError(
            _("At most %(limit)s."),
            code="max_value",
            params={"limit": limit_as_written(limits["le"])},
        )
    return int(number) if integer else number


# A minus at most, digits of any script (``\d`` in Python), one decimal point at most. No "+":
# a page writes none, and a whole number refuses "+3" (``whole_number``), so "+3.5" is no
# decimal either, on a page, in the API or in a spreadsheet's cell.
_PLAIN_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)")
_MARK_NAMES = {".": _("a dot"), ",": _("a comma"), " ": _("a space")}
# Spaces a person may put between groups of digits ("24 300"): plain, no-break, narrow and thin.
_GROUP_SPACES = re.compile("[ \u00a0\u202f\u2009]")


def ascii_digits(text: str) -> str:
    """``text`` with every script's decimal digits as ASCII ones ("٢٥" is "25", "２５" too),
    as a form reads them (``read_local_number``: ``Decimal`` takes any script's digits); the
    rest as it was, for the reader to refuse."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(c))
        if not c.isascii() and unicodedata.decimal(c, None) is not None
        else c
        for c in text
    )


# The marks a Chinese or Japanese input method types in its wide mode ("１，２３４．５") and the
# minus sign of typesetting, as the narrow ones a page writes; digits are ``ascii_digits``'.
_WIDE_MARKS = str.maketrans(
    {"\uff0c": ",", "\uff0e": ".", "\uff0d": "-", "\uff0b": "+", "\u2212": "-", "\u3000": " "}
)


def number_as_typed(text: str) -> str:
    """A number as a person typed it, with every script's digits and the wide marks as ASCII
    (``１，２３４`` is ``1,234``, ``١٢٣`` is ``123``); its separators are left for the reader
    (``read_local_number``, a spreadsheet's ``amount``) to read or refuse."""
    if text.isascii():
        return text
    return ascii_digits(text.translate(_WIDE_MARKS))


def plain_number(text: str) -> Decimal:
    """A number as a form reads it once its separators are read: a minus, digits (of any
    script), one decimal point; ``ValidationError`` for anything else, "+3.5", "1e5", "NaN",
    "Infinity" and "1_000" included (``Decimal`` alone reads them all). The forms
    (``read_local_number``) and the spreadsheet imports (``core.spreadsheets``) read through
    it, so a cell is a number exactly when a form's box would be."""
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValidationError(_("Enter a number."), code="invalid")
    return Decimal(ascii_digits(text))


# A whole number sent as text: a minus at most, then digits (``ascii_digits``'). No "+", no
# decimals, no exponent, no "_": a page writes none of them in a count.
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
# More digits than any column holds (a BIGINT has 19): refused before ``int`` reads them.
_MOST_DIGITS = 30


def whole_number(value) -> int:
    """A whole number as a client sends one, the one reading of every integer the API takes
    (``core.api_support.WholeNumber``): a JSON integer, or text of digits of any script with
    the wide marks of an input method (``number_as_typed``: "３" and "٣" are 3, "－３" is -3),
    spaces around it ignored, as a form's box reads digits. ``ValidationError`` for anything
    else: JSON's true and false, a JSON number with a fraction or an exponent (3.0, 1e3), and
    text with a sign "+", a decimal point ("3.0", "٣.٠"), an exponent ("1e3"), Python's
    "1_000" or more digits than any column holds; its range is the caller's to check."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        # A float is no whole number even when it is whole: JSON's 1e3 arrives as 1000.0.
        raise ValidationError(_("Enter a whole number."), code="invalid")
    if isinstance(value, int):
        return value
    typed = number_as_typed(value).strip()
    if not _WHOLE_NUMBER.fullmatch(typed):
        raise ValidationError(_("Enter a whole number."), code="invalid")
    if len(typed.lstrip("-")) > _MOST_DIGITS:
        raise ValidationError(_("This number is too large."), code="too_large")
    return int(typed)


def separators_refusal() -> str:
    """What ``read_local_number`` says of a number whose separators it cannot read, in the
    active language (the gate console's script says it too, of a weight typed offline)."""
    from django.utils import formats

    decimal_mark = formats.get_format("DECIMAL_SEPARATOR")
    group_mark = formats.get_format("THOUSAND_SEPARATOR")
    return _(
        "Write the number as this page does, e.g. %(example)s: %(group)s between "
        "thousands, %(decimal)s before the decimals."
    ) % {
        "example": formats.number_format(Decimal("12345.5"), force_grouping=True),
        "group": _MARK_NAMES.get(group_mark, group_mark),
        "decimal": _MARK_NAMES.get(decimal_mark, decimal_mark),
    }


def read_local_number(text: str) -> str:
    """A number typed in a form, read as the page writes numbers in the active language, as
    plain text ("1234.5"); ``ValidationError`` when its separators cannot be read so.

    Vietnamese writes 1.234,5 and English and Chinese 1,234.5: "1.000" typed on a Vietnamese
    page is one thousand, as the page itself shows it, not 1. A separator that is not where
    that convention puts it ("15.5" or "1.00" in Vietnamese, "15,5" in English) is refused with
    an example rather than guessed. Digits of other scripts count as digits and the wide marks
    of a Chinese input method as the narrow ones ("１，２３４．５", ``number_as_typed``); the API
    takes plain JSON numbers and never comes here.
    """
    from django.utils import formats

    decimal_mark = formats.get_format("DECIMAL_SEPARATOR")
    group_mark = formats.get_format("THOUSAND_SEPARATOR")
    compact = _GROUP_SPACES.sub("", number_as_typed(text).strip())
    sign = ""
    if compact[:1] == "-":
        sign, compact = compact[0], compact[1:]
    whole, _mark, fraction = compact.partition(decimal_mark)
    groups = whole.split(group_mark) if group_mark else [whole]
    misplaced = any(mark and mark in fraction for mark in (decimal_mark, group_mark))
    if misplaced or (
        len(groups) > 1
        and not (1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:]))
    ):
        raise ValidationError(separators_refusal(), code="separators")
    plain = "".join(groups)
    plain = f"{sign}{plain}.{fraction}" if _mark else f"{sign}{plain}"
    # "abc", "NaN", "Infinity", "1e5" refused; ASCII digits, as typed otherwise ("0.50" stays).
    return format(plain_number(plain), "f")


def read_local_whole_number(text: str) -> int:
    """A whole number typed in a page's box: the page's own group separators read as
    ``read_local_number`` reads them ("1.000" is one thousand on a Vietnamese page, "1,000" on
    an English one), then the API's rule (``whole_number``): digits of any script and the wide
    marks of an input method read, "+3", "3.0", "1e3" and "1_000" refused as "Enter a whole
    number.", as the API refuses them. Django's own box took "+3" and "3.0" (and "1.000" on an
    English page as 1)."""
    group_mark = formats.get_format("THOUSAND_SEPARATOR")
    compact = _GROUP_SPACES.sub("", number_as_typed(str(text)).strip())
    sign = "-" if compact.startswith("-") else ""
    digits = compact[len(sign) :]
    groups = digits.split(group_mark) if group_mark else [digits]
    if len(groups) > 1 and not (
        1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
    ):
        raise ValidationError(_("Enter a whole number."), code="invalid")
    return whole_number(sign + "".join(groups))


class NumberBox(forms.TextInput):
    """A number's box, its value written as the page writes numbers ("25.345,5" in
    Vietnamese), a year or an hour ungrouped as ``limit_as_written`` has it, not "2.026"."""

    def format_value(self, value):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return limit_as_written(value)
        return super().format_value(value)


def reads_as_written(field: forms.IntegerField) -> None:
    """A number field of Django's that reads and shows numbers as the page writes them.

    Django's own read "25.000" typed on a Vietnamese page (twenty-five thousand, as the page
    shows it) as 25, and an integer field "1.000" as 1; a browser's ``type=number`` box sends
    "7.2" whatever the page's language. The box becomes a text box with a numeric keyboard, its
    value shown as the page writes numbers, and what is typed is read by ``read_local_number``.
    A hidden field carries a number between pages, not a person's writing: left alone.
    """
    whole = not isinstance(field, forms.DecimalField | forms.FloatField)
    if field.widget.is_hidden:
        if whole:
            _read_whole_as_the_api_does(field)
        return
    attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("min", "max", "step")}
    attrs.setdefault("inputmode", "numeric" if whole else "decimal")
    field.widget = NumberBox(attrs=attrs)
    read_plain = field.to_python

    reader = read_local_whole_number if whole else read_local_number

    def read(value):
        if isinstance(value, str) and value.strip() not in field.empty_values:
            value = reader(value)
        return read_plain(value)

    field.to_python = read


def _read_whole_as_the_api_does(field: forms.IntegerField) -> None:
    # A hidden number is written by the page itself ("7"), never grouped: the API's reading,
    # so "+7" or "7.0" sent in its place is refused as it is everywhere else.
    read_plain = field.to_python

    def read(value):
        if isinstance(value, str) and value.strip() not in field.empty_values:
            value = whole_number(value)
        return read_plain(value)

    field.to_python = read


class LocalNumberField(forms.CharField):
    """A number as a person types it on the page (``read_local_number``), passed on as plain
    text for the service to check against its column. ``whole``: a count, read as every
    whole number is (``read_local_whole_number``)."""

    def __init__(self, *, whole: bool = False, **kwargs):
        self.whole = whole
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric" if whole else "decimal"})
        )
        super().__init__(**kwargs)

    def read(self, text: str) -> str:
        """``text`` as plain digits, or ``ValidationError``."""
        if self.whole:
            return str(read_local_whole_number(text))
        return read_local_number(text)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self.read(value)


class ColumnNumberField(LocalNumberField):
    """A form field for a numeric column: the text as typed, checked against the column."""

    def __init__(self, model, name: str, **kwargs):
        self.model, self.name = model, name
        kwargs.setdefault("whole", "decimal_places" not in number_limits(model, name))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return check_number(value, self.model, self.name)


class TextField(forms.CharField):
    """A form field whose cleaned value is what will be stored (NFC, no control characters)."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return clean_text(value, multiline=self.multiline)


class TextAsStored:
    """A form mixin for forms whose fields are not ``TextField`` (the administration's): every
    text the form cleaned is checked by ``clean_text`` too, its error beside its field."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                try:
                    clean_text(value, multiline=True)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


# Django's own words for a key no longer offered (``ModelChoiceField``), in its catalogues:
# the other choice fields echoed what was sent, 10 000 characters or an escape sequence.
CHOICE_NOT_OFFERED = _("Select a valid choice. That choice is not one of the available choices.")


class HeldToTheColumns(TextAsStored):
    """The administration's model forms held to what every other form holds a value to: a
    number read as the page writes numbers and held to its column's portable range and
    declared limits, said as written (the form field's own ``min_value=0`` of a positive
    integer said "≥ 0 ." before the model's "At least 1." could), a day or moment within the
    days every form takes (``plausible_day``), a refused choice not echoed back, text as
    stored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if "%(value)s" in str(field.error_messages.get("invalid_choice", "")):
                field.error_messages["invalid_choice"] = CHOICE_NOT_OFFERED
            if isinstance(field, forms.IntegerField | forms.DecimalField):
                _hold_to_column(field, self._meta.model, name)
            elif isinstance(field, forms.JSONField):
                _read_json_as_stored(field)
            elif isinstance(field, forms.DateField):
                field.validators.append(plausible_day)
            elif isinstance(field, forms.DateTimeField | forms.SplitDateTimeField):
                # Year 1 at UTC+7 is year 0 in UTC: SQLite could not store it (a 500).
                field.validators.append(plausible_day_of_moment)


def json_as_stored(value) -> None:
    """``ValidationError`` for a JSON value no database stores as given: Python's reader takes
    NaN, Infinity and 1e400 (PostgreSQL refuses them, a 500) and a lone surrogate in a string
    (no database can encode it); its texts are held to ``clean_text`` as every text is. Walked
    without recursion: a value nested as deep as the reader goes is no 500 either."""
    for item, enclosing in nodes(value):
        if isinstance(item, dict | list) and enclosing >= MAX_DEPTH:
            raise ValidationError(
                _("Nest the JSON at most %(limit)d levels deep."),
                code="too_deep",
                params={"limit": MAX_DEPTH},
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ValidationError(
                _("JSON has no NaN or Infinity: write a finite number."), code="not_finite"
            )
        if isinstance(item, str):
            clean_text(item, multiline=True)


def _read_json_as_stored(field: forms.JSONField) -> None:
    # Django's reader let ``RecursionError`` through (3,000 "[" answered 500).
    read = field.to_python

    def to_python(value):
        try:
            return read(value)
        except RecursionError:
            raise ValidationError(field.error_messages["invalid"], code="invalid") from None

    field.to_python = to_python
    field.validators.append(json_as_stored)


def _hold_to_column(field, model, name: str) -> None:
    try:
        limits = number_limits(model, name)
    except FieldDoesNotExist:
        return  # a form's own number, not a column's
    field.validators = [
        v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
    ]
    for key, validator in (("ge", AtLeast), ("le", AtMost)):
        if key in limits:
            field.validators.append(validator(limits[key]))
    reads_as_written(field)


# ---------------------------------------------------------------------------------------------
# Moments

# The days a form may name: the first or last day of the calendar cannot be turned into a moment
# in the gate's time zone (a page or a query would fail instead of finding nothing).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def plausible_day(value: dt.date) -> None:
    """``ValidationError`` for a day outside FIRST_DAY – LAST_DAY, the limit written as the
    reader's language writes a day (Django's own said "… or equal to 2100-12-31 .")."""
    if value < FIRST_DAY:
        raise ValidationError(
            _("Choose a day from %(day)s on."),
            code="min_value",
            params={"day": formats.date_format(FIRST_DAY, "SHORT_DATE_FORMAT")},
        )
    if value > LAST_DAY:
        raise ValidationError(
            _("Choose a day up to %(day)s."),
            code="max_value",
            params={"day": formats.date_format(LAST_DAY, "SHORT_DATE_FORMAT")},
        )


PLAUSIBLE_DAY = [plausible_day]


def plausible_day_of_moment(value: dt.datetime) -> None:
    """``plausible_day`` for the day of a moment, in the time zone it was given in."""
    plausible_day(value.date())


class DayField(forms.DateField):
    """A day as every form takes one: the browser's date picker, and only plausible days."""

    default_validators = PLAUSIBLE_DAY

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)


def plausible_moment(
    value: dt.datetime, *, past: dt.timedelta, future: dt.timedelta, message=None
) -> dt.datetime:
    """``value`` (aware) if it lies within ``past`` before and ``future`` after now."""
    if timezone.is_naive(value):
        try:
            value = timezone.make_aware(value)
        except (OverflowError, ValueError):
            raise ValidationError(_("Enter a real date and time."), code="invalid") from None
    try:
        now = timezone.now()
        too_early, too_late = value < now - past, value > now + future
    except OverflowError:
        too_early = too_late = True
    if too_early or too_late:
        raise ValidationError(
            message
            or _("Give a time between %(days_past)d days ago and %(days_future)d days ahead."),
            code="implausible_time",
            params={"days_past": past.days, "days_future": future.days},
        )
    return value
