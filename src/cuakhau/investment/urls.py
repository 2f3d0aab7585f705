from django.urls import path

from . import views

app_name = "investment"

urlpatterns = [
    path("", views.projects, name="projects"),
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/example.csv", views.example_file, name="example_file"),
    path("<str:code>/", views.project, name="project"),
    path("<str:code>/<str:action>/", views.act, name="act"),
]
