from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, app_config=None, **kwargs):
    # Runs once every app's permissions exist: after the last app is migrated. The signal is
    # sent only for apps with models (the last installed app, Chartkick's, has none).
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is not None and app_config is with_models[-1]:
        from .services import ensure_role_groups

        ensure_role_groups()


class AccountsConfig(AppConfig):
    name = "cuakhau.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        post_migrate.connect(_create_role_groups, dispatch_uid="cuakhau_role_groups")
        from . import access

        access.connect()
