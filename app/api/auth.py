"""The HR API's caller: the API key of `Authorization: Bearer <key>`."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from app.models import ApiKey
from app.services.apikeys import authenticate_api_key

UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Bearer realm="stagefit"'}
# Declares the scheme in the OpenAPI document; the key itself is checked below.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `stagefit apikey create`: `Authorization: Bearer sf_live_…`.",
)


def require_api_key(request: Request, db: Session) -> ApiKey:
    """The valid, unrevoked key of the request; 401 problem details otherwise."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise HTTPException(
            401, "send an API key as 'Authorization: Bearer <key>'", UNAUTHORISED_HEADERS
        )
    api_key = authenticate_api_key(db=db, key=key.strip())
    if api_key is None:
        raise HTTPException(401, "the API key is unknown or revoked", UNAUTHORISED_HEADERS)
    return api_key
