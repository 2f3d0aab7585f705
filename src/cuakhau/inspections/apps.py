from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "cuakhau.inspections"
    label = "inspections"
    verbose_name = _("Inspections and clearance")

    def ready(self):
        # The risk rules weigh an organisation's failed inspections, which live here.
        from cuakhau.risk import services as risk

        from .services import failed_inspections, failed_inspections_column, reopen_customs

        risk.FAILED_INSPECTIONS_PROVIDER = failed_inspections
        risk.FAILED_INSPECTIONS_COLUMN = failed_inspections_column
        # A channel raised while the truck is inside opens customs' check again.
        risk.channel_raised.connect(reopen_customs, dispatch_uid="inspections_reopen_customs")
