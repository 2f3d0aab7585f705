import datetime as dt

from django.contrib import admin, messages

from . import services
from .models import FeeRate, FeeSchedule


class FeeRateInline(admin.TabularInline):
    model = FeeRate
    extra = 0
    fields = [
        "position",
        "item_code",
        "label_vi",
        "vehicle",
        "tonnage_min",
        "tonnage_max",
        "container_size",
        "regime",
        "goods",
        "unit",
        "amount_vnd",
        "confidence",
    ]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(FeeSchedule)
class FeeScheduleAdmin(admin.ModelAdmin):
    """Schedules with assessments are frozen: change them by making a new version."""

    list_display = [
        "gate",
        "key",
        "version",
        "effective_from",
        "legal_basis",
        "confidence",
        "frozen",
    ]
    list_filter = ["gate", "confidence"]
    inlines = [FeeRateInline]
    actions = ["new_version"]

    @admin.display(boolean=True)
    def frozen(self, obj):
        return obj.is_frozen

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_frozen

    @admin.action(description="Create the next version, effective tomorrow (then edit it)")
    def new_version(self, request, queryset):
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        for schedule in queryset:
            try:
                new = services.new_schedule_version(schedule, request.user, effective_from=tomorrow)
            except services.FieldErrors as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{new} created")
