"""Every form of the project takes text by the project's rules (``core.inputs``), so that a new
form with a raw ``forms.CharField`` fails here, before a person stores "Viện trợ \\u202eQA".

A field takes text when it is one of Django's ``CharField`` family and what it cleans can hold
any character. Such a field is a ``TextField`` (NFC, control characters and the bidirectional
overrides and isolates refused with a translated message beside the field, newlines only where
the text has lines), or its form is a ``TextAsStored`` (the administration's way: every text the
form cleaned checked at once).

Nothing is instantiated: the fields are read from each form class (``base_fields``, which holds
a ``ModelForm``'s fields made from its model too). The forms are those of every module at the
top of each app: its ``forms``, and the forms its views or filters define themselves (a list's
filter is text from a query string too). Not the ``admin`` modules: ``core.apps`` makes every
registered admin's form a ``TextAsStored``. A field a form adds in its ``__init__`` is not seen.
"""

import importlib
import inspect
import pkgutil

from django import forms

import cuakhau
from cuakhau.core.inputs import LocalNumberField, TextAsStored, TextField

# Fields of the ``CharField`` family whose cleaned value cannot carry free text: each refuses any
# control or format character itself. (Not ``EmailField`` nor ``URLField``: Django's validators
# take any character from U+00A1 on in a domain, "a@b\u202ec.com" and "http://b\u202ec.com/"
# among them. Not ``RegexField`` nor ``JSONField``: their text is as free as their pattern or
# their strings.)
NOT_TEXT = (
    LocalNumberField,  # a number: digits and its separators only (``read_local_number``)
    forms.SlugField,  # letters, digits, "-" and "_" (``\w`` is no control or format character)
    forms.GenericIPAddressField,
    forms.UUIDField,
)
# Project fields that read their text into something else than text.
NOT_TEXT_BY_NAME = {
    "cuakhau.stats.forms.MonthField": "a month, read as the date of its first day",
}

# Forms of other apps whose text fields are raw ``forms.CharField``s: fixed elsewhere (by the
# owners of those apps), each listed as "module.Class": fields. Remove an entry once its form
# passes; ``test_the_allow_list_holds_only_what_is_still_to_fix`` says when.
ALLOWED = {
    # fixed elsewhere
    "cuakhau.accounts.forms.SignInForm": {"username"},
    "cuakhau.accounts.forms.AdminSignInForm": {"username"},
    "cuakhau.accounts.forms.EmailForm": {"email"},
    "cuakhau.accounts.forms.ResetRequestForm": {"email"},
    "cuakhau.desk.forms.ApplicationForm": {"phone", "email"},
    "cuakhau.desk.forms.TrackForm": {"code", "phone"},
    "cuakhau.desk.forms.QueueFilterForm": {"mine"},
    "cuakhau.gate.forms.ConsoleForm": {"gross_kg", "tare_kg"},
    "cuakhau.stats.forms.RateForm": {"currency"},
    "cuakhau.trips.forms.TripForm": {
        "expected_arrival",
        "container_numbers",
        "tractor_plate",
        "trailer_plate",
        "driver_name",
        "driver_document_number",
        "driver_phone",
    },
    "cuakhau.trips.forms.CargoLineForm": {
        "hs_code",
        "description",
        "container_numbers",
        "phytosanitary_certificate",
        "customs_declaration",
    },
}

# Modules of an app that define no page's form: the administration's (see above), the app's
# configuration.
SKIPPED_MODULES = {"admin", "apps"}


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def form_classes() -> list[type]:
    """Every form class defined at the top of a module of an app, by its module's order."""
    found = []
    for app in pkgutil.iter_modules(cuakhau.__path__):
        if not app.ispkg:
            continue
        package = importlib.import_module(f"cuakhau.{app.name}")
        for module_info in pkgutil.iter_modules(package.__path__):
            if module_info.ispkg or module_info.name in SKIPPED_MODULES:
                continue
            module = importlib.import_module(f"cuakhau.{app.name}.{module_info.name}")
            found += [
                cls
                for cls in vars(module).values()
                if inspect.isclass(cls)
                and issubclass(cls, forms.BaseForm)
                and cls.__module__ == module.__name__
            ]
    return found


def takes_text(field: forms.Field) -> bool:
    """Whether what the field cleans is text a person typed, with whatever characters."""
    if not isinstance(field, forms.CharField) or isinstance(field, NOT_TEXT):
        return False
    if isinstance(field.widget, forms.PasswordInput):
        # A secret: compared as typed and stored only hashed (normalising it would change it).
        return False
    return not any(_name(kind) in NOT_TEXT_BY_NAME for kind in type(field).__mro__)


def raw_text_fields(form_class: type) -> set[str]:
    """The fields that take text without the project's rules."""
    if issubclass(form_class, TextAsStored):
        return set()
    return {
        name
        for name, field in form_class.base_fields.items()
        if takes_text(field) and not isinstance(field, TextField)
    }


def test_every_form_takes_text_by_the_projects_rules():
    classes = form_classes()
    names = {_name(cls) for cls in classes}
    # The finder finds: the register's forms (each a ModelForm), a filter defined in a view.
    assert "cuakhau.cooperation.forms.AidProjectForm" in names
    assert "cuakhau.gate.views_board.KpiFilterForm" in names
    failures = []
    for form_class in classes:
        raw = raw_text_fields(form_class) - ALLOWED.get(_name(form_class), set())
        failures += [f"{_name(form_class)}.{field}" for field in sorted(raw)]
    assert not failures, (
        "These fields take text without core.inputs: make each a TextField (multiline=True "
        "where the text has lines), or the form a TextAsStored:\n" + "\n".join(failures)
    )


def test_the_allow_list_holds_only_what_is_still_to_fix():
    by_name = {_name(cls): cls for cls in form_classes()}
    stale = []
    for name, fields in ALLOWED.items():
        raw = raw_text_fields(by_name[name]) if name in by_name else set()
        stale += [f"{name}.{field}" for field in sorted(fields - raw)]
    assert not stale, "Fixed, or gone: remove from ALLOWED:\n" + "\n".join(stale)


def test_the_check_itself_tells_a_raw_field_from_a_text_field():
    class Raw(forms.Form):
        title = forms.CharField()
        email = forms.EmailField()
        password = forms.CharField(widget=forms.PasswordInput)
        count = LocalNumberField()
        kind = forms.ChoiceField(choices=[("a", "A")])

    class Ruled(forms.Form):
        title = TextField()
        minutes = TextField(multiline=True)

    class Stored(TextAsStored, forms.Form):
        title = forms.CharField()

    assert raw_text_fields(Raw) == {"title", "email"}
    assert raw_text_fields(Ruled) == raw_text_fields(Stored) == set()
