"""The statistics' pages under /stats/. The gate's own pages come last: ``<code>/`` would take
any word, so every fixed path (reports, imports …) goes above the gate catch-all."""

from django.urls import path

from . import views, views_import, views_reports

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("targets/", views.targets, name="targets"),
    path("targets/set/", views.set_target, name="set_target"),
    path("rates/", views.rates, name="rates"),
    path("rates/set/", views.set_rate, name="set_rate"),
    path("<slug:chart>.csv", views.chart_csv, name="csv"),
    path("reports/", views_reports.report, name="report"),
    path("import/", views_import.import_page, name="import"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/example.csv", views_import.example_file, name="import_example"),
    path("import/<int:batch_id>/undo/", views_import.import_undo, name="import_undo"),
    # Other statistics pages (reports, imports): add them above this line.
    path("<slug:code>/", views.dashboard, name="gate_dashboard"),
    path("<slug:code>/<slug:chart>.csv", views.chart_csv, name="gate_csv"),
]
