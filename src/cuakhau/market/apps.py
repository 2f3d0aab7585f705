from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "cuakhau.market"
    label = "market"
    verbose_name = _("Market access and quarantine rules")

    def ready(self):
        from . import editions  # noqa: F401  (a rule change renews the edition)
