from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlotsConfig(AppConfig):
    name = "cuakhau.slots"
    label = "slots"
    verbose_name = _("Time slots and the waiting area")

    def ready(self):
        from . import signals  # noqa: F401  (connects the receivers)
