"""The texts of every message the platform sends, by template code.

Each text is a translatable string (English msgid; Vietnamese and Simplified Chinese in this
app's catalogs), rendered in the recipient's language with the message's context. ZNS messages
use templates registered with Zalo instead (a template id per code and language, from
settings); they receive the same context as template parameters.
"""

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("vi", "en", "zh-hans")


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    subject: str
    text: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


TEMPLATES = {
    t.code: t
    for t in [
        MessageTemplate(
            code="truck_called_forward",
            subject=_("Truck %(plate)s: drive to the gate now"),
            text=_(
                "Truck %(plate)s (trip %(reference)s) is called forward to %(gate)s. "
                "Please be at the gate by %(deadline)s."
            ),
            params=("plate", "reference", "gate", "deadline"),
        ),
        MessageTemplate(
            code="receipt_replaced",
            subject=_("Receipt %(old)s was replaced"),
            text=_(
                "Receipt %(old)s of trip %(reference)s was replaced by receipt %(new)s. "
                "Use the new receipt at the gate."
            ),
            params=("old", "new", "reference"),
        ),
        MessageTemplate(
            code="test_message",
            subject=_("Test message from cuakhau"),
            text=_("This is a test message from cuakhau, sent at %(at)s."),
            params=("at",),
        ),
    ]
}


def normalise_language(language: str | None) -> str:
    """vi, en or zh-hans; the platform's default (vi) for anything else."""
    code = (language or "").strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-hans"
    if code.startswith("en"):
        return "en"
    return "vi"


def render(template: str, language: str, context: dict) -> Rendered:
    t = TEMPLATES[template]
    with translation.override(normalise_language(language)):
        return Rendered(subject=str(t.subject) % context, text=str(t.text) % context)
