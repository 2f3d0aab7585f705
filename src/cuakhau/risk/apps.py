from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_defaults(sender, app_config=None, using="default", **kwargs):
    # The gate must be able to assess from the first submission; a manager tunes from there.
    if app_config is None or app_config.label != "risk":
        return
    from .models import RuleSet

    if RuleSet._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards (to zero): nothing to install into
    from .services import install_default_ruleset

    install_default_ruleset()


class RiskConfig(AppConfig):
    name = "cuakhau.risk"
    label = "risk"
    verbose_name = _("Customs risk channels")

    def ready(self):
        from . import signals  # noqa: F401  (assess on submit and amendment)

        post_migrate.connect(_install_defaults, dispatch_uid="cuakhau_risk_default_ruleset")
