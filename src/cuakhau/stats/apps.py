from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "cuakhau.stats"
    label = "stats"
    verbose_name = _("Trade statistics")

    def ready(self):
        from . import signals  # noqa: F401
