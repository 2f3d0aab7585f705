from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.inputs import IntegerField

from . import scenarios
from .charts import policy_label
from .engine import POLICIES
from .planner import MAX_LANES

ALL = "all"


class SimulationForm(forms.Form):
    scenario = forms.ChoiceField(label=_("scenario"))
    policy = forms.ChoiceField(label=_("policy"))
    lanes = IntegerField(
        label=pgettext_lazy("how many", "lanes"),
        min_value=1,
        max_value=MAX_LANES,
        required=False,
        help_text=_("Empty: the scenario's own number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [
            (key, scenarios.load(key).title) for key in scenarios.available()
        ]
        self.fields["policy"].choices = [(ALL, _("All three, side by side"))] + [
            (code, policy_label(code)) for code in POLICIES
        ]
