from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import rules, services
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
    list_filter = ["gate", "direction", "weekday"]

    def get_list_display(self, request):
        # The classes are read once for the page, not once a row: the admin object is shared
        # by every request, so they live in this request's column only.
        classes = None

        @admin.display(description=_("reserved seats per class"))
        def reserved_seats(row):
            nonlocal classes
            if classes is None and set(row.quotas or {}) - {rules.PERISHABLE, rules.GENERAL}:
                classes = services.priority_classes_by_code()
            return services.quotas_in_words(row.quotas, classes or {})

        return [reserved_seats if f == "quotas" else f for f in CAPACITY_FIELDS]


@admin.register(PriorityClass)
class PriorityClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "rank", "hs_prefixes"]


@admin.register(WaitingArea)
class WaitingAreaAdmin(admin.ModelAdmin):
    list_display = ["gate", "name", "name_en", "name_zh", "gate_places"]


class TransitionInline(admin.TabularInline):
    model = BookingTransition
    extra = 0
    can_delete = False
    # Each step by its name, never its code ("no_show", "move_up").
    fields = readonly_fields = ["step", "was", "became", "actor", "at", "channel", "why"]

    @admin.display(description=_("action"))
    def step(self, row):
        return services.BOOKING_MACHINE.say("action", row.action)

    @admin.display(description=_("from status"))
    def was(self, row):
        return services.BOOKING_MACHINE.say("state", row.from_status) if row.from_status else "—"

    @admin.display(description=_("to status"))
    def became(self, row):
        return services.BOOKING_MACHINE.say("state", row.to_status)

    @admin.display(description=_("reason"))
    def why(self, row):
        return services.reason_shown(row)


@admin.display(description=_("priority class"))
def priority(row):
    return services.priority_label(row.priority_class)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["trip", "gate", "direction", "slot_start", priority, "status"]
    list_filter = ["gate", "status", "priority_class"]
    readonly_fields = [
        "trip",
        "slot",
        "gate",
        "direction",
        "slot_start",
        priority,
        "moved_from",
        "created_by",
    ]
    inlines = [TransitionInline]

    def has_add_permission(self, request):
        return False  # bookings are made through the service, which locks the hour


@admin.register(WaitingEntry)
class WaitingEntryAdmin(admin.ModelAdmin):
    list_display = [
        "trip",
        "gate",
        "kind",
        priority,
        "status",
        "arrived_at",
        "called_at",
        "called_by",
    ]
    list_filter = ["gate", "status", "kind"]
    readonly_fields = [
        priority if f.name == "priority_class" else f.name for f in WaitingEntry._meta.fields
    ]

    def has_add_permission(self, request):
        return False
