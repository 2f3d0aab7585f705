"""A permission's name in the reader's language.

Django writes a permission's name into the database once, in English, when it creates it: the
four of every model ("Can add trip") and those a model declares (``Meta.permissions``). Read
again from the model, as the reader's language says them.
"""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext as _

# Django's own four, by the codename's first word.
_DEFAULTS = {
    "add": lambda model: _("Can add %(model)s") % {"model": model},
    "change": lambda model: _("Can change %(model)s") % {"model": model},
    "delete": lambda model: _("Can delete %(model)s") % {"model": model},
    "view": lambda model: _("Can view %(model)s") % {"model": model},
}


def permission_name(permission: Permission) -> str:
    """The permission's name in the active language; as stored for a model no longer there."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, model_name = permission.codename.partition("_")
    if action in _DEFAULTS and model_name == model._meta.model_name:
        return _DEFAULTS[action](model._meta.verbose_name)
    declared = dict(model._meta.permissions)
    return str(declared.get(permission.codename, permission.name))


def permission_label(permission: Permission) -> str:
    """As Django's own label ("app | model | name"), in the reader's language."""
    return f"{permission.content_type} | {permission_name(permission)}"
