"""The HR API's caller: the API key of `Authorization: Bearer <key>`."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer
from sqlalchemy.orm import Session

from app.db import Database
from app.models import ApiKey
from app.services.apikeys import authenticate_api_key, due_for_touch, touch

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Bearer realm="stagefit"'}
# Declares the scheme in the OpenAPI document; the key itself is checked below.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `stagefit apikey create`: `Authorization: Bearer sf_live_…`.",
)


def require_api_key(request: Request, db: Session, *, scope: str = "read") -> ApiKey:
    """The valid, unrevoked key of the request with `scope`; 401 problem details when there
    is no such key, 403 when the key may not do this."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise HTTPException(
            401, "send an API key as 'Authorization: Bearer <key>'", UNAUTHORISED_HEADERS
        )
    api_key = authenticate_api_key(db=db, key=key.strip())
    if api_key is None:
        raise HTTPException(401, "the API key is unknown or revoked", UNAUTHORISED_HEADERS)
    if scope not in api_key.scope_set:
        raise HTTPException(403, f"this API key does not have the {scope!r} scope")
    if due_for_touch(api_key):
        if request.method in READ_METHODS:
            # A read's session never writes; the last use gets a transaction of its own.
            database: Database = request.app.state.database
            with database.session(write=True) as own:
                touch(db=own, api_key_id=api_key.id)
        else:
            # A write's session holds SQLite's write lock already (BEGIN IMMEDIATE): a second
            # writer would wait for it until it timed out, so the last use is written with
            # the request (and lost if the request fails).
            touch(db=db, api_key_id=api_key.id)
    return api_key
