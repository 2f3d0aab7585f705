from django.urls import path

from . import views

app_name = "reference"

urlpatterns = [path("hs/", views.hs_search, name="hs_search")]
