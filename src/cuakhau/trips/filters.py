"""List filtering shared by the web list and the API (one form, two callers)."""

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DayField, TextField
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate
from cuakhau.reference.validators import normalise_plate

from .choices import Direction, TripStatus


class TripFilterForm(forms.Form):
    q = TextField(label=_("Search"), required=False, max_length=100)
    gate = GateField(
        label=_("Gate"),
        queryset=Gate.objects.filter(handles_freight=True),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—")] + TripStatus.choices, required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", "—")] + Direction.choices, required=False
    )
    # Bounded: the first or last day of the calendar cannot be turned into a moment in the
    # gate's time zone (the list would fail instead of finding nothing).
    date_from = DayField(label=_("Arriving from"), required=False)
    date_to = DayField(label=_("Arriving until"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("gate"):
            qs = qs.filter(gate=data["gate"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("direction"):
            qs = qs.filter(direction=data["direction"])
        tz = timezone.get_current_timezone()
        if data.get("date_from"):
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            qs = qs.filter(expected_arrival__gte=start)
        if data.get("date_to"):
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
            qs = qs.filter(expected_arrival__lt=end)
        text = (data.get("q") or "").strip()
        if text:
            plate = normalise_plate(text)
            condition = (
                Q(reference__icontains=text.replace(" ", ""))
                | Q(tractor_plate_key__contains=plate)
                | Q(trailer_plate_key__contains=plate)
                | Q(driver_name__icontains=text)
                | Q(organisation__name__icontains=text)
                | Q(cargo_lines__description__icontains=text)
                | Q(cargo_lines__hs_code__startswith=text.replace(".", ""))
                | Q(containers__number__icontains=text.replace(" ", ""))
            )
            qs = qs.filter(condition).distinct()
        return qs
