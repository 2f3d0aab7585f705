"""Form fields of reference data, for every app's forms and list filters."""

from django import forms


class GateField(forms.ModelChoiceField):
    """A gate chosen by its code, as sent in any case: pages and receipts write codes in
    capitals ("HNG") and a link or a script may send them so; the path lookups already take
    either, so a filter does too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower()
        return super().to_python(value)
