"""A URL configuration for these tests: the project's, plus the market page and API.

It mounts the market router on its own API (same auth and error handlers as the project's), so
the tests run whether or not ``cuakhau.api`` mounts it yet.
"""

from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from cuakhau import urls as project_urls
from cuakhau.accounts.api import TokenAuth
from cuakhau.api import api as project_api
from cuakhau.market.api import router

api = NinjaAPI(
    title="cuakhau market (tests)",
    version="tests",
    auth=[TokenAuth(), django_auth],
    urls_namespace="market-tests-api",
)
for exception, handler in project_api._exception_handlers.items():
    api.add_exception_handler(exception, handler)
api.add_router("/", router)

urlpatterns = [
    path("api/v1/", api.urls),
    path("market/", include("cuakhau.market.urls")),
    *project_urls.urlpatterns,
]
