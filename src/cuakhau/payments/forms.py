"""The reconciliation picker: which gate (or all) and which local day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cuakhau.core.inputs import DayField
from cuakhau.reference.fields import GateField
from cuakhau.reference.models import Gate


def today_at(gate: Gate | None) -> dt.date:
    """Today's date where the gate is, which is not the server's date around midnight UTC."""
    return timezone.localdate(
        timezone=zoneinfo.ZoneInfo(gate.time_zone if gate else settings.TIME_ZONE)
    )


class ReconciliationForm(forms.Form):
    """GET form. A missing day means today at the chosen gate, so ``?gate=mlt`` is a report.

    ``gates`` narrows the choice (a gate operator sees only their gates); without it, every
    gate that handles freight is offered.
    """

    gate = GateField(
        label=_("Gate"),
        queryset=Gate.objects.filter(handles_freight=True),
        required=False,
        empty_label=_("All gates"),
    )
    day = DayField(label=_("Day"))

    def __init__(self, data=None, *args, gates=None, **kwargs):
        if data is not None and not data.get("day"):
            data = data.copy()
            data["day"] = today_at(self._gate_in(data, gates)).isoformat()
        super().__init__(data, *args, **kwargs)
        if gates is not None:
            self.fields["gate"].queryset = gates
        if not self.is_bound:
            self.initial.setdefault("day", today_at(None))

    @staticmethod
    def _gate_in(data, gates) -> Gate | None:
        code = data.get("gate")
        if not code or not Gate.could_be_code(code):
            return None  # no gate; the field says so
        queryset = gates if gates is not None else Gate.objects.all()
        return queryset.filter(code=code).first()

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day")
        if day is not None and day > today_at(cleaned.get("gate")):
            self.add_error("day", _("The day cannot be in the future."))
        return cleaned
