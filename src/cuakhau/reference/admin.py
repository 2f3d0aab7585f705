from django.contrib import admin

from .models import Gate, HSCode


@admin.register(Gate)
class GateAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "counterpart_name_pinyin",
        "province",
        "gate_class",
        "handles_freight",
        "confidence",
    ]
    list_filter = ["handles_freight", "confidence", "province"]
    search_fields = ["code", "name_vi", "name_en", "counterpart_name_pinyin"]


@admin.register(HSCode)
class HSCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "description"]
    list_filter = ["level", "section"]
    search_fields = ["code", "description"]

    def has_change_permission(self, request, obj=None):
        return False  # the nomenclature comes from the shipped file
