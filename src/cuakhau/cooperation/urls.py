from django.urls import path

from . import views

app_name = "cooperation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/<int:pk>/", views.commitment, name="commitment"),
    path("commitments/<int:pk>/<str:action>/", views.act, name="act"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("delegations-and-aid/", views.external, name="external"),
    path("new/<str:kind>/", views.record, name="record"),
]
