from django.urls import path

from . import views

app_name = "receipts"

urlpatterns = [
    path("verify/", views.verify_page, name="verify"),
    path("offline/", views.offline_page, name="offline"),
    path("<str:number>/", views.receipt_detail, name="detail"),
    path("<str:number>/pdf/", views.receipt_pdf, name="pdf"),
    path("<str:number>/revoke/", views.revoke, name="revoke"),
]
