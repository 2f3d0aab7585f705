from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cuakhau.capacity"
    verbose_name = _("Capacity planning")
