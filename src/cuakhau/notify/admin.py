from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cuakhau.core.statemachine import IllegalTransition

from . import services
from .models import DeliveryAttempt, Message


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only record; the one change a person makes is "send again" (failed or unknown)."""

    list_display = ("created_at", "template", "language", "recipient_phone", "channel", "status")
    list_filter = ("status", "channel", "template", "language")
    search_fields = ("recipient_phone", "recipient_email", "dedupe_key", "provider_id")
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send again (failed or outcome unknown)"))
    def send_again(self, request, queryset):
        for message in queryset:
            try:
                services.resend(message, request.user)
            except IllegalTransition as exc:
                self.message_user(request, str(exc), messages.WARNING)
