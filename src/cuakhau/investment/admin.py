from django.contrib import admin

from cuakhau.core.context import context_of

from . import services
from .models import InvestmentProject, LicenceAmendment, Milestone, ProjectTransition


class AmendmentInline(admin.TabularInline):
    model = LicenceAmendment
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class TransitionInline(admin.TabularInline):
    model = ProjectTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "source", "target", "actor", "at", "channel", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(admin.ModelAdmin):
    """Corrections of a project's data; its status changes only through its page (recorded)."""

    list_display = ["code", "name", "investor", "sector", "registered_capital_vnd", "status"]
    list_filter = ["sector", "status", "investor_country", "is_example"]
    search_fields = ["code", "name", "investor", "certificate_number"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [AmendmentInline, MilestoneInline, TransitionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.project_recorded(request.user, obj, context_of(request))
