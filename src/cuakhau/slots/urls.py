from django.urls import path

from . import views

app_name = "slots"

urlpatterns = [
    path("wait-times/", views.wait_times, name="wait_times"),
    path("trips/<str:reference>/", views.trip_slot, name="trip"),
    path("trips/<str:reference>/cancel/", views.cancel_slot, name="cancel"),
    path("<slug:code>/waiting/", views.waiting_area, name="waiting"),
    path("<slug:code>/capacity/", views.capacity, name="capacity"),
]
