from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Device, Lane


@admin.register(Lane)
class LaneAdmin(admin.ModelAdmin):
    list_display = ["gate", "code", "direction", "is_open"]
    list_filter = ["gate", "direction", "is_open"]
    list_editable = ["is_open"]


class DeviceForm(forms.ModelForm):
    class Meta:
        model = Device
        fields = ["gate", "lane", "kind", "name"]

    def clean(self):
        data = super().clean()
        gate, lane = data.get("gate"), data.get("lane")
        if gate and lane and lane.gate_id != gate.pk:
            self.add_error("lane", _("This lane belongs to another gate."))
        elif gate and self.instance.pk is None:
            # The service's own checks, beside their fields (it would refuse them on saving).
            lane_code = lane.code if lane else None
            for field, messages in services.device_errors(
                gate, data.get("kind", ""), data.get("name", ""), lane_code
            ).items():
                if field in self.errors:
                    continue  # already refused beside it (a name left empty): said once
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Administrators register a device here; its key is shown once, on saving."""

    list_display = [
        "name",
        "gate",
        "lane",
        "kind",
        "hint",
        "key_issued_at",
        "last_seen_at",
        "revoked_at",
    ]
    list_filter = ["gate", "kind"]
    form = DeviceForm
    fields = ["gate", "lane", "kind", "name"]
    actions = ["give_new_key", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A registered device keeps its gate, lane and kind: register a new one instead.
        return ["gate", "lane", "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        device, raw = services.register_device(
            request.user,
            obj.gate,
            obj.kind,
            obj.name,
            lane=obj.lane.code if obj.lane_id else None,
        )
        obj.pk = device.pk
        obj.key_hash, obj.hint, obj.registered_at = (
            device.key_hash,
            device.hint,
            device.registered_at,
        )
        messages.warning(
            request,
            _("The device's key, shown only now — enter it in the device: %(key)s") % {"key": raw},
        )

    @admin.action(description=_("Give the selected device a new key"))
    def give_new_key(self, request, queryset):
        # One at a time: each key is shown once, beside the device it is for.
        if queryset.count() != 1:
            messages.error(request, _("Choose one device: its new key is shown only once."))
            return
        try:
            device, raw = services.give_device_new_key(request.user, queryset.get())
        except services.FieldErrors as exc:
            messages.error(request, " ".join(str(m) for ms in exc.errors.values() for m in ms))
            return
        messages.warning(
            request,
            _("New key of %(device)s, shown only now — enter it in the device: %(key)s")
            % {"device": device, "key": raw},
        )

    @admin.action(description=_("Revoke the selected devices"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
