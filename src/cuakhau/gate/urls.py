from django.urls import path

from . import views
from .urls_board import urlpatterns as board_urlpatterns

app_name = "gate"

urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("<str:code>/console/", views.console, name="console"),
    path("<str:code>/console/scan/", views.scan, name="scan"),
    path("<str:code>/console/snapshot/", views.snapshot, name="snapshot"),
    path("<str:code>/console/<str:action>/", views.act, name="act"),
]

urlpatterns += board_urlpatterns
