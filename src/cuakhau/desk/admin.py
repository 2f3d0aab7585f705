from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import (
    Application,
    ApplicationTransition,
    Procedure,
    ProcedureVersion,
    ScheduleDay,
)


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["version", "replaced_at", "replaced_by", "note", "snapshot"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """Administrators correct the catalogue here; each save keeps the previous version."""

    list_display = [
        "name_vi",
        "agency",
        "processing_days",
        "processing_hours",
        "fee_vnd",
        "confidence",
        "active",
        "version",
    ]
    list_filter = ["confidence", "active", "agency"]
    search_fields = ["name_vi", "name_en", "name_zh", "national_code", "key"]
    readonly_fields = ["version", "updated_at"]
    inlines = [ProcedureVersionInline]

    def save_model(self, request, obj, form, change):
        services.record_procedure_change(obj, request.user, "admin")
        super().save_model(request, obj, form, change)


@admin.register(ScheduleDay)
class ScheduleDayAdmin(admin.ModelAdmin):
    """The year's official schedule: swapped days off and make-up working Saturdays."""

    list_display = ["day", "kind", "note", "source", "confidence"]
    list_filter = ["kind", "confidence"]
    date_hierarchy = "day"

    def get_readonly_fields(self, request, obj=None):
        # A saved day stays that day: moving it is deleting it and adding another, so the log
        # names both and the loader leaves both as decided (``loading.days_a_person_changed``).
        return ["day"] if obj is not None else []


class TransitionInline(admin.TabularInline):
    model = ApplicationTransition
    fields = ["at", "action", "from_status", "to_status", "actor", "reason", "due_date"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: files move through the desk's pages, whose transitions are recorded."""

    list_display = ["code", "procedure", "status", "due_date", "assignee"]
    list_filter = ["status", "channel"]
    # Searched as the desk's queue searches (``services.queue_search``): a code in any form, a
    # phone as filing stores it, a name without regard to tone marks. Django's own search
    # matched the text as typed, so "nguyen" did not find "Nguyễn".
    search_fields = ["code"]
    inlines = [TransitionInline]

    def get_search_results(self, request, queryset, search_term):
        try:
            found = services.queue_search(search_term)
        except ValidationError:
            return queryset.none(), False
        return (queryset if found is None else queryset.filter(found)), False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
