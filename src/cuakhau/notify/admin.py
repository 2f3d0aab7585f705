from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cuakhau.core.statemachine import IllegalTransition
from cuakhau.core.wording import join_words, label_of

from . import services
from .messages import event_label, render
from .models import Channel, DeliveryAttempt, Message


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


class EventFilter(admin.SimpleListFilter):
    """The templates used, each by the event it tells of (its code is the program's)."""

    title = _("Event")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        used = Message.objects.order_by().values_list("template", flat=True).distinct()
        return sorted(((t, event_label(t)) for t in used), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, _language_name(code)) for code, _name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only record; the one change a person makes is "send again" (failed or unknown).

    The template, the language and the channels to try are said in words, in the list, its
    filters and the page: their codes ("truck_called_forward", "zh-hans", ["zns", "sms"]) are
    the program's."""

    list_display = ("created_at", "event", "language_name", "recipient_phone", "channel", "status")
    list_filter = ("status", "channel", EventFilter, LanguageFilter)
    exclude = ("template", "language", "channels", "context")
    readonly_fields = ("event", "language_name", "channels_named", "text")
    search_fields = ("recipient_phone", "recipient_email", "dedupe_key", "provider_id")
    inlines = [DeliveryAttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Event"))
    def event(self, message):
        return message.event

    @admin.display(description=_("language"))
    def language_name(self, message):
        return _language_name(message.language)

    @admin.display(description=_("channels"))
    def channels_named(self, message):
        return join_words([label_of(Channel, c) for c in message.channels])

    @admin.display(description=_("Message"))
    def text(self, message):
        # The message as its recipient reads it, with every value of its context in their
        # language (the context keeps each value in every language, under codes).
        try:
            rendered = render(message.template, message.language, message.context)
        except (KeyError, TypeError, ValueError):  # a template or a value this version lacks
            return "—"
        return f"{rendered.subject} — {rendered.text}"

    @admin.action(description=_("Send again (failed or outcome unknown)"))
    def send_again(self, request, queryset):
        for message in queryset:
            try:
                services.resend(message, request.user)
            except IllegalTransition as exc:
                self.message_user(request, str(exc), messages.WARNING)
