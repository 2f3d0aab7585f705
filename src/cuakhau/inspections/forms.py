from django import forms
from django.utils.translation import gettext_lazy as _

from .models import QuarantineSample


class SampleResultForm(forms.Form):
    """Which of the trip's samples a laboratory's result is for."""

    sample = forms.ModelChoiceField(
        label=_("Sample"),
        queryset=QuarantineSample.objects.none(),
        error_messages={
            "required": _("Choose one of this trip's samples."),
            "invalid_choice": _("Choose one of this trip's samples."),
        },
    )

    def __init__(self, data, *, trip):
        super().__init__(data)
        self.fields["sample"].queryset = QuarantineSample.objects.filter(inspection__trip=trip)
