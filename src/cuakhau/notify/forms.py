"""The notifications list's filters, read from its query string (``core.listing``)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Channel, MessageStatus


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *MessageStatus.choices], required=False
    )
    channel = forms.ChoiceField(
        label=pgettext_lazy("notify", "Channel"),
        choices=[("", _("All")), *Channel.choices],
        required=False,
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("channel"):
            queryset = queryset.filter(channel=data["channel"])
        return queryset
