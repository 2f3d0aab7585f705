import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from cuakhau.core.api_support import Moment, TextOf

from . import roles, services
from .models import ApiToken

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    roles: list[str]
    organisation: str | None
    gates: list[str]
    language: str


class TokenIn(Schema):
    name: TextOf(ApiToken, "name", min_length=1)
    # None: the token works until revoked. A time without a zone is on the gate's clock.
    # Made with a token that expires: never after it (the answer says when).
    expires_at: Moment(past=dt.timedelta(days=366), future=dt.timedelta(days=3660)) | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime | None
    state: Literal["active", "expired", "revoked"]


class NewTokenOut(TokenOut):
    token: str


@router.get("", response=MeOut)
def me(request: HttpRequest):
    user = request.auth
    profile = services.profile_of(user)
    return {
        "username": user.get_username(),
        "roles": sorted(roles.roles_of(user)),
        "organisation": profile.organisation.name if profile.organisation else None,
        "gates": services.gate_codes_of(user),
        "language": profile.language or "vi",
    }


@router.get("/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest):
    return list(request.auth.api_tokens.all())


@router.post("/tokens", response={201: NewTokenOut})
def create_token(request: HttpRequest, payload: TokenIn):
    token, raw = services.issue_token(
        request.auth,
        payload.name,
        expires_at=payload.expires_at,
        made_with=services.token_of_request(request.auth),
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int):
    return services.revoke_token(request.auth, token_id)
