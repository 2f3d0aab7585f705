from django.contrib import admin

from cuakhau.core.context import context_of

from . import services
from .models import (
    Agreement,
    AidProject,
    Commitment,
    CommitmentTransition,
    Counterpart,
    Delegation,
    Meeting,
)


@admin.register(Counterpart)
class CounterpartAdmin(admin.ModelAdmin):
    list_display = ["name_vi", "name_en", "name_zh", "country"]
    search_fields = ["name_vi", "name_en", "name_zh"]

    def get_deleted_objects(self, objs, request):
        """An agreement or a meeting left with no counterpart at all protects the last one:
        deleting the only party of an agreement emptied its parties, a row no form could
        save again (the page and its own form need one)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        ids = [o.pk for o in objs]
        others = Counterpart.objects.exclude(pk__in=ids)
        for model, link in ((Agreement, "parties"), (Meeting, "counterparts")):
            left_without = (
                model.objects.filter(**{f"{link}__in": ids})
                .exclude(**{f"{link}__in": others})
                .distinct()
            )
            protected = [
                *protected,
                *(f"{model._meta.verbose_name}: {row}" for row in left_without),
            ]
        return deleted, counts, perms_needed, protected


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "signed_on"]
    list_filter = ["kind"]
    filter_horizontal = ["parties"]


# A commitment's status, its evidence and the day it was fulfilled change only through its
# page or the API (``services.transition``), where each change is recorded: the evidence,
# edited here, was changed with no trace in the history.
COMMITMENT_KEPT_BY_ITS_HISTORY = ["status", "evidence", "done_on"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    readonly_fields = COMMITMENT_KEPT_BY_ITS_HISTORY


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "place"]
    filter_horizontal = ["counterparts"]
    inlines = [CommitmentInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # A commitment added beside its meeting starts its history as one the page records.
        for item in getattr(formset, "new_objects", []):
            if isinstance(item, Commitment):
                services.commitment_recorded(item, request.user, context_of(request))


class CommitmentTransitionInline(admin.TabularInline):
    model = CommitmentTransition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "source", "target", "actor", "at", "channel", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Its status and evidence change only through its page, where each change is recorded;
    one added here is recorded as the page records it."""

    list_display = ["subject", "owner", "due_date", "status"]
    list_filter = ["status", "side"]
    readonly_fields = COMMITMENT_KEPT_BY_ITS_HISTORY
    inlines = [CommitmentTransitionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.commitment_recorded(obj, request.user, context_of(request))


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["received_on", "from_name", "country", "visitors"]
    list_filter = ["country"]


@admin.register(AidProject)
class AidProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "donor", "amount", "currency", "amount_vnd", "sector"]
    list_filter = ["sector", "donor_country"]
