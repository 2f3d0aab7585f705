from django import forms
from django.contrib import admin

from . import services
from .models import (
    Booking,
    BookingTransition,
    PriorityClass,
    SlotCapacity,
    WaitingArea,
    WaitingEntry,
)

# What an hour's capacity is, as the list shows it and the form edits it.
CAPACITY_FIELDS = [
    "gate",
    "direction",
    "weekday",
    "date",
    "hour",
    "lanes",
    "trucks_per_lane_hour",
    "quotas",
]


class SlotCapacityForm(forms.ModelForm):
    class Meta:
        model = SlotCapacity
        fields = CAPACITY_FIELDS

    def clean(self):
        data = super().clean()
        lanes, per_lane = data.get("lanes"), data.get("trucks_per_lane_hour")
        if lanes is not None and per_lane is not None and "quotas" in data:
            for field, messages in services.quota_errors(data["quotas"], lanes, per_lane).items():
                for message in messages:
                    # "quotas.perishable" is said beside the one quotas field.
                    self.add_error("quotas", f"{field.partition('.')[2]}: {message}".lstrip(": "))
        return data


@admin.register(SlotCapacity)
class SlotCapacityAdmin(admin.ModelAdmin):
    form = SlotCapacityForm
    list_display = CAPACITY_FIELDS
    list_filter = ["gate", "direction", "weekday"]


@admin.register(PriorityClass)
class PriorityClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "rank", "hs_prefixes"]


@admin.register(WaitingArea)
class WaitingAreaAdmin(admin.ModelAdmin):
    list_display = ["gate", "name", "gate_places"]


class TransitionInline(admin.TabularInline):
    model = BookingTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "channel", "reason"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["trip", "gate", "direction", "slot_start", "priority_class", "status"]
    list_filter = ["gate", "status", "priority_class"]
    readonly_fields = [
        "trip",
        "slot",
        "gate",
        "direction",
        "slot_start",
        "priority_class",
        "moved_from",
        "created_by",
    ]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False  # bookings are made through the service, which locks the hour


@admin.register(WaitingEntry)
class WaitingEntryAdmin(admin.ModelAdmin):
    list_display = ["trip", "gate", "kind", "status", "arrived_at", "called_at", "called_by"]
    list_filter = ["gate", "status", "kind"]
    readonly_fields = [f.name for f in WaitingEntry._meta.fields]

    def has_add_permission(self, request):
        return False
