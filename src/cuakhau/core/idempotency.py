"""``Idempotency-Key`` on every ``POST`` of the API, as payment APIs have it.

A phone on a border road loses the answer to "declare this trip" and sends it again; a booth
tablet retries a cash payment. With the same ``Idempotency-Key`` header, the second request gets
the first one's answer (same status, same body, header ``Idempotent-Replayed: true``) and
nothing is created twice. The same key with another request (method, path, query or body) is
refused with 422; a key is 1 to 255 printable ASCII characters. Keys belong to the caller (the
person or device the credential names), so two callers never see each other's answers, and
they expire after 24 hours.

How it holds under concurrency and crashes: a keyed request runs in one transaction that first
inserts the key's row (unique per caller), then runs the handler, then stores the answer in
that row. A second request with the same key waits on the first one's row (PostgreSQL's unique
index, SQLite's write lock) and, once the first committed, replays its answer. An answer that
was not stored means nothing was committed (a server error, a killed process), so running the
request again is safe. A deadlock inside the request retries the whole transaction.

Installed over every POST operation of the NinjaAPI by ``install`` (see ``cuakhau.api``).
A public operation (the desk's online filing, open to anyone) has no credential to scope a key
to: its keys belong to the caller's address (``core.context.client_address``), so a filing
resent from a phone on the same connection is answered once; a request without an address
ignores the header. A multipart request is compared by its fields and its files' names and
contents, not by its bytes: a client that sends the same form again draws a new boundary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import time
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cuakhau.core import retry
from cuakhau.core.context import client_address
from cuakhau.core.errors import FieldErrors
from cuakhau.core.jsontext import read_json

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
TTL = dt.timedelta(hours=24)
# "Try again later" is no answer to keep: a client that waits its Retry-After and sends the
# same request with the same key must reach the operation again, not a replayed refusal.
NOT_KEPT = frozenset({429})

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Makes this POST safe to send again: a request with the same key and the same body "
        "gets the first answer (with `Idempotent-Replayed: true`) and changes nothing; the same "
        "key with another request is refused (422). 1-255 printable ASCII characters (a UUID "
        "is a good key); keys are per caller and expire after 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": "^[ -~]+$"},
}


class _Discard(Exception):
    """Roll the keyed transaction back but answer with ``response`` (a server error)."""

    def __init__(self, response):
        self.response = response


@dataclass
class _State:
    """What the handler wrapper tells the transaction wrapper about one attempt."""

    record: object | None = None  # the claimed IdempotencyKey row, to store the answer in
    conflict: OperationalError | None = None  # a deadlock the API's error handler swallowed


def install(api) -> None:
    """Accept ``Idempotency-Key`` on every POST operation of ``api`` and document it."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if "POST" not in operation.methods:
                    continue
                operation.run = _keyed_transaction(operation, operation.run)
                operation.view_func = _claim_or_replay(operation, operation.view_func)
                extra = dict(operation.openapi_extra or {})
                extra["parameters"] = [*extra.get("parameters", []), PARAMETER]
                operation.openapi_extra = extra


def _keyed_transaction(operation, run):
    """Runs a keyed request in one transaction (retried on deadlock) and stores its answer."""

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        if (
            request.method != "POST"
            or HEADER not in request.headers
            # A public operation scopes its keys to the caller's address: none, no key.
            or (not operation.auth_callbacks and client_address(request) is None)
        ):
            return run(request, *args, **kwargs)
        for attempt in range(retry.ATTEMPTS):
            state = request._idempotency = _State()
            try:
                with transaction.atomic():
                    response = run(request, *args, **kwargs)
                    if state.conflict is not None:
                        raise state.conflict
                    if state.record is not None:
                        if response.status_code >= 500 or response.status_code in NOT_KEPT:
                            raise _Discard(response)
                        _store(state.record, response)
                return response
            except _Discard as discard:
                return discard.response
            except OperationalError as exc:
                if not retry.is_retryable(exc):
                    raise
                if attempt == retry.ATTEMPTS - 1:
                    return operation.api.on_exception(request, retry.Busy(str(exc)))
                time.sleep(retry.backoff(attempt))
            finally:
                del request._idempotency
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def _claim_or_replay(operation, view_func):
    """After authentication: claim the caller's key, or replay the answer stored under it."""

    @functools.wraps(view_func)
    def wrapper(request, *args, **kwargs):
        state = getattr(request, "_idempotency", None)
        if operation.auth_callbacks:
            caller = caller_of(getattr(request, "auth", None))
        else:
            address = client_address(request)
            caller = f"address:{address}" if address else None
        if state is None or caller is None:
            return view_func(request, *args, **kwargs)
        key = checked_key(request.headers.get(HEADER, ""))
        record, replay = claim(caller, key, request)
        if replay:
            return replayed(record)
        state.record = record
        transaction.on_commit(forget_expired)
        try:
            return view_func(request, *args, **kwargs)
        except OperationalError as exc:
            # Remembered in case the API's error handler turns it into an answer (DEBUG).
            if retry.is_retryable(exc):
                state.conflict = exc
            raise

    return wrapper


def caller_of(principal) -> str | None:
    """``auth.user:12``, ``gate.device:3``: whom a key belongs to."""
    meta = getattr(principal, "_meta", None)
    if meta is None or getattr(principal, "pk", None) is None:
        return None
    return f"{meta.label_lower}:{principal.pk}"


def checked_key(key: str) -> str:
    if not key or len(key) > MAX_LENGTH or not all(" " <= c <= "~" for c in key):
        raise FieldErrors(
            {
                HEADER: [
                    _("An idempotency key is 1 to %(n)d printable ASCII characters.")
                    % {"n": MAX_LENGTH}
                ]
            },
            location="header",
        )
    return key


def fingerprint(request) -> str:
    """The request a key stands for: method, path, query and body (JSON compared as data, so
    a client re-serialising the same object with other spacing or key order is not refused)."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, sorted(request.GET.lists())):
        digest.update(json.dumps(part).encode() + b"\0")
    if request.content_type == "multipart/form-data":
        digest.update(json.dumps(sorted(request.POST.lists())).encode() + b"\0")
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps([name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    body = request.body
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        body = json.dumps(read_json(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def claim(caller: str, key: str, request):
    """(row, replay): the key's row, new or locked, and whether its answer is to be replayed.

    Inside the keyed transaction: a new row stays invisible to others until the answer is
    stored with it; a concurrent request with the same key waits for that commit here.
    """
    from .models import IdempotencyKey

    now = timezone.now()
    request_print = fingerprint(request)
    fields = {
        "fingerprint": request_print,
        "method": request.method,
        "path": request.get_full_path()[:500],
        "status_code": 0,
        "content_type": "",
        "body": b"",
        "created_at": now,
    }
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(caller=caller, key=key, **fields), False
    except IntegrityError:
        pass
    record = retry.lock_rows(IdempotencyKey.objects.filter(caller=caller, key=key)).get()
    if record.created_at <= now - TTL:
        # Expired: the key starts a new life with this request.
        for name, value in fields.items():
            setattr(record, name, value)
        return record, False
    if record.fingerprint != request_print:
        raise FieldErrors(
            {
                HEADER: [
                    _(
                        "This idempotency key was already used for another request "
                        "(%(method)s %(path)s with another body). Use a new key for a new request."
                    )
                    % {"method": record.method, "path": record.path}
                ]
            },
            location="header",
        )
    return record, True


def _store(record, response) -> None:
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:100]
    record.body = bytes(response.content)
    record.save()


def replayed(record) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    response[REPLAYED_HEADER] = "true"
    return response


def forget_expired() -> int:
    """Forget keys older than 24 hours (after each new key: an index range, mostly empty)."""
    from .models import IdempotencyKey

    return IdempotencyKey.objects.filter(created_at__lt=timezone.now() - TTL).delete()[0]
