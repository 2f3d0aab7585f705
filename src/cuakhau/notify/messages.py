"""The texts of every message the platform sends, by template code.

Each text is a translatable string (English msgid; Vietnamese and Simplified Chinese in this
app's catalogs), rendered in the recipient's language with the message's context. ZNS messages
use templates registered with Zalo instead (a template id per code and language, from
settings); they receive the same context as template parameters.

A value that reads differently in each language is kept in each (``prepare_context``), so that
the message is sent in the recipient's language and shown on the notifications page in the
reader's, whatever language the code that notified was running in:

- a ``Gate`` is its name; a parameter named in ``MessageTemplate.gates`` may also be given as a
  gate's code or its name in any language (``"Ma Lu Thang"`` becomes ``马鹿塘口岸`` in Chinese);
- a record or a mapping with ``name_vi``/``name_en``/``name_zh`` (or ``label_…``, a fee item)
  is its name in the language;
- a lazy translation (a status, an agency's name, a channel's label) is translated;
- a ``datetime`` is written the language's way in the time of the gate the message is about
  (the context's gate), a ``date`` or a ``time`` the language's way;
- a mapping ``{"vi": …, "en": …, "zh-hans": …}`` is taken as given, and a function of no
  argument is called in each language (``lambda: gate.counterpart``).
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

LANGUAGES = ("vi", "en", "zh-hans")
# How a value kept in each language is stored in a message's context (JSON).
LOCALIZED = "$localized"
# The reference data's names for the same languages (``name_zh`` for zh-hans).
_REFERENCE_LANGUAGE = {"vi": "vi", "en": "en", "zh-hans": "zh"}


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    subject: str
    text: str
    params: tuple[str, ...]
    # Parameters that name a border gate: a name in any language, or a code, is sent in the
    # recipient's language.
    gates: tuple[str, ...] = ()
    # What happened, for the notifications page ("Receipt revoked"): the event a person reads
    # where the program keeps the template's code and the deduplication key.
    label: str = ""
    # A message that tells someone to act now misleads once the moment has passed ("drive to
    # the gate now" an hour after the call went to the next truck): after this long from the
    # event it is no longer sent. None: worth sending however late.
    expires_after: dt.timedelta | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


TEMPLATES = {
    t.code: t
    for t in [
        MessageTemplate(
            code="truck_called_forward",
            label=pgettext_lazy("notify event", "Truck called forward"),
            subject=_("Truck %(plate)s: drive to the gate now"),
            text=_(
                "Truck %(plate)s (trip %(reference)s) is called forward to %(gate)s. "
                "Please be at the gate by %(deadline)s."
            ),
            params=("plate", "reference", "gate", "deadline"),
            gates=("gate",),
            # The call lapses 30 minutes after it is made (slots' CALL_DEADLINE).
            expires_after=dt.timedelta(minutes=30),
        ),
        MessageTemplate(
            code="truck_call_missed",
            label=pgettext_lazy("notify event", "Truck missed its call"),
            subject=_("Truck %(plate)s: call missed"),
            text=_(
                "Truck %(plate)s (trip %(reference)s) was not at %(gate)s by %(deadline)s: "
                "its call went to the next truck. Report at the waiting area again to be called."
            ),
            params=("plate", "reference", "gate", "deadline"),
            gates=("gate",),
        ),
        MessageTemplate(
            code="receipt_issued",
            label=pgettext_lazy("notify event", "Fees paid, receipt issued"),
            subject=_("Trip %(reference)s paid: receipt %(number)s"),
            text=_(
                "The fees of trip %(reference)s are paid: receipt %(number)s. At %(gate)s the "
                "gate finds the trip by the truck's plate %(plate)s or by the receipt's QR code."
            ),
            params=("reference", "number", "gate", "plate"),
            gates=("gate",),
        ),
        MessageTemplate(
            code="receipt_replaced",
            label=pgettext_lazy("notify event", "Receipt replaced"),
            subject=_("Receipt %(old)s was replaced"),
            text=_(
                "Receipt %(old)s of trip %(reference)s was replaced by receipt %(new)s. "
                "Use the new receipt at the gate."
            ),
            params=("old", "new", "reference"),
        ),
        MessageTemplate(
            code="receipt_revoked",
            label=pgettext_lazy("notify event", "Receipt revoked"),
            subject=_("Receipt %(number)s was revoked"),
            text=_(
                "Receipt %(number)s of trip %(reference)s was revoked (%(kind)s): %(reason)s. "
                "It is no longer accepted at the gate: pay the trip's fees again for a new "
                "receipt."
            ),
            params=("number", "reference", "kind", "reason"),
        ),
        MessageTemplate(
            code="test_message",
            label=pgettext_lazy("notify event", "Test message"),
            subject=_("Test message from cuakhau"),
            text=_("This is a test message from cuakhau, sent at %(at)s."),
            params=("at",),
        ),
    ]
}


def event_label(template: str) -> str:
    """The event a message of ``template`` tells of, in the active language; a template this
    version does not know (an older row) is named by its code."""
    known = TEMPLATES.get(template)
    return str(known.label) if known is not None and known.label else template


def normalise_language(language: str | None) -> str:
    """vi, en or zh-hans; the platform's default (vi) for anything else."""
    code = (language or "").strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-hans"
    if code.startswith("en"):
        return "en"
    return "vi"


def _in_each_language(value: Callable[[], object]) -> dict:
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = str(value())
    return {LOCALIZED: texts}


_LOOK_UP = object()  # prepare_value's "look the named gate up yourself"


def _gate_named(text: str):
    """The gate whose code, or name in any language, is ``text``; None if not exactly one."""
    from django.db.models import Q

    from cuakhau.reference.models import Gate

    text = text.strip()
    if not text:
        return None
    query = Q(name_vi=text) | Q(name_en=text) | Q(name_zh=text)
    if Gate.could_be_code(text.lower()):
        query |= Q(code=text.lower())
    found = list(Gate.objects.filter(query)[:2])
    return found[0] if len(found) == 1 else None


def _names_of(value, field: str) -> dict:
    from cuakhau.reference.localize import localized_name

    return {
        LOCALIZED: {
            language: str(localized_name(value, field, _REFERENCE_LANGUAGE[language]))
            for language in LANGUAGES
        }
    }


def _has_names(value, field: str) -> bool:
    if isinstance(value, Mapping):
        return f"{field}_vi" in value or f"{field}_en" in value
    return hasattr(value, f"{field}_vi") and hasattr(value, f"{field}_en")


def prepare_value(value, *, gate=None, names_gate: bool = False, named=_LOOK_UP):
    """``value`` as a message's context keeps it (JSON): numbers and language-free text as
    they are, anything a language changes in each language (see the module's text).

    ``gate``: the gate the message is about, whose local time a ``datetime`` is written in.
    ``names_gate``: the value is a gate's name or code (a template's ``gates``); ``named``:
    the gate it names, when the caller has looked it up already.
    """
    from cuakhau.reference.models import Gate

    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Gate):
        return _in_each_language(lambda: value.name)
    if isinstance(value, Mapping) and LOCALIZED in value:
        return dict(value)
    if isinstance(value, Mapping) and set(value) and set(value) <= {"vi", "en", "zh", "zh-hans"}:
        texts = {normalise_language(k): str(v) for k, v in value.items() if v}
        return {LOCALIZED: {lang: texts.get(lang, "") for lang in LANGUAGES}}
    for field in ("name", "label"):
        if _has_names(value, field):
            return _names_of(value, field)
    if isinstance(value, Promise):
        return _in_each_language(lambda: value)
    if callable(value):
        return _in_each_language(value)
    if isinstance(value, dt.datetime):
        zone = ZoneInfo(gate.time_zone) if gate is not None else None
        moment = timezone.localtime(value, zone) if timezone.is_aware(value) else value
        return _in_each_language(lambda: date_format(moment, "SHORT_DATETIME_FORMAT"))
    if isinstance(value, dt.date):
        return _in_each_language(lambda: date_format(value, "SHORT_DATE_FORMAT"))
    if isinstance(value, dt.time):
        return _in_each_language(lambda: time_format(value, "TIME_FORMAT"))
    if names_gate and isinstance(value, str):
        if named is _LOOK_UP:
            named = _gate_named(value)
        if named is not None:
            return _in_each_language(lambda: named.name)
    return str(value)


def prepare_context(template: str, context: dict) -> dict:
    """The context a message keeps: every value in each language where languages differ."""
    from cuakhau.reference.models import Gate

    t = TEMPLATES.get(template)
    gates = t.gates if t is not None else ()
    named = {key: _gate_named(context[key]) for key in gates if isinstance(context.get(key), str)}
    # The gate the message is about: the first given as a gate, or named by a gate parameter.
    gate = next((v for v in context.values() if isinstance(v, Gate)), None)
    gate = gate or next((g for g in named.values() if g is not None), None)
    return {
        key: prepare_value(
            value, gate=gate, names_gate=key in gates, named=named.get(key, _LOOK_UP)
        )
        for key, value in context.items()
    }


def in_language(value, language: str | None):
    """A context value as ``language`` (vi, en, zh-hans; the active one if None) reads it."""
    if not (isinstance(value, Mapping) and LOCALIZED in value):
        return value
    texts = value[LOCALIZED]
    language = normalise_language(language or translation.get_language())
    fallbacks = {"vi": ("vi", "en"), "en": ("en", "vi"), "zh-hans": ("zh-hans", "en", "vi")}
    return next((texts[lang] for lang in fallbacks[language] if texts.get(lang)), "")


def localized_context(context: dict, language: str | None = None) -> dict:
    """The context with every value in ``language`` (the active one if None)."""
    return {key: in_language(value, language) for key, value in context.items()}


def render(template: str, language: str, context: dict) -> Rendered:
    t = TEMPLATES[template]
    language = normalise_language(language)
    values = localized_context(context, language)
    with translation.override(language):
        return Rendered(subject=str(t.subject) % values, text=str(t.text) % values)
