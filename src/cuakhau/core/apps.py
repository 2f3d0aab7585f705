from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cuakhau.core"
    label = "core"
    verbose_name = "cuakhau core"

    def ready(self):
        from cuakhau.core import lookups

        lookups.register()
        _admin_text_as_stored()


class _TextAsStored:
    """A form mixin: every text a form cleaned is checked as every other form's text is
    (``core.inputs.clean_text``: no control character, no override), its error beside its
    field."""

    def clean(self):
        from django.core.exceptions import ValidationError

        from cuakhau.core.inputs import clean_text

        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                try:
                    clean_text(value, multiline=True)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


def _admin_text_as_stored():
    """The administration's forms refuse what every other form refuses: the admin saved a
    market rule's product name with an escape sequence no page or API would have taken.
    Each registered admin's form (Django's ``ModelForm`` or the app's own) gets the check."""
    from django.contrib import admin

    for model_admin in admin.site._registry.values():
        form = model_admin.form
        if not issubclass(form, _TextAsStored):
            model_admin.form = type(form.__name__, (_TextAsStored, form), {})
