from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("rules/", views.rules, name="rules"),
    path("rules/settings/", views.edit_settings, name="edit_settings"),
    path("rules/<int:rule_id>/", views.edit_rule, name="edit_rule"),
]
