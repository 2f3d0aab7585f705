"""The project's URLs plus this app's, for tests that run before the app is wired in.

Once cuakhau.urls and cuakhau.api include the risk routes, the patterns mounted first here
shadow them with identical ones, so the same tests keep passing.
"""

from django.urls import include, path
from ninja import NinjaAPI
from ninja.security import django_auth

from cuakhau.accounts.api import TokenAuth
from cuakhau.api import api as project_api
from cuakhau.risk.api import router
from cuakhau.urls import urlpatterns as project_urlpatterns

api = NinjaAPI(
    title="cuakhau risk API (tests)",
    version="test",
    auth=[TokenAuth(), django_auth],
    urls_namespace="risk_test_api",
)
api.add_router("/", router, url_name_prefix="risk_test")
# The project's handlers: the same 403, 404 and 422 shapes as in production.
api._exception_handlers = dict(project_api._exception_handlers)

urlpatterns = [
    path("api/v1/", api.urls),
    path("risk/", include("cuakhau.risk.urls")),
    *project_urlpatterns,
]
