from django.urls import path

from . import views, views_reports

app_name = "desk"

urlpatterns = [
    path("", views.procedures, name="procedures"),
    path("procedures/<slug:key>/", views.procedure, name="procedure"),
    path("apply/", views.apply, name="apply"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.status, name="status"),
    path(
        "track/<str:code>/documents/<int:document_id>/",
        views.applicant_document,
        name="applicant_document",
    ),
    path("queue/", views.queue, name="queue"),
    path("counter/", views.counter, name="counter"),
    path("reports/", views_reports.report, name="reports"),
    path("applications/<str:code>/", views.application, name="application"),
    path("applications/<str:code>/take/", views.take, name="take"),
    path("applications/<str:code>/reassign/", views.reassign, name="reassign"),
    path("applications/<str:code>/documents/<int:document_id>/", views.document, name="document"),
    path("applications/<str:code>/<str:action>/", views.act, name="act"),
]
