from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import MarketAccessRule

HISTORY_FIELDS = [
    "supersedes",
    "source_key",
    "created_by",
    "created_at",
    "is_active",
    "deactivated_at",
    "deactivated_by",
]


@admin.register(MarketAccessRule)
class MarketAccessRuleAdmin(admin.ModelAdmin):
    """Rules are versioned: "save" on a rule records a new version and retires the old one."""

    list_display = [
        "id",
        "hs_prefix",
        "product_name_en",
        "requirement",
        "direction",
        "destination",
        "gate",
        "starts_on",
        "ends_on",
        "confidence",
        "declared_by",
        "is_active",
    ]
    list_display_links = ["id", "hs_prefix"]
    list_filter = [
        "is_active",
        "requirement",
        "direction",
        "destination",
        "confidence",
        "gate",
        "declared_by",
    ]
    list_select_related = ["gate"]
    search_fields = [
        "hs_prefix",
        "product_name_vi",
        "product_name_en",
        "product_name_zh",
        "legal_basis",
        "note",
    ]
    filter_horizontal = ["designated_gates"]
    readonly_fields = HISTORY_FIELDS
    actions = ["deactivate"]
    fieldsets = [
        (None, {"fields": ["hs_prefix", "requirement", "direction", "destination"]}),
        (
            gettext_lazy("Where and of what origin"),
            {"fields": ["gate", "designated_gates", "origin_country"]},
        ),
        (gettext_lazy("When"), {"fields": ["starts_on", "ends_on"]}),
        (
            gettext_lazy("Product"),
            {"fields": ["product_name_vi", "product_name_en", "product_name_zh"]},
        ),
        (
            gettext_lazy("Basis"),
            {"fields": ["legal_basis", "declared_by", "confidence", "source", "note"]},
        ),
        (gettext_lazy("History"), {"fields": HISTORY_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_active:
            # A retired version is history: never edited, never revived.
            return [f.name for f in self.model._meta.fields] + ["designated_gates"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            services.record_rule(obj, actor=request.user)
            return
        if not form.changed_data:
            return
        previous = obj.pk
        # The designated gates from the form are set on the new version by save_related.
        services.save_new_version(obj, actor=request.user)
        self.message_user(
            request,
            _("Recorded as rule %(new)s, superseding rule %(old)s (kept as history).")
            % {"new": obj.pk, "old": previous},
        )

    @admin.action(
        description=gettext_lazy("Deactivate the selected rules (kept as history)"),
        permissions=["change"],
    )
    def deactivate(self, request, queryset):
        rules = list(queryset.filter(is_active=True))
        for rule in rules:
            services.deactivate_rule(rule, actor=request.user)
        self.message_user(request, _("%(n)d rules deactivated.") % {"n": len(rules)})
