"""The site's URLs plus a page nobody wrote a rule for: the policy middleware refuses it."""

from django.http import HttpResponse
from django.urls import path

from cuakhau.urls import urlpatterns as site


def unruled(request):
    return HttpResponse("should never be served")


urlpatterns = [path("unruled/", unruled, name="unruled"), *site]
