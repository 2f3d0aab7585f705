"""The JSON API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from cuakhau import policy
from cuakhau.accounts.api import router as accounts_router
from cuakhau.cooperation.api import router as cooperation_router
from cuakhau.core.api_support import (
    ERROR_DESCRIPTIONS,
    LIST_HEADERS,
    JsonBodyParser,
    body_refusal,
    declare_error_responses,
    error_items,
    forbid_unknown_fields,
    install_further_checks,
    not_found_message,
    validation_items,
)
from cuakhau.core.errors import FieldErrors, StateRefused
from cuakhau.core.idempotency import install as install_idempotency
from cuakhau.core.policy import install as install_policy
from cuakhau.core.retry import Busy
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.desk.api import router as desk_router
from cuakhau.gate.api import router as gate_router
from cuakhau.inspections.api import router as inspections_router
from cuakhau.investment.api import router as investment_router
from cuakhau.market.api import router as market_router
from cuakhau.notify.api import router as notify_router
from cuakhau.payments.api import router as payments_router
from cuakhau.receipts.api import router as receipts_router
from cuakhau.reference.api import router as reference_router
from cuakhau.risk.api import router as risk_router
from cuakhau.slots.api import router as slots_router
from cuakhau.stats.api import router as stats_router
from cuakhau.trips.api import router as trips_router
from cuakhau.trips.services import TripPermissionDenied

# The refusal shapes every operation shares (``core.api_support.ERROR_RESPONSES``).
SHARED_ERRORS = ("ApiError", "ApiConflict", "ApiValidationError")


class CuakhauApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """django-ninja's document, with what each refusal means and the headers every list
        answers, where django-ninja says only the status's name."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                for status, response in responses.items():
                    meaning = ERROR_DESCRIPTIONS.get(int(status))
                    shape = str(response.get("content", {}).get("application/json", {}))
                    # Only the API's own refusals: a webhook's 401 means another thing.
                    if meaning and any(f"/{name}'" in shape for name in SHARED_ERRORS):
                        response["description"] = meaning
                if "page" in {p.get("name") for p in operation.get("parameters", [])}:
                    ok = responses.get(200) or responses.get("200")
                    if ok is not None:
                        ok["headers"] = dict(LIST_HEADERS)
        return schema


api = CuakhauApi(
    title="cuakhau API",
    version="1",
    description=(
        "Border-gate platform API. Authenticate with `Authorization: Bearer <token>` "
        "(create tokens in your profile or with `cuakhau createtoken USERNAME`); a gate device "
        "sends its own key the same way.\n\n"
        "**Languages.** Every code in an answer (a state, a channel, an agency, an action) "
        "comes with its label beside it (`status` and `status_label`), and every message, in "
        "the token owner's profile language, else `Accept-Language` (vi, en, zh-hans).\n\n"
        "**Lists.** Every list that grows with the records (trips, market rules, your tokens, "
        "the desk's files, investment projects, commitments) takes `page` (from 1) and "
        '`page_size` (1 to 200; 50 for the lists in an envelope, `{"count", "items"}`, 200 '
        "for those answered as an array), answers its total in `X-Total-Count` and, while there is more, the next page "
        'in `Link: <...>; rel="next"`. A value out of range or not a whole number in ASCII '
        "digits is a 422 naming the parameter.\n\n"
        '**Refusals.** Every refusal is JSON: `{"detail": "..."}`, and a 422 lists each '
        'refused field as `{"loc": [...], "msg": "...", "type": "..."}`. A record '
        "of another organisation is a 404, as one that does not exist. Unknown fields of a "
        "body are refused (422), never silently ignored; a body is read only as JSON sent "
        "with `Content-Type: application/json` (415 otherwise), and a key given twice in one "
        "object is a 400.\n\n"
        "**Retries.** Every POST takes an `Idempotency-Key`: keys belong to the caller the "
        "credential names, or to the caller's address on a public operation."
    ),
    urls_namespace="api",
    parser=JsonBodyParser(),
)
api.add_router("/", trips_router)
api.add_router("/reference", reference_router)
api.add_router("/me", accounts_router)
api.add_router("/", receipts_router)
api.add_router("/", payments_router)
api.add_router("/", gate_router)
api.add_router("/", inspections_router)
api.add_router("/", market_router)
api.add_router("/", risk_router)
api.add_router("/", slots_router)
api.add_router("/", desk_router)  # the one-stop desk (issue 11)
api.add_router("/", investment_router)  # the investment register (issue 12)
api.add_router("/", cooperation_router)  # cooperation and external relations (issue 12)
api.add_router("/", stats_router)  # trade statistics (issue 12)
api.add_router("/", notify_router)
# Who may call each operation: the one policy table, applied before any handler runs.
install_policy(api, policy.API)


@api.exception_handler(FieldErrors)
def on_field_errors(request, exc: FieldErrors):
    return api.create_response(
        request, {"detail": error_items(exc.errors, exc.location)}, status=422
    )


@api.exception_handler(StateRefused)
def on_state_refused(request, exc: StateRefused):
    # The URL names the record; no field of the body is at fault.
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(IllegalTransition)
def on_illegal_transition(request, exc: IllegalTransition):
    # The codes for programs, each with the label a person reads (the machine's own words).
    return api.create_response(
        request,
        {
            "detail": str(exc),
            "state": exc.state,
            "state_label": str(exc.say("state", exc.state)),
            "action": exc.action,
            "action_label": str(exc.say("verb", exc.action)),
            "allowed": exc.allowed,
            "allowed_labels": [str(exc.say("verb", a)) for a in exc.allowed],
        },
        status=409,
    )


@api.exception_handler(TripPermissionDenied)
@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    detail = str(exc) or _("You may not do this.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": not_found_message(exc)}, status=404)


# Every refusal of the API has one shape, declared on every operation of the OpenAPI:
# {"detail": "..."}, and for a 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}.
declare_error_responses(api)
forbid_unknown_fields(api)
# A body its schema refuses is still checked by the service: every error in one 422.
install_further_checks(api)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_items(exc.errors)}, status=422)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    detail = str(exc)
    refused = body_refusal(exc)
    if refused:
        status, detail = refused
        return api.create_response(request, {"detail": detail}, status=status)
    if detail.startswith("Cannot parse request body"):
        # django-ninja's own words, in English only: a body that is not JSON.
        detail = _("The request body is not valid JSON.")
    response = api.create_response(request, {"detail": detail}, status=exc.status_code)
    if exc.status_code == 401:
        # RFC 9110: a 401 names the scheme that would be accepted.
        response["WWW-Authenticate"] = 'Bearer realm="cuakhau"'
    return response


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    # Django would answer a 400 page; a client of the API needs to know the body is too large.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        {"detail": _("The request body is larger than %(limit)d bytes.") % {"limit": limit}},
        status=413,
    )


# --- Concurrency and retries (issue 8, section 4) -------------------------------------------
# Every POST accepts an Idempotency-Key (cuakhau.core.idempotency); a transaction that kept
# colliding with concurrent ones after its retries (cuakhau.core.retry) is a 503, not a 500.
install_idempotency(api)


@api.exception_handler(Busy)
def on_busy(request, exc: Busy):
    response = api.create_response(
        request, {"detail": _("The server is busy; send the request again.")}, status=503
    )
    response["Retry-After"] = str(exc.retry_after)
    return response
