import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

    @admin.action(
        description=gettext_lazy("Create the next version, effective tomorrow (then edit it)")
    )
    def new_version(self, request, queryset):
        for schedule in queryset.select_related("gate"):
            # Tomorrow at the schedule's gate, whose day its fees follow: not the server's.
            today = timezone.localdate(timezone=ZoneInfo(schedule.gate.time_zone))
            tomorrow = today + dt.timedelta(days=1)
            try:
                new = services.new_schedule_version(schedule, request.user, effective_from=tomorrow)
            except services.FieldErrors as exc:
                refusal = " ".join(str(m) for found in exc.errors.values() for m in found)
                self.message_user(request, refusal, messages.ERROR)
            else:
                self.message_user(request, _("%(schedule)s created") % {"schedule": new})
