from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cuakhau.core"
    label = "core"
    verbose_name = "cuakhau core"

    def ready(self):
        from cuakhau.core import lookups

        lookups.register()
        _admin_held_to_the_columns()


def _admin_held_to_the_columns():
    """The administration's forms refuse what every other form refuses: the admin saved a
    market rule's product name with an escape sequence no page or API would have taken.
    Each registered admin's form and each of its inlines' (Django's ``ModelForm`` or the app's
    own) gets the checks."""
    from django.contrib import admin

    from cuakhau.core.inputs import HeldToTheColumns

    def held(form):
        if issubclass(form, HeldToTheColumns):
            return form
        return type(form.__name__, (HeldToTheColumns, form), {})

    for model_admin in admin.site._registry.values():
        model_admin.form = held(model_admin.form)
        if hasattr(model_admin, "add_form"):  # a person's: Django's own form to add one
            model_admin.add_form = held(model_admin.add_form)
        for inline in model_admin.inlines:
            inline.form = held(inline.form)
