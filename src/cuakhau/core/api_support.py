"""Pieces every app's API uses: request context, pagination, error shapes."""

import contextlib
import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _lazy
from ninja import Schema
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from cuakhau.core import context, inputs
from cuakhau.core.jsontext import read_json
from cuakhau.core.wording import label_of  # noqa: F401  (the API modules' import)

MAX_PAGE_SIZE = 200


def context_of(request) -> context.RequestContext:
    # A gate device authenticated with its own key (cuakhau.core.policy) is its own channel.
    channel = context.Channel.DEVICE if getattr(request, "device", None) else context.Channel.API
    return context.context_of(request, channel)


def _window(page: int, page_size: int) -> tuple[int, int, int]:
    """The page and its size within bounds, and the first row's offset."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(1, page)
    return page, page_size, (page - 1) * page_size


def paginate(qs, page: int, page_size: int, render, response=None, request=None) -> dict:
    """One page of a list in the API's envelope, ``{"count": total, "items": [...]}``; with
    the handler's ``response`` and ``request``, also the headers every list answers
    (``page_headers``)."""
    page, page_size, start = _window(page, page_size)
    count = qs.count()
    if response is not None and request is not None:
        page_headers(request, response, count, page, page_size)
    return {"count": count, "items": [render(o) for o in qs[start : start + page_size]]}


def page_of(rows, page: int, page_size: int, request, response) -> list:
    """One page of a list answered as a JSON array (its total and next page in headers)."""
    page, page_size, start = _window(page, page_size)
    items = list(rows[start : start + page_size])
    if 0 < len(items) < page_size or (page == 1 and not items):
        # The last page: the total is known without counting (most lists fit in one page).
        count = start + len(items)
    else:
        count = len(rows) if isinstance(rows, list) else rows.count()
    page_headers(request, response, count, page, page_size)
    return items


def page_headers(request, response, count: int, page: int, page_size: int) -> None:
    """Every list of the API says its total (``X-Total-Count``) and, while there is more, the
    next page's address (``Link: <...>; rel="next"``, RFC 8288), whatever its body's shape."""
    response["X-Total-Count"] = str(count)
    if page * page_size < count:
        query = request.GET.copy()
        query["page"] = str(page + 1)
        query["page_size"] = str(page_size)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'


# The headers of every list's answer, as the OpenAPI document declares them.
LIST_HEADERS = {
    "X-Total-Count": {
        "description": "How many items the list has in all (every page).",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'The next page, while there is one: `<url>; rel="next"` (RFC 8288).',
        "schema": {"type": "string"},
    },
}


def fee_item_out(item: dict) -> dict:
    """A fee item as assessed (and signed into a receipt), with its codes' labels beside them."""
    from cuakhau.fees.choices import RateUnit
    from cuakhau.fees.services import plain_number
    from cuakhau.reference.models import Confidence

    quantity = item.get("quantity")
    # Items assessed before plain_number kept an exponent ("2E+1" for 20 tonnes).
    with contextlib.suppress(ArithmeticError):
        quantity = plain_number(Decimal(quantity)) if isinstance(quantity, str) else quantity
    return {
        **item,
        "quantity": quantity,
        "unit_label": label_of(RateUnit, item.get("unit")),
        "confidence_label": label_of(Confidence, item.get("confidence")),
    }


def path_steps(path: str) -> list:
    """A dotted error path's steps, a list index as a number ("cargo_lines.0.hs_code"). Only
    ASCII digits are an index: str.isdigit() also takes "²", a field name int() refuses."""
    return [int(p) if p.isascii() and p.isdigit() else p for p in path.split(".")]


def error_items(errors: dict[str, list[str]], location: str = "body") -> list[dict]:
    """Service errors in the shape django-ninja gives its own 422s: ``loc`` + ``msg``."""
    items = []
    for path, messages in errors.items():
        loc = [location, *path_steps(path)]
        for message in messages:
            items.append({"loc": loc, "msg": message, "type": "value_error"})
    return items


# The endings of Django's own 404 texts (``Model.objects.get``, ``get_object_or_404``).
_DJANGO_DEFAULTS = ("matching query does not exist.", "matches the given query.")


def not_found_message(exc: Exception) -> str:
    """What a 404 says: the service's own words, never Django's English default ("Receipt
    matching query does not exist.") nor django-ninja's ("Not Found")."""
    from django.utils.translation import gettext as _

    message = str(exc)
    if not message or message == "Not Found" or message.endswith(_DJANGO_DEFAULTS):
        return _("Nothing was found here: the record does not exist or is not yours to see.")
    return message


# ---------------------------------------------------------------------------------------------
# Field types of request schemas: what the columns behind them can store (``core.inputs``)


def _pydantic_error(exc: ValidationError) -> PydanticCustomError:
    message = exc.messages[0] if exc.messages else str(exc)
    return PydanticCustomError(getattr(exc, "code", None) or "value_error", str(message))


def _text_validator(multiline: bool):
    def validate(value):
        if not isinstance(value, str):
            return value  # the str schema that follows refuses it with its own message
        try:
            return inputs.clean_text(value, multiline=multiline)
        except ValidationError as exc:
            raise _pydantic_error(exc) from None

    return validate


def Text(max_length: int | None = None, *, multiline: bool = False, min_length: int = 0):  # noqa: N802
    """A string stored as given after NFC; control characters refused; length after NFC."""
    return Annotated[
        str,
        BeforeValidator(_text_validator(multiline)),
        StringConstraints(max_length=max_length, min_length=min_length or None),
    ]


def TextOf(model, name: str, *, multiline: bool = False, min_length: int = 0):  # noqa: N802
    """``Text`` limited like the model's column."""
    return Text(model._meta.get_field(name).max_length, multiline=multiline, min_length=min_length)


def _a_decimal_as_written(value):
    # JSON's true is no amount (pydantic read it as 1: a 1 VND payment), and "1_000" is
    # Python's way of writing a number, not a person's.
    if isinstance(value, bool) or (isinstance(value, str) and "_" in value):
        raise PydanticCustomError("decimal_type", str(_PYDANTIC_MESSAGES["decimal_type"]))
    if isinstance(value, str):
        # A number sent as text is read as a form's box reads one (``inputs.plain_number``):
        # digits of any script, and no "1e3" nor "+3.5", which every form refuses (as every
        # whole number refuses "+3"); separators ("1.234,5") are a page's, refused here.
        typed = inputs.number_as_typed(value).strip()
        try:
            inputs.plain_number(typed)
        except ValidationError:
            raise PydanticCustomError(
                "decimal_type", str(_PYDANTIC_MESSAGES["decimal_type"])
            ) from None
        return typed
    return value


def _a_whole_number(value):
    if value is None or isinstance(value, list | dict):
        return value  # an optional one left out; the wrong JSON type, said by pydantic
    try:
        return inputs.whole_number(value)
    except ValidationError as exc:
        kind = "int_parsing_size" if exc.code == "too_large" else "int_parsing"
        raise PydanticCustomError(kind, str(_PYDANTIC_MESSAGES[kind])) from None


# The widest range a column of ours stores (a BIGINT), for a number no column bounds further.
_BIGINT = (-(2**63), 2**63 - 1)


def WholeNumber(ge: int = _BIGINT[0], le: int = _BIGINT[1], **field):  # noqa: N802
    """Every whole number the API takes, in a body, a query or a path: one reading for all
    (``core.inputs.whole_number``). "３" and "٣" are 3 as they are on a page (the decimals
    read them, the counts refused them), JSON's true, 3.0, "+3", "1e3", "1_000" and "٣.٠" are
    refused alike, and a number beyond ``ge``..``le`` is a 422 at its field, never a lookup
    the database cannot run."""
    return Annotated[int, Field(ge=ge, le=le, **field), BeforeValidator(_a_whole_number)]


# A record named by its id in a path or a body.
RecordId = WholeNumber(1, _BIGINT[1])


def NumberOf(model, name: str):  # noqa: N802
    """A number the model's column can store, without rounding (``core.inputs.number_limits``)."""
    limits = inputs.number_limits(model, name)
    if "decimal_places" in limits:

        def validate(value: Decimal) -> Decimal:
            try:
                inputs.exactly_stored(value)
            except ValidationError as exc:
                raise _pydantic_error(exc) from None
            return value

        return Annotated[
            Decimal,
            Field(allow_inf_nan=False, **limits),
            BeforeValidator(_a_decimal_as_written),
            AfterValidator(validate),
        ]
    return WholeNumber(**limits)


def Moment(  # noqa: N802
    *,
    past: dt.timedelta,
    future: dt.timedelta,
    message=None,
    offset_required=False,
    naive_kept=False,
):
    """A date-time within a plausible window around now (``core.inputs.plausible_moment``).
    ``offset_required``: one without its UTC offset is refused, not read on the server's clock
    (a device's, whose zone the server cannot know). ``naive_kept``: one without its offset is
    handed on as given, for the service to read on its gate's clock (the schema knows no gate;
    made aware here, it was the server's clock, seven hours off on a host kept on UTC)."""

    def validate(value: dt.datetime) -> dt.datetime:
        if offset_required and timezone.is_naive(value):
            raise _pydantic_error(
                ValidationError(_lazy("Give the device time with its UTC offset."), code="naive")
            )
        try:
            checked = inputs.plausible_moment(value, past=past, future=future, message=message)
        except ValidationError as exc:
            raise _pydantic_error(exc) from None
        return value if naive_kept and timezone.is_naive(value) else checked

    return Annotated[dt.datetime, AfterValidator(validate)]


def Day(*, past: dt.timedelta, future: dt.timedelta):  # noqa: N802
    """A calendar date within a plausible window around today."""

    def validate(value: dt.date) -> dt.date:
        moment = dt.datetime.combine(value, dt.time(12), tzinfo=dt.UTC)
        try:
            inputs.plausible_moment(moment, past=past + dt.timedelta(days=1), future=future)
        except ValidationError as exc:
            raise _pydantic_error(exc) from None
        return value

    return Annotated[dt.date, AfterValidator(validate)]


def _a_form_day(value: dt.date) -> dt.date:
    try:
        inputs.plausible_day(value)
    except ValidationError as exc:
        raise _pydantic_error(exc) from None
    return value


# A day as every form takes one (``core.inputs.plausible_day``, 2000 to 2100): a filter's day
# of year 1 or 9999 is a typing error, and the pages refuse it beside its field.
FormDay = Annotated[dt.date, AfterValidator(_a_form_day)]


# What a gate device reports happened a moment ago, or while it was offline (its queue).
DeviceTime = Moment(
    past=dt.timedelta(days=30),
    future=dt.timedelta(minutes=5),
    message=_lazy(
        "Check the device clock: a device time must lie within the last 30 days, not ahead."
    ),
    offset_required=True,
)


def _labels_of(choices) -> dict:
    if isinstance(choices, type):
        return dict(choices.choices)
    return choices()


def _one_of(choices, codes):
    def check(value):
        if isinstance(value, str) and value not in codes:
            labels = _labels_of(choices)
            expected = ", ".join(f"{code} ({labels.get(code, code)})" for code in codes)
            raise PydanticCustomError("enum", "Choose one of: {expected}.", {"expected": expected})
        return value

    check.names_its_choices = True  # what the API's contract test looks for
    return check


def _codes_and_type(choices, only):
    if only is None:
        return tuple(choices.values), choices
    codes = tuple(str(code) for code in only)
    return codes, Literal[codes]


def OneOf(choices, only=None):  # noqa: N802
    """One of an enumeration's values; another is a 422 that lists the allowed ones, each with
    its label in the caller's language (the code is what to send, the label what it means).

    ``choices``: a ``TextChoices``, or a function giving ``{code: label}`` in the active
    language (a state machine's action labels); ``only``: the codes admitted, where not all of
    them are (a function's codes must be listed)."""
    codes, kind = _codes_and_type(choices, only)
    return Annotated[kind, BeforeValidator(_one_of(choices, codes))]


def Choice(choices, only=None):  # noqa: N802
    """``OneOf``, or nothing ("" as a query sends it)."""
    codes, kind = _codes_and_type(choices, only)
    check = _one_of(choices, codes)

    def check_or_nothing(value):
        return None if value in ("", None) else check(value)

    check_or_nothing.names_its_choices = True
    return Annotated[kind | None, BeforeValidator(check_or_nothing)]


# ---------------------------------------------------------------------------------------------
# Codes in answers: documented with the values they take, never checked on the way out


def codes_of(source, name: str | None = None) -> list[str]:
    """The codes ``source`` names, in its own order: a ``TextChoices`` (its values); a model
    and a field's ``name`` (the field's choices); a ``StateMachine`` and ``"state"`` or
    ``"action"`` (the codes its labels name, then any other its table uses); a mapping
    ``{code: label}``, an iterable of codes, or a function giving either (read when asked, so
    a list settings or a table builds is the one the code uses at that moment)."""
    from django.db import models

    from cuakhau.core.statemachine import StateMachine

    if isinstance(source, StateMachine):
        labels = source.labels[name]
        codes = codes_of(labels) if labels is not None else []
        table = source.states() if name == "state" else {t.action for t in source.table.values()}
        return codes + sorted(set(table) - set(codes))
    if isinstance(source, type) and issubclass(source, models.Model):
        return [str(code) for code, _label in source._meta.get_field(name).flatchoices]
    if isinstance(source, type) and issubclass(source, models.Choices):
        return [str(code) for code in source.values]
    if callable(source):
        return codes_of(source())
    return [str(code) for code in source]  # a mapping's keys, or the codes themselves


class _DocumentedCodes:
    """The JSON Schema ``enum`` of a text an answer carries, for the document only."""

    def __init__(self, source, name, extra):
        self.source, self.name, self.extra = source, name, tuple(extra)

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        codes = codes_of(self.source, self.name)
        schema["enum"] = codes + [code for code in self.extra if code not in codes]
        return schema


def CodeOf(source, name: str | None = None, *, blank=False, null=False, extra=()):  # noqa: N802
    """A code in an answer (``status`` beside its ``status_label``), documented in the OpenAPI
    with the values it takes (``enum``, from ``codes_of(source, name)``), so a client knows
    them without reading a page; the answer itself is never checked against them: a record
    written by an older version may hold a code no longer listed (inspection kinds were once
    free text), and showing it as it is beats a 500.

    ``blank``: the code may also be "" (not chosen yet, none); ``null``: it may be null;
    ``extra``: codes an answer may carry beyond the source's (a step only history records).
    Requests keep ``OneOf`` / ``Choice``, which refuse another value."""
    extra = ("", *extra) if blank else extra
    kind = Annotated[str, _DocumentedCodes(source, name, extra)]
    return kind | None if null else kind


# Page numbers and sizes: beyond these a query only wastes the database's time (and an
# OFFSET past 2**63 is an error on PostgreSQL).
PageNumber = WholeNumber(1, 100_000)
PageSize = WholeNumber(1, MAX_PAGE_SIZE)


# ---------------------------------------------------------------------------------------------
# The API's error shape: every 4xx answers ``{"detail": ...}``; a 422 lists each refused field


class ApiError(Schema):
    """Every refusal other than a 422: what was refused, in the caller's language. A 409 may
    add what the refusal is about (``state``, ``allowed``, ``problems``)."""

    detail: str


class ApiFieldError(Schema):
    loc: list[str | int] = Field(
        ..., description='Where: "body", "query" or "path", then the field path'
    )
    msg: str
    type: str


class ApiValidationError(Schema):
    """A 422: every field refused, each with its path (``["body", "cargo_lines", 1, "value"]``)."""

    detail: list[ApiFieldError]


def _every_machines(kind: str):
    """The codes of ``kind`` ("state", "action") of every state machine, for a 409 that can
    come from any of them."""

    def codes() -> list[str]:
        from cuakhau.core.statemachine import MACHINES

        return list(dict.fromkeys(c for machine in MACHINES for c in codes_of(machine, kind)))

    return codes


class ApiConflict(Schema):
    """A 409: the record is not in a state that allows this. A step the record's state machine
    refuses names the state, the action and the allowed actions, each code with its label."""

    detail: str
    state: CodeOf(_every_machines("state"), null=True) = None
    state_label: str | None = None
    action: CodeOf(_every_machines("action"), null=True) = None
    action_label: str | None = None
    allowed: list[CodeOf(_every_machines("action"))] | None = None
    allowed_labels: list[str] | None = None


ERROR_RESPONSES = {
    400: ApiError,
    401: ApiError,
    403: ApiError,
    404: ApiError,
    409: ApiConflict,
    413: ApiError,
    415: ApiError,
    422: ApiValidationError,
    503: ApiError,
}
# What each refusal means, as the OpenAPI document says it.
ERROR_DESCRIPTIONS = {
    400: "The request body is not JSON.",
    401: "No credential, or a token that is unknown, expired or revoked.",
    403: "The caller's role, gate or device may not do this.",
    404: "No such record, or one the caller may not see (the two are not told apart).",
    409: "The record is not in a state that allows this.",
    413: "The request body is too large.",
    415: "The request body is not sent as `application/json`.",
    422: "A field was refused: each item names its place (`loc`) and why (`msg`).",
    503: "The server was busy: send the request again after `Retry-After` seconds.",
}


class NotJson(Exception):
    """A body sent as another media type: a browser's form may post text to the API of a site
    it is signed in to, a program means JSON and says so."""

    def __init__(self, content_type: str):
        self.content_type = content_type


class RepeatedKey(Exception):
    """An object naming one key twice: ``json`` keeps the last, another reader the first, so
    what was checked might not be what is stored."""

    def __init__(self, key: str):
        self.key = key


def _one_of_each_key(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKey(key)
        found[key] = value
    return found


class JsonBodyParser(Parser):
    """django-ninja's parser, refusing what it would read anyway: a body of another media type
    (``text/plain`` included), a key given twice, nesting no document of ours has."""

    def parse_body(self, request):
        media_type = request.content_type or ""
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise NotJson(media_type)
        return read_json(request.body, object_pairs_hook=_one_of_each_key)


def body_refusal(exc) -> tuple[int, str] | None:
    """The status and words for a body ``JsonBodyParser`` refused (django-ninja wraps it in a
    400 "Cannot parse request body"); None for another refusal."""
    cause = exc.__cause__
    if isinstance(cause, NotJson):
        said = _gettext("Send the body as JSON, with Content-Type: application/json.")
        if cause.content_type:
            said += " " + _gettext("This one was sent as %(type)s.") % {
                "type": inputs.shown(cause.content_type, 60)
            }
        return 415, said
    if isinstance(cause, RepeatedKey):
        said = _gettext("The key %(key)s is given twice in one object of the body.")
        return 400, said % {"key": inputs.shown(cause.key, 40)}
    return None


def _applies(status: int, operation) -> bool:
    """Whether an operation can answer ``status`` at all: a public one is never a 401 or a 403
    of ours, one without a JSON body never a 400 or a 415, only a change ever waits on a busy database."""
    from ninja.params.models import BodyModel

    public = not operation.auth_callbacks
    if status in (401, 403) and public:
        return False
    if status in (400, 415) and not any(issubclass(m, BodyModel) for m in operation.models):
        return False
    if status == 413 and not set(operation.methods) - {"GET", "HEAD", "DELETE"}:
        return False
    return not (status == 503 and set(operation.methods) <= {"GET", "HEAD"})


def declare_error_responses(api) -> None:
    """Declare the error shapes on every operation (each keeps a response it declared itself),
    so the published OpenAPI says what every refusal looks like. Call after the policy gave
    every operation its authentication."""
    # The operations that run (and that the OpenAPI describes) are the copies bound to the
    # API, not the routers' templates.
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for status, schema in ERROR_RESPONSES.items():
                    if status not in operation.response_models and _applies(status, operation):
                        operation.response_models[status] = operation._create_response_model(schema)


# The names the handlers give their body and query schemas (``payload: TripIn``,
# ``filters: Query[TripFilters]``): not part of the path a client sees.
SCHEMA_PARAMETERS = {"body": {"payload"}, "query": {"filters"}}


# pydantic's own refusals, by their ``type``, in the caller's language (pydantic speaks only
# English). Placeholders are the error's ``ctx``; a type not listed keeps pydantic's message,
# and so do the project's own validators, whose messages are already translated.
_PYDANTIC_MESSAGES = {
    "missing": _lazy("This field is required."),
    "string_type": _lazy("Enter text."),
    "string_too_short": _lazy("Enter at least %(min_length)s characters."),
    "string_too_long": _lazy("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": _lazy("This text does not have the expected form."),
    "string_unicode": _lazy("Enter valid Unicode text."),
    "int_type": _lazy("Enter a whole number."),
    "int_parsing": _lazy("Enter a whole number."),
    "int_parsing_size": _lazy("This number is too large."),
    "int_from_float": _lazy("Enter a whole number, without decimals."),
    "float_type": _lazy("Enter a number."),
    "float_parsing": _lazy("Enter a number."),
    "decimal_type": _lazy("Enter a number."),
    "decimal_parsing": _lazy("Enter a number."),
    "finite_number": _lazy("Enter a finite number."),
    "decimal_max_digits": _lazy("Enter at most %(max_digits)s digits in all."),
    "decimal_max_places": _lazy("Enter at most %(decimal_places)s digits after the decimal point."),
    "decimal_whole_digits": _lazy(
        "Enter at most %(whole_digits)s digits before the decimal point."
    ),
    "greater_than": _lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": _lazy("Enter a value of at least %(ge)s."),
    "less_than": _lazy("Enter a value less than %(lt)s."),
    "less_than_equal": _lazy("Enter a value of at most %(le)s."),
    "multiple_of": _lazy("Enter a multiple of %(multiple_of)s."),
    "bool_type": _lazy("Enter true or false."),
    "bool_parsing": _lazy("Enter true or false."),
    "enum": _lazy("Choose one of: %(expected)s."),
    "literal_error": _lazy("Choose one of: %(expected)s."),
    "date_type": _lazy("Enter a date as YYYY-MM-DD."),
    "date_parsing": _lazy("Enter a valid date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _lazy("Enter a valid date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _lazy("Enter a date without a time of day."),
    "datetime_type": _lazy(
        "Enter a date and time in ISO 8601 form, e.g. 2026-12-02T08:30:00+07:00."
    ),
    "datetime_parsing": _lazy(
        "Enter a valid date and time in ISO 8601 form, e.g. 2026-12-02T08:30:00+07:00."
    ),
    "datetime_from_date_parsing": _lazy(
        "Enter a valid date and time in ISO 8601 form, e.g. 2026-12-02T08:30:00+07:00."
    ),
    "datetime_object_invalid": _lazy(
        "Enter a valid date and time in ISO 8601 form, e.g. 2026-12-02T08:30:00+07:00."
    ),
    "timezone_aware": _lazy("Give the time with its offset from UTC, e.g. +07:00."),
    "timezone_naive": _lazy("Give the time without an offset from UTC."),
    "time_type": _lazy("Enter a time as HH:MM."),
    "time_parsing": _lazy("Enter a valid time as HH:MM."),
    "list_type": _lazy("Enter a list."),
    "set_type": _lazy("Enter a list."),
    "tuple_type": _lazy("Enter a list."),
    "dict_type": _lazy("Enter an object."),
    "model_type": _lazy("Enter an object."),
    "model_attributes_type": _lazy("Enter an object."),
    "extra_forbidden": _lazy("This field is not accepted here."),
    "uuid_type": _lazy("Enter a UUID."),
    "uuid_parsing": _lazy("Enter a valid UUID."),
    "json_invalid": _lazy("This is not valid JSON."),
    "json_type": _lazy("This is not valid JSON."),
    "url_type": _lazy("Enter a URL."),
    "url_parsing": _lazy("Enter a valid URL."),
    "none_required": _lazy("Leave this field empty."),
    "date_past": _lazy("Enter a date in the past."),
    "date_future": _lazy("Enter a date in the future."),
    "datetime_past": _lazy("Enter a moment in the past."),
    "datetime_future": _lazy("Enter a moment in the future."),
    "url_too_long": _lazy("This URL is too long."),
    "url_scheme": _lazy("This URL's scheme is not accepted."),
    "bytes_type": _lazy("Enter text."),
    "is_instance_of": _lazy("This value is not of the expected kind."),
    "union_tag_invalid": _lazy("This kind of value is not accepted here."),
    "union_tag_not_found": _lazy("Say which kind of value this is."),
}
# A length pydantic checks on what it holds: characters of a text, items of a list.
_LENGTH_MESSAGES = {
    ("too_short", True): _lazy("Enter at least %(min_length)s characters."),
    ("too_long", True): _lazy("Enter at most %(max_length)s characters."),
    ("too_short", False): _lazy("Give at least %(min_length)s items."),
    ("too_long", False): _lazy("Give at most %(max_length)s items."),
}
_COLLECTIONS = {"List", "Set", "Frozenset", "Tuple", "Dictionary"}
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _message(item: dict) -> str:
    """An error's message in the active language."""
    kind = str(item.get("type", ""))
    context = item.get("ctx") or {}
    # django-ninja drops the input; pydantic names a collection's kind ("List"), and a text
    # checked after a validator of ours only as a "Value".
    of_text = str(context.get("field_type", "")) not in _COLLECTIONS
    template = _LENGTH_MESSAGES.get((kind, of_text))
    template = template or _PYDANTIC_MESSAGES.get(kind)
    if kind in ("value_error", "assertion_error") and isinstance(
        context.get("error"), (ValueError, AssertionError, str)
    ):
        # A validator's ValueError: its own words, without pydantic's English prefix.
        return str(context["error"])
    if template is None:
        return str(item.get("msg", ""))
    values = {key: str(value) for key, value in context.items()}
    if "expected" in values:
        # The allowed values themselves, without pydantic's English "or".
        values["expected"] = ", ".join(_QUOTED.findall(values["expected"])) or values["expected"]
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):  # a context this pydantic version does not give
        return str(item.get("msg", ""))


def validation_items(errors) -> list[dict]:
    """django-ninja's / pydantic's 422 items reduced to the documented ``loc``/``msg``/``type``
    (their ``ctx`` and ``input`` may hold values JSON cannot carry, such as an exception), each
    message in the caller's language."""
    items = []
    for item in errors:
        loc = [p if isinstance(p, int) else str(p) for p in item.get("loc", ())]
        if len(loc) >= 2 and loc[1] in SCHEMA_PARAMETERS.get(loc[0], ()):
            # django-ninja names the handler's parameter; the documented path is the body's
            # own (``["body", "cargo_lines", 1, "value"]``, as the services' errors say it).
            del loc[1]
        items.append(
            {
                "loc": loc,
                "msg": _message(item),
                "type": str(item.get("type", "value_error")),
            }
        )
    return items


def _token_owners_language(request) -> str:
    """The profile language of a person's API token on the request, if there is one ("" for
    none, a device's or an unknown token: the language negotiated from the request)."""
    from cuakhau.accounts.middleware import profile_language
    from cuakhau.accounts.services import authenticate_token

    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return ""
    return profile_language(authenticate_token(raw))


class ApiErrorShapeMiddleware:
    """Every answer under /api/ is JSON, also the ones no operation wrote: an unknown URL (404),
    a method the path does not take (405) and a request Django could not read before any
    operation ran (400: a multipart body without its boundary) get the documented
    ``{"detail": ...}`` shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in (400, 404, 405)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            language = _token_owners_language(request)
            if language:
                # As every operation answers a token's owner: in the profile's language.
                translation.activate(language)
            if response.status_code == 400:
                detail = _("The request could not be read: its body or its headers are malformed.")
            elif response.status_code == 404:
                detail = _("No such API endpoint: %(path)s") % {
                    "path": inputs.shown(request.path, 200)
                }
            else:
                detail = _("%(method)s is not allowed here; allowed: %(allowed)s.") % {
                    "method": request.method,
                    "allowed": response.get("Allow", ""),
                }
            shaped = JsonResponse({"detail": detail}, status=response.status_code)
            if response.has_header("Allow"):
                shaped["Allow"] = response["Allow"]
            return shaped
        return response


# ---------------------------------------------------------------------------------------------
# Unknown fields of a JSON body are refused, never silently dropped


def _input_models(annotation, order: list, seen: set) -> None:
    """The pydantic models reachable from ``annotation``, each after the ones it holds."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _input_models(field.annotation, order, seen)
        order.append(annotation)
        return
    for arg in getattr(annotation, "__args__", ()) or ():
        _input_models(arg, order, seen)


def forbid_unknown_fields(api) -> None:
    """Make every JSON body schema of ``api`` refuse a field it does not know (422,
    ``extra_forbidden``, at the field's path). An integrator's misspelt optional field
    (``trailer_plat``) would otherwise be dropped and the trip declared without it.

    Query strings keep tolerating unknown parameters (caches and proxies add their own), and
    so do multipart forms (a browser sends its CSRF token)."""
    from ninja.params.models import BodyModel

    order: list = []
    seen: set = set()
    wrappers = []
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if issubclass(model, BodyModel):
                        wrappers.append(model)
                        for field in model.model_fields.values():
                            _input_models(field.annotation, order, seen)
    # Leaves first: a model's schema embeds the schemas of the models it holds as they are.
    for model in order:
        if model.model_config.get("extra") != "forbid":
            model.model_config["extra"] = "forbid"
            model.model_rebuild(force=True)
    for wrapper in wrappers:
        wrapper.model_rebuild(force=True)


# ---------------------------------------------------------------------------------------------
# A body its schema refuses still goes through the service's checks: every error in one 422


def checked_further(check, *, elsewhere=None):
    """Mark an API handler whose service checks its body beyond the schema. When the schema
    refuses the body (a quantity that is no number), the handler never runs, and the
    service's errors (a plate, an HS code) would come only with the next request: instead
    ``check(request, parts, refused, **path_params)`` is called, with ``parts`` what the
    schema accepts of the body field by field (as the handler would have had them), and
    ``refused`` the dotted paths it refused; it answers the service's errors, ``{path:
    [messages]}``, writing nothing, and they join the schema's in the same 422 (none at a path
    the schema refused). The body is a JSON one (``payload``) or a multipart form's fields
    (``payload: Form[...]``); ``elsewhere`` names the fields the check answers for that come in
    another part of the request, with that part (``{"documents": "file"}``), or is a function
    of the request giving them.
    ``install_further_checks`` puts the marked handlers to work."""

    def mark(view):
        view.checked_further = check
        view.checked_elsewhere = elsewhere if callable(elsewhere) else dict(elsewhere or {})
        return view

    return mark


def without_refused(errors: dict[str, list[str]], refused) -> dict[str, list[str]]:
    """``errors`` but those at or under a path the schema refused: said there already."""
    refused = tuple(refused)
    return {
        path: messages
        for path, messages in errors.items()
        if not any(path == r or path.startswith(f"{r}.") for r in refused)
    }


@functools.cache
def _field_adapter(model, name: str):
    from pydantic import TypeAdapter

    field = model.model_fields[name]
    # The field's constraints (a length, a range) are its metadata, beside its type.
    kind = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    return TypeAdapter(kind)


def _model_in(annotation):
    """The schema ``annotation`` is, or holds a list of; None for another type."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if getattr(annotation, "__origin__", None) is list:
        (item,) = annotation.__args__
        return item if isinstance(item, type) and issubclass(item, BaseModel) else None
    return None


def accepted_parts(model, raw, refused: set[tuple]) -> dict:
    """What ``model`` accepts of the object ``raw``, each field validated alone as the whole
    would validate it, leaving out the paths it refused (``refused``: tuples within ``raw``)
    and whatever is not an object where one is expected."""
    import pydantic

    if not isinstance(raw, dict):
        return {}
    parts = {}
    for name, field in model.model_fields.items():
        if (name,) in refused:
            continue
        if name not in raw:
            if not field.is_required():
                parts[name] = field.get_default(call_default_factory=True)
            continue
        value = raw[name]
        within = {path[1:] for path in refused if path[:1] == (name,)}
        if not within:
            adapter = _field_adapter(model, name)
            # One a check of the whole object refused (not one of its fields) is left out.
            with contextlib.suppress(pydantic.ValidationError):
                parts[name] = adapter.dump_python(adapter.validate_python(value))
            continue
        inner = _model_in(field.annotation)
        if inner is field.annotation:
            parts[name] = accepted_parts(inner, value, within)
        elif inner is not None and isinstance(value, list):
            # Each item where it was sent: the service names its errors by their index.
            parts[name] = [
                accepted_parts(inner, item, {p[1:] for p in within if p[:1] == (index,)})
                for index, item in enumerate(value)
            ]
        # Any other field with a refused part (a list of texts) is left out whole.
    return parts


def _refused_paths(errors, location: str) -> dict[str, set[tuple]] | None:
    """The paths the schemas refused, by the part of the request they were in (``"body"``,
    ``"form"``, ``"file"``...), each within that part; None when the body (``location``) was
    refused as a whole."""
    paths: dict[str, set[tuple]] = {}
    for item in errors:
        loc = tuple(item.get("loc", ()))
        if loc[:1] == ("body",):
            # A JSON body is one parameter: its fields are under its name.
            if not set(loc[1:2]) <= SCHEMA_PARAMETERS["body"] or len(loc) < 3:
                return None
            loc = loc[:1] + loc[2:]
        if len(loc) < 2:
            if loc[:1] == (location,):
                return None
            continue
        paths.setdefault(str(loc[0]), set()).add(loc[1:])
    return paths


def _sent(operation, request, location: str):
    """The body as sent: a JSON body's object, or a form's fields (each its last value)."""
    if location == "form":
        return request.POST.dict()
    return operation.api.parser.parse_body(request)


def _with_further_check(operation, check, schema, location: str, others):
    """``operation``'s reading of its parameters, its body's refusal joined by ``check``'s.
    django-ninja reads them all before the handler, so this is the one place that knows the
    operation, the request and the schema's errors at once."""
    from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
    from django.http import Http404
    from ninja.errors import ValidationError as RefusedParameters

    from cuakhau.core.errors import StateRefused

    get_values = operation._get_values
    # A JSON body's fields are under its parameter's name in django-ninja's paths; a form's
    # fields are flattened.
    prefix = tuple(SCHEMA_PARAMETERS["body"]) if location == "body" else ()

    def dotted(paths) -> list[str]:
        return [".".join(str(p) for p in path) for path in sorted(paths, key=str)]

    def values(request, path_params, temporal_response):
        try:
            return get_values(request, path_params, temporal_response)
        except RefusedParameters as exc:
            refused_at = _refused_paths(exc.errors, location)
            elsewhere = others(request) if callable(others) else others
            if not refused_at or not set(refused_at) & {location, *elsewhere.values()}:
                raise  # nothing the check answers for was refused
            refused = refused_at.get(location, set())
            try:
                parts = accepted_parts(schema, _sent(operation, request, location), refused)
                more = check(request, parts, dotted(refused), **path_params)
            except (PermissionDenied, ObjectDoesNotExist, Http404, StateRefused):
                raise exc from None  # the schema's refusal stands alone
            for path, messages in more.items():
                where = elsewhere.get(path.split(".")[0], location)
                if without_refused({path: messages}, dotted(refused_at.get(where, ()))):
                    steps = tuple(path_steps(path))
                    loc = (where, *(prefix if where == location else ()), *steps)
                    for message in messages:
                        exc.errors.append({"loc": loc, "msg": str(message), "type": "value_error"})
            raise

    return values


def install_further_checks(api) -> None:
    """Put to work the handlers marked ``checked_further``: each refusal of their body by its
    schema also says what the service would refuse."""
    from django.core.exceptions import ImproperlyConfigured
    from ninja.params.models import BodyModel, FormModel

    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                check = getattr(operation.view_func, "checked_further", None)
                if check is None:
                    continue
                bodies = [
                    (field.annotation, "body" if issubclass(model, BodyModel) else "form")
                    for model in operation.models
                    if issubclass(model, (BodyModel, FormModel))
                    for name, field in model.model_fields.items()
                    if name in SCHEMA_PARAMETERS["body"]
                ]
                if len(bodies) != 1:
                    raise ImproperlyConfigured(
                        f"{operation.view_func.__name__}: checked_further needs one body schema"
                    )
                (schema, location), elsewhere = bodies[0], operation.view_func.checked_elsewhere
                operation._get_values = _with_further_check(
                    operation, check, schema, location, elsewhere
                )
