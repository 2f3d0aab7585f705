"""Forms for the rules page. They parse and render; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.accounts import roles
from cuakhau.core.inputs import DayField, TextField
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate

from .choices import Requirement, RuleDirection


class RuleFilterForm(forms.Form):
    hs = TextField(
        label=_("HS code or prefix"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "0803"}),
    )
    requirement = forms.ChoiceField(
        label=_("Requirement"), choices=[("", "—"), *Requirement.choices], required=False
    )
    on = DayField(label=_("In force on"), required=False)
    gate = GateField(
        label=_("Gate"),
        queryset=Gate.objects.filter(handles_freight=True),
        required=False,
    )
    include_inactive = forms.BooleanField(label=_("Include past versions"), required=False)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class SuspensionForm(forms.Form):
    hs_prefix = TextField(
        label=_("HS chapter, heading or subheading"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "081090"}),
    )
    direction = forms.ChoiceField(
        label=pgettext_lazy("market rule", "Direction"),
        choices=RuleDirection.choices,
        initial=RuleDirection.EXPORT,
    )
    destination = TextField(
        label=_("Destination country"),
        max_length=2,
        initial="CN",
        help_text=_('"CN" for goods entering China, "VN" for goods entering Vietnam.'),
    )
    gate = GateField(
        label=_("Gate"),
        queryset=Gate.objects.filter(handles_freight=True),
        required=False,
        empty_label=_("every gate"),
    )
    starts_on = DayField(label=_("Suspended from"), required=False)
    ends_on = DayField(
        label=_("Suspended until (inclusive)"),
        required=False,
        help_text=_("Leave empty: until further notice."),
    )
    # As the API takes them (``api.SuspensionIn``): stored as typed, no control character.
    legal_basis = TextField(
        label=_("Legal basis"),
        max_length=4000,
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The notice, alert or decision, with its number and date."),
    )
    declared_by = TextField(
        label=_("Declared by"),
        max_length=200,
        required=False,
        help_text=_('The authority, e.g. "GACC" or "Plant Protection Department".'),
    )
    note = TextField(
        label=_("Note"),
        max_length=4000,
        multiline=True,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user=None, **kwargs):
        # Its page has the rules' filters too, with a gate and an HS prefix of their own: the
        # same ids made the suspension's gate a select no label named (its label's "for" found
        # the filter's first).
        kwargs.setdefault("auto_id", "suspend_%s")
        super().__init__(*args, **kwargs)
        if user is not None and roles.ADMINISTRATOR not in roles.roles_of(user):
            # A suspension at one gate is for that gate's own officers (``services.suspend``).
            profile = getattr(user, "profile", None)
            gates = profile.gates.all() if profile is not None else Gate.objects.none()
            self.fields["gate"].queryset = gates.filter(handles_freight=True)
