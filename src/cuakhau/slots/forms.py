import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cuakhau.core.inputs import DayField, IntegerField, TextField
from cuakhau.trips.choices import Direction

from . import services
from .models import Weekday


class _BookableDayForm(forms.Form):
    """A form whose ``day`` must be one of ``days``, the days the gate takes bookings for
    (``services.bookable_days``): the picker offers only those, and any other day, year 1 or
    9999 included, is refused next to it with the days it may be."""

    day = DayField(label=_("Day"))

    def __init__(self, *args, days: tuple[dt.date, dt.date] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if days is None:
            return
        first, last = days

        def within(day: dt.date) -> None:
            if not first <= day <= last:
                raise ValidationError(
                    services.day_outside_horizon(first, last), code="outside_horizon"
                )

        field = self.fields["day"]
        # Instead of the plausible days of every form: the horizon lies within them.
        field.validators = [within]
        field.widget.attrs.update(min=first.isoformat(), max=last.isoformat())


class SlotForm(_BookableDayForm):
    """One hour of the booking page's list: book it, or move the booking there."""

    hour = IntegerField(label=_("Hour"), min_value=0, max_value=23)

    def slot_start(self, zone) -> dt.datetime:
        day, hour = self.cleaned_data["day"], self.cleaned_data["hour"]
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone)


class DayForm(_BookableDayForm):
    """The day whose free hours the booking page lists."""


class CancelForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=500, required=False)


class ArrivalForm(forms.Form):
    scan = TextField(label=_("trip QR, reference or plate"), max_length=200)


class CapacityForm(forms.Form):
    direction = forms.ChoiceField(
        label=pgettext_lazy("traffic", "direction"), choices=Direction.choices
    )
    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", _("every day"))] + list(Weekday.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    hour_from = IntegerField(label=_("from hour"), min_value=0, max_value=23)
    hour_to = IntegerField(label=_("to hour (inclusive)"), min_value=0, max_value=23)
    lanes = IntegerField(label=pgettext_lazy("how many", "lanes"), min_value=0, max_value=50)
    trucks_per_lane_hour = IntegerField(label=_("trucks per lane-hour"), min_value=0, max_value=120)
    perishable = IntegerField(
        label=_("seats reserved for perishable goods"), min_value=0, max_value=6000, initial=0
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("hour_from"), data.get("hour_to")
        if first is not None and last is not None and last < first:
            self.add_error("hour_to", _("The last hour comes after the first."))
        return data
