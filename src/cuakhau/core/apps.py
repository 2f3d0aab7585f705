from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cuakhau.core"
    label = "core"
    verbose_name = "cuakhau core"

    def ready(self):
        from cuakhau.core import lookups

        lookups.register()
        _admin_held_to_the_columns()
        _refused_choices_not_echoed()


def _refused_choices_not_echoed():
    """Every form's refused choice is said without repeating it, as the administration's are
    (``HeldToTheColumns``): Django's choice fields echoed what was sent into the page, a NUL, an
    escape sequence or 10 000 characters beside the field. Django's own words for a key no
    longer offered (``ModelChoiceField``'s), already in its catalogues."""
    from django import forms

    from cuakhau.core.inputs import CHOICE_NOT_OFFERED

    for field in (forms.ChoiceField, forms.MultipleChoiceField, forms.ModelMultipleChoiceField):
        field.default_error_messages = {
            **field.default_error_messages,
            "invalid_choice": CHOICE_NOT_OFFERED,
        }
    # A key that is no key of the model ("“x\x00” is not a valid value."): the same words.
    forms.ModelMultipleChoiceField.default_error_messages["invalid_pk_value"] = CHOICE_NOT_OFFERED


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
