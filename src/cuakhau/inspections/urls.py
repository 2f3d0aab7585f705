from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<str:reference>/", views.trip_inspections, name="trip"),
    path("<str:reference>/<str:action>/", views.act, name="act"),
]
