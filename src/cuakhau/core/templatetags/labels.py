"""Words for what is stored as a code: a person never reads ``green``, ``check_in`` or ``KGM``.

``{{ row.channel|label:"channel" }}`` shows a stored value in the reader's language through
its enumeration (lists too: ``{{ outstanding|label:"agency"|join_words }}``, joined as the
reader's language joins a list: ", ", in Chinese "、"); fields that carry their ``choices`` use
Django's own ``get_FOO_display``. ``{{ waited|minutes }}`` says a
duration in words per locale ("71 phút", "71 min", "71 分钟"; hours and minutes when long).
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from cuakhau.core.wording import join_words as _join_words
from cuakhau.core.wording import label_of
from cuakhau.core.wording import list_separator as _separator

register = template.Library()

# The enumerations templates name, each by the word a template reads best.
ENUMERATIONS = {
    "action": "cuakhau.trips.choices.TripAction",
    "agency": "cuakhau.inspections.models.Agency",
    "change": "cuakhau.core.context.Channel",
    "channel": "cuakhau.risk.choices.RiskChannel",
    "direction": "cuakhau.trips.choices.Direction",
    "inspection_kind": "cuakhau.inspections.models.InspectionKind",
    "notify_channel": "cuakhau.notify.models.Channel",
    "status": "cuakhau.trips.choices.TripStatus",
    "unit": "cuakhau.trips.choices.QuantityUnit",
}


def words(enumeration: str, value):
    """The label of one stored value; a value the enumeration does not know is shown as is
    (a row written by an older version must still show, and the render test finds it)."""
    if value in (None, ""):
        return ""
    return label_of(import_string(ENUMERATIONS[enumeration]), value)


@register.filter
def label(value, enumeration: str):
    if isinstance(value, list | tuple | set | frozenset):
        return [words(enumeration, v) for v in value]
    return words(enumeration, value)


@register.filter(needs_autoescape=True)
def join_words(value, autoescape=True):
    """A list of labels or names joined as the reader's language joins a list
    (``core.wording``): "Hải quan, Kiểm dịch thực vật", "海关、植物检疫"."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return value
    items = [conditional_escape(v) if autoescape else v for v in value]
    return mark_safe(_join_words(items))


@register.simple_tag
def list_separator():
    """What separates the items of a list a loop writes (``{% if not forloop.last %}``)."""
    return _separator()


@register.filter
def minutes(value):
    """A duration given in minutes (or a timedelta), in words of the reader's language."""
    if value in (None, ""):
        return ""
    if hasattr(value, "total_seconds"):
        value = value.total_seconds() / 60
    total = round(float(value))
    # Up to two hours a gate counts in minutes ("71 min"); beyond, hours and minutes read better.
    if total < 120:
        return gettext("%(minutes)d min") % {"minutes": total}
    hours, rest = divmod(total, 60)
    if not rest:
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
