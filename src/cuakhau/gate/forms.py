from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import TextField


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
