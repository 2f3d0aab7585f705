from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/resolve/", views.resolve, name="resolve"),
    path("trips/<str:reference>/simulate/", views.simulate_transfer, name="simulate"),
    path("trips/<str:reference>/cash/", views.record_cash, name="cash"),
]
