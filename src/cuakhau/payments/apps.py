from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "cuakhau.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from . import signals  # noqa: F401  (settle a trip whose amendment its money covers)
