from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GateConfig(AppConfig):
    name = "cuakhau.gate"
    label = "gate"
    verbose_name = _("Gate operations")

    def ready(self):
        from . import signals  # noqa: F401  (stamp clearance on the visit)
