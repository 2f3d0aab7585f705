"""The JSON API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from ninja import NinjaAPI
from ninja.security import django_auth

from cuakhau.accounts.api import TokenAuth
from cuakhau.accounts.api import router as accounts_router
from cuakhau.core.api_support import error_items, not_found_message
from cuakhau.core.errors import FieldErrors
from cuakhau.core.statemachine import IllegalTransition
from cuakhau.gate.api import router as gate_router
from cuakhau.inspections.api import router as inspections_router
from cuakhau.market.api import router as market_router
from cuakhau.payments.api import router as payments_router
from cuakhau.receipts.api import router as receipts_router
from cuakhau.reference.api import router as reference_router
from cuakhau.risk.api import router as risk_router
from cuakhau.trips.api import router as trips_router
from cuakhau.trips.services import TripPermissionDenied

api = NinjaAPI(
    title="cuakhau API",
    version="1",
    description=(
        "Border-gate platform API. Authenticate with `Authorization: Bearer <token>` "
        "(create tokens in your profile or with `cuakhau createtoken USERNAME`)."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
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


@api.exception_handler(FieldErrors)
def on_field_errors(request, exc: FieldErrors):
    return api.create_response(
        request, {"detail": error_items(exc.errors, exc.location)}, status=422
    )


@api.exception_handler(IllegalTransition)
def on_illegal_transition(request, exc: IllegalTransition):
    return api.create_response(
        request,
        {"detail": str(exc), "state": exc.state, "action": exc.action, "allowed": exc.allowed},
        status=409,
    )


@api.exception_handler(TripPermissionDenied)
@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Forbidden."}, status=403)


@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": not_found_message(exc)}, status=404)
