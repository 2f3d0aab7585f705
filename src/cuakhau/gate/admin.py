from django.contrib import admin

from .models import Lane


@admin.register(Lane)
class LaneAdmin(admin.ModelAdmin):
    list_display = ["gate", "code", "direction", "is_open"]
    list_filter = ["gate", "direction", "is_open"]
    list_editable = ["is_open"]
