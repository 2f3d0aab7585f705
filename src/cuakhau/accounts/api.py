import datetime as dt
import re
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from cuakhau.core.api_support import (
    MAX_PAGE_SIZE,
    CodeOf,
    PageNumber,
    PageSize,
    RecordId,
    TextOf,
    label_of,
    page_of,
)
from cuakhau.core.errors import FieldErrors

from . import roles, services
from .models import ApiToken, TokenState

router = Router(tags=["me"])


# A role is a group's name: listed as the platform's roles (``roles.LABELS``).
Role = CodeOf(roles.LABELS)


class RoleOut(Schema):
    role: Role
    label: str


class MeOut(Schema):
    username: str
    roles: list[Role]
    role_labels: list[RoleOut]
    organisation: str | None
    gates: list[str]
    language: CodeOf(lambda: dict(settings.LANGUAGES))
    language_label: str


def _refused_expiry(message) -> PydanticCustomError:
    return PydanticCustomError("expires_at", str(message))


def _a_day_as_its_end(value):
    # "2026-12-10" is a day, as the profile page's date field gives one: the token works through
    # it (until the next midnight on the local clock). Read as a moment it was the day's first
    # instant, and the token was dead on the day it named.
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date_parsing", "Enter a valid date as YYYY-MM-DD.") from None
        try:
            return services.expiry_at_end_of(day)
        except FieldErrors as refused:  # a real day, only too far (9999-12-31) or past
            raise _refused_expiry(refused.errors["expires_at"][0]) from None
    return value


def _within_token_lifetime(value: dt.datetime) -> dt.datetime:
    # The service's own bounds and words, for a moment as for a day: "at most 3 years" for
    # 2029-12-31 and for 9999-12-31 alike.
    try:
        return services.check_token_expiry(value)
    except FieldErrors as refused:
        raise _refused_expiry(refused.errors["expires_at"][0]) from None
    except (OverflowError, ValueError):
        raise _refused_expiry(_("Enter a real date and time.")) from None


class TokenIn(Schema):
    name: TextOf(ApiToken, "name", min_length=1)
    # None: the token works until revoked. A time without a zone is on the gate's clock; a day
    # alone: through its end on that clock. Made with a token that expires: never after it
    # (the answer says when).
    expires_at: (
        Annotated[
            dt.datetime,
            BeforeValidator(_a_day_as_its_end),
            AfterValidator(_within_token_lifetime),
        ]
        | None
    ) = None
    # Asked of a signed-in browser session only (a token's call needs none): whoever finds a
    # session open must not mint a token that outlives it. Counted as a sign-in failure.
    password: str | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None
    state: Literal["active", "expired", "revoked"]
    state_label: str

    @staticmethod
    def resolve_state_label(obj) -> str:
        state = obj["state"] if isinstance(obj, dict) else obj.state
        return label_of(TokenState, state)


class NewTokenOut(TokenOut):
    token: str


@router.get(
    "",
    response=MeOut,
    summary="Who you are",
    description=(
        "The signed-in person: username, roles, organisation (enterprises and drivers), the "
        "gates they work at (officers) and the language their answers are in."
    ),
)
def me(request: HttpRequest):
    user = request.auth
    profile = services.profile_of(user)
    held = sorted(roles.roles_of(user))
    # The language of the answers: the profile's, else the one the request asked for.
    language = profile.language or translation.get_language() or settings.LANGUAGE_CODE
    return {
        "username": user.get_username(),
        "roles": held,
        "role_labels": [{"role": r, "label": label_of(roles.LABELS, r)} for r in held],
        "organisation": profile.organisation.name if profile.organisation else None,
        "gates": services.gate_codes_of(user),
        "language": language,
        "language_label": label_of(dict(settings.LANGUAGES), language),
    }


@router.get(
    "/tokens",
    response=list[TokenOut],
    summary="Your API tokens",
    description=(
        "The caller's own tokens (never their secret: only a hint of it), active, expired "
        "and revoked, by pages."
    ),
)
def list_tokens(
    request: HttpRequest,
    response: HttpResponse,
    page: PageNumber = 1,
    page_size: PageSize = MAX_PAGE_SIZE,
):
    return page_of(request.auth.api_tokens.all(), page, page_size, request, response)


@router.post(
    "/tokens",
    response={201: NewTokenOut},
    summary="Make an API token",
    description=(
        "A new token for the caller, optionally expiring (`expires_at`: a moment, or a day — "
        "the token then works through its end on the local clock). The secret is in this "
        "answer only: keep it. A token made with a token that expires never outlives it. "
        "Called from a signed-in browser session (no token), it needs the person's `password`."
    ),
)
def create_token(request: HttpRequest, payload: TokenIn):
    made_with = services.token_of_request(request.auth)
    if made_with is None:
        services.check_password_of_session(request, payload.password)
    token, raw = services.issue_token(
        request.auth, payload.name, expires_at=payload.expires_at, made_with=made_with
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete(
    "/tokens/{token_id}",
    response=TokenOut,
    summary="Revoke one of your API tokens",
    description="At once and for good. Another person's token is a 404.",
)
def revoke_token(request: HttpRequest, token_id: RecordId):
    return services.revoke_token(request.auth, token_id)
