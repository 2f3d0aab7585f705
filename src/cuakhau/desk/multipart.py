"""A desk page's multipart post that Django cannot read, refused beside its Documents field.

Django's multipart parser refuses a whole request with a bare 400 when one part is beyond its
limits: a part's headers over 1,024 bytes (``MAX_TOTAL_HEADER_SIZE``: a file name of roughly
900 bytes or more, which is 300 Vietnamese or Chinese letters), more files than
``DATA_UPLOAD_MAX_NUMBER_FILES``, or a body it cannot parse. On a real server that happens in
``CsrfViewMiddleware``, the first to read ``request.POST``, before the view can say anything.

``reads_uploads`` parses the post itself before the CSRF check, with Django's own parser: what
the parser read before the refused part (the CSRF token and the typed fields, which the page's
form sends first) stays in ``request.POST``; no file is kept; and the refusal is left in
``request.desk_upload_refused`` for the view to put beside the Documents field (the view then
files or changes nothing). The CSRF check then runs as usual (``csrf_protect``) on what was
read: a post without its token is still refused with 403. ``api_reads_uploads`` does the same
for the API's filing (no CSRF there): the refusal is its 422 on ``["file", "documents"]``.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import TooManyFilesSent
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import uploads

ATTRIBUTE = "desk_upload_refused"


def refusal_of(request) -> str:
    """Why the post's files could not be read ("" when they could)."""
    return getattr(request, ATTRIBUTE, "")


def _message(exc: Exception) -> str:
    if isinstance(exc, TooManyFilesSent):
        return _("Too many files in one post: send at most %(count)d.") % {
            "count": uploads.MAX_FILES
        }
    if "header size" in str(exc):
        return _(
            "A file name is too long to be read: give the file a shorter name and send it again."
        )
    return _("The files could not be read (the upload was cut short or malformed): send again.")


def _parse(request) -> None:
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return
    if hasattr(request, "_post") or getattr(request, "_read_started", False):
        return  # already read (a test client's request, or a middleware): nothing to add
    parser = MultiPartParser(request.META, request, request.upload_handlers, request.encoding)
    try:
        request._post, request._files = parser.parse()
    except (MultiPartParserError, TooManyFilesSent) as exc:
        # The fields read before the refused part (Django's parser keeps them as it goes).
        read = getattr(parser, "_post", None)
        request._post = read.copy() if isinstance(read, QueryDict) else QueryDict()
        request._post._mutable = False
        request._files = MultiValueDict()
        setattr(request, ATTRIBUTE, _message(exc))


def reads_uploads(view):
    """Wraps a desk view that takes files: see the module's docstring."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        _parse(request)
        return protected(request, *args, **kwargs)

    # The CSRF middleware would read the post first (and answer 400 for the parser's refusal):
    # the check is ``csrf_protect``'s above, after the post is read here.
    return csrf_exempt(wrapped)


def api_reads_uploads(run):
    """For ``ninja.decorators.decorate_view`` on an API operation that takes files: the post
    read before django-ninja reads it, its refusal left for the operation to answer in its 422
    beside its other fields' refusals (``refusal_of``), with no file kept."""

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        _parse(request)
        return run(request, *args, **kwargs)

    return wrapped
