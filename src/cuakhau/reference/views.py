from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import services


@login_required
def hs_search(request):
    """Search-as-you-type options for an HS code field (htmx)."""
    query = request.GET.get("q") or next(
        (v for k, v in request.GET.items() if k.endswith("hs_code")), ""
    )
    return render(request, "reference/_hs_options.html", {"codes": services.search_hs_codes(query)})
