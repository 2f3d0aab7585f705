import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DayField
from cuakhau.trips.choices import Direction

from .models import Weekday


class SlotForm(forms.Form):
    day = DayField(label=_("day"))
    hour = forms.IntegerField(label=_("hour"), min_value=0, max_value=23)

    def slot_start(self, zone) -> dt.datetime:
        day, hour = self.cleaned_data["day"], self.cleaned_data["hour"]
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone)


class DayForm(forms.Form):
    """The day whose free hours the booking page lists."""

    day = DayField(label=_("day"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, required=False)


class ArrivalForm(forms.Form):
    scan = forms.CharField(label=_("trip QR, reference or plate"), max_length=200)


class CapacityForm(forms.Form):
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", _("every day"))] + list(Weekday.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    hour_from = forms.IntegerField(label=_("from hour"), min_value=0, max_value=23)
    hour_to = forms.IntegerField(label=_("to hour (inclusive)"), min_value=0, max_value=23)
    lanes = forms.IntegerField(label=_("lanes"), min_value=0, max_value=50)
    trucks_per_lane_hour = forms.IntegerField(
        label=_("trucks per lane-hour"), min_value=0, max_value=120
    )
    perishable = forms.IntegerField(
        label=_("seats reserved for perishable goods"), min_value=0, max_value=6000, initial=0
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("hour_from"), data.get("hour_to")
        if first is not None and last is not None and last < first:
            self.add_error("hour_to", _("The last hour comes after the first."))
        return data
