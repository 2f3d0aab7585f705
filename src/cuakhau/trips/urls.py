from django.urls import path

from . import views

app_name = "trips"

urlpatterns = [
    path("", views.trip_list, name="list"),
    path("new/", views.trip_new, name="new"),
    path("cargo-line/", views.cargo_line_row, name="cargo_line"),
    path("<str:reference>/", views.trip_detail, name="detail"),
    path("<str:reference>/edit/", views.trip_edit, name="edit"),
    path("<str:reference>/amend/", views.trip_amend, name="amend"),
    path("<str:reference>/documents/", views.trip_document, name="document"),
    path(
        "<str:reference>/documents/<int:document_id>/",
        views.trip_document_file,
        name="document_file",
    ),
    path(
        "<str:reference>/documents/<int:document_id>/remove/",
        views.trip_document_remove,
        name="document_remove",
    ),
    path("<str:reference>/<str:action>/", views.trip_action, name="action"),
]
