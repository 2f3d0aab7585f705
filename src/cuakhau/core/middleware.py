"""What every request passes before anything looks its URL up."""

import secrets

from django.http import Http404
from django.utils.translation import gettext as _

from .inputs import CONTROL_CHARACTER


class ControlCharacterPathMiddleware:
    """A URL with a control character in it names nothing here: a 404 before the policy or a
    view looks its parts up. No identifier holds one (every input refuses them), and
    PostgreSQL refuses a NUL in a query where SQLite only finds nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL_CHARACTER.search(request.path_info):
            raise Http404(_("No page has this address."))
        return self.get_response(request)


class RefusedInputMiddleware:
    """A service's refusal (``FieldErrors``) that a page's view did not show beside its field
    is shown on a page of its own, HTTP 422, in the reader's language: never a server error;
    a record's state refusing the action (``StateRefused``) that the view did not say, the
    same page, HTTP 409. The API maps the same refusals itself (``cuakhau.api``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .errors import FieldErrors, StateRefused

        if request.path_info.startswith("/api/"):
            return None
        if isinstance(exception, StateRefused):
            return render(request, "422.html", {"refusals": [str(exception)]}, status=409)
        if not isinstance(exception, FieldErrors):
            return None
        refusals = [str(m) for messages in exception.errors.values() for m in messages]
        return render(request, "422.html", {"refusals": refusals}, status=422)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy and Permissions-Policy of every answer (settings
    ``CONTENT_SECURITY_POLICY``, ``PERMISSIONS_POLICY``), static files included: an SVG
    opened on its own runs no script from elsewhere. A view that set its own keeps it. Each
    answer has its own nonce (``request.csp_nonce``) for the inline scripts its page writes."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": getattr(settings, "CONTENT_SECURITY_POLICY", ""),
            "Permissions-Policy": getattr(settings, "PERMISSIONS_POLICY", ""),
        }

    def __call__(self, request):
        request.csp_nonce = nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value and name not in response:
                response[name] = value.replace("{nonce}", nonce)
        return response


class MethodNotAllowedPageMiddleware:
    """A page's address that only takes a form's POST (cancel, revoke, approve), opened as a
    link, is answered with a page in the site's look and language saying nothing was done and
    where the action is, not Django's blank 405. It happens after a sign-in: a session that
    expired mid-action sends the person to sign in, and back to the action's address by GET.
    A page's other refused methods (``core.policy.page_methods``: a DELETE, a PUT) get the
    same page, saying the page does not take them.
    The API's 405 keeps its JSON (``core.api_support.ApiErrorShapeMiddleware``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.path_info.startswith("/api/")
            or getattr(response, "streaming", False)
            or response.content
        ):
            return response
        from django.shortcuts import render

        page = render(
            request,
            "405.html",
            {
                # A page that reads refused another method (a DELETE, a PUT): it says so, and
                # offers the page itself rather than the one above it.
                "reads": "GET" in response.get("Allow", "").replace(" ", "").split(","),
                "method": request.method,
                "back": _page_above(request.path_info),
            },
            status=405,
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


def _page_above(path: str) -> str | None:
    """The nearest address above ``path`` that names a page (/trips/<ref>/ for
    /trips/<ref>/cancel/), or None when only the start page is."""
    from django.urls import Resolver404, resolve

    parts = [part for part in path.split("/") if part]
    while len(parts) > 1:
        parts.pop()
        candidate = "/" + "/".join(parts) + "/"
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return None
