"""The inspection page's forms. They carry what the officer typed back to the page with each
refusal beside its field; what is accepted is decided by ``services`` (the API's rules too)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.forms import Refusable

from .models import QuarantineSample, Result, SampleResult


class AsTyped(forms.Field):
    """Text kept as typed, never refused here: the service checks it (a NUL, a length) and
    says why in the project's words, beside the field."""

    def to_python(self, value):
        return "" if value is None else str(value)


def _typed(label, widget) -> forms.Field:
    return AsTyped(label=label, required=False, widget=widget)


class ResultForm(Refusable):
    # The page's order: the usual answer first, the grave one last; none chosen beforehand,
    # so a single press of the button never clears a truck the officer has not judged.
    result = _typed(
        _("Result"),
        forms.Select(
            choices=[
                ("", _("— choose —")),
                *((r, r.label) for r in (Result.PASS, Result.HOLD, Result.FAIL)),
            ],
        ),
    )
    notes = _typed(_("Notes"), forms.Textarea(attrs={"rows": 2}))


class SampleForm(Refusable):
    sample_code = _typed(_("Sample code"), forms.TextInput)
    description = _typed(_("What was sampled"), forms.TextInput)
    laboratory = _typed(_("Laboratory"), forms.TextInput)


class SampleResultForm(Refusable):
    """A laboratory's result, for one of the trip's samples."""

    service_names = {"sample_result": "result"}

    sample = forms.ModelChoiceField(
        label=_("Sample"),
        queryset=QuarantineSample.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose one of this trip's samples."),
            "invalid_choice": _("Choose one of this trip's samples."),
        },
    )
    sample_result = _typed(
        _("Result"),
        forms.Select(
            # The short words of the page (the model's label explains "negative" at length).
            choices=[
                (SampleResult.NEGATIVE, _("negative")),
                (SampleResult.POSITIVE, _("positive")),
            ],
            attrs={"aria-label": _("Result")},
        ),
    )
    finding = _typed(
        _("pest or disease found"),
        forms.TextInput(
            attrs={"placeholder": _("pest or disease"), "aria-label": _("pest or disease found")}
        ),
    )

    def __init__(self, data=None, *, trip, **kwargs):
        # One blank form serves every pending sample's row: no ids to repeat.
        kwargs.setdefault("auto_id", False)
        super().__init__(data, **kwargs)
        self.fields["sample"].queryset = QuarantineSample.objects.filter(inspection__trip=trip)

    @property
    def sample_pk(self):
        """The sample this refused result was for (its row shows the errors), if one of this
        trip's."""
        sample = getattr(self, "cleaned_data", {}).get("sample")
        return sample.pk if sample is not None else None

    @property
    def sample_is_pending(self) -> bool:
        """Whether the page has a row with this form for the sample (only pending ones do)."""
        sample = getattr(self, "cleaned_data", {}).get("sample")
        return sample is not None and sample.result == SampleResult.PENDING
