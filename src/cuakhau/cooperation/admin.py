from django.contrib import admin

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


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    readonly_fields = ["status", "done_on"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "place"]
    filter_horizontal = ["counterparts"]
    inlines = [CommitmentInline]


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
    """Its status changes only through its page, where each change is recorded."""

    list_display = ["subject", "owner", "due_date", "status"]
    list_filter = ["status", "side"]
    readonly_fields = ["status", "done_on"]
    inlines = [CommitmentTransitionInline]


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    list_display = ["received_on", "from_name", "country", "visitors"]
    list_filter = ["country"]


@admin.register(AidProject)
class AidProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "donor", "amount", "currency", "amount_vnd", "sector"]
    list_filter = ["sector", "donor_country"]
