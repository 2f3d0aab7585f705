from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cuakhau.core"
    label = "core"
    verbose_name = "cuakhau core"

    def ready(self):
        from cuakhau.core import lookups

        lookups.register()
        _admin_text_as_stored()


def _admin_text_as_stored():
    """The administration's forms refuse what every other form refuses: the admin saved a
    market rule's product name with an escape sequence no page or API would have taken.
    Each registered admin's form (Django's ``ModelForm`` or the app's own) gets the check."""
    from django.contrib import admin

    from cuakhau.core.inputs import TextAsStored

    for model_admin in admin.site._registry.values():
        form = model_admin.form
        if not issubclass(form, TextAsStored):
            model_admin.form = type(form.__name__, (TextAsStored, form), {})
