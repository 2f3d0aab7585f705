from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceiptsConfig(AppConfig):
    name = "cuakhau.receipts"
    label = "receipts"
    verbose_name = _("E-receipts")

    def ready(self):
        from . import signals  # noqa: F401  (revoke the receipt of a cancelled trip)
