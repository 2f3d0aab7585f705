"""The statistics' forms: which year (and gate) to read, a year's target, a month's rate."""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import (
    AtMost,
    DecimalField,
    IntegerField,
    TextField,
    exactly_stored,
)
from cuakhau.reference.fields import GateField
from cuakhau.reference.localize import localized_name, sort_key
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import validate_currency

from .choices import Measure, TargetKind
from .models import RATE_BOUNDS
from .services import local_today

FIRST_YEAR = 2000


def last_year_allowed() -> int:
    # Targets may be set for the coming year; no figure exists further ahead.
    return local_today().year + 1


class YearField(IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            min_value=FIRST_YEAR,
            validators=[
                AtMost(
                    last_year_allowed,
                    message=_("Choose a year up to %(limit_value)s."),
                )
            ],
            **kwargs,
        )


class GateChoiceField(GateField):
    def label_from_instance(self, gate):
        return str(localized_name(gate))


def gates():
    found = list(Gate.objects.all())
    return sorted(found, key=lambda g: sort_key(str(localized_name(g))))


class PeriodForm(forms.Form):
    """The dashboard's choice: a year (this year by default) and how many days of trucks."""

    SPANS = [("90", _("The last 90 days")), ("year", _("The whole year"))]

    year = YearField(label=_("Year"), required=False)
    days = forms.ChoiceField(label=_("Trucks per day"), choices=SPANS, required=False)

    def year_or_default(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return local_today().year


class TargetForm(forms.Form):
    gate = GateChoiceField(
        label=_("Gate"),
        queryset=Gate.objects.all(),
        required=False,
        empty_label=_("The whole zone"),
    )
    year = YearField(label=_("Year"))
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    kind = forms.ChoiceField(label=_("Kind of target"), choices=TargetKind.choices)
    value = DecimalField(
        label=_("Target"),
        max_digits=18,
        decimal_places=2,
        validators=[exactly_stored],
        help_text=_("A growth in percent (5 for +5 % a year), or an amount in the measure's unit."),
    )
    note = TextField(label=_("Note"), max_length=300, required=False)


# ASCII digits, as every day field reads them (``\d`` would take Arabic-Indic ones too).
MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class MonthField(forms.CharField):
    """A month as the browser's ``type=month`` input sends it: YYYY-MM."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = MONTH.match(value.strip())
        try:
            if not match:
                raise ValueError
            # Month 13 and year 0000 (which passed the pattern, then failed as a date: a server
            # error) are no months.
            return dt.date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise ValidationError(_("Give a month as year and month, e.g. 2025-03.")) from None

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_YEAR <= value.year <= last_year_allowed():
            raise ValidationError(
                _("Choose a month between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": last_year_allowed()}
            )


class RateForm(forms.Form):
    currency = forms.CharField(
        label=_("Currency"),
        min_length=3,
        max_length=3,
        validators=[validate_currency],
        widget=forms.TextInput(attrs={"placeholder": "CNY", "autocapitalize": "characters"}),
    )
    month = MonthField(label=_("Month"))
    units_per_usd = DecimalField(
        label=_("Units per US dollar"),
        max_digits=14,
        decimal_places=4,
        # The column's own bounds: 5,000,000,000 was stored, beyond the 10⁹ the model allows.
        validators=RATE_BOUNDS,
    )
    source = TextField(label=_("Source"), max_length=300)
    unusual_confirmed = forms.BooleanField(
        label=_("The rate is right, though far from the nearest month's"), required=False
    )

    def clean_currency(self):
        currency = self.cleaned_data["currency"].upper()
        if currency == "USD":
            raise ValidationError(_("The US dollar is the unit itself: its rate is always 1."))
        return currency
