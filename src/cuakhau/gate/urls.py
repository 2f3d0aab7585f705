from django.urls import path

from . import views

app_name = "gate"

urlpatterns = [
    path("<str:code>/console/", views.console, name="console"),
    path("<str:code>/console/scan/", views.scan, name="scan"),
    path("<str:code>/console/<str:action>/", views.act, name="act"),
]
