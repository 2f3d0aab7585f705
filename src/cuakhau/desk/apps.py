from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "cuakhau.desk"
    label = "desk"
    verbose_name = _("One-stop desk")

    def ready(self):
        # The applicant's messages join the notifier's table of templates.
        from . import messages

        messages.register()
        # The portal outbox: an event per status change, in the change's transaction.
        from . import outbox, services

        services.application_transitioned.connect(outbox.record_event, dispatch_uid="desk-outbox")
