"""The site's URLs with the yard board and performance routes merged into the ``gate``
namespace, as they will be once ``urls_board`` is wired; for the view tests only."""

from django.urls import URLResolver, include, path

from cuakhau import urls as site
from cuakhau.gate import urls_board

try:
    from cuakhau.gate import urls as gate_urls

    gate_patterns = list(gate_urls.urlpatterns)
except ImportError:  # the console routes are not needed by these tests
    gate_patterns = []

urlpatterns = [
    p
    for p in site.urlpatterns
    if not (isinstance(p, URLResolver) and getattr(p, "namespace", None) == "gate")
] + [path("gate/", include(([*gate_patterns, *urls_board.urlpatterns], "gate")))]
