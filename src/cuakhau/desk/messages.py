"""The applicant's messages, added to the notifier's table of templates at start-up
(``DeskConfig.ready``); their texts are translated in this app's catalogs."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.notify.messages import TEMPLATES, MessageTemplate

DESK_TEMPLATES = [
    MessageTemplate(
        code="desk_received",
        label=pgettext_lazy("notify event", "Application received"),
        subject=_("Application %(code)s received"),
        text=_(
            "Your application %(code)s (%(procedure)s) was received. "
            "Result appointment: %(due)s. Track it with the code and this phone number."
        ),
        params=("code", "procedure", "due"),
    ),
    MessageTemplate(
        code="desk_status",
        label=pgettext_lazy("notify event", "Application status changed"),
        subject=_("Application %(code)s: %(status)s"),
        text=_("Your application %(code)s (%(procedure)s) is now: %(status)s."),
        params=("code", "procedure", "status"),
    ),
    MessageTemplate(
        code="desk_supplement",
        label=pgettext_lazy("notify event", "Documents requested"),
        subject=_("Application %(code)s: documents to add"),
        text=_(
            "Your application %(code)s needs more documents: %(reason)s. "
            "The deadline is paused until they arrive."
        ),
        params=("code", "reason"),
    ),
    MessageTemplate(
        code="desk_supplement_received",
        label=pgettext_lazy("notify event", "Documents received, new result date"),
        subject=_("Application %(code)s: documents received"),
        text=_(
            "The documents for your application %(code)s were received and the deadline runs "
            "again. Result appointment: %(due)s."
        ),
        params=("code", "due"),
    ),
    MessageTemplate(
        code="desk_result_ready",
        label=pgettext_lazy("notify event", "Result ready"),
        subject=_("Application %(code)s: the result is ready"),
        text=_("The result of your application %(code)s (%(procedure)s) is ready at the desk."),
        params=("code", "procedure"),
    ),
    MessageTemplate(
        code="desk_apology",
        label=pgettext_lazy("notify event", "Apology and new date"),
        subject=_("Application %(code)s: apology and new date"),
        text=_(
            "We apologise: your application %(code)s will be late (%(reason)s). "
            "New result date: %(due)s."
        ),
        params=("code", "reason", "due"),
    ),
]


def register() -> None:
    for template in DESK_TEMPLATES:
        TEMPLATES.setdefault(template.code, template)
