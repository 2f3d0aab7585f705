from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Organisation, UserProfile
from .permissions import permission_label


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "tax_code"]
    list_filter = ["country"]
    search_fields = ["name", "tax_code"]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "phone", "language"]
    list_filter = ["gates", "language"]
    # A driver's account is found by the phone a trip names.
    search_fields = ["user__username", "organisation__name", "phone"]
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
    # A revocation is final (clearing it would bring a leaked token back), and an expiry is
    # chosen with its bounds when the token is made: a token that should live longer is a
    # new one. Only the revoke action changes a token here.
    readonly_fields = [
        "user",
        "name",
        "hint",
        "key_hash",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state(self, token):
        return token.get_state_display()

    def has_add_permission(self, request):
        return False

    # Never deleted, only revoked: a deleted token took with it the link to the tokens made
    # with it (which went on working, revoked by nobody) and the record of its use.
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()


# What makes a person more powerful: only a superuser (an administrator) grants it.
GRANTING_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")

User = get_user_model()


class PermissionsInWords:
    """A permission chosen by its name in the reader's language: Django stores each one's name
    in English when it creates it ("Can add trip", "Can check trucks in and out at its gates")
    and the lists of a role's or a person's permissions showed those."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.label_from_instance = permission_label
        return field


class PersonAdmin(PermissionsInWords, UserAdmin):
    """Django's user admin, except that staff who may change users (a help desk resetting a
    password, deactivating a leaver) can neither give anyone a role, a permission or the
    administration, themselves included, nor change an administrator's account."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in GRANTING_FIELDS if f not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PersonAdmin)


class RoleAdmin(PermissionsInWords, GroupAdmin):
    pass


if admin.site.is_registered(Group):
    admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)
