from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import TextField, shown


class ConsoleForm(forms.Form):
    scan = TextField(
        label=_("Scan receipt / trip QR, or type the plate"),
        max_length=2000,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "class": "scan",
            }
        ),
    )
    plate_seen = TextField(label=_("Plate seen at the lane"), max_length=20, required=False)
    lane = forms.ChoiceField(label=_("Lane"), required=False)
    yard_position = TextField(label=_("Yard position"), max_length=20, required=False)
    gross_kg = forms.CharField(
        label=_("Weighbridge (kg)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    tare_kg = forms.CharField(
        label=_("Vehicle tare (kg)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, gate=None, **kwargs):
        super().__init__(*args, **kwargs)
        lanes = gate.lanes.filter(is_open=True) if gate else []
        self.fields["lane"].choices = [("", "—")] + [(lane.code, lane.code) for lane in lanes]

    # The fields in the row beside the scan (gate/_console_fields.html), sent again with a card
    # that refuses any of them.
    BESIDE_THE_SCAN = ("lane", "yard_position", "gross_kg", "tare_kg", "plate_seen")

    @classmethod
    def refused(cls, typed, gate, errors: dict[str, list[str]]) -> "ConsoleForm":
        """The form as typed, with the service's refusals beside their fields and only those:
        the service checks what the console sends (the form's own checks, a closed lane not
        among the choices, would say it again in other words). What was typed comes back as a
        refusal quotes it: within the field's length, each control character as U+FFFD (a
        page holds no NUL, and 5,000 characters do not come back whole)."""
        data = typed.copy()
        for name in cls.BESIDE_THE_SCAN:
            if name in data:
                data[name] = shown(
                    data[name], getattr(cls.base_fields[name], "max_length", None) or 40
                )
        form = cls(data, gate=gate)
        form.cleaned_data = {}
        form._errors = ErrorDict(renderer=form.renderer)
        for name, messages in errors.items():
            for message in messages:
                form.add_error(name, message)
        return form
