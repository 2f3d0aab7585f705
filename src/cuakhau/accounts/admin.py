from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Organisation, UserProfile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "tax_code"]
    list_filter = ["country"]
    search_fields = ["name", "tax_code"]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "language"]
    list_filter = ["gates", "language"]
    search_fields = ["user__username", "organisation__name"]
    filter_horizontal = ["gates"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # Only the hash is stored: an administrator can see and revoke tokens, never read them.
    list_display = [
        "user",
        "name",
        "hint",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "state",
    ]
    readonly_fields = ["user", "name", "hint", "key_hash", "created_at", "last_used_at"]
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state(self, token):
        return token.get_state_display()

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
