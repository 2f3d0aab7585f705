from django.http import HttpResponse
from django.urls import path

from gatebare.api import api


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("healthz", healthz), path("", api.urls)]
