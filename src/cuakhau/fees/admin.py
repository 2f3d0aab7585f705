import datetime as dt

from django.contrib import admin, messages
from django.utils.formats import date_format
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
    """Schedules with assessments are frozen: change them by making a new version, a draft
    edited freely, then published."""

    list_display = [
        "gate",
        "key",
        "version",
        "effective_from",
        "status",
        "legal_basis",
        "confidence",
        "frozen",
    ]
    list_filter = ["gate", "status", "confidence"]
    readonly_fields = ["status", "published_at", "published_by"]
    inlines = [FeeRateInline]
    actions = ["new_version", "publish"]

    @admin.display(boolean=True)
    def frozen(self, obj):
        return obj.is_frozen

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.is_draft:
            # Publishing checked its day and gate: moved afterwards (into the past, say), the
            # rates would count where publishing refused them. A new version moves a day.
            fields += ["gate", "key", "version", "effective_from", "supersedes"]
        return fields

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
            today = services.gate_today(schedule.gate)
            tomorrow = today + dt.timedelta(days=1)
            try:
                new = services.new_schedule_version(schedule, request.user, effective_from=tomorrow)
            except services.FieldErrors as exc:
                refusal = " ".join(str(m) for found in exc.errors.values() for m in found)
                self.message_user(request, refusal, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(schedule)s created as a draft: edit its rates, then publish it.")
                    % {"schedule": new},
                )

    @admin.action(
        description=gettext_lazy("Publish the selected drafts (their rates count from their day)")
    )
    def publish(self, request, queryset):
        for schedule in queryset.select_related("gate"):
            try:
                services.publish_schedule(schedule, request.user)
            except services.FieldErrors as exc:
                refusal = " ".join(str(m) for found in exc.errors.values() for m in found)
                self.message_user(request, refusal, messages.ERROR)
            except services.StateRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(schedule)s published: its rates count from %(date)s.")
                    % {
                        "schedule": schedule,
                        "date": date_format(schedule.effective_from, "SHORT_DATE_FORMAT"),
                    },
                )
